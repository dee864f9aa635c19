//! Inspection and supervision: a committee plans the inspections of its year (a unit below
//! it, or one of that unit's people — a leader's personal plan, their exemplary role),
//! records the team's conclusion, leaves recommendations for responsible units, which
//! report their follow-up until the recommendation is closed; and the year's figures.

use crate::audit::{self, Actor, Change};
use crate::campaign::{CampaignYear, Until};
use crate::org::Org;
use crate::{Page, StoreError, sql};
use chrono::{NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::inspections::{
    FollowUpDraft, InspectionDraft, InspectionFocus, InspectionKind, InspectionState,
    RecommendationDraft, RecommendationStatus, ResultDraft, recommendation_overdue,
};
use lantoa_domain::{ClosedList, OrgId, PersonId};
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;

/// An inspection with the names it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub id: i64,
    /// The committee that inspects.
    pub org_id: OrgId,
    pub committee_name: String,
    pub year: i32,
    pub kind: InspectionKind,
    pub focus: InspectionFocus,
    pub subject_org_id: OrgId,
    pub subject_name: String,
    /// The person inspected, when a person is: id, name and post.
    pub subject_person: Option<(PersonId, String, Option<String>)>,
    pub content: String,
    pub team: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub state: InspectionState,
    pub concluded_on: Option<NaiveDate>,
    pub conclusion: Option<String>,
    pub strengths: Option<String>,
    pub shortcomings: Option<String>,
}

impl Inspection {
    /// Whom it inspects: "Nguyễn Văn A (Bí thư Đảng ủy), Đảng bộ Phường 5" or the unit.
    pub fn subject(&self) -> String {
        match &self.subject_person {
            Some((_, name, Some(post))) => format!("{name} ({post}), {}", self.subject_name),
            Some((_, name, None)) => format!("{name}, {}", self.subject_name),
            None => self.subject_name.clone(),
        }
    }

    /// Whether it is still planned after its last day.
    pub fn late(&self, today: NaiveDate) -> bool {
        self.state == InspectionState::Planned && today > self.ends_on
    }
}

#[derive(FromQueryResult)]
struct InspectionRow {
    id: i64,
    org_id: i64,
    committee_name: String,
    year: i32,
    kind: String,
    focus: String,
    subject_org_id: i64,
    subject_name: String,
    subject_person_id: Option<i64>,
    person_name: Option<String>,
    person_position: Option<String>,
    content: String,
    team: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    state: String,
    concluded_on: Option<NaiveDate>,
    conclusion: Option<String>,
    strengths: Option<String>,
    shortcomings: Option<String>,
}

impl From<InspectionRow> for Inspection {
    fn from(r: InspectionRow) -> Self {
        Inspection {
            id: r.id,
            org_id: OrgId(r.org_id),
            committee_name: r.committee_name,
            year: r.year,
            kind: InspectionKind::from_code(&r.kind).unwrap_or(InspectionKind::Inspection),
            focus: InspectionFocus::from_code(&r.focus).unwrap_or(InspectionFocus::Other),
            subject_org_id: OrgId(r.subject_org_id),
            subject_name: r.subject_name,
            subject_person: r.subject_person_id.map(|id| {
                (
                    PersonId(id),
                    r.person_name.unwrap_or_default(),
                    r.person_position,
                )
            }),
            content: r.content,
            team: r.team,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            state: InspectionState::from_code(&r.state).unwrap_or(InspectionState::Planned),
            concluded_on: r.concluded_on,
            conclusion: r.conclusion,
            strengths: r.strengths,
            shortcomings: r.shortcomings,
        }
    }
}

const INSPECTION_COLUMNS: &str = "SELECT i.id, i.org_id, c.name AS committee_name, y.year, i.kind, i.focus, \
    i.subject_org_id, o.name AS subject_name, i.subject_person_id, p.full_name AS person_name, \
    p.position AS person_position, i.content, i.team, i.starts_on, i.ends_on, i.state, i.concluded_on, \
    i.conclusion, i.strengths, i.shortcomings";
const INSPECTION_FROM: &str = " FROM inspections i JOIN orgs c ON c.id = i.org_id \
    JOIN orgs o ON o.id = i.subject_org_id JOIN campaign_years y ON y.id = i.year_id \
    LEFT JOIN people p ON p.id = i.subject_person_id";

/// One inspection.
pub async fn inspection<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Inspection, StoreError> {
    let row: Option<InspectionRow> = sql::one(
        conn,
        &format!("{INSPECTION_COLUMNS}{INSPECTION_FROM} WHERE i.id = $1"),
        vec![id.into()],
    )
    .await?;
    row.map(Inspection::from).ok_or(StoreError::NotFound)
}

/// What a list of a committee's inspections is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionFilter {
    pub kind: Option<InspectionKind>,
    pub state: Option<InspectionState>,
    /// Only those of a person (`Some(true)`) or of a unit (`Some(false)`).
    pub of_person: Option<bool>,
}

/// One page of a committee's inspections of a year, by start date: two queries.
pub async fn inspections<C: ConnectionTrait>(
    conn: &C,
    committee: OrgId,
    year: &CampaignYear,
    filter: &InspectionFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<Inspection>, StoreError> {
    let mut w = sql::Where::new();
    w.push(
        "i.org_id = ? AND i.year_id = ?",
        vec![committee.0.into(), year.id.into()],
    );
    if let Some(kind) = filter.kind {
        w.push("i.kind = ?", vec![kind.code().into()]);
    }
    if let Some(state) = filter.state {
        w.push("i.state = ?", vec![state.code().into()]);
    }
    match filter.of_person {
        Some(true) => w.push("i.subject_person_id IS NOT NULL", vec![]),
        Some(false) => w.push("i.subject_person_id IS NULL", vec![]),
        None => {}
    }
    let page: Page<InspectionRow> = sql::page(
        conn,
        &format!("{INSPECTION_COLUMNS}{INSPECTION_FROM}"),
        INSPECTION_FROM,
        &w,
        "i.starts_on, i.id",
        page,
        per_page,
    )
    .await?;
    Ok(page.map(Inspection::from))
}

/// A person an inspection may be about: a leader of the committee or of a unit directly
/// under it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct SubjectPerson {
    pub id: i64,
    pub full_name: String,
    pub position: Option<String>,
    pub org_id: i64,
    pub org_name: String,
}

/// The leaders of a committee and of the units directly under it, by unit and name: one
/// query.
pub async fn subject_people<C: ConnectionTrait>(
    conn: &C,
    committee: OrgId,
) -> Result<Vec<SubjectPerson>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT p.id, p.full_name, p.position, o.id AS org_id, o.name AS org_name FROM people p \
         JOIN orgs o ON o.id = p.org_id WHERE p.is_leader = $1 \
         AND (o.id = $2 OR o.parent_id = $2) AND o.archived_at IS NULL ORDER BY o.name, p.full_name",
        vec![true.into(), committee.0.into()],
    )
    .await?)
}

/// Plans an inspection of a unit under the committee, or of one of that unit's people.
pub async fn plan<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    committee: &Org,
    year: &CampaignYear,
    draft: &InspectionDraft,
    subject: &Org,
    person: Option<PersonId>,
) -> Result<i64, StoreError> {
    if subject.id == committee.id || !committee.subtree().contains(&subject.path) {
        return Err(StoreError::invalid(
            "subject",
            format!("Đối tượng phải là đơn vị trực thuộc {}", committee.name),
        ));
    }
    let txn = conn.begin_write().await?;
    if let Some(person) = person {
        let in_unit = sql::scalar(
            &txn,
            "SELECT COUNT(*) AS value FROM people WHERE id = $1 AND org_id = $2",
            vec![person.0.into(), subject.id.0.into()],
        )
        .await?;
        if in_unit == 0 {
            return Err(StoreError::invalid(
                "person",
                format!("Người được chọn không thuộc {}", subject.name),
            ));
        }
    }
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO inspections (org_id, year_id, kind, focus, subject_org_id, subject_person_id, content, team, \
         starts_on, ends_on, state, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id AS value",
        vec![
            committee.id.0.into(),
            year.id.into(),
            draft.kind.code().into(),
            draft.focus.code().into(),
            subject.id.0.into(),
            person.map(|p| p.0).into(),
            draft.content.clone().into(),
            draft.team.clone().into(),
            draft.starts_on.into(),
            draft.ends_on.into(),
            InspectionState::Planned.code().into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::InspectionPlan,
            "inspection",
            id,
            Some(committee.id),
            serde_json::json!({
                "kind": draft.kind.code(),
                "focus": draft.focus.code(),
                "subject_org_id": subject.id.0,
                "subject_person_id": person.map(|p| p.0),
                "starts_on": draft.starts_on.to_string(),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Records the team's conclusion; the inspection is done. Recorded once.
pub async fn record_result<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: i64,
    draft: &ResultDraft,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let current = inspection(&txn, id).await?;
    if current.state == InspectionState::Done {
        return Err(StoreError::invalid(
            "conclusion",
            "Cuộc kiểm tra, giám sát này đã có kết luận",
        ));
    }
    sql::exec(
        &txn,
        "UPDATE inspections SET state = $1, concluded_on = $2, conclusion = $3, strengths = $4, \
         shortcomings = $5, updated_at = $6 WHERE id = $7",
        vec![
            InspectionState::Done.code().into(),
            draft.concluded_on.into(),
            draft.conclusion.clone().into(),
            draft.strengths.clone().into(),
            draft.shortcomings.clone().into(),
            Utc::now().into(),
            id.into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::InspectionResult,
            "inspection",
            id,
            Some(current.org_id),
            &serde_json::json!({ "state": current.state.code() }),
            &serde_json::json!({
                "state": InspectionState::Done.code(),
                "concluded_on": draft.concluded_on.to_string(),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A recommendation with its responsible unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub id: i64,
    pub inspection_id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub content: String,
    pub deadline: NaiveDate,
    pub status: RecommendationStatus,
    pub closed_on: Option<NaiveDate>,
}

impl Recommendation {
    /// Whether it is overdue on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        recommendation_overdue(self.deadline, self.status, today)
    }
}

#[derive(FromQueryResult)]
struct RecommendationRow {
    id: i64,
    inspection_id: i64,
    org_id: i64,
    org_name: String,
    content: String,
    deadline: NaiveDate,
    status: String,
    closed_on: Option<NaiveDate>,
}

impl From<RecommendationRow> for Recommendation {
    fn from(r: RecommendationRow) -> Self {
        Recommendation {
            id: r.id,
            inspection_id: r.inspection_id,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            content: r.content,
            deadline: r.deadline,
            status: RecommendationStatus::from_code(&r.status)
                .unwrap_or(RecommendationStatus::Open),
            closed_on: r.closed_on,
        }
    }
}

const RECOMMENDATION_SELECT: &str = "SELECT r.id, r.inspection_id, r.org_id, o.name AS org_name, r.content, \
    r.deadline, r.status, r.closed_on FROM inspection_recommendations r JOIN orgs o ON o.id = r.org_id";

/// One recommendation.
pub async fn recommendation<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Recommendation, StoreError> {
    let row: Option<RecommendationRow> = sql::one(
        conn,
        &format!("{RECOMMENDATION_SELECT} WHERE r.id = $1"),
        vec![id.into()],
    )
    .await?;
    row.map(Recommendation::from).ok_or(StoreError::NotFound)
}

/// The recommendations an inspection left, in order: one query.
pub async fn recommendations<C: ConnectionTrait>(
    conn: &C,
    inspection_id: i64,
) -> Result<Vec<Recommendation>, StoreError> {
    let rows: Vec<RecommendationRow> = sql::all(
        conn,
        &format!("{RECOMMENDATION_SELECT} WHERE r.inspection_id = $1 ORDER BY r.id"),
        vec![inspection_id.into()],
    )
    .await?;
    Ok(rows.into_iter().map(Recommendation::from).collect())
}

/// The open recommendations a unit must carry out, by deadline: one query.
pub async fn open_for<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
) -> Result<Vec<Recommendation>, StoreError> {
    let rows: Vec<RecommendationRow> = sql::all(
        conn,
        &format!("{RECOMMENDATION_SELECT} WHERE r.org_id = $1 AND r.status <> $2 ORDER BY r.deadline, r.id"),
        vec![unit.0.into(), RecommendationStatus::Closed.code().into()],
    )
    .await?;
    Ok(rows.into_iter().map(Recommendation::from).collect())
}

/// Leaves a recommendation of a concluded inspection to a unit under its committee.
pub async fn recommend<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    of: &Inspection,
    committee: &Org,
    responsible: &Org,
    draft: &RecommendationDraft,
) -> Result<i64, StoreError> {
    if of.state != InspectionState::Done {
        return Err(StoreError::invalid(
            "recommendation",
            "Ghi kết luận trước khi ghi kiến nghị",
        ));
    }
    if !committee.subtree().contains(&responsible.path) {
        return Err(StoreError::invalid(
            "responsible",
            format!("{} không thuộc {}", responsible.name, committee.name),
        ));
    }
    let txn = conn.begin_write().await?;
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO inspection_recommendations (inspection_id, org_id, content, deadline, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id AS value",
        vec![
            of.id.into(),
            responsible.id.0.into(),
            draft.content.clone().into(),
            draft.deadline.into(),
            RecommendationStatus::Open.code().into(),
            now.into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::RecommendationCreate,
            "inspection",
            of.id,
            Some(responsible.id),
            serde_json::json!({
                "recommendation": id,
                "org_id": responsible.id.0,
                "deadline": draft.deadline.to_string(),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// A follow-up report of a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct FollowUp {
    pub recommendation_id: i64,
    pub status: String,
    pub note: String,
    pub created_at: chrono::DateTime<Utc>,
}

impl FollowUp {
    /// The status's label.
    pub fn status_label(&self) -> &'static str {
        RecommendationStatus::from_code(&self.status).map_or("", RecommendationStatus::label)
    }
}

/// The follow-ups of several recommendations, by recommendation, oldest first: one query
/// per 30 000 recommendations.
pub async fn follow_ups<C: ConnectionTrait>(
    conn: &C,
    recommendation_ids: &[i64],
) -> Result<HashMap<i64, Vec<FollowUp>>, StoreError> {
    let rows: Vec<FollowUp> = sql::all_in(
        conn,
        "SELECT recommendation_id, status, note, created_at FROM recommendation_follow_ups \
         WHERE recommendation_id IN ({list}) ORDER BY created_at, id",
        recommendation_ids.iter().map(|id| (*id).into()).collect(),
    )
    .await?;
    let mut by = HashMap::<i64, Vec<FollowUp>>::new();
    for r in rows {
        by.entry(r.recommendation_id).or_default().push(r);
    }
    Ok(by)
}

/// Records what the responsible unit did; the recommendation takes its status, and is
/// closed on `today` when it is done. A closed recommendation takes no more reports.
pub async fn follow_up<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    recommendation_id: i64,
    draft: &FollowUpDraft,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let current = recommendation(&txn, recommendation_id).await?;
    if !current.status.is_open() {
        return Err(StoreError::invalid(
            "status",
            "Kiến nghị này đã khắc phục xong",
        ));
    }
    let now = Utc::now();
    sql::exec(
        &txn,
        "INSERT INTO recommendation_follow_ups (recommendation_id, status, note, reported_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
        vec![
            recommendation_id.into(),
            draft.status.code().into(),
            draft.note.clone().into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?;
    let closed_on = (!draft.status.is_open()).then_some(today);
    sql::exec(
        &txn,
        "UPDATE inspection_recommendations SET status = $1, closed_on = $2, updated_at = $3 WHERE id = $4",
        vec![
            draft.status.code().into(),
            closed_on.into(),
            now.into(),
            recommendation_id.into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::RecommendationFollowUp,
            "inspection",
            current.inspection_id,
            Some(current.org_id),
            &serde_json::json!({ "recommendation": recommendation_id, "status": current.status.code() }),
            &serde_json::json!({ "recommendation": recommendation_id, "status": draft.status.code() }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A committee's inspection figures for a year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionFigures {
    /// Per kind: (kind, planned in all, done).
    pub by_kind: Vec<(InspectionKind, i64, i64)>,
    /// Inspections of units and of people.
    pub of_units: i64,
    pub of_people: i64,
    /// Recommendations left, still open, of those overdue, closed.
    pub recommendations: i64,
    pub open: i64,
    pub overdue: i64,
}

impl InspectionFigures {
    /// Inspections planned in all.
    pub fn planned(&self) -> i64 {
        self.by_kind.iter().map(|(_, p, _)| p).sum()
    }

    /// Inspections done.
    pub fn done(&self) -> i64 {
        self.by_kind.iter().map(|(_, _, d)| d).sum()
    }

    /// Recommendations closed.
    pub fn closed(&self) -> i64 {
        self.recommendations - self.open
    }
}

/// The figures of a committee's year as of the cut (the year's plan, the inspections
/// concluded by then; the recommendations of those and whether they were still open then):
/// two queries.
pub async fn figures<C: ConnectionTrait>(
    conn: &C,
    committee: OrgId,
    year: &CampaignYear,
    today: NaiveDate,
    until: Until,
) -> Result<InspectionFigures, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        kind: String,
        state: String,
        of_person: i64,
        n: i64,
    }
    let mut values = vec![committee.0.into(), year.id.into()];
    let concluded = until.on_dates("concluded_on", &mut values);
    let state = if concluded.is_empty() {
        "state".to_owned()
    } else {
        format!("CASE WHEN concluded_on IS NOT NULL{concluded} THEN state ELSE '' END")
    };
    let rows: Vec<Row> = sql::all(
        conn,
        &format!(
            "SELECT kind, {state} AS state, CAST(CASE WHEN subject_person_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS of_person, \
             CAST(COUNT(*) AS BIGINT) AS n FROM inspections WHERE org_id = $1 AND year_id = $2 \
             GROUP BY 1, 2, 3"
        ),
        values,
    )
    .await?;
    let mut figures = InspectionFigures {
        by_kind: InspectionKind::ALL.iter().map(|k| (*k, 0, 0)).collect(),
        ..Default::default()
    };
    for r in rows {
        if let Some(entry) = figures
            .by_kind
            .iter_mut()
            .find(|(k, _, _)| k.code() == r.kind)
        {
            entry.1 += r.n;
            if r.state == InspectionState::Done.code() {
                entry.2 += r.n;
            }
        }
        if r.of_person == 1 {
            figures.of_people += r.n;
        } else {
            figures.of_units += r.n;
        }
    }
    #[derive(FromQueryResult)]
    struct Recommended {
        total: i64,
        open: i64,
        overdue: i64,
    }
    let mut values = vec![
        committee.0.into(),
        year.id.into(),
        RecommendationStatus::Closed.code().into(),
        until.today(today).into(),
    ];
    let made = until.on_dates("i.concluded_on", &mut values);
    let closed_after = until.after_on_dates("r.closed_on", &mut values);
    let open = if closed_after.is_empty() {
        "r.status <> $3".to_owned()
    } else {
        format!("(r.status <> $3 OR (r.closed_on IS NOT NULL{closed_after}))")
    };
    let recommended: Option<Recommended> = sql::one(
        conn,
        &format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS total, \
             CAST(COALESCE(SUM(CASE WHEN {open} THEN 1 ELSE 0 END), 0) AS BIGINT) AS open, \
             CAST(COALESCE(SUM(CASE WHEN {open} AND r.deadline < $4 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
             FROM inspection_recommendations r JOIN inspections i ON i.id = r.inspection_id \
             WHERE i.org_id = $1 AND i.year_id = $2{made}"
        ),
        values,
    )
    .await?;
    if let Some(r) = recommended {
        figures.recommendations = r.total;
        figures.open = r.open;
        figures.overdue = r.overdue;
    }
    Ok(figures)
}
