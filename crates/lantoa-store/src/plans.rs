//! Personal plans: one per person and campaign year, with its commitments, the steps it has
//! been through (with the reviewers' comments) and the figures of who has one.
//!
//! The rules of each step live in `lantoa_domain::plans`; here every change is one
//! transaction with its history row and its audit row. Who may take a step (the owner, or
//! a reviewer who is not the owner) is decided by the web layer from the viewer's roles.

use crate::audit::{self, Actor, Change};
use crate::campaign::{CampaignYear, Topic, Until};
use crate::coverage::{self, Binds, Condition, Missing};
use crate::org::Subtree;
use crate::people::Person;
use crate::{Page, StoreError, sql};
use chrono::{DateTime, NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::people::{Categories, Category};
use lantoa_domain::plans::{
    CommitmentArea, CommitmentDraft, PlanKind, PlanState, PlanStep, Progress, check_submittable,
};
use lantoa_domain::{ClosedList, OrgId, PersonId};
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;

/// A plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Id.
    pub id: i64,
    /// Personal or collective.
    pub kind: PlanKind,
    /// Whose plan (personal plans).
    pub person_id: Option<PersonId>,
    /// Their name.
    pub person_name: Option<String>,
    /// Their date of birth (for the printed header).
    pub birth_date: Option<NaiveDate>,
    /// The unit.
    pub org_id: OrgId,
    /// Its name.
    pub org_name: String,
    /// Its path.
    pub org_path: String,
    /// Campaign year id.
    pub year_id: i64,
    /// Campaign year.
    pub year: i32,
    /// Where it stands.
    pub state: PlanState,
    /// Party post (chức vụ Đảng).
    pub party_post: Option<String>,
    /// Government post (chức vụ chính quyền, đoàn thể).
    pub government_post: Option<String>,
    /// Written by staff for someone without an account.
    pub entered_by_staff: bool,
    /// The owner's year-end self-assessment.
    pub self_assessment: Option<String>,
    /// The reviewer's year-end assessment.
    pub assessment: Option<String>,
    /// When submitted (last time).
    pub submitted_at: Option<DateTime<Utc>>,
    /// When approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// When assessed.
    pub assessed_at: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct PlanRow {
    id: i64,
    kind: String,
    person_id: Option<i64>,
    person_name: Option<String>,
    birth_date: Option<NaiveDate>,
    org_id: i64,
    org_name: String,
    org_path: String,
    year_id: i64,
    year: i32,
    state: String,
    party_post: Option<String>,
    government_post: Option<String>,
    entered_by_staff: bool,
    self_assessment: Option<String>,
    assessment: Option<String>,
    submitted_at: Option<DateTime<Utc>>,
    approved_at: Option<DateTime<Utc>>,
    assessed_at: Option<DateTime<Utc>>,
}

impl From<PlanRow> for Plan {
    fn from(r: PlanRow) -> Self {
        Plan {
            id: r.id,
            kind: PlanKind::from_code(&r.kind).unwrap_or(PlanKind::Personal),
            person_id: r.person_id.map(PersonId),
            person_name: r.person_name,
            birth_date: r.birth_date,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            org_path: r.org_path,
            year_id: r.year_id,
            year: r.year,
            state: PlanState::from_code(&r.state).unwrap_or(PlanState::Draft),
            party_post: r.party_post,
            government_post: r.government_post,
            entered_by_staff: r.entered_by_staff,
            self_assessment: r.self_assessment,
            assessment: r.assessment,
            submitted_at: r.submitted_at,
            approved_at: r.approved_at,
            assessed_at: r.assessed_at,
        }
    }
}

const PLAN_SELECT: &str = "SELECT pl.id, pl.kind, pl.person_id, p.full_name AS person_name, p.birth_date, pl.org_id, \
    o.name AS org_name, o.path AS org_path, pl.year_id, y.year, pl.state, pl.party_post, pl.government_post, \
    pl.entered_by_staff, pl.self_assessment, pl.assessment, pl.submitted_at, pl.approved_at, pl.assessed_at \
    FROM plans pl JOIN orgs o ON o.id = pl.org_id JOIN campaign_years y ON y.id = pl.year_id \
    LEFT JOIN people p ON p.id = pl.person_id";

/// One plan.
pub async fn plan<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Plan, StoreError> {
    let row: Option<PlanRow> = sql::one(
        conn,
        &format!("{PLAN_SELECT} WHERE pl.id = $1"),
        vec![id.into()],
    )
    .await?;
    row.map(Plan::from).ok_or(StoreError::NotFound)
}

/// The plan of a kind whose owner column (`person_id` or `org_id`, ours) is `owner`.
async fn plan_owned<C: ConnectionTrait>(
    conn: &C,
    kind: PlanKind,
    owner_column: &str,
    owner: i64,
    year_id: i64,
) -> Result<Option<Plan>, StoreError> {
    let row: Option<PlanRow> = sql::one(
        conn,
        &format!("{PLAN_SELECT} WHERE pl.{owner_column} = $1 AND pl.year_id = $2 AND pl.kind = $3"),
        vec![owner.into(), year_id.into(), kind.code().into()],
    )
    .await?;
    Ok(row.map(Plan::from))
}

/// A person's personal plan for a year, if they have one.
pub async fn plan_of<C: ConnectionTrait>(
    conn: &C,
    person: PersonId,
    year_id: i64,
) -> Result<Option<Plan>, StoreError> {
    plan_owned(conn, PlanKind::Personal, "person_id", person.0, year_id).await
}

/// A commitment of a plan with its reviews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    /// Id.
    pub id: i64,
    /// Area.
    pub area: CommitmentArea,
    /// The concrete action.
    pub action: String,
    /// How it is measured.
    pub measure: String,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Mid-year progress.
    pub mid_progress: Option<Progress>,
    /// Mid-year evidence.
    pub mid_evidence: Option<String>,
    /// Year-end progress.
    pub end_progress: Option<Progress>,
    /// Year-end evidence.
    pub end_evidence: Option<String>,
}

#[derive(FromQueryResult)]
struct CommitmentRow {
    id: i64,
    area: String,
    action: String,
    measure: String,
    deadline: NaiveDate,
    mid_progress: Option<String>,
    mid_evidence: Option<String>,
    end_progress: Option<String>,
    end_evidence: Option<String>,
}

/// The commitments of a plan, in order.
pub async fn commitments<C: ConnectionTrait>(
    conn: &C,
    plan_id: i64,
) -> Result<Vec<Commitment>, StoreError> {
    let rows: Vec<CommitmentRow> = sql::all(
        conn,
        "SELECT id, area, action, measure, deadline, mid_progress, mid_evidence, end_progress, end_evidence \
         FROM plan_commitments WHERE plan_id = $1 ORDER BY position, id",
        vec![plan_id.into()],
    )
    .await?;
    let progress = |code: Option<String>| code.as_deref().and_then(Progress::from_code);
    Ok(rows
        .into_iter()
        .map(|r| Commitment {
            id: r.id,
            area: CommitmentArea::from_code(&r.area).unwrap_or(CommitmentArea::Other),
            action: r.action,
            measure: r.measure,
            deadline: r.deadline,
            mid_progress: progress(r.mid_progress),
            mid_evidence: r.mid_evidence,
            end_progress: progress(r.end_progress),
            end_evidence: r.end_evidence,
        })
        .collect())
}

/// The topics a plan answers.
pub async fn topics<C: ConnectionTrait>(conn: &C, plan_id: i64) -> Result<Vec<Topic>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT t.id, t.year_id, t.title, t.core_contents FROM topics t \
         JOIN plan_topics pt ON pt.topic_id = t.id WHERE pt.plan_id = $1 ORDER BY t.id",
        vec![plan_id.into()],
    )
    .await?)
}

/// A step in a plan's history.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct PlanEvent {
    /// Step code (`PlanStep::code`).
    pub step: String,
    /// State after.
    pub to_state: String,
    /// Comment (a reviewer's reason to return, an assessment).
    pub comment: Option<String>,
    /// Who: the person's name, else the username.
    pub who: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl PlanEvent {
    /// What the history shows for the step.
    pub fn label(&self) -> &'static str {
        PlanStep::from_code(&self.step).map_or("", PlanStep::label)
    }
}

/// A plan's history, oldest first.
pub async fn events<C: ConnectionTrait>(
    conn: &C,
    plan_id: i64,
) -> Result<Vec<PlanEvent>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT e.step, e.to_state, e.comment, COALESCE(p.full_name, a.username) AS who, e.created_at \
         FROM plan_events e LEFT JOIN accounts a ON a.id = e.account_id LEFT JOIN people p ON p.id = a.person_id \
         WHERE e.plan_id = $1 ORDER BY e.id",
        vec![plan_id.into()],
    )
    .await?)
}

/// A person's personal plans, as plan id by campaign year id: one query.
pub async fn personal_plan_ids<C: ConnectionTrait>(
    conn: &C,
    person: PersonId,
) -> Result<HashMap<i64, i64>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        year_id: i64,
        id: i64,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT year_id, id FROM plans WHERE person_id = $1 AND kind = $2",
        vec![person.0.into(), PlanKind::Personal.code().into()],
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.year_id, r.id)).collect())
}

/// A unit's collective plan for a year, if it has one.
pub async fn collective_of<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
    year_id: i64,
) -> Result<Option<Plan>, StoreError> {
    plan_owned(conn, PlanKind::Collective, "org_id", unit.0, year_id).await
}

/// Whose plan is being opened.
enum Owner<'a> {
    Person(&'a Person, bool),
    Unit(&'a crate::org::Org),
}

/// Opens a draft plan answering every topic of the year: one per owner and year (a second
/// is refused with the state of the first), with its audit row.
async fn open<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    owner: Owner<'_>,
    year: &CampaignYear,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let (kind, person, unit, name, government_post, entered_by_staff) = match owner {
        Owner::Person(p, staff) => (
            PlanKind::Personal,
            Some(p.id),
            p.org_id,
            p.details.full_name.as_str(),
            p.details.position.clone(),
            staff,
        ),
        Owner::Unit(u) => (
            PlanKind::Collective,
            None,
            u.id,
            u.name.as_str(),
            None,
            false,
        ),
    };
    let existing = match person {
        Some(p) => plan_of(&txn, p, year.id).await?,
        None => collective_of(&txn, unit, year.id).await?,
    };
    if let Some(existing) = existing {
        return Err(StoreError::invalid(
            "plan",
            format!(
                "{name} đã có kế hoạch năm {} (đang ở bước «{}»)",
                year.year,
                existing.state.label()
            ),
        ));
    }
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO plans (kind, person_id, org_id, year_id, state, government_post, entered_by_staff, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id AS value",
        vec![
            kind.code().into(),
            person.map(|p| p.0).into(),
            unit.0.into(),
            year.id.into(),
            PlanState::Draft.code().into(),
            government_post.into(),
            entered_by_staff.into(),
            now.into(),
        ],
    )
    .await?;
    let topics: Vec<i64> = year.topics.iter().map(|t| t.id).collect();
    sql::set_links(&txn, "plan_topics", ("plan_id", id), "topic_id", &topics).await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::PlanCreate,
            "plan",
            id,
            Some(unit),
            serde_json::json!({
                "kind": kind.code(),
                "person_id": person.map(|p| p.0),
                "year": year.year,
                "entered_by_staff": entered_by_staff,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Opens a unit's draft collective plan for a year (one per unit and year).
pub async fn start_collective<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    unit: &crate::org::Org,
    year: &CampaignYear,
) -> Result<i64, StoreError> {
    open(conn, actor, Owner::Unit(unit), year).await
}

/// Whether the person has an account (then they write their own plan).
pub async fn has_account<C: ConnectionTrait>(
    conn: &C,
    person: PersonId,
) -> Result<bool, StoreError> {
    Ok(sql::scalar(
        conn,
        "SELECT COUNT(*) AS value FROM accounts WHERE person_id = $1",
        vec![person.0.into()],
    )
    .await?
        > 0)
}

/// Opens a person's draft plan for a year, its header filled from the person record.
/// `entered_by_staff` marks a plan written for someone without an account. A second plan
/// for the same year is refused.
pub async fn start<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    person: &Person,
    year: &CampaignYear,
    entered_by_staff: bool,
) -> Result<i64, StoreError> {
    open(conn, actor, Owner::Person(person, entered_by_staff), year).await
}

/// What the owner writes at the head of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanHeader {
    /// Party post.
    pub party_post: Option<String>,
    /// Government post.
    pub government_post: Option<String>,
}

fn commitments_json(commitments: &[CommitmentDraft]) -> serde_json::Value {
    serde_json::Value::Array(
        commitments
            .iter()
            .map(|c| {
                serde_json::json!({
                    "area": c.area.code(),
                    "action": c.action,
                    "measure": c.measure,
                    "deadline": c.deadline.to_string(),
                })
            })
            .collect(),
    )
}

/// Replaces a draft's (or returned plan's) header and commitments.
pub async fn save<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    plan: &Plan,
    header: &PlanHeader,
    new: &[CommitmentDraft],
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let current = self::plan(&txn, plan.id).await?;
    if !current.state.editable() {
        return Err(StoreError::invalid(
            "plan",
            format!(
                "Kế hoạch đang ở bước «{}»: chỉ sửa được khi còn nháp hoặc bị trả lại",
                current.state.label()
            ),
        ));
    }
    if new.len() > lantoa_domain::plans::MAX_COMMITMENTS {
        return Err(StoreError::invalid(
            "commitments",
            format!(
                "Tối đa {} việc làm trong một kế hoạch",
                lantoa_domain::plans::MAX_COMMITMENTS
            ),
        ));
    }
    let old: Vec<CommitmentDraft> = commitments(&txn, plan.id)
        .await?
        .into_iter()
        .map(|c| CommitmentDraft {
            area: c.area,
            action: c.action,
            measure: c.measure,
            deadline: c.deadline,
        })
        .collect();
    let now = Utc::now();
    sql::exec(
        &txn,
        "UPDATE plans SET party_post = $2, government_post = $3, updated_at = $4 WHERE id = $1",
        vec![
            plan.id.into(),
            header.party_post.clone().into(),
            header.government_post.clone().into(),
            now.into(),
        ],
    )
    .await?;
    sql::exec(
        &txn,
        "DELETE FROM plan_commitments WHERE plan_id = $1",
        vec![plan.id.into()],
    )
    .await?;
    for (position, c) in new.iter().enumerate() {
        sql::exec(
            &txn,
            "INSERT INTO plan_commitments (plan_id, position, area, action, measure, deadline, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            vec![
                plan.id.into(),
                (position as i32).into(),
                c.area.code().into(),
                c.action.clone().into(),
                c.measure.clone().into(),
                c.deadline.into(),
                now.into(),
            ],
        )
        .await?;
    }
    let as_json = |h: &PlanHeader, c: &[CommitmentDraft]| {
        serde_json::json!({
            "party_post": h.party_post,
            "government_post": h.government_post,
            "commitments": commitments_json(c),
        })
    };
    let before = PlanHeader {
        party_post: current.party_post.clone(),
        government_post: current.government_post.clone(),
    };
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::PlanUpdate,
            "plan",
            plan.id,
            Some(plan.org_id),
            &as_json(&before, &old),
            &as_json(header, new),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn step_action(step: PlanStep) -> AuditAction {
    match step {
        PlanStep::Submit => AuditAction::PlanSubmit,
        PlanStep::Return => AuditAction::PlanReturn,
        PlanStep::Approve => AuditAction::PlanApprove,
        PlanStep::MidYearReview | PlanStep::SelfAssess => AuditAction::PlanReview,
        PlanStep::Assess => AuditAction::PlanAssess,
        PlanStep::Lock => AuditAction::PlanLock,
    }
}

/// What goes with a step: the reviewer's comment (required to return), the reviews of the
/// commitments (mid-year and self-assessment), the year-end text (self-assessment and
/// assessment).
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    /// Comment or year-end text.
    pub comment: Option<String>,
    /// Progress of each commitment, with evidence.
    pub progress: Vec<(i64, Progress, Option<String>)>,
}

/// Takes a step on a plan, checked against its state as stored (two people acting at once
/// cannot both move it): writes the new state, the step's data, the history and audit rows.
pub async fn take_step<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    plan_id: i64,
    step: PlanStep,
    input: &StepInput,
) -> Result<PlanState, StoreError> {
    let txn = conn.begin_write().await?;
    let plan = self::plan(&txn, plan_id).await?;
    let next = plan
        .state
        .after(step)
        .map_err(|message| StoreError::invalid("step", message))?;
    let comment = input
        .comment
        .as_deref()
        .map(lantoa_domain::text::clean)
        .filter(|c| !c.is_empty());
    let now = Utc::now();
    match step {
        PlanStep::Submit => {
            let count = commitments(&txn, plan_id).await?.len();
            check_submittable(count).map_err(StoreError::Invalid)?;
            sql::exec(
                &txn,
                "UPDATE plans SET submitted_at = $2 WHERE id = $1",
                vec![plan_id.into(), now.into()],
            )
            .await?;
        }
        PlanStep::Return if comment.is_none() => {
            return Err(StoreError::invalid(
                "comment",
                "Ghi rõ cần sửa gì để người lập kế hoạch biết",
            ));
        }
        PlanStep::Approve => {
            sql::exec(
                &txn,
                "UPDATE plans SET approved_at = $2 WHERE id = $1",
                vec![plan_id.into(), now.into()],
            )
            .await?;
        }
        PlanStep::MidYearReview | PlanStep::SelfAssess => {
            let (progress_column, evidence_column) = if step == PlanStep::MidYearReview {
                ("mid_progress", "mid_evidence")
            } else {
                ("end_progress", "end_evidence")
            };
            for (id, progress, evidence) in &input.progress {
                sql::exec(
                    &txn,
                    &format!(
                        "UPDATE plan_commitments SET {progress_column} = $3, {evidence_column} = $4, updated_at = $5 \
                         WHERE id = $1 AND plan_id = $2"
                    ),
                    vec![
                        (*id).into(),
                        plan_id.into(),
                        progress.code().into(),
                        evidence.clone().into(),
                        now.into(),
                    ],
                )
                .await?;
            }
            if step == PlanStep::SelfAssess {
                if comment.is_none() {
                    return Err(StoreError::invalid(
                        "comment",
                        "Viết vài dòng tự đánh giá kết quả cả năm",
                    ));
                }
                sql::exec(
                    &txn,
                    "UPDATE plans SET self_assessment = $2 WHERE id = $1",
                    vec![plan_id.into(), comment.clone().into()],
                )
                .await?;
            }
        }
        PlanStep::Assess => {
            if comment.is_none() {
                return Err(StoreError::invalid(
                    "comment",
                    "Ghi nhận xét, đánh giá của chi bộ",
                ));
            }
            sql::exec(
                &txn,
                "UPDATE plans SET assessment = $2, assessed_at = $3 WHERE id = $1",
                vec![plan_id.into(), comment.clone().into(), now.into()],
            )
            .await?;
        }
        PlanStep::Return | PlanStep::Lock => {}
    }
    sql::exec(
        &txn,
        "UPDATE plans SET state = $2, updated_at = $3 WHERE id = $1",
        vec![plan_id.into(), next.code().into(), now.into()],
    )
    .await?;
    sql::exec(
        &txn,
        "INSERT INTO plan_events (plan_id, step, from_state, to_state, comment, account_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        vec![
            plan_id.into(),
            step.code().into(),
            plan.state.code().into(),
            next.code().into(),
            comment.clone().into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::updated(
            step_action(step),
            "plan",
            plan_id,
            Some(plan.org_id),
            &serde_json::json!({ "state": plan.state.code() }),
            &serde_json::json!({ "state": next.code(), "comment": comment }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// The stages the coverage figures count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Handed in (or further).
    Submitted,
    /// Approved (or further).
    Approved,
    /// Reviewed at mid-year (or further).
    MidYear,
    /// Assessed by the cell (or locked).
    Assessed,
}

impl Stage {
    /// Every stage, in the year's order.
    pub const ALL: [Stage; 4] = [
        Stage::Submitted,
        Stage::Approved,
        Stage::MidYear,
        Stage::Assessed,
    ];

    /// The stage's code in links.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Submitted => "nop",
            Stage::Approved => "duyet",
            Stage::MidYear => "so-ket",
            Stage::Assessed => "danh-gia",
        }
    }

    /// The stage named by a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Column heading.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Submitted => "Đã xây dựng kế hoạch",
            Stage::Approved => "Được duyệt",
            Stage::MidYear => "Đã sơ kết 6 tháng",
            Stage::Assessed => "Chi bộ đã đánh giá",
        }
    }

    /// Title of the list of those who have not reached it.
    pub fn lacking_label(self) -> &'static str {
        match self {
            Stage::Submitted => "Chưa xây dựng kế hoạch",
            Stage::Approved => "Kế hoạch chưa được duyệt",
            Stage::MidYear => "Chưa sơ kết 6 tháng",
            Stage::Assessed => "Chi bộ chưa đánh giá",
        }
    }

    /// Its place in [`Stage::ALL`], and so its condition's in the plans' roll-ups.
    fn index(self) -> usize {
        self as usize
    }

    const fn condition(self) -> Condition {
        match self {
            Stage::Submitted => submitted,
            Stage::Approved => approved,
            Stage::MidYear => mid_year,
            Stage::Assessed => assessed,
        }
    }
}

/// Each member's personal plan of the year at `$n`, if any (at most one: unique index).
fn plan_of_year(n: usize) -> String {
    format!(
        "LEFT JOIN plans pl ON pl.person_id = p.id AND pl.year_id = ${n} AND pl.kind = 'ca_nhan'"
    )
}

fn in_states(states: &[PlanState]) -> String {
    let list = states
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ");
    format!("COALESCE(pl.state, '') IN ({list})")
}

/// A plan `pl` in one of `states`, having reached the stage (its moment in `column`) by
/// the cut, if any.
fn reached(states: &[PlanState], column: &str, b: &mut Binds) -> String {
    format!("({}{})", in_states(states), b.until_moment(column))
}

fn submitted(b: &mut Binds) -> String {
    use PlanState::*;
    let states = [
        Submitted,
        Returned,
        Approved,
        MidYearReviewed,
        SelfAssessed,
        Assessed,
        Locked,
    ];
    reached(&states, "pl.submitted_at", b)
}

/// The plan states from approval on.
const APPROVED_ON: [PlanState; 5] = [
    PlanState::Approved,
    PlanState::MidYearReviewed,
    PlanState::SelfAssessed,
    PlanState::Assessed,
    PlanState::Locked,
];

/// A plan `pl` approved or further on, approved before the cut if any.
pub(crate) fn approved(b: &mut Binds) -> String {
    reached(&APPROVED_ON, "pl.approved_at", b)
}

/// Reviewed at mid-year or further on; by the cut, if any, as its events tell (a plan has
/// no column of when it was reviewed).
fn mid_year(b: &mut Binds) -> String {
    use PlanState::*;
    let states = in_states(&[MidYearReviewed, SelfAssessed, Assessed, Locked]);
    let cut = b.until_moment("e.created_at");
    if cut.is_empty() {
        states
    } else {
        format!(
            "({states} AND EXISTS (SELECT 1 FROM plan_events e WHERE e.plan_id = pl.id AND e.to_state = '{}'{cut}))",
            MidYearReviewed.code()
        )
    }
}

fn assessed(b: &mut Binds) -> String {
    use PlanState::*;
    reached(&[Assessed, Locked], "pl.assessed_at", b)
}

/// Members counted and how many reached each stage (in `Stage::ALL` order).
pub type PlanCoverage = coverage::Tally;

fn stages(counted: Counted) -> coverage::Measure<'static> {
    stage_measure(counted.required, counted.until)
}

/// People of categories `required`, and who reached each stage by the cut.
/// The condition of each stage, in the order of [`Stage::ALL`].
const STAGE_CONDITIONS: [Condition; 4] = [
    Stage::ALL[0].condition(),
    Stage::ALL[1].condition(),
    Stage::ALL[2].condition(),
    Stage::ALL[3].condition(),
];

fn stage_measure(required: Categories, until: Until) -> coverage::Measure<'static> {
    coverage::Measure {
        counted: required,
        join: Some(plan_of_year),
        conditions: &STAGE_CONDITIONS,
        until,
    }
}

/// Which plans the figures count: a campaign year, its reference day, and the categories
/// of people who must have a plan (a setting).
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a> {
    /// The year.
    pub year: &'a CampaignYear,
    /// The day whose units and statuses count.
    pub day: NaiveDate,
    /// Who must have a plan.
    pub required: Categories,
    /// How much of the year the stages count.
    pub until: Until,
}

/// Plan figures of a unit's subtree and of each child's, from the roll-ups: one statement
/// once they are up to date.
pub async fn coverage_with_children<C: crate::Writer>(
    conn: &C,
    unit: OrgId,
    counted: Counted<'_>,
) -> Result<(PlanCoverage, HashMap<OrgId, PlanCoverage>), StoreError> {
    let measure = crate::rollups::Measure::Plans(counted.required);
    let key = crate::rollups::Key::of(measure, counted.year.id, counted.until).on(counted.day);
    let conditions = stages(counted).conditions.len();
    coverage::tally_with_children(conn, unit, &key, conditions).await
}

/// Each unit's own people who must have a plan on `day`, and how many reached each stage
/// by the cut (roll-ups).
pub(crate) async fn own_coverage<C: ConnectionTrait>(
    conn: &C,
    units: crate::rollups::Units<'_>,
    year_id: i64,
    day: NaiveDate,
    required: Categories,
    until: Until,
) -> Result<Vec<(i64, PlanCoverage)>, StoreError> {
    coverage::own_tallies(conn, units, year_id, day, &stage_measure(required, until)).await
}

/// Each unit's own leaders (people marked as leaders, in their current unit) and how many
/// of them had their plan of the year approved by the cut (roll-ups: "leaders",
/// "approved").
pub(crate) async fn own_leaders<C: ConnectionTrait>(
    conn: &C,
    units: crate::rollups::Units<'_>,
    year_id: i64,
    until: Until,
) -> Result<crate::rollups::OwnRows, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        org_id: i64,
        leaders: i64,
        approved: Option<i64>,
    }
    let mut values = vec![year_id.into(), true.into()];
    let approved = approved(&mut Binds::new(1, until, &mut values));
    let rows: Vec<Row> = sql::all(
        conn,
        &format!(
            "SELECT p.org_id, COUNT(*) AS leaders, \
             CAST(SUM(CASE WHEN {approved} THEN 1 ELSE 0 END) AS BIGINT) AS approved \
             FROM people p LEFT JOIN plans pl ON pl.person_id = p.id AND pl.year_id = $1 AND pl.kind = 'ca_nhan' \
             WHERE p.is_leader = $2{} GROUP BY p.org_id",
            units.only("p.org_id")
        ),
        values,
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len() * 2);
    for r in rows {
        out.push((r.org_id, "leaders".to_owned(), r.leaders));
        out.push((r.org_id, "approved".to_owned(), r.approved.unwrap_or(0)));
    }
    Ok(out)
}

/// Plan figures of a subtree: one query.
pub async fn coverage<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    counted: Counted<'_>,
) -> Result<PlanCoverage, StoreError> {
    let measure = stages(counted);
    coverage::tally(conn, within, counted.year.id, counted.day, &measure).await
}

/// Plan figures of a subtree for each required category (a person of two categories counts
/// in both): one query per category.
pub async fn coverage_by_category<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    counted: Counted<'_>,
) -> Result<Vec<(Category, PlanCoverage)>, StoreError> {
    let mut out = Vec::new();
    for category in counted.required.iter() {
        let only = Counted {
            required: [category].into_iter().collect(),
            ..counted
        };
        out.push((category, coverage(conn, within, only).await?));
    }
    Ok(out)
}

/// People who must have a plan and have not reached a stage, by unit then name, found
/// through the roll-ups (see [`coverage::lacking`]).
pub async fn lacking<C: crate::Writer>(
    conn: &C,
    within: &Subtree,
    counted: Counted<'_>,
    stage: Stage,
    page: u64,
    per_page: u64,
) -> Result<Page<Missing>, StoreError> {
    let key = crate::rollups::Key::of(
        crate::rollups::Measure::Plans(counted.required),
        counted.year.id,
        counted.until,
    )
    .on(counted.day);
    coverage::lacking(
        conn,
        within,
        counted.year.id,
        counted.day,
        &coverage::Measure {
            counted: counted.required,
            join: Some(plan_of_year),
            conditions: &[stage.condition()],
            until: counted.until,
        },
        &coverage::Guide {
            key,
            condition: stage.index(),
        },
        page,
        per_page,
    )
    .await
}

/// A leader of the subtree with their plan of the year, for the supervision view.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct LeaderPlan {
    /// Person.
    pub person_id: i64,
    /// Name.
    pub full_name: String,
    /// Position.
    pub position: Option<String>,
    /// Unit.
    pub org_name: String,
    /// Their plan, if any.
    pub plan_id: Option<i64>,
    /// Its state code.
    pub state: Option<String>,
    /// Commitments.
    pub commitments: i64,
    /// Of them done at year end (or at mid-year when not yet reviewed at year end).
    pub done: i64,
    /// Of them not done.
    pub not_done: i64,
}

impl LeaderPlan {
    /// The plan's state.
    pub fn state(&self) -> Option<PlanState> {
        self.state.as_deref().and_then(PlanState::from_code)
    }
}

/// The leaders and heads (leader flag) of a subtree with their plans of the year and how
/// far their commitments have come, by unit then name: two queries.
pub async fn leaders<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    page: u64,
    per_page: u64,
) -> Result<Page<LeaderPlan>, StoreError> {
    let mut w = sql::Where::new();
    let year_param = w.bind(year.id.into());
    w.push(
        "p.is_leader = ? AND o.path >= ? AND o.path < ?",
        vec![
            true.into(),
            within.from.clone().into(),
            within.to.clone().into(),
        ],
    );
    let from = format!(
        "FROM people p JOIN orgs o ON o.id = p.org_id \
         LEFT JOIN plans pl ON pl.person_id = p.id AND pl.year_id = {year_param} AND pl.kind = 'ca_nhan'"
    );
    // Counted per row of the page only (indexed by plan), never over all commitments.
    let counted = |condition: &str| {
        format!("(SELECT COUNT(*) FROM plan_commitments c WHERE c.plan_id = pl.id{condition})")
    };
    let progress = "COALESCE(c.end_progress, c.mid_progress)";
    let rows: Page<LeaderPlan> = sql::page(
        conn,
        &format!(
            "SELECT p.id AS person_id, p.full_name, p.position, o.name AS org_name, pl.id AS plan_id, pl.state, \
             {} AS commitments, {} AS done, {} AS not_done {from}",
            counted(""),
            counted(&format!(" AND {progress} = 'da_thuc_hien'")),
            counted(&format!(" AND {progress} = 'chua_thuc_hien'")),
        ),
        &from,
        &w,
        "o.path, p.name_folded, p.id",
        page,
        per_page,
    )
    .await?;
    Ok(rows)
}
