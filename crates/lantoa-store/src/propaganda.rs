//! Propaganda: the activities units record by channel (on a form, or many at once from a
//! spreadsheet through [`crate::imports::import_propaganda`]), their figures over a subtree
//! (by channel, by month), the regularity of each unit under a committee (activities per
//! month, months without any, the share that are only documents); and the media columns a
//! station keeps, with their items linked to the exemplars and models they tell of.

use crate::audit::{self, Actor, Change};
use crate::campaign::{CampaignYear, Until};
use crate::org::{Org, Subtree};
use crate::{Page, StoreError, rollups, sql};
use chrono::{Datelike, NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::propaganda::{ActivityDraft, Channel, ColumnDraft, ItemDraft, MediaKind};
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;

/// An activity with its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub held_on: NaiveDate,
    pub channel: Channel,
    pub topic: Option<String>,
    pub title: String,
    pub quantity: i32,
    pub reach: Option<i64>,
    pub link: Option<String>,
}

#[derive(FromQueryResult)]
struct ActivityRow {
    id: i64,
    org_id: i64,
    org_name: String,
    held_on: NaiveDate,
    channel: String,
    topic: Option<String>,
    title: String,
    quantity: i32,
    reach: Option<i64>,
    link: Option<String>,
}

impl From<ActivityRow> for Activity {
    fn from(r: ActivityRow) -> Self {
        Activity {
            id: r.id,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            held_on: r.held_on,
            channel: Channel::from_code(&r.channel).unwrap_or(Channel::Document),
            topic: r.topic,
            title: r.title,
            quantity: r.quantity,
            reach: r.reach,
            link: r.link,
        }
    }
}

/// Refuses an activity outside the campaign year.
pub(crate) fn check_year(draft: &ActivityDraft, year: i32) -> Result<(), StoreError> {
    if draft.held_on.year() != year {
        return Err(StoreError::invalid(
            "held_on",
            format!("Ngày phải trong năm {year}"),
        ));
    }
    Ok(())
}

/// Writes one activity (no audit: the caller records one row for the form or the file).
pub(crate) async fn insert<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    unit: OrgId,
    year_id: i64,
    draft: &ActivityDraft,
) -> Result<i64, StoreError> {
    let now = Utc::now();
    Ok(sql::scalar(
        conn,
        "INSERT INTO propaganda_activities (org_id, year_id, held_on, month, channel, topic, title, quantity, reach, \
         link, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         RETURNING id AS value",
        vec![
            unit.0.into(),
            year_id.into(),
            draft.held_on.into(),
            (draft.month() as i32).into(),
            draft.channel.code().into(),
            draft.topic.clone().into(),
            draft.title.clone().into(),
            draft.quantity.into(),
            draft.reach.into(),
            draft.link.clone().into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?)
}

/// Changes the counts, topic and link of a stored activity (a file read again with new
/// figures).
pub(crate) async fn update_counts<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    draft: &ActivityDraft,
) -> Result<(), StoreError> {
    sql::exec(
        conn,
        "UPDATE propaganda_activities SET topic = $1, quantity = $2, reach = $3, link = $4, updated_at = $5 WHERE id = $6",
        vec![
            draft.topic.clone().into(),
            draft.quantity.into(),
            draft.reach.into(),
            draft.link.clone().into(),
            Utc::now().into(),
            id.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A stored activity as its key and figures, to match a file's rows against.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct Stored {
    pub id: i64,
    pub org_id: i64,
    pub held_on: NaiveDate,
    pub channel: String,
    pub title: String,
    pub topic: Option<String>,
    pub quantity: i32,
    pub reach: Option<i64>,
    pub link: Option<String>,
}

impl Stored {
    /// Whether a row says the same as this record.
    pub(crate) fn same_as(&self, d: &ActivityDraft) -> bool {
        self.topic == d.topic
            && self.quantity == d.quantity
            && self.reach == d.reach
            && self.link == d.link
    }
}

/// The stored activities of some units, keyed by (unit, day, channel, title): one query per
/// 30 000 units.
pub(crate) async fn stored_of<C: ConnectionTrait>(
    conn: &C,
    units: &[i64],
) -> Result<HashMap<(i64, NaiveDate, String, String), Stored>, StoreError> {
    let rows: Vec<Stored> = sql::all_in(
        conn,
        "SELECT id, org_id, held_on, channel, title, topic, quantity, reach, link \
         FROM propaganda_activities WHERE org_id IN ({list})",
        units.iter().map(|u| (*u).into()).collect(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.org_id, r.held_on, r.channel.clone(), r.title.clone()), r))
        .collect())
}

/// Records an activity of a unit; the same activity (day, channel, title) twice is refused.
pub async fn record<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    unit: &Org,
    year: &CampaignYear,
    draft: &ActivityDraft,
) -> Result<i64, StoreError> {
    check_year(draft, year.year)?;
    let txn = conn.begin_write().await?;
    let same = sql::scalar(
        &txn,
        "SELECT COUNT(*) AS value FROM propaganda_activities WHERE org_id = $1 AND held_on = $2 AND channel = $3 AND title = $4",
        vec![
            unit.id.0.into(),
            draft.held_on.into(),
            draft.channel.code().into(),
            draft.title.clone().into(),
        ],
    )
    .await?;
    if same > 0 {
        return Err(StoreError::invalid(
            "title",
            "Đơn vị đã ghi hoạt động này (cùng ngày, hình thức và tên)",
        ));
    }
    let id = insert(&txn, actor, unit.id, year.id, draft).await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::PropagandaRecord,
            "propaganda_activity",
            id,
            Some(unit.id),
            serde_json::json!({
                "held_on": draft.held_on.to_string(),
                "channel": draft.channel.code(),
                "quantity": draft.quantity,
                "reach": draft.reach,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// What a list of activities is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    pub channel: Option<Channel>,
    /// 1–12.
    pub month: Option<u32>,
}

/// One page of the activities of a subtree's year, newest first: two queries.
pub async fn activities<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    filter: &ActivityFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<Activity>, StoreError> {
    let mut w = sql::Where::new();
    w.year_in_subtree("a.year_id", year.id, within);
    if let Some(channel) = filter.channel {
        w.push("a.channel = ?", vec![channel.code().into()]);
    }
    if let Some(month) = filter.month {
        w.push("a.month = ?", vec![(month as i32).into()]);
    }
    let from = " FROM propaganda_activities a JOIN orgs o ON o.id = a.org_id";
    let page: Page<ActivityRow> = sql::page(
        conn,
        &format!(
            "SELECT a.id, a.org_id, o.name AS org_name, a.held_on, a.channel, a.topic, a.title, a.quantity, \
             a.reach, a.link{from}"
        ),
        from,
        &w,
        "a.held_on DESC, a.id DESC",
        page,
        per_page,
    )
    .await?;
    Ok(page.map(Activity::from))
}

/// The propaganda figures of a subtree's year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropagandaFigures {
    /// Per channel, in the list's order: (channel, activities, quantity, people reached).
    pub by_channel: Vec<(Channel, i64, i64, i64)>,
    /// Activities per month, January first.
    pub by_month: Vec<i64>,
}

impl PropagandaFigures {
    /// Activities in all.
    pub fn total(&self) -> i64 {
        self.by_channel.iter().map(|c| c.1).sum()
    }

    /// People reached (lượt) in all.
    pub fn reach(&self) -> i64 {
        self.by_channel.iter().map(|c| c.3).sum()
    }

    /// Activities that were only documents.
    pub fn documents(&self) -> i64 {
        self.by_channel
            .iter()
            .filter(|c| c.0 == Channel::Document)
            .map(|c| c.1)
            .sum()
    }
}

/// The figures of a subtree's year, up to the cut, from the roll-ups: one statement once
/// they are up to date.
pub async fn figures<C: crate::Writer>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    until: Until,
) -> Result<PropagandaFigures, StoreError> {
    let key = rollups::Key::of(rollups::Measure::Propaganda, year.id, until);
    let counts = rollups::of_subtree(conn, &key, &within.from).await?;
    let get = |code: &str| rollups::n(&counts, code);
    Ok(PropagandaFigures {
        by_channel: Channel::ALL
            .iter()
            .map(|c| {
                let (n, quantity, reach) = channel_codes(*c);
                (*c, get(&n), get(&quantity), get(&reach))
            })
            .collect(),
        by_month: (1..=12).map(|m| get(&month_code(m))).collect(),
    })
}

/// How regularly a unit's subtree carried out propaganda in a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRegularity {
    pub org_id: OrgId,
    pub name: String,
    /// Activities per month, January first.
    pub by_month: Vec<i64>,
    /// Activities that were only documents.
    pub documents: i64,
}

impl UnitRegularity {
    /// Activities in all.
    pub fn total(&self) -> i64 {
        self.by_month.iter().sum()
    }

    /// The months up to `last` (1–12) with no activity.
    pub fn silent_months(&self, last: u32) -> Vec<u32> {
        (1..=last.min(12))
            .filter(|m| self.by_month[(*m - 1) as usize] == 0)
            .collect()
    }

    /// The share of its activities that were only documents: "62,5%".
    pub fn document_share(&self) -> String {
        lantoa_domain::format::percent(self.documents, self.total())
    }
}

/// The regularity of each unit directly under a unit, over its own subtree, by name, up to
/// the cut, from the roll-ups: two statements (the figures and the units) once they are up
/// to date. Units without any activity are listed too.
pub async fn regularity<C: crate::Writer>(
    conn: &C,
    unit: OrgId,
    year: &CampaignYear,
    until: Until,
) -> Result<Vec<UnitRegularity>, StoreError> {
    let key = rollups::Key::of(rollups::Measure::Propaganda, year.id, until);
    let (_, mut children) = rollups::with_children(conn, &key, unit).await?;
    Ok(crate::org::child_units(conn, unit)
        .await?
        .into_iter()
        .map(|o| {
            let counts = children.remove(&o.id).unwrap_or_default();
            let get = |code: &str| rollups::n(&counts, code);
            UnitRegularity {
                org_id: o.id,
                name: o.name,
                by_month: (1..=12).map(|m| get(&month_code(m))).collect(),
                documents: get(&channel_codes(Channel::Document).0),
            }
        })
        .collect())
}

/// The roll-up code of a month's activities: "m1"…"m12".
fn month_code(month: i32) -> String {
    format!("m{month}")
}

/// The roll-up codes of a channel's activities, their quantity and their reach:
/// "channel:tai_lieu", "quantity:tai_lieu", "reach:tai_lieu".
fn channel_codes(channel: Channel) -> (String, String, String) {
    let code = channel.code();
    (
        format!("channel:{code}"),
        format!("quantity:{code}"),
        format!("reach:{code}"),
    )
}

/// Each unit's own activities in the year up to the cut by month, and by channel with their
/// quantity and reach (roll-ups): one grouped query.
pub(crate) async fn own_regularity<C: ConnectionTrait>(
    conn: &C,
    units: rollups::Units<'_>,
    year_id: i64,
    until: Until,
) -> Result<rollups::OwnRows, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        org_id: i64,
        month: i32,
        channel: String,
        n: i64,
        quantity: i64,
        reach: i64,
    }
    let mut values = vec![year_id.into()];
    let cut = until.on_dates("a.held_on", &mut values);
    let rows: Vec<Row> = sql::all(
        conn,
        &format!(
            "SELECT a.org_id, a.month, a.channel, CAST(COUNT(*) AS BIGINT) AS n, \
             CAST(COALESCE(SUM(a.quantity), 0) AS BIGINT) AS quantity, \
             CAST(COALESCE(SUM(a.reach), 0) AS BIGINT) AS reach \
             FROM propaganda_activities a WHERE a.year_id = $1{cut}{} \
             GROUP BY a.org_id, a.month, a.channel",
            units.only("a.org_id")
        ),
        values,
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len() * 4);
    for r in rows {
        out.push((r.org_id, month_code(r.month), r.n));
        if let Some(channel) = Channel::from_code(&r.channel) {
            let (n, quantity, reach) = channel_codes(channel);
            out.extend([
                (r.org_id, n, r.n),
                (r.org_id, quantity, r.quantity),
                (r.org_id, reach, r.reach),
            ]);
        }
    }
    Ok(out)
}

/// A media column with its unit and how many items it has run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaColumn {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub name: String,
    pub kind: MediaKind,
    pub schedule: String,
    pub started_on: NaiveDate,
    pub items: i64,
    pub latest: Option<NaiveDate>,
}

#[derive(FromQueryResult)]
struct ColumnRow {
    id: i64,
    org_id: i64,
    org_name: String,
    name: String,
    kind: String,
    schedule: String,
    started_on: NaiveDate,
    items: i64,
    latest: Option<NaiveDate>,
}

impl From<ColumnRow> for MediaColumn {
    fn from(r: ColumnRow) -> Self {
        MediaColumn {
            id: r.id,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            name: r.name,
            kind: MediaKind::from_code(&r.kind).unwrap_or(MediaKind::Television),
            schedule: r.schedule,
            started_on: r.started_on,
            items: r.items,
            latest: r.latest,
        }
    }
}

const COLUMN_SELECT: &str = "SELECT m.id, m.org_id, o.name AS org_name, m.name, m.kind, m.schedule, m.started_on, \
    CAST((SELECT COUNT(*) FROM media_items i WHERE i.column_id = m.id) AS BIGINT) AS items, \
    (SELECT MAX(i.aired_on) FROM media_items i WHERE i.column_id = m.id) AS latest \
    FROM media_columns m JOIN orgs o ON o.id = m.org_id";

/// One column.
pub async fn column<C: ConnectionTrait>(conn: &C, id: i64) -> Result<MediaColumn, StoreError> {
    let row: Option<ColumnRow> = sql::one(
        conn,
        &format!("{COLUMN_SELECT} WHERE m.id = $1"),
        vec![id.into()],
    )
    .await?;
    row.map(MediaColumn::from).ok_or(StoreError::NotFound)
}

/// The columns kept in a subtree, by unit and name: one query.
pub async fn columns<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
) -> Result<Vec<MediaColumn>, StoreError> {
    let rows: Vec<ColumnRow> = sql::all(
        conn,
        &format!("{COLUMN_SELECT} WHERE o.path >= $1 AND o.path < $2 ORDER BY o.name, m.name"),
        vec![within.from.clone().into(), within.to.clone().into()],
    )
    .await?;
    Ok(rows.into_iter().map(MediaColumn::from).collect())
}

/// Opens a column of a unit; a name is used once per unit.
pub async fn create_column<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    unit: &Org,
    draft: &ColumnDraft,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let same = sql::scalar(
        &txn,
        "SELECT COUNT(*) AS value FROM media_columns WHERE org_id = $1 AND name = $2",
        vec![unit.id.0.into(), draft.name.clone().into()],
    )
    .await?;
    if same > 0 {
        return Err(StoreError::invalid(
            "name",
            format!("{} đã có chuyên mục «{}»", unit.name, draft.name),
        ));
    }
    let id = sql::scalar(
        &txn,
        "INSERT INTO media_columns (org_id, name, kind, schedule, started_on, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id AS value",
        vec![
            unit.id.0.into(),
            draft.name.clone().into(),
            draft.kind.code().into(),
            draft.schedule.clone().into(),
            draft.started_on.into(),
            actor.account_id.into(),
            Utc::now().into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::MediaColumnCreate,
            "media_column",
            id,
            Some(unit.id),
            serde_json::json!({ "name": draft.name, "kind": draft.kind.code() }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// An item of a column, with the exemplar or model it tells of.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct MediaItem {
    pub id: i64,
    pub column_id: i64,
    pub column_name: String,
    pub aired_on: NaiveDate,
    pub title: String,
    pub programme: Option<String>,
    pub link: Option<String>,
    pub exemplar_id: Option<i64>,
    pub exemplar_name: Option<String>,
    pub model_id: Option<i64>,
    pub model_name: Option<String>,
}

const ITEM_FROM: &str = " FROM media_items i JOIN media_columns m ON m.id = i.column_id \
    LEFT JOIN exemplars e ON e.id = i.exemplar_id LEFT JOIN models md ON md.id = i.model_id";
const ITEM_SELECT: &str = "SELECT i.id, i.column_id, m.name AS column_name, i.aired_on, i.title, i.programme, i.link, \
    i.exemplar_id, e.name AS exemplar_name, i.model_id, md.name AS model_name";

/// One page of a column's items, newest first: two queries.
pub async fn items<C: ConnectionTrait>(
    conn: &C,
    column_id: i64,
    page: u64,
    per_page: u64,
) -> Result<Page<MediaItem>, StoreError> {
    let mut w = sql::Where::new();
    w.push("i.column_id = ?", vec![column_id.into()]);
    Ok(sql::page(
        conn,
        &format!("{ITEM_SELECT}{ITEM_FROM}"),
        ITEM_FROM,
        &w,
        "i.aired_on DESC, i.id DESC",
        page,
        per_page,
    )
    .await?)
}

/// What an item tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Story {
    Exemplar(i64),
    Model(i64),
}

/// The items that told of an exemplar or a model, newest first: one query.
pub async fn items_about<C: ConnectionTrait>(
    conn: &C,
    story: Story,
) -> Result<Vec<MediaItem>, StoreError> {
    let (column, id) = match story {
        Story::Exemplar(id) => ("i.exemplar_id", id),
        Story::Model(id) => ("i.model_id", id),
    };
    Ok(sql::all(
        conn,
        &format!(
            "{ITEM_SELECT}{ITEM_FROM} WHERE {column} = $1 ORDER BY i.aired_on DESC, i.id DESC"
        ),
        vec![id.into()],
    )
    .await?)
}

/// Exemplars and models a column may tell of: those commended or recognised in a subtree
/// (the column's committee) in a year or the one before, newest first, at most 300 each.
pub async fn story_candidates<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: i32,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), StoreError> {
    #[derive(FromQueryResult)]
    struct Candidate {
        id: i64,
        name: String,
        org_name: String,
    }
    let values = || {
        vec![
            within.from.clone().into(),
            within.to.clone().into(),
            (year - 1).into(),
            year.into(),
        ]
    };
    use lantoa_domain::exemplars::ExemplarState;
    use lantoa_domain::models::ModelState;
    let mut exemplar_values = values();
    exemplar_values.push(ExemplarState::Commended.code().into());
    let mut model_values = values();
    model_values.push(ModelState::Recognised.code().into());
    model_values.push(ModelState::Replicated.code().into());
    let exemplars: Vec<Candidate> = sql::all(
        conn,
        "SELECT e.id, e.name, o.name AS org_name FROM exemplars e JOIN orgs o ON o.id = e.org_id \
         JOIN campaign_years y ON y.id = e.year_id WHERE o.path >= $1 AND o.path < $2 \
         AND y.year BETWEEN $3 AND $4 AND e.state = $5 ORDER BY y.year DESC, e.name LIMIT 300",
        exemplar_values,
    )
    .await?;
    let models: Vec<Candidate> = sql::all(
        conn,
        "SELECT m.id, m.name, o.name AS org_name FROM models m JOIN orgs o ON o.id = m.org_id \
         JOIN campaign_years y ON y.id = m.year_id WHERE o.path >= $1 AND o.path < $2 \
         AND y.year BETWEEN $3 AND $4 AND m.state IN ($5, $6) ORDER BY y.year DESC, m.name LIMIT 300",
        model_values,
    )
    .await?;
    let label = |c: Candidate| (c.id, format!("{} — {}", c.name, c.org_name));
    Ok((
        exemplars.into_iter().map(label).collect(),
        models.into_iter().map(label).collect(),
    ))
}

/// Records an item of a column, telling of an exemplar or a model if any; the same title on
/// the same day once.
pub async fn add_item<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    column: &MediaColumn,
    draft: &ItemDraft,
    story: Option<Story>,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let same = sql::scalar(
        &txn,
        "SELECT COUNT(*) AS value FROM media_items WHERE column_id = $1 AND aired_on = $2 AND title = $3",
        vec![
            column.id.into(),
            draft.aired_on.into(),
            draft.title.clone().into(),
        ],
    )
    .await?;
    if same > 0 {
        return Err(StoreError::invalid(
            "title",
            "Chuyên mục đã có tin, bài này cùng ngày phát",
        ));
    }
    let (exemplar, model) = match story {
        Some(Story::Exemplar(id)) => (Some(id), None),
        Some(Story::Model(id)) => (None, Some(id)),
        None => (None, None),
    };
    let id = sql::scalar(
        &txn,
        "INSERT INTO media_items (column_id, org_id, aired_on, title, programme, link, exemplar_id, model_id, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id AS value",
        vec![
            column.id.into(),
            column.org_id.0.into(),
            draft.aired_on.into(),
            draft.title.clone().into(),
            draft.programme.clone().into(),
            draft.link.clone().into(),
            exemplar.into(),
            model.into(),
            actor.account_id.into(),
            Utc::now().into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::MediaItemCreate,
            "media_column",
            column.id,
            Some(column.org_id),
            serde_json::json!({
                "item": id,
                "aired_on": draft.aired_on.to_string(),
                "exemplar_id": exemplar,
                "model_id": model,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}
