//! Campaign years and topics, study sessions, attendance, and the coverage figures.
//!
//! Coverage follows the rules written in `lantoa_domain::study`: members are counted where
//! they belonged on the year's reference day (their stay in `person_units`), and "studied"
//! is one present mark or more at a session of the year. Each figure is one grouped query
//! over the subtree's people (indexed by unit and by person), never a scan of all
//! attendance rows; the list behind each figure uses the same conditions.

use crate::audit::{self, Actor, Change};
use crate::campaign::{CampaignYear, Topic, Until};
use crate::org::{Scope, Subtree};
use crate::rollups;
use crate::{Page, StoreError, sql};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::study::{
    AttendanceStatus, AudienceKind, Coverage, SessionDraft, SessionFormat, SessionKind,
};
use lantoa_domain::{ClosedList, OrgId, PersonId};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use std::collections::HashMap;

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Id.
    pub id: i64,
    /// Organising unit.
    pub org_id: OrgId,
    /// Its name.
    pub org_name: String,
    /// Its path (the roster is its subtree).
    pub org_path: String,
    /// Campaign year.
    pub year: i32,
    /// Title.
    pub title: String,
    /// Kind of meeting.
    pub kind: SessionKind,
    /// Format.
    pub format: SessionFormat,
    /// Start.
    pub starts_at: NaiveDateTime,
    /// End.
    pub ends_at: NaiveDateTime,
    /// Place.
    pub place: Option<String>,
    /// Reporter or speaker.
    pub speaker: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// The code members type (or scan) to mark themselves present.
    pub checkin_code: String,
    /// Members marked present.
    pub present: i64,
    /// Lượt counted.
    pub counted: i64,
    /// The units whose members make the roster, when not the organiser's whole subtree.
    /// Loaded by [`session`] (lists leave it empty).
    pub roster_units: Vec<RosterUnit>,
}

/// A unit whose members are on a session's roster.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct RosterUnit {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Path.
    pub path: String,
}

#[derive(FromQueryResult)]
struct SessionRow {
    id: i64,
    org_id: i64,
    org_name: String,
    org_path: String,
    year: i32,
    title: String,
    kind: String,
    format: String,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    place: Option<String>,
    speaker: Option<String>,
    notes: Option<String>,
    checkin_code: String,
    present: i64,
    counted: i64,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Self {
        Session {
            id: r.id,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            org_path: r.org_path,
            year: r.year,
            title: r.title,
            kind: SessionKind::from_code(&r.kind).unwrap_or(SessionKind::Conference),
            format: SessionFormat::from_code(&r.format).unwrap_or(SessionFormat::InPerson),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            place: r.place,
            speaker: r.speaker,
            notes: r.notes,
            checkin_code: r.checkin_code,
            present: r.present,
            counted: r.counted,
            roster_units: Vec::new(),
        }
    }
}

const SESSION_SELECT: &str = "SELECT s.id, s.org_id, o.name AS org_name, o.path AS org_path, y.year, s.title, s.kind, \
    s.format, s.starts_at, s.ends_at, s.place, s.speaker, s.notes, s.checkin_code, \
    (SELECT COUNT(*) FROM attendance a WHERE a.session_id = s.id AND a.status = 'co_mat') AS present, \
    (SELECT CAST(COALESCE(SUM(k.count), 0) AS BIGINT) FROM counted_attendance k WHERE k.session_id = s.id) AS counted \
    FROM study_sessions s JOIN orgs o ON o.id = s.org_id JOIN campaign_years y ON y.id = s.year_id";

/// One session, with the units of its roster.
pub async fn session<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Session, StoreError> {
    let row: Option<SessionRow> = sql::one(
        conn,
        &format!("{SESSION_SELECT} WHERE s.id = $1"),
        vec![id.into()],
    )
    .await?;
    let mut session = row.map(Session::from).ok_or(StoreError::NotFound)?;
    session.roster_units = roster_units(conn, id).await?;
    Ok(session)
}

async fn roster_units<C: ConnectionTrait>(
    conn: &C,
    session_id: i64,
) -> Result<Vec<RosterUnit>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT o.id, o.name, o.path FROM session_units su JOIN orgs o ON o.id = su.org_id \
         WHERE su.session_id = $1 ORDER BY o.path",
        vec![session_id.into()],
    )
    .await?)
}

/// The topics of a session.
pub async fn session_topics<C: ConnectionTrait>(
    conn: &C,
    session_id: i64,
) -> Result<Vec<Topic>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT t.id, t.year_id, t.title, t.core_contents FROM topics t \
         JOIN session_topics st ON st.topic_id = t.id WHERE st.session_id = $1 ORDER BY t.id",
        vec![session_id.into()],
    )
    .await?)
}

/// Sessions organised in a subtree in a year, newest first: two queries.
pub async fn sessions<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    page: u64,
    per_page: u64,
) -> Result<Page<Session>, StoreError> {
    let mut w = sql::Where::new();
    w.push(
        "o.path >= ? AND o.path < ? AND s.year_id = ?",
        vec![
            within.from.clone().into(),
            within.to.clone().into(),
            year.id.into(),
        ],
    );
    let rows: Page<SessionRow> = sql::page(
        conn,
        SESSION_SELECT,
        "FROM study_sessions s JOIN orgs o ON o.id = s.org_id JOIN campaign_years y ON y.id = s.year_id",
        &w,
        "s.starts_at DESC, s.id DESC",
        page,
        per_page,
    )
    .await?;
    Ok(rows.map(Session::from))
}

/// Checks a draft's topics against its year and its roster units against the organiser's
/// subtree.
async fn check_session<C: ConnectionTrait>(
    conn: &C,
    org_id: OrgId,
    year: &CampaignYear,
    draft: &SessionDraft,
) -> Result<(), StoreError> {
    if let Some(stranger) = draft
        .topics
        .iter()
        .find(|t| !year.topics.iter().any(|own| own.id == **t))
    {
        return Err(StoreError::invalid(
            "topics",
            format!("Chuyên đề số {stranger} không thuộc năm {}", year.year),
        ));
    }
    if !draft.units.is_empty() {
        let organiser = crate::org::get(conn, org_id).await?;
        let units = crate::org::get_many(
            conn,
            &draft.units.iter().map(|u| OrgId(*u)).collect::<Vec<_>>(),
        )
        .await?;
        let within = organiser.subtree();
        if units.len() != draft.units.len() || units.iter().any(|u| !within.contains(&u.path)) {
            return Err(StoreError::invalid(
                "units",
                format!("Chỉ chọn được các đơn vị thuộc {}", organiser.name),
            ));
        }
    }
    Ok(())
}

fn session_json(draft: &SessionDraft) -> serde_json::Value {
    serde_json::json!({
        "title": draft.title,
        "kind": draft.kind.code(),
        "format": draft.format.code(),
        "starts_at": draft.starts_at.to_string(),
        "ends_at": draft.ends_at.to_string(),
        "place": draft.place,
        "speaker": draft.speaker,
        "notes": draft.notes,
        "topics": draft.topics,
        "units": draft.units,
    })
}

/// Records a session organised by a unit in a year; its topics must be the year's and its
/// roster units in the organiser's subtree.
pub async fn create_session<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    org_id: OrgId,
    year: &CampaignYear,
    draft: &SessionDraft,
) -> Result<i64, StoreError> {
    check_session(conn, org_id, year, draft).await?;
    let txn = conn.begin_write().await?;
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO study_sessions (org_id, year_id, title, kind, format, starts_at, ends_at, place, speaker, notes, checkin_code, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $11, $11) RETURNING id AS value",
        vec![
            org_id.0.into(),
            year.id.into(),
            draft.title.clone().into(),
            draft.kind.code().into(),
            draft.format.code().into(),
            draft.starts_at.into(),
            draft.ends_at.into(),
            draft.place.clone().into(),
            draft.speaker.clone().into(),
            draft.notes.clone().into(),
            now.into(),
            crate::secret::new_short_code(CHECKIN_CODE_LEN).into(),
        ],
    )
    .await?;
    sql::set_links(
        &txn,
        "session_topics",
        ("session_id", id),
        "topic_id",
        &draft.topics,
    )
    .await?;
    sql::set_links(
        &txn,
        "session_units",
        ("session_id", id),
        "org_id",
        &draft.units,
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::SessionCreate,
            "study_session",
            id,
            Some(org_id),
            session_json(draft),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Changes a session (not its organiser or year); the audit row holds what changed. Marks
/// already saved stay, even for people no longer on a narrowed roster.
pub async fn update_session<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    session: &Session,
    year: &CampaignYear,
    draft: &SessionDraft,
) -> Result<(), StoreError> {
    check_session(conn, session.org_id, year, draft).await?;
    let txn = conn.begin_write().await?;
    let before = SessionDraft {
        title: session.title.clone(),
        kind: session.kind,
        format: session.format,
        starts_at: session.starts_at,
        ends_at: session.ends_at,
        place: session.place.clone(),
        speaker: session.speaker.clone(),
        notes: session.notes.clone(),
        topics: session_topics(&txn, session.id)
            .await?
            .iter()
            .map(|t| t.id)
            .collect(),
        units: session.roster_units.iter().map(|u| u.id).collect(),
    };
    sql::exec(
        &txn,
        "UPDATE study_sessions SET title = $2, kind = $3, format = $4, starts_at = $5, ends_at = $6, place = $7, \
         speaker = $8, notes = $9, updated_at = $10 WHERE id = $1",
        vec![
            session.id.into(),
            draft.title.clone().into(),
            draft.kind.code().into(),
            draft.format.code().into(),
            draft.starts_at.into(),
            draft.ends_at.into(),
            draft.place.clone().into(),
            draft.speaker.clone().into(),
            draft.notes.clone().into(),
            Utc::now().into(),
        ],
    )
    .await?;
    sql::set_links(
        &txn,
        "session_topics",
        ("session_id", session.id),
        "topic_id",
        &draft.topics,
    )
    .await?;
    sql::set_links(
        &txn,
        "session_units",
        ("session_id", session.id),
        "org_id",
        &draft.units,
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::SessionUpdate,
            "study_session",
            session.id,
            Some(session.org_id),
            &session_json(&before),
            &session_json(draft),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes a session with its marks, counted lượt, topics, roster units and attachments;
/// the audit row keeps what it held.
pub async fn delete_session<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    session: &Session,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let files = SESSION_FILES.list(&txn, session.id).await?;
    let marks = sql::scalar(
        &txn,
        "SELECT COUNT(*) AS value FROM attendance WHERE session_id = $1",
        vec![session.id.into()],
    )
    .await?;
    for statement in [
        "DELETE FROM attendance WHERE session_id = $1",
        "DELETE FROM counted_attendance WHERE session_id = $1",
        "DELETE FROM session_topics WHERE session_id = $1",
        "DELETE FROM session_units WHERE session_id = $1",
        "DELETE FROM session_files WHERE session_id = $1",
        "DELETE FROM study_sessions WHERE id = $1",
    ] {
        sql::exec(&txn, statement, vec![session.id.into()]).await?;
    }
    for file in &files {
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
            AuditAction::SessionDelete,
            "study_session",
            session.id,
            Some(session.org_id),
            serde_json::json!({
                "title": session.title,
                "starts_at": session.starts_at.to_string(),
                "marks": marks,
                "present": session.present,
                "counted": session.counted,
                "files": files.iter().map(|f| &f.name).collect::<Vec<_>>(),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The files attached to sessions (minutes, photos, slides).
pub const SESSION_FILES: crate::files::Attachments = crate::files::Attachments {
    table: "session_files",
    owner_column: "session_id",
    entity: "study_session",
};

impl Session {
    /// The session as the holder of its files.
    pub fn owner(&self) -> crate::files::Owner {
        crate::files::Owner {
            id: self.id,
            org_id: self.org_id,
        }
    }
}

/// Letters of a check-in code.
pub const CHECKIN_CODE_LEN: usize = 6;
/// Check-in opens this long before a session starts and closes this long after it ends.
pub const CHECKIN_MARGIN_MINUTES: i64 = 30;

impl Session {
    /// Whose members are on the roster: the chosen units' subtrees, else the organiser's.
    pub fn roster_scope(&self) -> Scope {
        if self.roster_units.is_empty() {
            Scope::Subtrees(vec![Subtree::of_path(&self.org_path)])
        } else {
            Scope::Subtrees(
                self.roster_units
                    .iter()
                    .map(|u| Subtree::of_path(&u.path))
                    .collect(),
            )
        }
    }

    /// Who the roster is, in words: "Đảng bộ Phường 5" or "Chi bộ 1, Chi bộ 2".
    pub fn roster_names(&self) -> String {
        if self.roster_units.is_empty() {
            self.org_name.clone()
        } else {
            self.roster_units
                .iter()
                .map(|u| u.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    /// When members may mark themselves present.
    pub fn checkin_window(&self) -> (NaiveDateTime, NaiveDateTime) {
        let margin = chrono::Duration::minutes(CHECKIN_MARGIN_MINUTES);
        (self.starts_at - margin, self.ends_at + margin)
    }
}

/// Why a check-in was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckInRefusal {
    /// No session has this code.
    #[error("Mã «{0}» không đúng. Hãy xem lại mã trên màn hình hoặc hỏi người tổ chức.")]
    UnknownCode(String),
    /// The session is not open now.
    #[error("Buổi «{title}» chỉ nhận điểm danh từ {from} đến {to}.")]
    Closed {
        /// Session title.
        title: String,
        /// Opening, as shown.
        from: String,
        /// Closing, as shown.
        to: String,
    },
    /// The person is not on the roster.
    #[error("Bạn không thuộc {0} nên không tự điểm danh ở buổi này được. Hãy báo người tổ chức.")]
    NotOnRoster(String),
}

/// Marks a person present at the session with this code, when it is open at `now` (local
/// time) and the person is on its roster. Marking twice changes nothing.
pub async fn check_in<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    code: &str,
    person: PersonId,
    now: NaiveDateTime,
) -> Result<Result<Session, CheckInRefusal>, StoreError> {
    let code = crate::secret::normalise_code(code);
    let rows: Vec<SessionRow> = sql::all(
        conn,
        &format!("{SESSION_SELECT} WHERE s.checkin_code = $1 ORDER BY s.starts_at DESC"),
        vec![code.clone().into()],
    )
    .await?;
    let sessions: Vec<Session> = rows.into_iter().map(Session::from).collect();
    let open = sessions.iter().find(|s| {
        let (from, to) = s.checkin_window();
        from <= now && now <= to
    });
    let Some(open) = open else {
        return Ok(Err(match sessions.first() {
            None => CheckInRefusal::UnknownCode(code),
            Some(s) => {
                let (from, to) = s.checkin_window();
                CheckInRefusal::Closed {
                    title: s.title.clone(),
                    from: from.format("%H:%M ngày %d/%m/%Y").to_string(),
                    to: to.format("%H:%M ngày %d/%m/%Y").to_string(),
                }
            }
        }));
    };
    let session = &Session {
        roster_units: roster_units(conn, open.id).await?,
        ..open.clone()
    };
    match save_attendance(
        conn,
        actor,
        session,
        &[(person, Some(AttendanceStatus::Present))],
    )
    .await
    {
        Ok(_) => Ok(Ok(session.clone())),
        Err(StoreError::Invalid(_)) => Ok(Err(CheckInRefusal::NotOnRoster(session.roster_names()))),
        Err(e) => Err(e),
    }
}

/// A person on a session's roster with their mark.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct RosterEntry {
    /// Person.
    pub person_id: i64,
    /// Name.
    pub full_name: String,
    /// Position.
    pub position: Option<String>,
    /// Unit name.
    pub org_name: String,
    /// Unit code.
    pub org_code: String,
    /// Party card number.
    pub party_card_no: Option<String>,
    /// Mark code, if marked.
    pub status: Option<String>,
}

impl RosterEntry {
    /// The mark.
    pub fn mark(&self) -> Option<AttendanceStatus> {
        self.status.as_deref().and_then(AttendanceStatus::from_code)
    }
}

/// The roster of a session: the party members of the chosen units' subtrees (the
/// organiser's when none were chosen) and anyone already marked, filtered by folded name,
/// ordered by unit then name. One query.
pub async fn roster<C: ConnectionTrait>(
    conn: &C,
    session: &Session,
    query: &str,
) -> Result<Vec<RosterEntry>, StoreError> {
    let mut w = sql::Where::new();
    let session_param = w.bind(session.id.into());
    let (on_roster, values) = roster_condition(session);
    w.push(
        &format!(
            "(({on_roster} AND p.member_status IN ('chinh_thuc', 'du_bi')) OR a.id IS NOT NULL)"
        ),
        values,
    );
    for word in lantoa_domain::text::fold(query)
        .split(' ')
        .filter(|w| !w.is_empty())
    {
        w.push(
            "(' ' || p.name_folded) LIKE ?",
            vec![format!("% {word}%").into()],
        );
    }
    Ok(sql::all(
        conn,
        &format!(
            "SELECT p.id AS person_id, p.full_name, p.position, o.name AS org_name, o.code AS org_code, p.party_card_no, a.status \
             FROM people p JOIN orgs o ON o.id = p.org_id \
             LEFT JOIN attendance a ON a.person_id = p.id AND a.session_id = {session_param}{} \
             ORDER BY o.path, p.name_folded, p.id",
            w.sql()
        ),
        w.values,
    )
    .await?)
}

/// The condition (with `?` placeholders) that a unit path `o.path` is on the roster.
fn roster_condition(session: &Session) -> (String, Vec<Value>) {
    session
        .roster_scope()
        .condition("o.path")
        .unwrap_or_else(|| ("1 = 1".to_owned(), Vec::new()))
}

/// Saves marks for a session: `None` clears a mark. Every person must be on the roster
/// (belong to its units); otherwise nothing is written. One audit row with the counts.
pub async fn save_attendance<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    session: &Session,
    marks: &[(PersonId, Option<AttendanceStatus>)],
) -> Result<usize, StoreError> {
    let within = session.roster_scope();
    let ids: Vec<Value> = marks.iter().map(|(p, _)| Value::from(p.0)).collect();
    #[derive(FromQueryResult)]
    struct Found {
        id: i64,
        path: String,
    }
    let found: Vec<Found> = sql::all_in(
        conn,
        "SELECT p.id, o.path FROM people p JOIN orgs o ON o.id = p.org_id WHERE p.id IN ({list})",
        ids,
    )
    .await?;
    let paths: HashMap<i64, String> = found.into_iter().map(|f| (f.id, f.path)).collect();
    let outside: Vec<i64> = marks
        .iter()
        .map(|(p, _)| p.0)
        .filter(|p| paths.get(p).is_none_or(|path| !within.contains(path)))
        .collect();
    if !outside.is_empty() {
        return Err(StoreError::invalid(
            "marks",
            format!(
                "{} người không thuộc {} nên không điểm danh ở buổi này được; chưa lưu gì",
                outside.len(),
                session.roster_names()
            ),
        ));
    }
    let txn = conn.begin_write().await?;
    let now = Utc::now();
    let backend = txn.get_database_backend();
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    // A few statements per 500 people, whatever the roster's size. A mark is written over
    // the one before (`ON CONFLICT`), never deleted and inserted again: two saves of the
    // same roster at once (two secretaries, two servers) then both succeed.
    for chunk in marks.chunks(500) {
        let cleared: Vec<Value> = chunk
            .iter()
            .filter(|(_, s)| s.is_none())
            .map(|(p, _)| Value::from(p.0))
            .collect();
        if !cleared.is_empty() {
            let count = cleared.len();
            let mut values: Vec<Value> = vec![session.id.into()];
            values.extend(cleared);
            sql::exec(
                &txn,
                &format!(
                    "DELETE FROM attendance WHERE session_id = {} AND person_id IN ({})",
                    sql::placeholders(backend, 1, 1),
                    sql::placeholders(backend, 2, count)
                ),
                values,
            )
            .await?;
        }
        let marked: Vec<(PersonId, AttendanceStatus)> = chunk
            .iter()
            .filter_map(|(p, s)| s.map(|s| (*p, s)))
            .collect();
        if !marked.is_empty() {
            let rows: Vec<String> = (0..marked.len())
                .map(|i| format!("({})", sql::placeholders(backend, 1 + i * 5, 5)))
                .collect();
            let values: Vec<Value> = marked
                .iter()
                .flat_map(|(p, s)| {
                    [
                        Value::from(session.id),
                        p.0.into(),
                        s.code().into(),
                        now.into(),
                        now.into(),
                    ]
                })
                .collect();
            sql::exec(
                &txn,
                &format!(
                    "INSERT INTO attendance (session_id, person_id, status, created_at, updated_at) VALUES {} \
                     ON CONFLICT (session_id, person_id) DO UPDATE SET status = excluded.status, \
                     updated_at = excluded.updated_at",
                    rows.join(", ")
                ),
                values,
            )
            .await?;
        }
        for (_, status) in chunk {
            *counts
                .entry(status.map(AttendanceStatus::code).unwrap_or("bo_danh_dau"))
                .or_default() += 1;
        }
    }
    let after = serde_json::to_value(&counts).unwrap_or_default();
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::AttendanceSave,
            "study_session",
            session.id,
            Some(session.org_id),
            after,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(marks.len())
}

/// Marks present every member of the roster who has no mark yet. Returns how many.
pub async fn mark_all_present<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    session: &Session,
) -> Result<u64, StoreError> {
    let mut w = sql::Where::new();
    let session_param = w.bind(session.id.into());
    let now_param = w.bind(Utc::now().into());
    let (on_roster, values) = roster_condition(session);
    w.push(&on_roster, values);
    let txn = conn.begin_write().await?;
    let marked = sql::exec(
        &txn,
        &format!(
            "INSERT INTO attendance (session_id, person_id, status, created_at, updated_at) \
             SELECT {session_param}, p.id, 'co_mat', {now_param}, {now_param} FROM people p JOIN orgs o ON o.id = p.org_id{} \
             AND p.member_status IN ('chinh_thuc', 'du_bi') \
             AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = {session_param} AND a.person_id = p.id)",
            w.sql()
        ),
        w.values,
    )
    .await?
    .rows_affected();
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::AttendanceSave,
            "study_session",
            session.id,
            Some(session.org_id),
            serde_json::json!({ "co_mat": marked }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(marked)
}

/// The lượt counted at a session, per audience.
pub async fn counted<C: ConnectionTrait>(
    conn: &C,
    session_id: i64,
) -> Result<Vec<(AudienceKind, i64)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        audience: String,
        count: i64,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT audience, count FROM counted_attendance WHERE session_id = $1",
        vec![session_id.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| AudienceKind::from_code(&r.audience).map(|k| (k, r.count)))
        .collect())
}

/// Replaces the lượt counted at a session (zero removes an audience).
pub async fn save_counted<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    session: &Session,
    counts: &[(AudienceKind, i64)],
) -> Result<(), StoreError> {
    if let Some((kind, _)) = counts.iter().find(|(_, n)| *n < 0) {
        return Err(StoreError::invalid(
            "counted",
            format!("Số lượt {} không được âm", kind.label()),
        ));
    }
    let txn = conn.begin_write().await?;
    let before = counted(&txn, session.id).await?;
    sql::exec(
        &txn,
        "DELETE FROM counted_attendance WHERE session_id = $1",
        vec![session.id.into()],
    )
    .await?;
    let now = Utc::now();
    for (kind, count) in counts.iter().filter(|(_, n)| *n > 0) {
        sql::exec(
            &txn,
            "INSERT INTO counted_attendance (session_id, audience, count, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
            vec![session.id.into(), kind.code().into(), (*count).into(), now.into()],
        )
        .await?;
    }
    let as_json = |c: &[(AudienceKind, i64)]| {
        serde_json::Value::Object(
            c.iter()
                .map(|(k, n)| (k.code().to_owned(), serde_json::json!(n)))
                .collect(),
        )
    };
    audit::record(
        &txn,
        actor,
        Change {
            action: AuditAction::CountedAttendanceSave,
            entity_type: "study_session",
            entity_id: Some(session.id),
            org_id: Some(session.org_id),
            before: as_json(&before),
            after: as_json(counts),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Person `p` was present at a session of the year given by placeholder `$n`.
fn studied(b: &mut crate::coverage::Binds) -> String {
    format!(
        "EXISTS (SELECT 1 FROM attendance a JOIN study_sessions s ON s.id = a.session_id \
         WHERE a.person_id = p.id AND a.status = 'co_mat' AND s.year_id = {}{})",
        b.year(),
        b.until_local_time("s.starts_at")
    )
}

fn studied_measure(until: Until) -> crate::coverage::Measure<'static> {
    crate::coverage::Measure {
        counted: crate::coverage::party_members(),
        join: None,
        conditions: &[studied],
        until,
    }
}

fn as_coverage(tally: &crate::coverage::Tally) -> Coverage {
    Coverage {
        eligible: tally.eligible,
        studied: tally.met(0),
    }
}

/// Coverage of a subtree for a year on its reference day: one query.
pub async fn coverage<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    day: NaiveDate,
) -> Result<Coverage, StoreError> {
    let tally = crate::coverage::tally(
        conn,
        within,
        year.id,
        day,
        &studied_measure(Until::WHOLE_YEAR),
    )
    .await?;
    Ok(as_coverage(&tally))
}

/// Coverage of a unit's subtree and of each of its children, counting sessions up to the
/// cut, from the roll-ups: one statement once they are up to date.
pub async fn coverage_with_children<C: crate::Writer>(
    conn: &C,
    unit: OrgId,
    year: &CampaignYear,
    day: NaiveDate,
    until: Until,
) -> Result<(Coverage, HashMap<OrgId, Coverage>), StoreError> {
    let key = rollups::Key::of(rollups::Measure::Studied, year.id, until).on(day);
    let conditions = studied_measure(until).conditions.len();
    let (total, children) =
        crate::coverage::tally_with_children(conn, unit, &key, conditions).await?;
    Ok((
        as_coverage(&total),
        children
            .iter()
            .map(|(id, t)| (*id, as_coverage(t)))
            .collect(),
    ))
}

/// Each unit's own members on `day` and how many of them studied up to the cut (roll-ups).
pub(crate) async fn own_coverage<C: ConnectionTrait>(
    conn: &C,
    units: rollups::Units<'_>,
    year_id: i64,
    day: NaiveDate,
    until: Until,
) -> Result<Vec<(i64, crate::coverage::Tally)>, StoreError> {
    crate::coverage::own_tallies(conn, units, year_id, day, &studied_measure(until)).await
}

pub use crate::coverage::Missing;

/// Eligible members of the subtree who have not studied, by unit then name, found through
/// the roll-ups (see [`crate::coverage::lacking`]).
pub async fn missing<C: crate::Writer>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    day: NaiveDate,
    page: u64,
    per_page: u64,
) -> Result<Page<Missing>, StoreError> {
    crate::coverage::lacking(
        conn,
        within,
        year.id,
        day,
        &studied_measure(Until::WHOLE_YEAR),
        &crate::coverage::Guide {
            key: rollups::Key::of(rollups::Measure::Studied, year.id, Until::WHOLE_YEAR).on(day),
            condition: 0,
        },
        page,
        per_page,
    )
    .await
}

/// Lượt counted at sessions organised in the subtree in the year up to the cut, per
/// audience, from the roll-ups.
pub async fn counted_totals<C: crate::Writer>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    until: Until,
) -> Result<Vec<(AudienceKind, i64)>, StoreError> {
    per_code(conn, rollups::Measure::Counted, within, year, until).await
}

/// Sessions organised in the subtree in the year up to the cut, per format, from the
/// roll-ups.
pub async fn sessions_by_format<C: crate::Writer>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    until: Until,
) -> Result<Vec<(SessionFormat, i64)>, StoreError> {
    per_code(conn, rollups::Measure::Sessions, within, year, until).await
}

/// A total for every value of a closed list (zero when absent), from the subtree's
/// roll-ups of `measure`.
async fn per_code<K: ClosedList, C: crate::Writer>(
    conn: &C,
    measure: rollups::Measure,
    within: &Subtree,
    year: &CampaignYear,
    until: Until,
) -> Result<Vec<(K, i64)>, StoreError> {
    let key = rollups::Key::of(measure, year.id, until);
    let counts = rollups::of_subtree(conn, &key, &within.from).await?;
    Ok(K::ALL
        .iter()
        .map(|value| (*value, rollups::n(&counts, value.code())))
        .collect())
}

/// Each unit's own lượt by audience in the year up to the cut (roll-ups).
pub(crate) async fn own_counted<C: ConnectionTrait>(
    conn: &C,
    units: rollups::Units<'_>,
    year_id: i64,
    until: Until,
) -> Result<rollups::OwnRows, StoreError> {
    own_per_code(
        conn,
        "SELECT s.org_id, k.audience AS code, CAST(SUM(k.count) AS BIGINT) AS n \
         FROM counted_attendance k JOIN study_sessions s ON s.id = k.session_id",
        "k.audience",
        (units, year_id, until),
    )
    .await
}

/// Each unit's own sessions by format in the year up to the cut (roll-ups).
pub(crate) async fn own_sessions_by_format<C: ConnectionTrait>(
    conn: &C,
    units: rollups::Units<'_>,
    year_id: i64,
    until: Until,
) -> Result<rollups::OwnRows, StoreError> {
    own_per_code(
        conn,
        "SELECT s.org_id, s.format AS code, COUNT(*) AS n FROM study_sessions s",
        "s.format",
        (units, year_id, until),
    )
    .await
}

/// Rows `(org_id, code, n)` of `select` over sessions `s` of the year, grouped by unit and
/// `group`, the sessions cut where asked.
async fn own_per_code<C: ConnectionTrait>(
    conn: &C,
    select: &str,
    group: &str,
    (units, year_id, until): (rollups::Units<'_>, i64, Until),
) -> Result<rollups::OwnRows, StoreError> {
    let mut values = vec![year_id.into()];
    let cut = until.on_local_times("s.starts_at", &mut values);
    rollups::own_rows(
        conn,
        &format!(
            "{select} WHERE s.year_id = $1{cut}{} GROUP BY s.org_id, {group}",
            units.only("s.org_id")
        ),
        values,
    )
    .await
}

/// Imports the marks of a session from a file's rows: each row names a member of the
/// organiser's subtree by party card number, or by name (and unit code when names repeat).
/// Every row is checked and every reason reported; nothing is written when a row is
/// invalid unless `skip_invalid`, nor on a dry run. A person named twice is an error.
pub async fn import_attendance<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    session: &Session,
    rows: &[lantoa_domain::import::Row<lantoa_domain::study::AttendanceRowInput>],
    options: lantoa_domain::import::ImportOptions,
) -> Result<lantoa_domain::import::ImportReport, StoreError> {
    use lantoa_domain::import::{ImportReport, RejectedRow};
    let mut w = sql::Where::new();
    let (on_roster, values) = roster_condition(session);
    w.push(&on_roster, values);
    let members: Vec<crate::people::Named> = sql::all(
        conn,
        &format!("{}{}", crate::people::NAMED_FROM, w.sql()),
        w.values,
    )
    .await?;
    let current: HashMap<i64, String> = roster(conn, session, "")
        .await?
        .into_iter()
        .filter_map(|r| r.status.map(|s| (r.person_id, s)))
        .collect();
    let mut report = ImportReport {
        read: rows.len(),
        ..Default::default()
    };
    let mut marks: Vec<(PersonId, Option<AttendanceStatus>)> = Vec::new();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for row in rows {
        let input = &row.input;
        let mut reasons: Vec<String> = Vec::new();
        let status = AttendanceStatus::parse(&input.status);
        if status.is_none() {
            reasons.push(format!(
                "Điểm danh «{}» không rõ: ghi Có mặt, Vắng hoặc Vắng có lý do",
                input.status.trim()
            ));
        }
        let place = format!("{} và các đơn vị trực thuộc", session.org_name);
        let person = crate::people::find_named(
            &members,
            &input.full_name,
            &input.party_card_no,
            &input.org_code,
            &place,
        )
        .map(|m| m.id)
        .map_err(|reason| reasons.push(reason))
        .ok();
        if let Some(id) = person
            && let Some(first) = seen.insert(id, row.number)
        {
            seen.insert(id, first);
            reasons.push(format!("Người này đã được điểm danh ở dòng {first}"));
        }
        match (person, status, reasons.is_empty()) {
            (Some(id), Some(status), true) => {
                match current.get(&id) {
                    Some(code) if code == status.code() => report.unchanged += 1,
                    Some(_) => report.updated += 1,
                    None => report.created += 1,
                }
                marks.push((PersonId(id), Some(status)));
            }
            _ => report.rejected.push(RejectedRow {
                row: row.number,
                reasons: reasons.join("; "),
            }),
        }
    }
    if options.dry_run || (!report.rejected.is_empty() && !options.skip_invalid) || marks.is_empty()
    {
        return Ok(report);
    }
    save_attendance(conn, actor, session, &marks).await?;
    report.written = true;
    Ok(report)
}
