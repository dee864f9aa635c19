//! Units of the organisation tree.
//!
//! Each unit stores its materialised path (`/1/7/42/`, the ids from the root), so a subtree
//! is the index range `path >= '/1/7/' AND path < '/1/70'` on both backends ('0' is the
//! character after '/'). Moving a unit rewrites its subtree's paths in one statement.
//! Units with records are archived or merged, never deleted.

use crate::StoreError;
use crate::audit::{self, Actor, Change};
use crate::rollups;
use crate::sql;
use chrono::{DateTime, Utc};
use lantoa_domain::ClosedList;
use lantoa_domain::OrgId;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::org::{OrgDraft, OrgKind, Sector};
use lantoa_domain::text::fold;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use std::collections::HashMap;

/// A stored unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Org {
    /// Id.
    pub id: OrgId,
    /// Unique short code used in files.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Sector.
    pub sector: Sector,
    /// Parent unit; `None` for a root.
    pub parent_id: Option<OrgId>,
    /// Materialised path, `/1/7/42/`.
    pub path: String,
    /// 0 for a root.
    pub depth: i32,
    /// When archived; archived units stay in the years they existed.
    pub archived_at: Option<DateTime<Utc>>,
    /// The unit this one was merged into.
    pub merged_into_id: Option<OrgId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Org {
    /// Whether the unit is active (not archived).
    pub fn is_active(&self) -> bool {
        self.archived_at.is_none()
    }

    /// The ids on the path from the root down to this unit, this unit last.
    pub fn path_ids(&self) -> Vec<OrgId> {
        path_ids(&self.path)
    }

    /// The index range of this unit's subtree.
    pub fn subtree(&self) -> Subtree {
        Subtree::of_path(&self.path)
    }
}

/// The index range `[from, to)` of a subtree's paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subtree {
    /// Inclusive lower bound: the root's path.
    pub from: String,
    /// Exclusive upper bound: the root's path with its last '/' replaced by '0'.
    pub to: String,
}

impl Subtree {
    /// The subtree rooted at the unit with this path.
    pub fn of_path(path: &str) -> Self {
        let stem = path.strip_suffix('/').unwrap_or(path);
        Self {
            from: path.to_owned(),
            to: format!("{stem}0"),
        }
    }
}

/// The paths of a unit and its ancestors, from the top: "/1/7/42/" → "/1/", "/1/7/",
/// "/1/7/42/".
pub fn lineage_paths(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut prefix = String::from("/");
    for part in path.split('/').filter(|p| !p.is_empty()) {
        prefix.push_str(part);
        prefix.push('/');
        out.push(prefix.clone());
    }
    out
}

impl Subtree {
    /// The unit at the subtree's root.
    pub fn root_id(&self) -> OrgId {
        path_ids(&self.from).last().copied().unwrap_or(OrgId(0))
    }

    /// Whether a unit's path lies in this subtree.
    pub fn contains(&self, path: &str) -> bool {
        path >= self.from.as_str() && path < self.to.as_str()
    }
}

/// Unit `d` lies in the subtree of unit `c` (both aliases of `orgs`): the path range of
/// [`Subtree::of_path`] written in SQL, for grouping a subtree's rows by child unit.
pub(crate) const IN_CHILD_SUBTREE: &str =
    "d.path >= c.path AND d.path < substr(c.path, 1, length(c.path) - 1) || '0'";

/// The units someone may see or change: everything, or the union of some subtrees. The
/// default is nothing, so that a list that forgets to say its scope shows nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole tree (system administrators, the command line).
    All,
    /// These subtrees only.
    Subtrees(Vec<Subtree>),
}

impl Default for Scope {
    fn default() -> Self {
        Scope::Subtrees(Vec::new())
    }
}

impl Scope {
    /// Whether a unit with this path is in scope.
    pub fn contains(&self, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtrees(trees) => trees.iter().any(|t| t.contains(path)),
        }
    }

    /// Whether nothing is in scope.
    pub fn is_empty(&self) -> bool {
        matches!(self, Scope::Subtrees(trees) if trees.is_empty())
    }

    /// Restricts a query to rows whose unit path (`column`) is in scope, in the query
    /// itself so that counts and pages agree.
    pub(crate) fn restrict(&self, w: &mut crate::sql::Where, column: &str) {
        if let Some((clause, values)) = self.condition(column) {
            w.push(&clause, values);
        }
    }

    /// The SQL condition (with `?` placeholders) that `column` is in scope; `None` when
    /// everything is.
    pub(crate) fn condition(&self, column: &str) -> Option<(String, Vec<Value>)> {
        let Scope::Subtrees(trees) = self else {
            return None;
        };
        if trees.is_empty() {
            return Some(("1 = 0".to_owned(), Vec::new()));
        }
        let clause = vec![format!("({column} >= ? AND {column} < ?)"); trees.len()].join(" OR ");
        let values = trees
            .iter()
            .flat_map(|t| [t.from.clone().into(), t.to.clone().into()])
            .collect();
        Some((format!("({clause})"), values))
    }
}

fn path_ids(path: &str) -> Vec<OrgId> {
    path.split('/')
        .filter_map(|s| s.parse().ok())
        .map(OrgId)
        .collect()
}

#[derive(FromQueryResult)]
struct OrgRow {
    id: i64,
    code: String,
    name: String,
    kind: String,
    sector: String,
    parent_id: Option<i64>,
    path: String,
    depth: i32,
    archived_at: Option<DateTime<Utc>>,
    merged_into_id: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<OrgRow> for Org {
    fn from(row: OrgRow) -> Self {
        Org {
            id: OrgId(row.id),
            code: row.code,
            name: row.name,
            // Stored codes come from the same lists; an unknown one (a newer version's data)
            // shows as the most general value rather than failing the page.
            kind: OrgKind::from_code(&row.kind).unwrap_or(OrgKind::Agency),
            sector: Sector::from_code(&row.sector).unwrap_or(Sector::Other),
            parent_id: row.parent_id.map(OrgId),
            path: row.path,
            depth: row.depth,
            archived_at: row.archived_at,
            merged_into_id: row.merged_into_id.map(OrgId),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

const COLUMNS: &str = "id, code, name, kind, sector, parent_id, path, depth, archived_at, merged_into_id, created_at, updated_at";

/// Number of units.
pub async fn count<C: ConnectionTrait>(conn: &C) -> Result<i64, StoreError> {
    Ok(sql::scalar(conn, "SELECT COUNT(*) AS value FROM orgs", vec![]).await?)
}

/// The unit with this id.
pub async fn get<C: ConnectionTrait>(conn: &C, id: OrgId) -> Result<Org, StoreError> {
    let row: Option<OrgRow> = sql::one(
        conn,
        &format!("SELECT {COLUMNS} FROM orgs WHERE id = $1"),
        vec![id.0.into()],
    )
    .await?;
    row.map(Org::from).ok_or(StoreError::NotFound)
}

/// The unit with this code (codes are stored upper case).
pub async fn get_by_code<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<Option<Org>, StoreError> {
    let code = lantoa_domain::org::normalise_code(code);
    let row: Option<OrgRow> = sql::one(
        conn,
        &format!("SELECT {COLUMNS} FROM orgs WHERE code = $1"),
        vec![code.into()],
    )
    .await?;
    Ok(row.map(Org::from))
}

/// The units with these ids, in no particular order.
pub async fn get_many<C: ConnectionTrait>(conn: &C, ids: &[OrgId]) -> Result<Vec<Org>, StoreError> {
    let values = ids.iter().map(|id| Value::from(id.0)).collect();
    let rows: Vec<OrgRow> = sql::all_in(
        conn,
        &format!("SELECT {COLUMNS} FROM orgs WHERE id IN ({{list}})"),
        values,
    )
    .await?;
    Ok(rows.into_iter().map(Org::from).collect())
}

/// The units with these codes, by code.
pub async fn by_codes<C: ConnectionTrait>(
    conn: &C,
    codes: &[String],
) -> Result<HashMap<String, Org>, StoreError> {
    let values = codes.iter().map(|c| Value::from(c.clone())).collect();
    let rows: Vec<OrgRow> = sql::all_in(
        conn,
        &format!("SELECT {COLUMNS} FROM orgs WHERE code IN ({{list}})"),
        values,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.code.clone(), Org::from(r)))
        .collect())
}

/// The active grassroots organisations ("cơ sở đảng"), by path: the units citizens address.
pub async fn grassroots<C: ConnectionTrait>(conn: &C) -> Result<Vec<Org>, StoreError> {
    let kinds: Vec<Value> = OrgKind::ALL
        .iter()
        .filter(|k| k.is_grassroots())
        .map(|k| Value::from(k.code()))
        .collect();
    let rows: Vec<OrgRow> = sql::all_in(
        conn,
        &format!("SELECT {COLUMNS} FROM orgs WHERE archived_at IS NULL AND kind IN ({{list}}) ORDER BY path"),
        kinds,
    )
    .await?;
    Ok(rows.into_iter().map(Org::from).collect())
}

/// The ancestors of a unit from the root down, the unit itself last (for breadcrumbs).
pub async fn lineage<C: ConnectionTrait>(conn: &C, org: &Org) -> Result<Vec<Org>, StoreError> {
    let ids = org.path_ids();
    let mut found = get_many(conn, &ids).await?;
    found.sort_by_key(|o| o.depth);
    Ok(found)
}

/// A unit listed under its parent, with the size of its subtree.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OrgSummary {
    /// The unit.
    #[serde(flatten)]
    pub org: Org,
    /// Units below it (whole subtree, itself excluded).
    pub descendants: i64,
    /// People in its whole subtree.
    pub people: i64,
}

/// The units directly under `parent` (roots when `None`), archived ones included when asked,
/// each with the size of its subtree from the roll-ups: two queries whatever the number of
/// children, once the roll-ups are up to date.
pub async fn children<C: crate::Writer>(
    conn: &C,
    parent: Option<OrgId>,
    include_archived: bool,
) -> Result<Vec<OrgSummary>, StoreError> {
    let (filter, values): (String, Vec<Value>) = match parent {
        Some(id) => ("c.parent_id = $1".into(), vec![id.0.into()]),
        None => ("c.parent_id IS NULL".into(), vec![]),
    };
    summaries(conn, &filter, values, include_archived).await
}

/// The active units directly under a unit, by name, without counts: one query.
pub async fn child_units<C: ConnectionTrait>(
    conn: &C,
    parent: OrgId,
) -> Result<Vec<Org>, StoreError> {
    let rows: Vec<OrgRow> = sql::all(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM orgs WHERE parent_id = $1 AND archived_at IS NULL ORDER BY name"
        ),
        vec![parent.0.into()],
    )
    .await?;
    Ok(rows.into_iter().map(Org::from).collect())
}

/// These units, each with the size of its subtree (the top of a user's scope): two
/// queries once the roll-ups are up to date.
pub async fn summaries_of<C: crate::Writer>(
    conn: &C,
    ids: &[OrgId],
) -> Result<Vec<OrgSummary>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = sql::placeholders(conn.get_database_backend(), 1, ids.len());
    let values = ids.iter().map(|id| Value::from(id.0)).collect();
    summaries(conn, &format!("c.id IN ({list})"), values, true).await
}

async fn summaries<C: crate::Writer>(
    conn: &C,
    filter: &str,
    values: Vec<Value>,
    include_archived: bool,
) -> Result<Vec<OrgSummary>, StoreError> {
    let archived = if include_archived {
        ""
    } else {
        " AND c.archived_at IS NULL"
    };
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("c.{c}")).collect();
    let rows: Vec<OrgRow> = sql::all(
        conn,
        &format!(
            "SELECT {} FROM orgs c WHERE {filter}{archived} ORDER BY c.archived_at IS NOT NULL, c.name",
            columns.join(", ")
        ),
        values,
    )
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let sizes = rollups::of_units(conn, &sizes_key(), &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let size = sizes.get(&row.id);
            let n = |code| size.map_or(0, |counts| rollups::n(counts, code));
            OrgSummary {
                descendants: (n(UNITS) - 1).max(0),
                people: n(PEOPLE),
                org: row.into(),
            }
        })
        .collect())
}

/// The people of a unit's subtree, wherever their record is, from the sizes roll-up: two
/// statements once it is up to date.
pub async fn people_in_subtree<C: crate::Writer>(conn: &C, unit: OrgId) -> Result<i64, StoreError> {
    let sizes = rollups::of_units(conn, &sizes_key(), &[unit.0]).await?;
    Ok(sizes
        .get(&unit.0)
        .map_or(0, |counts| rollups::n(counts, PEOPLE)))
}

/// The roll-up of subtree sizes: units and people, whatever the year.
fn sizes_key() -> rollups::Key {
    rollups::Key::of(
        rollups::Measure::Sizes,
        0,
        crate::campaign::Until::WHOLE_YEAR,
    )
}

/// Roll-up codes of [`own_sizes`].
const UNITS: &str = "units";
const PEOPLE: &str = "people";

/// Each unit's own size (roll-ups): itself as one unit, and the people whose record is in
/// it. Two grouped statements in one.
pub(crate) async fn own_sizes<C: ConnectionTrait>(
    conn: &C,
    units: rollups::Units<'_>,
) -> Result<rollups::OwnRows, StoreError> {
    rollups::own_rows(
        conn,
        &format!(
            "SELECT o.id AS org_id, '{UNITS}' AS code, CAST(1 AS BIGINT) AS n FROM orgs o \
             WHERE 1 = 1{} \
             UNION ALL SELECT p.org_id, '{PEOPLE}' AS code, CAST(COUNT(*) AS BIGINT) AS n \
             FROM people p WHERE 1 = 1{} GROUP BY p.org_id",
            units.only("o.id"),
            units.only("p.org_id")
        ),
        vec![],
    )
    .await
}

/// Units whose code or name matches the folded query, for pickers: at most `limit`.
pub async fn search<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    query: &str,
    limit: u64,
) -> Result<Vec<Org>, StoreError> {
    let folded = fold(query);
    let code = lantoa_domain::org::normalise_code(query);
    let mut w = crate::sql::Where::new();
    w.push("archived_at IS NULL", vec![]);
    w.push(
        "(code = ? OR name_folded LIKE ?)",
        vec![code.into(), format!("%{folded}%").into()],
    );
    scope.restrict(&mut w, "path");
    let n = w.values.len();
    let mut values = w.values.clone();
    values.push((limit as i64).into());
    let rows: Vec<OrgRow> = sql::all(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM orgs{} ORDER BY depth, name LIMIT ${}",
            w.sql(),
            n + 1
        ),
        values,
    )
    .await?;
    Ok(rows.into_iter().map(Org::from).collect())
}

/// Every unit, for exports and API lists, ordered by path (a depth-first walk).
pub async fn list_all<C: ConnectionTrait>(
    conn: &C,
    within: Option<&Subtree>,
) -> Result<Vec<Org>, StoreError> {
    let rows: Vec<OrgRow> = match within {
        Some(range) => {
            sql::all(
                conn,
                &format!("SELECT {COLUMNS} FROM orgs WHERE path >= $1 AND path < $2 ORDER BY path"),
                vec![range.from.clone().into(), range.to.clone().into()],
            )
            .await?
        }
        None => {
            sql::all(
                conn,
                &format!("SELECT {COLUMNS} FROM orgs ORDER BY path"),
                vec![],
            )
            .await?
        }
    };
    Ok(rows.into_iter().map(Org::from).collect())
}

async fn check_code_free<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    except: Option<OrgId>,
) -> Result<(), StoreError> {
    if let Some(existing) = get_by_code(conn, code).await?
        && Some(existing.id) != except
    {
        return Err(StoreError::invalid(
            "code",
            format!("Mã «{code}» đã được dùng cho đơn vị «{}»", existing.name),
        ));
    }
    Ok(())
}

/// The fields of a unit the audit log records.
fn snapshot(org: &Org) -> serde_json::Value {
    serde_json::json!({
        "code": org.code,
        "name": org.name,
        "kind": org.kind.code(),
        "sector": org.sector.code(),
        "parent_id": org.parent_id.map(|p| p.0),
        "archived": !org.is_active(),
        "merged_into_id": org.merged_into_id.map(|m| m.0),
    })
}

/// Records the change from `before` to the unit as it now is, in the change's transaction.
async fn audit_change<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    action: AuditAction,
    before: Option<&Org>,
    id: OrgId,
) -> Result<(), StoreError> {
    let after = get(conn, id).await?;
    let (before, after) = match before {
        Some(before) => audit::diff(&snapshot(before), &snapshot(&after)),
        None => (serde_json::Value::Null, snapshot(&after)),
    };
    let change = Change {
        action,
        entity_type: "org",
        entity_id: Some(id.0),
        org_id: Some(id),
        before,
        after,
    };
    audit::record(conn, actor, change).await
}

/// Creates a unit under `parent` (a root when `None`).
pub async fn create<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    draft: &OrgDraft,
    parent: Option<OrgId>,
) -> Result<OrgId, StoreError> {
    let txn = conn.begin_write().await?;
    check_code_free(&txn, &draft.code, None).await?;
    let (parent_path, depth) = match parent {
        Some(parent_id) => {
            let parent = get(&txn, parent_id).await.map_err(|e| match e {
                StoreError::NotFound => {
                    StoreError::invalid("parent", "Không tìm thấy đơn vị cấp trên")
                }
                other => other,
            })?;
            if !parent.is_active() {
                return Err(StoreError::invalid(
                    "parent",
                    format!("Đơn vị cấp trên «{}» đã lưu trữ", parent.name),
                ));
            }
            (parent.path, parent.depth + 1)
        }
        None => ("/".to_owned(), 0),
    };
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO orgs (code, name, name_folded, kind, sector, parent_id, path, depth, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $8) RETURNING id AS value",
        vec![
            draft.code.clone().into(),
            draft.name.clone().into(),
            fold(&draft.name).into(),
            draft.kind.code().into(),
            draft.sector.code().into(),
            parent.map(|p| p.0).into(),
            depth.into(),
            now.into(),
        ],
    )
    .await?;
    sql::exec(
        &txn,
        "UPDATE orgs SET path = $1 WHERE id = $2",
        vec![format!("{parent_path}{id}/").into(), id.into()],
    )
    .await?;
    audit_change(&txn, actor, AuditAction::OrgCreate, None, OrgId(id)).await?;
    txn.commit().await?;
    Ok(OrgId(id))
}

/// Changes a unit's code, name, kind and sector.
pub async fn update<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: OrgId,
    draft: &OrgDraft,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let before = get(&txn, id).await?;
    check_code_free(&txn, &draft.code, Some(id)).await?;
    sql::exec(
        &txn,
        "UPDATE orgs SET code = $1, name = $2, name_folded = $3, kind = $4, sector = $5, updated_at = $6 WHERE id = $7",
        vec![
            draft.code.clone().into(),
            draft.name.clone().into(),
            fold(&draft.name).into(),
            draft.kind.code().into(),
            draft.sector.code().into(),
            Utc::now().into(),
            id.0.into(),
        ],
    )
    .await?;
    audit_change(&txn, actor, AuditAction::OrgUpdate, Some(&before), id).await?;
    txn.commit().await?;
    Ok(())
}

/// Loads the unit that `org` is moved or merged into: it must exist, be active and lie
/// outside `org`'s subtree. Refusals are field errors on `field`.
async fn destination<C: ConnectionTrait>(
    conn: &C,
    org: &Org,
    target: OrgId,
    field: &'static str,
    missing: &str,
    inside: &str,
) -> Result<Org, StoreError> {
    let target = get(conn, target).await.map_err(|e| match e {
        StoreError::NotFound => StoreError::invalid(field, missing),
        other => other,
    })?;
    if target.path.starts_with(&org.path) {
        return Err(StoreError::invalid(field, inside));
    }
    if !target.is_active() {
        return Err(StoreError::invalid(
            field,
            format!("Đơn vị «{}» đã lưu trữ", target.name),
        ));
    }
    Ok(target)
}

/// Moves a unit (with its whole subtree) under another parent.
pub async fn move_to<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: OrgId,
    new_parent: OrgId,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let org = get(&txn, id).await?;
    let parent = destination(
        &txn,
        &org,
        new_parent,
        "parent",
        "Không tìm thấy đơn vị cấp trên mới",
        "Không thể chuyển một đơn vị vào chính nó hoặc đơn vị cấp dưới của nó",
    )
    .await?;
    if org.parent_id == Some(parent.id) {
        return Ok(());
    }
    let new_path = format!("{}{}/", parent.path, org.id);
    let range = org.subtree();
    let depth_change = parent.depth + 1 - org.depth;
    sql::exec(
        &txn,
        "UPDATE orgs SET path = $1 || substr(path, CAST($2 AS INTEGER)), depth = depth + $3 WHERE path >= $4 AND path < $5",
        vec![
            new_path.into(),
            (org.path.len() as i64 + 1).into(),
            depth_change.into(),
            range.from.into(),
            range.to.into(),
        ],
    )
    .await?;
    sql::exec(
        &txn,
        "UPDATE orgs SET parent_id = $1, updated_at = $2 WHERE id = $3",
        vec![parent.id.0.into(), Utc::now().into(), org.id.0.into()],
    )
    .await?;
    audit_change(&txn, actor, AuditAction::OrgMove, Some(&org), id).await?;
    txn.commit().await?;
    Ok(())
}

/// Marks a unit archived, refusing while it has active sub-units.
async fn set_archived<C: ConnectionTrait>(conn: &C, org: &Org) -> Result<(), StoreError> {
    let active_children = sql::scalar(
        conn,
        "SELECT COUNT(*) AS value FROM orgs WHERE parent_id = $1 AND archived_at IS NULL",
        vec![org.id.0.into()],
    )
    .await?;
    if active_children > 0 {
        return Err(StoreError::invalid(
            "archive",
            format!(
                "«{}» còn {active_children} đơn vị trực thuộc đang hoạt động: hãy chuyển, sáp nhập hoặc lưu trữ chúng trước",
                org.name
            ),
        ));
    }
    let now = Utc::now();
    sql::exec(
        conn,
        "UPDATE orgs SET archived_at = $1, updated_at = $1 WHERE id = $2 AND archived_at IS NULL",
        vec![now.into(), org.id.0.into()],
    )
    .await?;
    Ok(())
}

/// Archives a unit. Its records stay, and it still counts in the years it existed.
/// Refused while it has active sub-units: those are moved, merged or archived first.
pub async fn archive<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: OrgId,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let org = get(&txn, id).await?;
    set_archived(&txn, &org).await?;
    audit_change(&txn, actor, AuditAction::OrgArchive, Some(&org), id).await?;
    txn.commit().await?;
    Ok(())
}

/// Restores an archived unit (and cancels a merge), when its parent is active.
pub async fn restore<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: OrgId,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let org = get(&txn, id).await?;
    if let Some(parent_id) = org.parent_id {
        let parent = get(&txn, parent_id).await?;
        if !parent.is_active() {
            return Err(StoreError::invalid(
                "archive",
                format!(
                    "Đơn vị cấp trên «{}» đã lưu trữ: khôi phục nó trước",
                    parent.name
                ),
            ));
        }
    }
    sql::exec(
        &txn,
        "UPDATE orgs SET archived_at = NULL, merged_into_id = NULL, updated_at = $1 WHERE id = $2",
        vec![Utc::now().into(), id.0.into()],
    )
    .await?;
    audit_change(&txn, actor, AuditAction::OrgRestore, Some(&org), id).await?;
    txn.commit().await?;
    Ok(())
}

/// Merges a unit into another: the unit is archived and points at its successor. Nothing is
/// moved silently; its people and records stay with it for the years it existed.
pub async fn merge<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: OrgId,
    into: OrgId,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let org = get(&txn, id).await?;
    destination(
        &txn,
        &org,
        into,
        "into",
        "Không tìm thấy đơn vị nhận sáp nhập",
        "Không thể sáp nhập vào chính nó hoặc đơn vị cấp dưới của nó",
    )
    .await?;
    set_archived(&txn, &org).await?;
    sql::exec(
        &txn,
        "UPDATE orgs SET merged_into_id = $1, updated_at = $2 WHERE id = $3",
        vec![into.0.into(), Utc::now().into(), id.0.into()],
    )
    .await?;
    audit_change(&txn, actor, AuditAction::OrgMerge, Some(&org), id).await?;
    txn.commit().await?;
    Ok(())
}
