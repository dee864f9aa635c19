//! The creative-works award: a committee launches a round; entries come from the public
//! site while the round is open, or from staff at any time; the same work (folded title
//! and authors) is one entry; figures by field and by author kind. Contacts are read only
//! by [`entries`], which the pages call for the round's staff.

use crate::audit::{self, Actor, Change};
use crate::org::{Org, Subtree};
use crate::{Page, StoreError, sql};
use chrono::{DateTime, NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::award::{
    AuthorKind, AwardField, EntryDraft, PrizeTier, RoundDraft, RoundStage, prizes_of, prizes_text,
};
use lantoa_domain::text::fold;
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// The files of entries: the work itself when it is a text or a picture.
pub const ENTRY_FILES: crate::files::Attachments = crate::files::Attachments {
    table: "award_entry_files",
    owner_column: "entry_id",
    entity: "award_entry",
};

/// A round with its committee and how many entries it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub name: String,
    pub rules: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Prizes per tier, in `PrizeTier::ALL` order.
    pub prizes: [i32; 5],
    pub entries: i64,
    pub stage: RoundStage,
    /// When the board confirmed the results.
    pub results_on: Option<NaiveDate>,
}

impl Round {
    /// Whether the public may send entries on `today`.
    pub fn open_on(&self, today: NaiveDate) -> bool {
        self.opens_on <= today && today <= self.closes_on
    }

    /// The earliest date an entry's work may be made: the round's first year's 1 January
    /// (a round "2023–2025" takes works of those years).
    pub fn works_from(&self) -> NaiveDate {
        use chrono::Datelike;
        NaiveDate::from_ymd_opt(self.opens_on.year(), 1, 1).unwrap_or(self.opens_on)
    }
}

#[derive(FromQueryResult)]
struct RoundRow {
    id: i64,
    org_id: i64,
    org_name: String,
    name: String,
    rules: String,
    opens_on: NaiveDate,
    closes_on: NaiveDate,
    prizes: String,
    entries: i64,
    stage: String,
    results_on: Option<NaiveDate>,
}

impl From<RoundRow> for Round {
    fn from(r: RoundRow) -> Self {
        Round {
            id: r.id,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            name: r.name,
            rules: r.rules,
            opens_on: r.opens_on,
            closes_on: r.closes_on,
            prizes: prizes_of(&r.prizes),
            entries: r.entries,
            stage: RoundStage::from_code(&r.stage).unwrap_or(RoundStage::Preliminary),
            results_on: r.results_on,
        }
    }
}

const ROUND_SELECT: &str = "SELECT r.id, r.org_id, o.name AS org_name, r.name, r.rules, r.opens_on, r.closes_on, \
    r.prizes, CAST((SELECT COUNT(*) FROM award_entries e WHERE e.round_id = r.id) AS BIGINT) AS entries, \
    r.stage, r.results_on \
    FROM award_rounds r JOIN orgs o ON o.id = r.org_id";

/// One round.
pub async fn round<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Round, StoreError> {
    let row: Option<RoundRow> = sql::one(
        conn,
        &format!("{ROUND_SELECT} WHERE r.id = $1"),
        vec![id.into()],
    )
    .await?;
    row.map(Round::from).ok_or(StoreError::NotFound)
}

/// The rounds run by units of a subtree, newest first: one query.
pub async fn rounds<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
) -> Result<Vec<Round>, StoreError> {
    let rows: Vec<RoundRow> = sql::all(
        conn,
        &format!(
            "{ROUND_SELECT} WHERE o.path >= $1 AND o.path < $2 ORDER BY r.opens_on DESC, r.id DESC"
        ),
        vec![within.from.clone().into(), within.to.clone().into()],
    )
    .await?;
    Ok(rows.into_iter().map(Round::from).collect())
}

/// These rounds, newest first: one query per 30 000 ids.
pub async fn rounds_with_ids<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<Vec<Round>, StoreError> {
    let mut rows: Vec<RoundRow> = sql::all_in(
        conn,
        &format!("{ROUND_SELECT} WHERE r.id IN ({{list}})"),
        ids.iter().map(|id| (*id).into()).collect(),
    )
    .await?;
    rows.sort_by_key(|r| std::cmp::Reverse((r.opens_on, r.id)));
    Ok(rows.into_iter().map(Round::from).collect())
}

/// The rounds open to the public on `today`, closing soonest first: one query.
pub async fn open_rounds<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Vec<Round>, StoreError> {
    let rows: Vec<RoundRow> = sql::all(
        conn,
        &format!(
            "{ROUND_SELECT} WHERE r.opens_on <= $1 AND r.closes_on >= $1 ORDER BY r.closes_on, r.id"
        ),
        vec![today.into()],
    )
    .await?;
    Ok(rows.into_iter().map(Round::from).collect())
}

/// The rounds whose results are published, newest first: one query.
pub async fn published_rounds<C: ConnectionTrait>(conn: &C) -> Result<Vec<Round>, StoreError> {
    let rows: Vec<RoundRow> = sql::all(
        conn,
        &format!("{ROUND_SELECT} WHERE r.stage = $1 ORDER BY r.results_on DESC, r.id DESC"),
        vec![RoundStage::Published.code().into()],
    )
    .await?;
    Ok(rows.into_iter().map(Round::from).collect())
}

/// Launches a round of a committee.
pub async fn create_round<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    committee: &Org,
    draft: &RoundDraft,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO award_rounds (org_id, name, rules, opens_on, closes_on, prizes, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id AS value",
        vec![
            committee.id.0.into(),
            draft.name.clone().into(),
            draft.rules.clone().into(),
            draft.opens_on.into(),
            draft.closes_on.into(),
            prizes_text(&draft.prizes).into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::AwardRoundCreate,
            "award_round",
            id,
            Some(committee.id),
            serde_json::json!({
                "name": draft.name,
                "opens_on": draft.opens_on.to_string(),
                "closes_on": draft.closes_on.to_string(),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Who sent an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntrySource {
    /// The authors, on the public site (only while the round is open).
    Public,
    /// Staff of the round's committee, for authors who brought it on paper.
    Staff,
}

impl EntrySource {
    fn code(self) -> &'static str {
        match self {
            EntrySource::Public => "cong_khai",
            EntrySource::Staff => "can_bo",
        }
    }
}

/// Records an entry. The same work (title and authors, folded) is refused a second time;
/// the public sends only while the round is open on `today`; no entry once judging has
/// moved past the preliminary round.
pub async fn submit<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    round: &Round,
    draft: &EntryDraft,
    source: EntrySource,
    today: NaiveDate,
    work: Option<crate::files::Incoming<'_>>,
) -> Result<i64, StoreError> {
    if source == EntrySource::Public && !round.open_on(today) {
        return Err(StoreError::invalid(
            "form",
            format!(
                "{} nhận tác phẩm từ {} đến {}",
                round.name,
                lantoa_domain::dates::display(round.opens_on),
                lantoa_domain::dates::display(round.closes_on)
            ),
        ));
    }
    if round.stage != RoundStage::Preliminary {
        return Err(StoreError::invalid(
            "form",
            "Đợt giải đã qua vòng sơ khảo: không nhận thêm tác phẩm",
        ));
    }
    let (title_folded, authors_folded) = (fold(&draft.title), fold(&draft.authors));
    let txn = conn.begin_write().await?;
    let same = sql::scalar(
        &txn,
        "SELECT COUNT(*) AS value FROM award_entries WHERE round_id = $1 AND title_folded = $2 AND authors_folded = $3",
        vec![round.id.into(), title_folded.clone().into(), authors_folded.clone().into()],
    )
    .await?;
    if same > 0 {
        return Err(StoreError::invalid(
            "title",
            "Tác phẩm này của tác giả đã được gửi dự giải",
        ));
    }
    let id = sql::scalar(
        &txn,
        "INSERT INTO award_entries (round_id, title, title_folded, authors_folded, field, genre, authors, pen_names, \
         author_kind, work_unit, phone, email, made_on, link, source, client_addr, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id AS value",
        vec![
            round.id.into(),
            draft.title.clone().into(),
            title_folded.into(),
            authors_folded.into(),
            draft.field.code().into(),
            draft.genre.clone().into(),
            draft.authors.clone().into(),
            draft.pen_names.clone().into(),
            draft.author_kind.code().into(),
            draft.work_unit.clone().into(),
            draft.phone.clone().into(),
            draft.email.clone().into(),
            draft.made_on.into(),
            draft.link.clone().into(),
            source.code().into(),
            actor.client_addr.clone().into(),
            actor.account_id.into(),
            Utc::now().into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::AwardEntrySubmit,
            "award_round",
            round.id,
            Some(round.org_id),
            serde_json::json!({ "entry": id, "field": draft.field.code(), "source": source.code() }),
        ),
    )
    .await?;
    if let Some((files, file)) = work {
        let owner = crate::files::Owner {
            id,
            org_id: round.org_id,
        };
        ENTRY_FILES.attach(&txn, files, actor, owner, file).await?;
    }
    txn.commit().await?;
    Ok(id)
}

/// Public entries from one address since a moment (to hold back scripts): one indexed count.
pub async fn public_since<C: ConnectionTrait>(
    conn: &C,
    client_addr: &str,
    since: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(sql::scalar(
        conn,
        "SELECT COUNT(*) AS value FROM award_entries WHERE client_addr = $1 AND created_at >= $2",
        vec![client_addr.into(), since.into()],
    )
    .await?)
}

/// An entry with its authors' contacts, for the round's staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub title: String,
    pub field: AwardField,
    pub genre: String,
    pub authors: String,
    pub pen_names: Option<String>,
    pub author_kind: AuthorKind,
    pub work_unit: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub made_on: NaiveDate,
    pub link: Option<String>,
    /// Sent on the public site.
    pub public: bool,
    /// Reached the final round.
    pub finalist: bool,
    /// The prize it won, once the results are confirmed.
    pub prize: Option<PrizeTier>,
}

#[derive(FromQueryResult)]
pub(crate) struct EntryRow {
    id: i64,
    title: String,
    field: String,
    genre: String,
    authors: String,
    pen_names: Option<String>,
    author_kind: String,
    work_unit: String,
    phone: Option<String>,
    email: Option<String>,
    made_on: NaiveDate,
    link: Option<String>,
    source: String,
    finalist: bool,
    prize: Option<String>,
}

impl From<EntryRow> for Entry {
    fn from(r: EntryRow) -> Self {
        Entry {
            id: r.id,
            title: r.title,
            field: AwardField::from_code(&r.field).unwrap_or(AwardField::Literature),
            genre: r.genre,
            authors: r.authors,
            pen_names: r.pen_names,
            author_kind: AuthorKind::from_code(&r.author_kind).unwrap_or(AuthorKind::Citizen),
            work_unit: r.work_unit,
            phone: r.phone,
            email: r.email,
            made_on: r.made_on,
            link: r.link,
            public: r.source == EntrySource::Public.code(),
            finalist: r.finalist,
            prize: r.prize.as_deref().and_then(PrizeTier::from_code),
        }
    }
}

/// The columns of an [`Entry`] from `award_entries e`.
pub(crate) const ENTRY_COLUMNS: &str = "e.id, e.title, e.field, e.genre, e.authors, e.pen_names, e.author_kind, \
    e.work_unit, e.phone, e.email, e.made_on, e.link, e.source, e.finalist, e.prize";

/// What a list of a round's entries is narrowed to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntryFilter {
    pub field: Option<AwardField>,
    pub author_kind: Option<AuthorKind>,
    pub prize: Option<PrizeTier>,
}

/// One page of a round's entries, narrowed by a filter, by field and title: two queries.
pub async fn entries<C: ConnectionTrait>(
    conn: &C,
    round_id: i64,
    filter: EntryFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<Entry>, StoreError> {
    let mut w = sql::Where::new();
    w.push("e.round_id = ?", vec![round_id.into()]);
    if let Some(f) = filter.field {
        w.push("e.field = ?", vec![f.code().into()]);
    }
    if let Some(k) = filter.author_kind {
        w.push("e.author_kind = ?", vec![k.code().into()]);
    }
    if let Some(p) = filter.prize {
        w.push("e.prize = ?", vec![p.code().into()]);
    }
    let from = " FROM award_entries e";
    let page: Page<EntryRow> = sql::page(
        conn,
        &format!("SELECT {ENTRY_COLUMNS}{from}"),
        from,
        &w,
        "e.field, e.title_folded, e.id",
        page,
        per_page,
    )
    .await?;
    Ok(page.map(Entry::from))
}

/// The files of some entries, by entry: one query per 30 000 entries.
pub async fn files_of<C: ConnectionTrait>(
    conn: &C,
    entry_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<crate::files::StoredFile>>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        entry_id: i64,
        id: i64,
        sha256: String,
        name: String,
        content_type: String,
        size_bytes: i64,
        created_at: DateTime<Utc>,
    }
    let rows: Vec<Row> = sql::all_in(
        conn,
        &format!(
            "SELECT a.entry_id, {} FROM files f JOIN award_entry_files a ON a.file_id = f.id \
             WHERE a.entry_id IN ({{list}}) ORDER BY f.id",
            crate::files::FILE_COLUMNS
        ),
        entry_ids.iter().map(|id| (*id).into()).collect(),
    )
    .await?;
    let mut by = std::collections::HashMap::<i64, Vec<_>>::new();
    for r in rows {
        by.entry(r.entry_id)
            .or_default()
            .push(crate::files::StoredFile {
                id: r.id,
                sha256: r.sha256,
                name: r.name,
                content_type: r.content_type,
                size_bytes: r.size_bytes,
                created_at: r.created_at,
            });
    }
    Ok(by)
}

/// A file of an entry of a round, or not found.
pub async fn entry_file<C: ConnectionTrait>(
    conn: &C,
    round_id: i64,
    file_id: i64,
) -> Result<(i64, crate::files::StoredFile), StoreError> {
    let entry = sql::scalar(
        conn,
        "SELECT COALESCE(MIN(a.entry_id), 0) AS value FROM award_entry_files a JOIN award_entries e ON e.id = a.entry_id \
         WHERE a.file_id = $1 AND e.round_id = $2",
        vec![file_id.into(), round_id.into()],
    )
    .await?;
    if entry == 0 {
        return Err(StoreError::NotFound);
    }
    Ok((entry, ENTRY_FILES.one(conn, entry, file_id).await?))
}

/// A round's entries counted by field, by author kind and by prize won.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFigures {
    pub by_field: Vec<(AwardField, i64)>,
    pub by_kind: Vec<(AuthorKind, i64)>,
    pub by_prize: Vec<(PrizeTier, i64)>,
}

/// A round's figures, in the lists' order (empty ones left out): three queries.
pub async fn figures<C: ConnectionTrait>(
    conn: &C,
    round_id: i64,
) -> Result<EntryFigures, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        code: String,
        n: i64,
    }
    let query = |column: &str| {
        format!(
            "SELECT {column} AS code, CAST(COUNT(*) AS BIGINT) AS n FROM award_entries \
             WHERE round_id = $1 AND {column} IS NOT NULL GROUP BY {column}"
        )
    };
    let fields: Vec<Row> = sql::all(conn, &query("field"), vec![round_id.into()]).await?;
    let kinds: Vec<Row> = sql::all(conn, &query("author_kind"), vec![round_id.into()]).await?;
    let prizes: Vec<Row> = sql::all(conn, &query("prize"), vec![round_id.into()]).await?;
    fn pick<T: ClosedList>(rows: &[Row]) -> Vec<(T, i64)> {
        T::ALL
            .iter()
            .filter_map(|t| rows.iter().find(|r| r.code == t.code()).map(|r| (*t, r.n)))
            .collect()
    }
    Ok(EntryFigures {
        by_field: pick(&fields),
        by_kind: pick(&kinds),
        by_prize: pick(&prizes),
    })
}
