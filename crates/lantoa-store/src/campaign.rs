//! The campaign's frame: years (each with the full-term topic it belongs to), their topics,
//! and the guiding documents (văn bản chỉ đạo) with the years and topics they guide.
//!
//! A document belongs to the unit that entered it and reaches that unit's whole subtree:
//! a member reads the documents of their own unit and of every unit above it; staff also
//! read what the units below them entered. Lists are one count and one page query plus one
//! query each for the page's years and topics, whatever the page size.

use crate::audit::{self, Actor, Change};
use crate::files::{self, Files, NewFile, StoredFile};
use crate::org::{Scope, lineage_paths};
use crate::{Page, StoreError, sql};
use chrono::{DateTime, NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::campaign::{DocumentDraft, DocumentKind};
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

/// A year's topic (chuyên đề năm).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Topic {
    /// Id.
    pub id: i64,
    /// Year it belongs to.
    pub year_id: i64,
    /// Title.
    pub title: String,
    /// Core contents.
    pub core_contents: Option<String>,
}

/// A campaign year with its topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignYear {
    /// Id.
    pub id: i64,
    /// 2024…
    pub year: i32,
    /// The full-term topic it belongs to.
    pub term_topic: String,
    /// The year's topics.
    pub topics: Vec<Topic>,
}

/// How much of a campaign year its figures count: all of it, or what happened up to and
/// including a day (30/06 for the six-month review, sơ kết 6 tháng). Each area's figure
/// query appends the cut on its own date column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Until(Option<NaiveDate>);

impl Until {
    /// The whole year.
    pub const WHOLE_YEAR: Until = Until(None);

    /// Up to and including `day`, or the whole year for none.
    pub fn day(day: Option<NaiveDate>) -> Until {
        Until(day)
    }

    /// The last day counted, or none for the whole year.
    pub fn cut(&self) -> Option<NaiveDate> {
        self.0
    }

    /// `today`, or the day of the cut when that is earlier: the day a figure's "now" is.
    pub fn today(&self, today: NaiveDate) -> NaiveDate {
        self.0.map_or(today, |d| d.min(today))
    }

    /// `" AND {column} <= $n"` on a date column, the day bound as the next placeholder of
    /// `values`; nothing for the whole year.
    pub(crate) fn on_dates(&self, column: &str, values: &mut Vec<Value>) -> String {
        self.clause(column, "<=", values, |day| day.into())
    }

    /// `" AND {column} > $n"` on a date column: what happened after the cut (a
    /// recommendation closed later was still open then); nothing for the whole year.
    pub(crate) fn after_on_dates(&self, column: &str, values: &mut Vec<Value>) -> String {
        self.clause(column, ">", values, |day| day.into())
    }

    /// `" AND {column} < $n"` on a timestamp column (when a plan was approved, a nomination
    /// made): before the local midnight that ends the day.
    pub(crate) fn on_moments(&self, column: &str, values: &mut Vec<Value>) -> String {
        self.clause(column, "<", values, |day| end_moment(day).into())
    }

    /// `" AND {column} < $n"` on a local date-time column (when a session starts): before
    /// the day after.
    pub(crate) fn on_local_times(&self, column: &str, values: &mut Vec<Value>) -> String {
        self.clause(column, "<", values, |day| next_midnight(day).into())
    }

    fn clause(
        &self,
        column: &str,
        op: &str,
        values: &mut Vec<Value>,
        bound: fn(NaiveDate) -> Value,
    ) -> String {
        self.0.map_or_else(String::new, |day| {
            values.push(bound(day));
            format!(" AND {column} {op} ${}", values.len())
        })
    }
}

/// The local midnight that ends `day`, in UTC.
fn end_moment(day: NaiveDate) -> DateTime<Utc> {
    let midnight = next_midnight(day);
    midnight
        .and_local_timezone(chrono::Local)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

fn next_midnight(day: NaiveDate) -> chrono::NaiveDateTime {
    day.succ_opt()
        .unwrap_or(day)
        .and_time(chrono::NaiveTime::MIN)
}

#[derive(FromQueryResult)]
struct YearRow {
    id: i64,
    year: i32,
    term_topic: String,
    topic_id: Option<i64>,
    title: Option<String>,
    core_contents: Option<String>,
}

/// Every campaign year with its topics, newest first: one query (a page reads the years
/// for its choice of year and again for its figures).
pub async fn years<C: ConnectionTrait>(conn: &C) -> Result<Vec<CampaignYear>, StoreError> {
    let rows: Vec<YearRow> = sql::all(
        conn,
        "SELECT y.id, y.year, y.term_topic, t.id AS topic_id, t.title, t.core_contents \
         FROM campaign_years y LEFT JOIN topics t ON t.year_id = y.id \
         ORDER BY y.year DESC, t.id",
        vec![],
    )
    .await?;
    let mut years: Vec<CampaignYear> = Vec::new();
    for r in rows {
        if years.last().is_none_or(|y| y.id != r.id) {
            years.push(CampaignYear {
                id: r.id,
                year: r.year,
                term_topic: r.term_topic,
                topics: Vec::new(),
            });
        }
        if let (Some(id), Some(title), Some(year)) = (r.topic_id, r.title, years.last_mut()) {
            year.topics.push(Topic {
                id,
                year_id: r.id,
                title,
                core_contents: r.core_contents,
            });
        }
    }
    Ok(years)
}

/// The campaign year with this number.
pub async fn year<C: ConnectionTrait>(conn: &C, year: i32) -> Result<CampaignYear, StoreError> {
    years(conn)
        .await?
        .into_iter()
        .find(|y| y.year == year)
        .ok_or(StoreError::NotFound)
}

/// Opens a campaign year.
pub async fn create_year<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    year: i32,
    term_topic: &str,
) -> Result<i64, StoreError> {
    let term_topic = lantoa_domain::text::clean(term_topic);
    let mut errors = lantoa_domain::validation::FieldErrors::default();
    if !(2000..=2100).contains(&year) {
        errors.add("year", "Năm phải từ 2000 đến 2100");
    }
    if term_topic.is_empty() {
        errors.add("term_topic", "Chưa nhập chuyên đề toàn khóa");
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let txn = conn.begin_write().await?;
    if years(&txn).await?.iter().any(|y| y.year == year) {
        return Err(StoreError::invalid("year", format!("Năm {year} đã có")));
    }
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO campaign_years (year, term_topic, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id AS value",
        vec![year.into(), term_topic.clone().into(), now.into()],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::YearCreate,
            "campaign_year",
            id,
            None,
            serde_json::json!({ "year": year, "term_topic": term_topic }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Adds a topic to a year.
pub async fn add_topic<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    year_id: i64,
    title: &str,
    core_contents: &str,
) -> Result<i64, StoreError> {
    let title = lantoa_domain::text::clean(title);
    if title.is_empty() {
        return Err(StoreError::invalid("title", "Chưa nhập tên chuyên đề"));
    }
    let core = Some(lantoa_domain::text::clean(core_contents)).filter(|c| !c.is_empty());
    let txn = conn.begin_write().await?;
    let id = sql::scalar(
        &txn,
        "INSERT INTO topics (year_id, title, core_contents, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id AS value",
        vec![year_id.into(), title.clone().into(), core.into(), Utc::now().into()],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::TopicCreate,
            "topic",
            id,
            None,
            serde_json::json!({ "title": title }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// A guiding document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Id.
    pub id: i64,
    /// The unit that entered it; it reaches this unit's subtree.
    pub org_id: OrgId,
    /// That unit's name.
    pub org_name: String,
    /// That unit's path.
    pub org_path: String,
    /// Number and symbol, "46-KH/TU".
    pub symbol: String,
    /// Kind.
    pub kind: DocumentKind,
    /// Issuing body.
    pub issuer: String,
    /// Date issued.
    pub issued_on: NaiveDate,
    /// Title (trích yếu).
    pub title: String,
    /// Summary of what it asks.
    pub summary: Option<String>,
    /// The attached text, if any.
    pub file: Option<StoredFile>,
    /// Campaign years it applies to.
    pub years: Vec<i32>,
    /// Topics it guides.
    pub topics: Vec<Topic>,
}

#[derive(FromQueryResult)]
struct DocumentRow {
    id: i64,
    org_id: i64,
    org_name: String,
    org_path: String,
    symbol: String,
    kind: String,
    issuer: String,
    issued_on: NaiveDate,
    title: String,
    summary: Option<String>,
    file_id: Option<i64>,
    file_sha256: Option<String>,
    file_name: Option<String>,
    file_content_type: Option<String>,
    file_size: Option<i64>,
    file_created_at: Option<DateTime<Utc>>,
}

impl DocumentRow {
    fn into_document(self, years: Vec<i32>, topics: Vec<Topic>) -> Document {
        let file = match (
            self.file_id,
            self.file_sha256,
            self.file_name,
            self.file_content_type,
            self.file_size,
            self.file_created_at,
        ) {
            (Some(id), Some(sha256), Some(name), Some(content_type), Some(size), Some(at)) => {
                Some(StoredFile {
                    id,
                    sha256,
                    name,
                    content_type,
                    size_bytes: size,
                    created_at: at,
                })
            }
            _ => None,
        };
        Document {
            id: self.id,
            org_id: OrgId(self.org_id),
            org_name: self.org_name,
            org_path: self.org_path,
            symbol: self.symbol,
            kind: DocumentKind::from_code(&self.kind).unwrap_or(DocumentKind::Other),
            issuer: self.issuer,
            issued_on: self.issued_on,
            title: self.title,
            summary: self.summary,
            file,
            years,
            topics,
        }
    }
}

const DOCUMENT_SELECT: &str = "SELECT d.id, d.org_id, o.name AS org_name, o.path AS org_path, d.symbol, d.kind, \
    d.issuer, d.issued_on, d.title, d.summary, f.id AS file_id, f.sha256 AS file_sha256, f.name AS file_name, \
    f.content_type AS file_content_type, CAST(f.size_bytes AS BIGINT) AS file_size, f.created_at AS file_created_at \
    FROM documents d JOIN orgs o ON o.id = d.org_id LEFT JOIN files f ON f.id = d.file_id";

const DOCUMENT_FROM: &str = "FROM documents d JOIN orgs o ON o.id = d.org_id";

/// Whose documents someone reads: those entered by the units on the lineage of `units`
/// (their own units and every unit above), and those entered anywhere in `below`.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Paths of the units the reader stands in.
    pub units: Vec<String>,
    /// Units whose own documents the reader also reads (staff and leaders' scope).
    pub below: Scope,
}

impl Reach {
    /// Whether a document entered by the unit with this path is read.
    pub fn contains(&self, path: &str) -> bool {
        self.below.contains(path)
            || self
                .units
                .iter()
                .any(|unit| lineage_paths(unit).iter().any(|p| p == path))
    }

    fn restrict(&self, w: &mut sql::Where) {
        let mut lineage: Vec<String> = self.units.iter().flat_map(|u| lineage_paths(u)).collect();
        lineage.sort();
        lineage.dedup();
        let mut clauses = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        match self.below.condition("o.path") {
            None => return,
            Some((clause, v)) => {
                clauses.push(clause);
                values.extend(v);
            }
        }
        if !lineage.is_empty() {
            clauses.push(format!(
                "o.path IN ({})",
                vec!["?"; lineage.len()].join(", ")
            ));
            values.extend(lineage.into_iter().map(Value::from));
        }
        w.push(&format!("({})", clauses.join(" OR ")), values);
    }
}

/// What a document list shows.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    /// Whose documents.
    pub reach: Reach,
    /// Only those applying to this campaign year (its id).
    pub year_id: Option<i64>,
    /// Only this kind.
    pub kind: Option<DocumentKind>,
    /// Words of the symbol or title.
    pub query: String,
}

/// One page of documents, newest first: four queries.
pub async fn documents<C: ConnectionTrait>(
    conn: &C,
    filter: &DocumentFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<Document>, StoreError> {
    let mut w = sql::Where::new();
    filter.reach.restrict(&mut w);
    if let Some(year_id) = filter.year_id {
        w.push(
            "EXISTS (SELECT 1 FROM document_years dy WHERE dy.document_id = d.id AND dy.year_id = ?)",
            vec![year_id.into()],
        );
    }
    if let Some(kind) = filter.kind {
        w.push("d.kind = ?", vec![kind.code().into()]);
    }
    for word in lantoa_domain::text::fold(&filter.query)
        .split(' ')
        .filter(|w| !w.is_empty())
    {
        w.push(
            "(' ' || d.search_folded) LIKE ?",
            vec![format!("% {word}%").into()],
        );
    }
    let rows: Page<DocumentRow> = sql::page(
        conn,
        DOCUMENT_SELECT,
        DOCUMENT_FROM,
        &w,
        "d.issued_on DESC, d.id DESC",
        page,
        per_page,
    )
    .await?;
    let ids: Vec<i64> = rows.items.iter().map(|r| r.id).collect();
    let (years, topics) = links_of(conn, &ids).await?;
    Ok(rows.map(|row| {
        let id = row.id;
        let own = |pairs: &[(i64, i32)]| pairs.iter().filter(|p| p.0 == id).map(|p| p.1).collect();
        let own_topics = topics
            .iter()
            .filter(|t| t.0 == id)
            .map(|t| t.1.clone())
            .collect();
        row.into_document(own(&years), own_topics)
    }))
}

#[derive(FromQueryResult)]
struct YearLink {
    document_id: i64,
    year: i32,
}

#[derive(FromQueryResult)]
struct TopicLink {
    document_id: i64,
    id: i64,
    year_id: i64,
    title: String,
    core_contents: Option<String>,
}

/// The years and topics of these documents: two queries.
async fn links_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<(Vec<(i64, i32)>, Vec<(i64, Topic)>), StoreError> {
    if ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let values: Vec<Value> = ids.iter().map(|id| Value::from(*id)).collect();
    let years: Vec<YearLink> = sql::all_in(
        conn,
        "SELECT dy.document_id, y.year FROM document_years dy JOIN campaign_years y ON y.id = dy.year_id \
         WHERE dy.document_id IN ({list}) ORDER BY y.year",
        values.clone(),
    )
    .await?;
    let topics: Vec<TopicLink> = sql::all_in(
        conn,
        "SELECT dt.document_id, t.id, t.year_id, t.title, t.core_contents FROM document_topics dt \
         JOIN topics t ON t.id = dt.topic_id WHERE dt.document_id IN ({list}) ORDER BY t.id",
        values,
    )
    .await?;
    Ok((
        years.into_iter().map(|l| (l.document_id, l.year)).collect(),
        topics
            .into_iter()
            .map(|l| {
                (
                    l.document_id,
                    Topic {
                        id: l.id,
                        year_id: l.year_id,
                        title: l.title,
                        core_contents: l.core_contents,
                    },
                )
            })
            .collect(),
    ))
}

/// One document with its years, topics and file.
pub async fn document<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Document, StoreError> {
    let row: DocumentRow = sql::one(
        conn,
        &format!("{DOCUMENT_SELECT} WHERE d.id = $1"),
        vec![id.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    let (years, topics) = links_of(conn, &[id]).await?;
    Ok(row.into_document(
        years.into_iter().map(|y| y.1).collect(),
        topics.into_iter().map(|t| t.1).collect(),
    ))
}

/// The documents a reader reaches that guide each topic, as (topic id, document): one
/// query, for the years page.
pub async fn documents_by_topic<C: ConnectionTrait>(
    conn: &C,
    reach: &Reach,
) -> Result<Vec<(i64, Document)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Guides {
        topic_id: i64,
    }
    let mut w = sql::Where::new();
    reach.restrict(&mut w);
    let select = DOCUMENT_SELECT.replacen("SELECT ", "SELECT dt.topic_id, ", 1)
        + " JOIN document_topics dt ON dt.document_id = d.id";
    let rows = sql::stmt(
        conn,
        &format!("{select}{} ORDER BY d.issued_on, d.id", w.sql()),
        w.values.clone(),
    );
    let results = conn.query_all_raw(rows).await?;
    let mut out = Vec::with_capacity(results.len());
    for row in results {
        let topic = Guides::from_query_result(&row, "")?;
        let document = DocumentRow::from_query_result(&row, "")?;
        out.push((
            topic.topic_id,
            document.into_document(Vec::new(), Vec::new()),
        ));
    }
    Ok(out)
}

/// The year ids of a draft's years, and a check that its topics belong to them.
async fn resolve_links<C: ConnectionTrait>(
    conn: &C,
    draft: &DocumentDraft,
) -> Result<Vec<i64>, StoreError> {
    let all = years(conn).await?;
    let mut year_ids = Vec::new();
    for number in &draft.years {
        match all.iter().find(|y| y.year == *number) {
            Some(y) => year_ids.push(y.id),
            None => {
                return Err(StoreError::invalid(
                    "years",
                    format!("Chưa có năm học tập {number}"),
                ));
            }
        }
    }
    for topic in &draft.topics {
        let owner = all.iter().find(|y| y.topics.iter().any(|t| t.id == *topic));
        match owner {
            Some(y) if draft.years.contains(&y.year) => {}
            Some(y) => {
                return Err(StoreError::invalid(
                    "topics",
                    format!(
                        "Chuyên đề đã chọn thuộc năm {}, năm này chưa được chọn ở «Năm áp dụng»",
                        y.year
                    ),
                ));
            }
            None => return Err(StoreError::invalid("topics", "Chuyên đề không có")),
        }
    }
    Ok(year_ids)
}

/// Refuses a second document with the same symbol from the same unit in the same year.
async fn check_unique<C: ConnectionTrait>(
    conn: &C,
    org_id: OrgId,
    draft: &DocumentDraft,
    except: Option<i64>,
) -> Result<(), StoreError> {
    let same: Vec<DocumentRow> = sql::all(
        conn,
        &format!("{DOCUMENT_SELECT} WHERE d.org_id = $1 AND d.symbol = $2 AND d.id <> $3"),
        vec![
            org_id.0.into(),
            draft.symbol.clone().into(),
            except.unwrap_or(0).into(),
        ],
    )
    .await?;
    use chrono::Datelike;
    if let Some(other) = same
        .iter()
        .find(|d| d.issued_on.year() == draft.issued_on.year())
    {
        return Err(StoreError::invalid(
            "symbol",
            format!(
                "Đơn vị đã có văn bản {} ngày {} («{}»)",
                other.symbol,
                lantoa_domain::dates::display(other.issued_on),
                other.title
            ),
        ));
    }
    Ok(())
}

fn search_text(draft: &DocumentDraft) -> String {
    lantoa_domain::text::fold(&format!(
        "{} {} {}",
        draft.symbol, draft.title, draft.issuer
    ))
}

fn document_json(draft: &DocumentDraft, file: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "symbol": draft.symbol,
        "kind": draft.kind.code(),
        "issuer": draft.issuer,
        "issued_on": draft.issued_on.to_string(),
        "title": draft.title,
        "summary": draft.summary,
        "years": draft.years,
        "topics": draft.topics,
        "file": file,
    })
}

async fn write_links<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    year_ids: &[i64],
    topics: &[i64],
) -> Result<(), StoreError> {
    sql::set_links(
        conn,
        "document_years",
        ("document_id", id),
        "year_id",
        year_ids,
    )
    .await?;
    sql::set_links(
        conn,
        "document_topics",
        ("document_id", id),
        "topic_id",
        topics,
    )
    .await?;
    Ok(())
}

/// Stores a document entered by a unit, with its attached text (and where to keep it).
pub async fn create_document<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    org_id: OrgId,
    draft: &DocumentDraft,
    file: Option<(&Files, &NewFile)>,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let year_ids = resolve_links(&txn, draft).await?;
    check_unique(&txn, org_id, draft, None).await?;
    let file_id = match file {
        Some((files, f)) => Some(files::store(&txn, files, actor, f, org_id).await?),
        None => None,
    };
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO documents (org_id, symbol, kind, issuer, issued_on, title, search_folded, summary, file_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id AS value",
        vec![
            org_id.0.into(),
            draft.symbol.clone().into(),
            draft.kind.code().into(),
            draft.issuer.clone().into(),
            draft.issued_on.into(),
            draft.title.clone().into(),
            search_text(draft).into(),
            draft.summary.clone().into(),
            file_id.into(),
            now.into(),
        ],
    )
    .await?;
    write_links(&txn, id, &year_ids, &draft.topics).await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::DocumentCreate,
            "document",
            id,
            Some(org_id),
            document_json(draft, file.map(|(_, f)| f.name.as_str())),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// What happens to a document's attached text on an edit.
#[derive(Debug, Clone)]
pub enum FileChange {
    /// Keep it.
    Keep,
    /// Replace it (or add one).
    Replace(NewFile),
    /// Take it off.
    Remove,
}

/// Changes a document; the audit row holds the fields that changed.
pub async fn update_document<C: crate::Writer>(
    conn: &C,
    files: &Files,
    actor: &Actor,
    id: i64,
    draft: &DocumentDraft,
    file: &FileChange,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let old = document(&txn, id).await?;
    let year_ids = resolve_links(&txn, draft).await?;
    check_unique(&txn, old.org_id, draft, Some(id)).await?;
    let old_file = old.file.as_ref().map(|f| f.id);
    let (file_id, file_name) = match file {
        FileChange::Keep => (old_file, old.file.as_ref().map(|f| f.name.clone())),
        FileChange::Remove => (None, None),
        FileChange::Replace(new) => (
            Some(files::store(&txn, files, actor, new, old.org_id).await?),
            Some(new.name.clone()),
        ),
    };
    sql::exec(
        &txn,
        "UPDATE documents SET symbol = $2, kind = $3, issuer = $4, issued_on = $5, title = $6, search_folded = $7, \
         summary = $8, file_id = $9, updated_at = $10 WHERE id = $1",
        vec![
            id.into(),
            draft.symbol.clone().into(),
            draft.kind.code().into(),
            draft.issuer.clone().into(),
            draft.issued_on.into(),
            draft.title.clone().into(),
            search_text(draft).into(),
            draft.summary.clone().into(),
            file_id.into(),
            Utc::now().into(),
        ],
    )
    .await?;
    if let Some(old_file) = old_file.filter(|f| Some(*f) != file_id) {
        sql::exec(
            &txn,
            "DELETE FROM files WHERE id = $1",
            vec![old_file.into()],
        )
        .await?;
    }
    write_links(&txn, id, &year_ids, &draft.topics).await?;
    let before_draft = DocumentDraft {
        symbol: old.symbol.clone(),
        kind: old.kind,
        issuer: old.issuer.clone(),
        issued_on: old.issued_on,
        title: old.title.clone(),
        summary: old.summary.clone(),
        years: old.years.clone(),
        topics: old.topics.iter().map(|t| t.id).collect(),
    };
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::DocumentUpdate,
            "document",
            id,
            Some(old.org_id),
            &document_json(&before_draft, old.file.as_ref().map(|f| f.name.as_str())),
            &document_json(draft, file_name.as_deref()),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes a document and its links; the audit row keeps what it was.
pub async fn delete_document<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: i64,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let old = document(&txn, id).await?;
    for statement in [
        "DELETE FROM document_years WHERE document_id = $1",
        "DELETE FROM document_topics WHERE document_id = $1",
        "DELETE FROM documents WHERE id = $1",
    ] {
        sql::exec(&txn, statement, vec![id.into()]).await?;
    }
    if let Some(file) = &old.file {
        sql::exec(
            &txn,
            "DELETE FROM files WHERE id = $1",
            vec![file.id.into()],
        )
        .await?;
    }
    audit::record(
        &txn,
        actor,
        Change::removed(
            AuditAction::DocumentDelete,
            "document",
            id,
            Some(old.org_id),
            serde_json::json!({
                "symbol": old.symbol,
                "title": old.title,
                "issued_on": old.issued_on.to_string(),
                "file": old.file.as_ref().map(|f| &f.name),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
