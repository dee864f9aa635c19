//! Key tasks (nhiệm vụ trọng tâm): a committee sets the numbered tasks of a year, each led
//! by a unit of its subtree with coordinating units; the lead and coordinating units report
//! progress, the latest report giving the task its status and percent; the list of a
//! committee's year with the overdue ones flagged.

use crate::audit::{self, Actor, Change};
use crate::campaign::CampaignYear;
use crate::org::Org;
use crate::{StoreError, sql};
use chrono::{NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::tasks::{KeyTaskDraft, ProgressDraft, TaskStatus, is_overdue};
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A key task with its units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTask {
    pub id: i64,
    /// The committee that set it.
    pub org_id: OrgId,
    pub year: i32,
    pub number: i32,
    pub content: String,
    pub documents: Option<String>,
    pub lead_org_id: OrgId,
    pub lead_name: String,
    pub deadline: NaiveDate,
    pub target: String,
    pub status: TaskStatus,
    pub percent: i32,
}

impl KeyTask {
    /// Whether it is overdue on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        is_overdue(self.deadline, self.status, today)
    }
}

#[derive(FromQueryResult)]
struct TaskRow {
    id: i64,
    org_id: i64,
    year: i32,
    number: i32,
    content: String,
    documents: Option<String>,
    lead_org_id: i64,
    lead_name: String,
    deadline: NaiveDate,
    target: String,
    status: String,
    percent: i32,
}

impl From<TaskRow> for KeyTask {
    fn from(r: TaskRow) -> Self {
        KeyTask {
            id: r.id,
            org_id: OrgId(r.org_id),
            year: r.year,
            number: r.number,
            content: r.content,
            documents: r.documents,
            lead_org_id: OrgId(r.lead_org_id),
            lead_name: r.lead_name,
            deadline: r.deadline,
            target: r.target,
            status: TaskStatus::from_code(&r.status).unwrap_or(TaskStatus::NotStarted),
            percent: r.percent,
        }
    }
}

const TASK_SELECT: &str = "SELECT t.id, t.org_id, y.year, t.number, t.content, t.documents, t.lead_org_id, \
    l.name AS lead_name, t.deadline, t.target, t.status, t.percent \
    FROM key_tasks t JOIN orgs l ON l.id = t.lead_org_id JOIN campaign_years y ON y.id = t.year_id";

/// One key task.
pub async fn task<C: ConnectionTrait>(conn: &C, id: i64) -> Result<KeyTask, StoreError> {
    let row: Option<TaskRow> = sql::one(
        conn,
        &format!("{TASK_SELECT} WHERE t.id = $1"),
        vec![id.into()],
    )
    .await?;
    row.map(KeyTask::from).ok_or(StoreError::NotFound)
}

/// The tasks a committee set for a year, by number: one query.
pub async fn tasks<C: ConnectionTrait>(
    conn: &C,
    committee: OrgId,
    year: &CampaignYear,
) -> Result<Vec<KeyTask>, StoreError> {
    let rows: Vec<TaskRow> = sql::all(
        conn,
        &format!("{TASK_SELECT} WHERE t.org_id = $1 AND t.year_id = $2 ORDER BY t.number"),
        vec![committee.0.into(), year.id.into()],
    )
    .await?;
    Ok(rows.into_iter().map(KeyTask::from).collect())
}

/// The units a task is assigned to besides its lead, by name.
pub async fn coordinating<C: ConnectionTrait>(
    conn: &C,
    task_id: i64,
) -> Result<Vec<(OrgId, String)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        name: String,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT o.id, o.name FROM key_task_units u JOIN orgs o ON o.id = u.org_id \
         WHERE u.key_task_id = $1 ORDER BY o.name",
        vec![task_id.into()],
    )
    .await?;
    Ok(rows.into_iter().map(|r| (OrgId(r.id), r.name)).collect())
}

/// Sets a key task of a committee's year. The lead and coordinating units must lie in the
/// committee's subtree; a number is used once per committee and year.
pub async fn create<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    committee: &Org,
    year: &CampaignYear,
    draft: &KeyTaskDraft,
    lead: &Org,
    coordinating: &[Org],
) -> Result<i64, StoreError> {
    let within = committee.subtree();
    if !within.contains(&lead.path) {
        return Err(StoreError::invalid(
            "lead",
            format!("{} không thuộc {}", lead.name, committee.name),
        ));
    }
    if let Some(outside) = coordinating.iter().find(|o| !within.contains(&o.path)) {
        return Err(StoreError::invalid(
            "coordinating",
            format!("{} không thuộc {}", outside.name, committee.name),
        ));
    }
    let txn = conn.begin().await?;
    let used = sql::scalar(
        &txn,
        "SELECT COUNT(*) AS value FROM key_tasks WHERE org_id = $1 AND year_id = $2 AND number = $3",
        vec![committee.id.0.into(), year.id.into(), draft.number.into()],
    )
    .await?;
    if used > 0 {
        return Err(StoreError::invalid(
            "number",
            format!("Năm {} đã có nhiệm vụ số {}", year.year, draft.number),
        ));
    }
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO key_tasks (org_id, year_id, number, content, documents, lead_org_id, deadline, target, status, \
         percent, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $11) RETURNING id AS value",
        vec![
            committee.id.0.into(),
            year.id.into(),
            draft.number.into(),
            draft.content.clone().into(),
            draft.documents.clone().into(),
            lead.id.0.into(),
            draft.deadline.into(),
            draft.target.clone().into(),
            TaskStatus::NotStarted.code().into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?;
    let mut others: Vec<i64> = coordinating
        .iter()
        .map(|o| o.id.0)
        .filter(|o| *o != lead.id.0)
        .collect();
    others.sort_unstable();
    others.dedup();
    sql::set_links(
        &txn,
        "key_task_units",
        ("key_task_id", id),
        "org_id",
        &others,
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::KeyTaskCreate,
            "key_task",
            id,
            Some(committee.id),
            serde_json::json!({
                "number": draft.number,
                "lead_org_id": lead.id.0,
                "coordinating": others,
                "deadline": draft.deadline.to_string(),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// A progress report with its unit.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ProgressReport {
    pub org_name: String,
    pub status: String,
    pub percent: i32,
    pub narrative: String,
    pub created_at: chrono::DateTime<Utc>,
}

impl ProgressReport {
    /// The status's label.
    pub fn status_label(&self) -> &'static str {
        TaskStatus::from_code(&self.status).map_or("", TaskStatus::label)
    }
}

/// The reports of a task, newest first.
pub async fn reports<C: ConnectionTrait>(
    conn: &C,
    task_id: i64,
) -> Result<Vec<ProgressReport>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT o.name AS org_name, u.status, u.percent, u.narrative, u.created_at FROM key_task_updates u \
         JOIN orgs o ON o.id = u.org_id WHERE u.key_task_id = $1 ORDER BY u.created_at DESC, u.id DESC",
        vec![task_id.into()],
    )
    .await?)
}

/// Whether a unit is assigned a task (its lead or a coordinating unit).
pub async fn assigned<C: ConnectionTrait>(
    conn: &C,
    task: &KeyTask,
    unit: OrgId,
) -> Result<bool, StoreError> {
    if task.lead_org_id == unit {
        return Ok(true);
    }
    Ok(sql::scalar(
        conn,
        "SELECT COUNT(*) AS value FROM key_task_units WHERE key_task_id = $1 AND org_id = $2",
        vec![task.id.into(), unit.0.into()],
    )
    .await?
        > 0)
}

/// Records a unit's progress report; the task takes its status and percent.
pub async fn report<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    task_id: i64,
    unit: OrgId,
    draft: &ProgressDraft,
) -> Result<(), StoreError> {
    let txn = conn.begin().await?;
    let current = task(&txn, task_id).await?;
    if !assigned(&txn, &current, unit).await? {
        return Err(StoreError::invalid(
            "unit",
            "Chỉ đơn vị chủ trì hoặc phối hợp báo cáo tiến độ nhiệm vụ này",
        ));
    }
    let now = Utc::now();
    sql::exec(
        &txn,
        "INSERT INTO key_task_updates (key_task_id, org_id, status, percent, narrative, reported_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        vec![
            task_id.into(),
            unit.0.into(),
            draft.status.code().into(),
            draft.percent.into(),
            draft.narrative.clone().into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?;
    sql::exec(
        &txn,
        "UPDATE key_tasks SET status = $1, percent = $2, updated_at = $3 WHERE id = $4",
        vec![
            draft.status.code().into(),
            draft.percent.into(),
            now.into(),
            task_id.into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::KeyTaskProgress,
            "key_task",
            task_id,
            Some(unit),
            &serde_json::json!({ "status": current.status.code(), "percent": current.percent }),
            &serde_json::json!({ "status": draft.status.code(), "percent": draft.percent }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
