//! People: the list with its filters, one person's record, their unit history, and the bulk
//! insert shared by imports, the demo and synthetic data.

use crate::Page;
use crate::StoreError;
use crate::audit::{self, Actor, Change};
use crate::org::Scope;
use crate::org::Subtree;
use crate::sql::{self, Where, placeholders};
use chrono::{DateTime, NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::people::{Categories, Category, Gender, MemberStatus, PersonDraft};
use lantoa_domain::text::fold;
use lantoa_domain::{ClosedList, OrgId, PersonId};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Value};

/// A stored person: their fields as validated (the same type a form or a file row becomes,
/// with the current unit's code), plus what only the database knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Id.
    pub id: PersonId,
    /// The person's fields.
    pub details: PersonDraft,
    /// Current unit.
    pub org_id: OrgId,
    /// Current unit's name.
    pub org_name: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct PersonRow {
    id: i64,
    full_name: String,
    gender: Option<String>,
    birth_date: Option<NaiveDate>,
    categories: i64,
    member_status: Option<String>,
    party_joined_on: Option<NaiveDate>,
    party_official_on: Option<NaiveDate>,
    party_card_no: Option<String>,
    org_id: i64,
    org_code: String,
    org_name: String,
    position: Option<String>,
    is_leader: bool,
    citizen_id: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    note: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<PersonRow> for Person {
    fn from(row: PersonRow) -> Self {
        Person {
            id: PersonId(row.id),
            details: PersonDraft {
                full_name: row.full_name,
                gender: row.gender.as_deref().and_then(Gender::from_code),
                birth_date: row.birth_date,
                categories: Categories::from_bits(row.categories),
                member_status: row
                    .member_status
                    .as_deref()
                    .and_then(MemberStatus::from_code),
                party_joined_on: row.party_joined_on,
                party_official_on: row.party_official_on,
                party_card_no: row.party_card_no,
                org_code: row.org_code,
                position: row.position,
                is_leader: row.is_leader,
                citizen_id: row.citizen_id,
                phone: row.phone,
                email: row.email,
                note: row.note,
            },
            org_id: OrgId(row.org_id),
            org_name: row.org_name,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The columns of a person with their unit's code and name, from `people p` and `orgs o`.
macro_rules! columns {
    () => {
        "SELECT p.id, p.full_name, p.gender, p.birth_date, p.categories, p.member_status, \
         p.party_joined_on, p.party_official_on, p.party_card_no, p.org_id, o.code AS org_code, \
         o.name AS org_name, p.position, p.is_leader, p.citizen_id, p.phone, p.email, p.note, \
         p.created_at, p.updated_at"
    };
}

const COLUMNS: &str = columns!();

const SELECT: &str = concat!(columns!(), " FROM people p JOIN orgs o ON o.id = p.org_id");

/// What the people list is filtered on.
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// The units the reader may see; the default is none (every list states its scope).
    pub scope: Scope,
    /// Name search: every word must start a word of the folded name ("nguyen duc").
    pub query: String,
    /// Only people of this category.
    pub category: Option<Category>,
    /// Only members with this status.
    pub status: Option<MemberStatus>,
    /// Only leaders and heads.
    pub leaders_only: bool,
    /// The page starts after this person, the previous page's last (a "next page" link
    /// reads from there instead of skipping the earlier pages). Lists by name only; a name
    /// search pages through at most [`crate::NAME_MATCHES`] people and ignores it.
    pub after: Option<PersonId>,
}

/// The filters other than name and scope, on `people p`.
fn field_clauses(filter: &PeopleFilter) -> Where {
    let mut w = Where::new();
    if let Some(category) = filter.category {
        w.push("(p.categories & ?) <> 0", vec![category.bit().into()]);
    }
    if let Some(status) = filter.status {
        w.push("p.member_status = ?", vec![status.code().into()]);
    }
    if filter.leaders_only {
        w.push("p.is_leader = ?", vec![true.into()]);
    }
    w
}

const ORDER: &str = "p.name_folded, p.id";

/// One page of the people matching a filter, ordered by folded name: two queries, whose cost
/// depends on the page and the matches, not on how many people the database holds. Counting
/// stops at [`crate::COUNT_CAP`]; a name search finding more than [`crate::NAME_MATCHES`]
/// people shows the first it found (in name order) and says there are more.
pub async fn search<C: ConnectionTrait>(
    conn: &C,
    filter: &PeopleFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<Person>, StoreError> {
    let words: Vec<String> = fold(&filter.query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let rows: Page<PersonRow> = if words.is_empty() {
        let mut w = field_clauses(filter);
        // A large scope's first names are found by walking all names in order and keeping
        // those in scope (a province holds one person in 34: 680 read for 20 shown), each
        // person's unit looked up by its key; a small scope's people are read unit by unit
        // and sorted. SQLite cannot tell the two apart from a path range, and otherwise
        // filters the walk through every unit of the range first (65 ms at the top).
        let select = if large_scope(conn, &filter.scope).await? {
            filter
                .scope
                .restrict(&mut w, "(SELECT x.path FROM orgs x WHERE x.id = p.org_id)");
            w.push("o.id = p.org_id", vec![]);
            format!("{COLUMNS} FROM people p CROSS JOIN orgs o")
        } else {
            filter.scope.restrict(&mut w, "o.path");
            SELECT.to_owned()
        };
        // In the order of ORDER: the name, then the id.
        let after = filter.after.map(|id| {
            (
                "(p.name_folded, p.id) > (SELECT k.name_folded, k.id FROM people k WHERE k.id = ?)",
                vec![id.0.into()],
            )
        });
        sql::capped_page(
            conn,
            &select,
            "FROM people p JOIN orgs o ON o.id = p.org_id",
            &w,
            after,
            ORDER,
            page,
            per_page,
        )
        .await?
    } else {
        by_name(conn, filter, &words, page, per_page).await?
    };
    Ok(rows.map(Person::from))
}

/// Units a scope must hold for its people list to walk all names in order: ~20 000 people,
/// one in 300 of the nation's.
const LARGE_SCOPE_UNITS: i64 = 1_000;

/// Whether a scope holds at least [`LARGE_SCOPE_UNITS`] units: one statement reading at
/// most that many index entries.
async fn large_scope<C: ConnectionTrait>(conn: &C, scope: &Scope) -> Result<bool, StoreError> {
    let Some((clause, values)) = scope.condition("o.path") else {
        return Ok(true);
    };
    let mut w = Where::new();
    w.push(&clause, values);
    let (_, more) = sql::capped_count(
        conn,
        &format!("SELECT 1 FROM orgs o{}", w.sql()),
        w.values,
        LARGE_SCOPE_UNITS - 1,
    )
    .await?;
    Ok(more)
}

/// A name search through the people search index (migration `m0029_people_search`): the
/// index finds the people whose name has a word starting with each of `words` within the
/// scope's subtrees, at most [`crate::NAME_MATCHES`] + 1 of them; the page is those sorted by
/// name.
async fn by_name<C: ConnectionTrait>(
    conn: &C,
    filter: &PeopleFilter,
    words: &[String],
    page: u64,
    per_page: u64,
) -> Result<Page<PersonRow>, StoreError> {
    let page = page.max(1);
    let units: Vec<String> = match &filter.scope {
        Scope::All => Vec::new(),
        Scope::Subtrees(trees) if trees.is_empty() => {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
                capped: false,
                page,
                per_page,
            });
        }
        Scope::Subtrees(trees) => trees.iter().map(|t| t.root_id().0.to_string()).collect(),
    };
    let mut hits = field_clauses(filter);
    // The other filters need the person's row; the name and the scope do not.
    let person = !hits.is_empty();
    let key = if conn.get_database_backend() == DbBackend::Postgres {
        let mut query = words
            .iter()
            .map(|w| format!("{w}:*A"))
            .collect::<Vec<_>>()
            .join(" & ");
        if !units.is_empty() {
            let units: Vec<String> = units.iter().map(|u| format!("{u}:B")).collect();
            query.push_str(&format!(" & ({})", units.join(" | ")));
        }
        hits.push("s.doc @@ to_tsquery('simple', ?)", vec![query.into()]);
        "s.person_id"
    } else {
        // Folded words hold only [a-z0-9], which FTS5 takes inside quotes as they are.
        let mut query = format!(
            "name : ({})",
            words
                .iter()
                .map(|w| format!("\"{w}\"*"))
                .collect::<Vec<_>>()
                .join(" AND ")
        );
        if !units.is_empty() {
            let units: Vec<String> = units.iter().map(|u| format!("\"{u}\"")).collect();
            query.push_str(&format!(" AND units : ({})", units.join(" OR ")));
        }
        hits.push("people_search MATCH ?", vec![query.into()]);
        "s.rowid"
    };
    let join = if person {
        format!(" JOIN people p ON p.id = {key}")
    } else {
        String::new()
    };
    let found = format!(
        "SELECT {key} AS id FROM people_search s{join}{}",
        hits.sql()
    );
    let (total, capped) =
        sql::capped_count(conn, &found, hits.values.clone(), crate::NAME_MATCHES).await?;
    let mut values = hits.values;
    let n = values.len();
    values.extend([
        (crate::NAME_MATCHES + 1).into(),
        (per_page as i64).into(),
        (((page - 1) * per_page) as i64).into(),
    ]);
    let items = sql::all(
        conn,
        &format!(
            "{SELECT} WHERE p.id IN ({found} LIMIT ${}) ORDER BY {ORDER} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2,
            n + 3
        ),
        values,
    )
    .await?;
    Ok(Page {
        items,
        total,
        capped,
        page,
        per_page,
    })
}

/// Drops the triggers that keep the name search index in step, before a bulk load.
pub(crate) async fn suspend_search<C: ConnectionTrait>(conn: &C) -> Result<(), StoreError> {
    for statement in crate::migration::drop_search_triggers(conn.get_database_backend()) {
        conn.execute_unprepared(&statement).await?;
    }
    Ok(())
}

/// After a bulk load: fills the name search index from every person in one pass and puts
/// its triggers back.
pub(crate) async fn resume_search<C: ConnectionTrait>(conn: &C) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    for statement in crate::migration::drop_search_triggers(backend)
        .into_iter()
        .chain(crate::migration::fill_search(backend))
        .chain(crate::migration::search_triggers(backend))
    {
        conn.execute_unprepared(&statement).await?;
    }
    Ok(())
}

/// People of a subtree in batches ordered by id (keyset), for exports of any size.
pub async fn batch_after<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    after: Option<PersonId>,
    limit: u64,
) -> Result<Vec<Person>, StoreError> {
    let rows: Vec<PersonRow> = sql::all(
        conn,
        &format!(
            "{SELECT} WHERE o.path >= $1 AND o.path < $2 AND p.id > $3 ORDER BY p.id LIMIT $4"
        ),
        vec![
            within.from.clone().into(),
            within.to.clone().into(),
            after.map(|a| a.0).unwrap_or(0).into(),
            (limit as i64).into(),
        ],
    )
    .await?;
    Ok(rows.into_iter().map(Person::from).collect())
}

/// The person with this id.
pub async fn get<C: ConnectionTrait>(conn: &C, id: PersonId) -> Result<Person, StoreError> {
    let row: Option<PersonRow> = sql::one(
        conn,
        &format!("{SELECT} WHERE p.id = $1"),
        vec![id.0.into()],
    )
    .await?;
    row.map(Person::from).ok_or(StoreError::NotFound)
}

/// The people with these party card numbers.
pub async fn by_cards<C: ConnectionTrait>(
    conn: &C,
    cards: &[String],
) -> Result<Vec<Person>, StoreError> {
    let values = cards.iter().map(|c| Value::from(c.clone())).collect();
    let rows: Vec<PersonRow> = sql::all_in(
        conn,
        &format!("{SELECT} WHERE p.party_card_no IN ({{list}})"),
        values,
    )
    .await?;
    Ok(rows.into_iter().map(Person::from).collect())
}

/// The people whose current unit is one of these (not their subtrees).
pub async fn in_orgs<C: ConnectionTrait>(
    conn: &C,
    orgs: &[OrgId],
) -> Result<Vec<Person>, StoreError> {
    let values = orgs.iter().map(|o| Value::from(o.0)).collect();
    let rows: Vec<PersonRow> = sql::all_in(
        conn,
        &format!("{SELECT} WHERE p.org_id IN ({{list}})"),
        values,
    )
    .await?;
    Ok(rows.into_iter().map(Person::from).collect())
}

/// A person's stay in a unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, FromQueryResult)]
pub struct Membership {
    /// The unit's id.
    pub org_id: i64,
    /// The unit's code.
    pub org_code: String,
    /// The unit's name.
    pub org_name: String,
    /// From (None: since before the records began).
    pub valid_from: Option<NaiveDate>,
    /// Until (None: still there).
    pub valid_to: Option<NaiveDate>,
}

/// Which units a person was in, newest first.
pub async fn history<C: ConnectionTrait>(
    conn: &C,
    id: PersonId,
) -> Result<Vec<Membership>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT u.org_id, o.code AS org_code, o.name AS org_name, u.valid_from, u.valid_to \
         FROM person_units u JOIN orgs o ON o.id = u.org_id WHERE u.person_id = $1 \
         ORDER BY u.valid_to IS NULL DESC, u.valid_to DESC, u.id DESC",
        vec![id.0.into()],
    )
    .await?)
}

/// A person ready to insert: the draft with its unit resolved.
#[derive(Debug, Clone)]
pub struct NewPerson {
    /// Validated fields.
    pub draft: PersonDraft,
    /// The resolved unit.
    pub org_id: OrgId,
}

/// The columns of a person written with its own id, in the order of [`bulk_values`].
pub(crate) fn bulk_columns() -> Vec<&'static str> {
    let mut columns = vec!["id"];
    columns.extend(FIELD_COLUMNS);
    columns.extend(["created_at", "updated_at"]);
    columns
}

/// A person's values for [`bulk_columns`]: a bulk load numbers people itself.
pub(crate) fn bulk_values(
    id: i64,
    draft: &PersonDraft,
    org_id: OrgId,
    now: chrono::DateTime<Utc>,
) -> Vec<Value> {
    let mut values = vec![id.into()];
    values.extend(field_values(draft, org_id));
    values.extend([now.into(), now.into()]);
    values
}

fn field_values(draft: &PersonDraft, org_id: OrgId) -> Vec<Value> {
    let code = |c: Option<&'static str>| c.map(str::to_owned);
    vec![
        draft.full_name.clone().into(),
        fold(&draft.full_name).into(),
        code(draft.gender.map(Gender::code)).into(),
        draft.birth_date.into(),
        draft.categories.bits().into(),
        code(draft.member_status.map(MemberStatus::code)).into(),
        draft.party_joined_on.into(),
        draft.party_official_on.into(),
        draft.party_card_no.clone().into(),
        org_id.0.into(),
        draft.position.clone().into(),
        draft.is_leader.into(),
        draft.citizen_id.clone().into(),
        draft.phone.clone().into(),
        draft.email.clone().into(),
        draft.note.clone().into(),
    ]
}

const FIELD_COLUMNS: [&str; 16] = [
    "full_name",
    "name_folded",
    "gender",
    "birth_date",
    "categories",
    "member_status",
    "party_joined_on",
    "party_official_on",
    "party_card_no",
    "org_id",
    "position",
    "is_leader",
    "citizen_id",
    "phone",
    "email",
    "note",
];

/// Inserts people in multi-row statements, each with its first unit stay. Call it inside a
/// transaction: the import, the demo and synthetic data all do.
pub async fn insert_many<C: ConnectionTrait>(
    conn: &C,
    people: &[NewPerson],
) -> Result<Vec<PersonId>, StoreError> {
    let per_row = FIELD_COLUMNS.len() + 2;
    let rows_per_statement = (sql::MAX_BIND / per_row).min(1000);
    let now = Utc::now();
    let backend = conn.get_database_backend();
    let mut ids = Vec::with_capacity(people.len());
    for chunk in people.chunks(rows_per_statement) {
        let mut values = Vec::with_capacity(chunk.len() * per_row);
        let mut tuples = Vec::with_capacity(chunk.len());
        for person in chunk {
            let first = values.len() + 1;
            values.extend(field_values(&person.draft, person.org_id));
            values.push(now.into());
            values.push(now.into());
            tuples.push(format!("({})", placeholders(backend, first, per_row)));
        }
        let statement = format!(
            "INSERT INTO people ({}, created_at, updated_at) VALUES {} RETURNING id AS value",
            FIELD_COLUMNS.join(", "),
            tuples.join(", ")
        );
        let inserted: Vec<sql::Scalar> = sql::all(conn, &statement, values).await?;
        let chunk_ids: Vec<i64> = inserted.into_iter().map(|s| s.value).collect();
        let mut values: Vec<Value> = vec![now.into(), now.into()];
        values.extend(chunk_ids.iter().map(|id| Value::from(*id)));
        sql::exec(
            conn,
            &format!(
                "INSERT INTO person_units (person_id, org_id, valid_from, valid_to, created_at, updated_at) \
                 SELECT id, org_id, NULL, NULL, {} FROM people WHERE id IN ({})",
                placeholders(backend, 1, 2),
                placeholders(backend, 3, chunk_ids.len())
            ),
            values,
        )
        .await?;
        ids.extend(chunk_ids.into_iter().map(PersonId));
    }
    Ok(ids)
}

async fn resolve_org<C: ConnectionTrait>(conn: &C, code: &str) -> Result<OrgId, StoreError> {
    match crate::org::get_by_code(conn, code).await? {
        Some(org) if org.is_active() => Ok(org.id),
        Some(org) => Err(StoreError::invalid(
            "org_code",
            format!("Đơn vị «{}» đã lưu trữ", org.name),
        )),
        None => Err(StoreError::invalid(
            "org_code",
            format!("Không có đơn vị mã «{code}»"),
        )),
    }
}

async fn check_card_free<C: ConnectionTrait>(
    conn: &C,
    draft: &PersonDraft,
    except: Option<PersonId>,
) -> Result<(), StoreError> {
    if let Some(card) = &draft.party_card_no {
        for other in by_cards(conn, std::slice::from_ref(card)).await? {
            if Some(other.id) != except {
                return Err(StoreError::invalid(
                    "party_card_no",
                    format!(
                        "Số thẻ «{card}» đã thuộc về {} ({})",
                        other.details.full_name, other.org_name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The fields of a person the audit log records, as they are written in files.
fn snapshot(draft: &PersonDraft) -> serde_json::Value {
    let p = draft.to_input();
    serde_json::json!({
        "full_name": p.full_name, "gender": p.gender, "birth_date": p.birth_date,
        "categories": p.categories, "member_status": p.member_status,
        "party_joined_on": p.party_joined_on, "party_official_on": p.party_official_on,
        "party_card_no": p.party_card_no, "org_code": p.org_code, "position": p.position,
        "is_leader": draft.is_leader, "citizen_id": p.citizen_id, "phone": p.phone,
        "email": p.email, "note": p.note,
    })
}

/// Creates a person in the unit named by the draft's code.
pub async fn create<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    draft: &PersonDraft,
) -> Result<PersonId, StoreError> {
    let txn = conn.begin_write().await?;
    let org_id = resolve_org(&txn, &draft.org_code).await?;
    check_card_free(&txn, draft, None).await?;
    let ids = insert_many(
        &txn,
        &[NewPerson {
            draft: draft.clone(),
            org_id,
        }],
    )
    .await?;
    let id = ids.first().copied().ok_or(StoreError::NotFound)?;
    let change = Change {
        action: AuditAction::PersonCreate,
        entity_type: "person",
        entity_id: Some(id.0),
        org_id: Some(org_id),
        before: serde_json::Value::Null,
        after: snapshot(draft),
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(id)
}

/// Changes a person. A change of unit closes the current stay on `today` and opens a new
/// one, so past years still count the person where they were.
pub async fn update<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: PersonId,
    draft: &PersonDraft,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let current = get(&txn, id).await?;
    let org_id = if current.details.org_code == draft.org_code {
        current.org_id
    } else {
        resolve_org(&txn, &draft.org_code).await?
    };
    check_card_free(&txn, draft, Some(id)).await?;
    write_update(&txn, &current, draft, org_id, today).await?;
    let (before, after) = audit::diff(&snapshot(&current.details), &snapshot(draft));
    let action = if org_id == current.org_id {
        AuditAction::PersonUpdate
    } else {
        AuditAction::PersonTransfer
    };
    let change = Change {
        action,
        entity_type: "person",
        entity_id: Some(id.0),
        org_id: Some(org_id),
        before,
        after,
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(())
}

/// Writes a validated change of an existing person (used by the form and the import).
pub(crate) async fn write_update<C: ConnectionTrait>(
    conn: &C,
    current: &Person,
    draft: &PersonDraft,
    org_id: OrgId,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let now = Utc::now();
    let mut values = field_values(draft, org_id);
    let sets: Vec<String> = FIELD_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    values.push(now.into());
    values.push(current.id.0.into());
    sql::exec(
        conn,
        &format!(
            "UPDATE people SET {}, updated_at = ${} WHERE id = ${}",
            sets.join(", "),
            FIELD_COLUMNS.len() + 1,
            FIELD_COLUMNS.len() + 2
        ),
        values,
    )
    .await?;
    if org_id != current.org_id {
        sql::exec(
            conn,
            "UPDATE person_units SET valid_to = $1, updated_at = $2 WHERE person_id = $3 AND valid_to IS NULL",
            vec![today.into(), now.into(), current.id.0.into()],
        )
        .await?;
        sql::exec(
            conn,
            "INSERT INTO person_units (person_id, org_id, valid_from, valid_to, created_at, updated_at) \
             VALUES ($1, $2, $3, NULL, $4, $4)",
            vec![current.id.0.into(), org_id.0.into(), today.into(), now.into()],
        )
        .await?;
    }
    Ok(())
}

/// A person a file row may name, with what tells them apart: for imports that refer to
/// people already registered (attendance marks, plans).
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct Named {
    /// Person.
    pub id: i64,
    /// Full name.
    pub full_name: String,
    /// Folded name.
    pub name_folded: String,
    /// Party card number.
    pub party_card_no: Option<String>,
    /// Unit code.
    pub code: String,
    /// Unit path, for scope checks.
    pub path: String,
}

/// The select list and join of [`Named`] over `people p`.
pub(crate) const NAMED_FROM: &str = "SELECT p.id, p.full_name, p.name_folded, p.party_card_no, o.code, o.path \
    FROM people p JOIN orgs o ON o.id = p.org_id";

/// The people whose folded name or party card is one of the rows': two queries per
/// thousand distinct values. Callers narrow the result to their scope.
pub(crate) async fn named_in_rows<C: ConnectionTrait>(
    conn: &C,
    names: &[String],
    cards: &[String],
) -> Result<Vec<Named>, StoreError> {
    let mut found: Vec<Named> = sql::all_in(
        conn,
        &format!("{NAMED_FROM} WHERE p.name_folded IN ({{list}})"),
        names.iter().map(|n| Value::from(n.clone())).collect(),
    )
    .await?;
    found.extend(
        sql::all_in::<Named, C>(
            conn,
            &format!("{NAMED_FROM} WHERE p.party_card_no IN ({{list}})"),
            cards.iter().map(|c| Value::from(c.clone())).collect(),
        )
        .await?,
    );
    found.sort_by_key(|n| n.id);
    found.dedup_by_key(|n| n.id);
    Ok(found)
}

/// The one person of `people` a row names: by party card number when the row has one,
/// else by name (and unit code when given). Otherwise the reason, in Vietnamese; `place`
/// says where they were looked for ("Chi bộ 1 và các đơn vị trực thuộc").
pub(crate) fn find_named<'a>(
    people: &'a [Named],
    full_name: &str,
    party_card_no: &str,
    org_code: &str,
    place: &str,
) -> Result<&'a Named, String> {
    let card = lantoa_domain::people::normalise_card(party_card_no);
    let code = lantoa_domain::org::normalise_code(org_code);
    let name = fold(full_name);
    let found: Vec<&Named> = people
        .iter()
        .filter(|m| match &card {
            Some(card) => m.party_card_no.as_ref() == Some(card),
            None => m.name_folded == name && (code.is_empty() || m.code == code),
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] if card.is_none() && name.is_empty() => {
            Err("Chưa ghi họ tên hoặc số thẻ đảng viên".to_owned())
        }
        [] => Err(format!(
            "Không có «{}» trong {place}",
            card.unwrap_or_else(|| full_name.trim().to_owned())
        )),
        _ => Err("Có nhiều người cùng họ tên: hãy ghi số thẻ đảng viên hoặc mã đơn vị".to_owned()),
    }
}
