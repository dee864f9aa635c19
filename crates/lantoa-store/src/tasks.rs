//! Key tasks (nhiệm vụ trọng tâm): a committee sets the numbered tasks of a year, each led
//! by a unit of its subtree with coordinating units; the lead and coordinating units report
//! progress, the latest report giving the task its status and percent; the list of a
//! committee's year with the overdue ones flagged.

use crate::audit::{self, Actor, Change};
use crate::campaign::{CampaignYear, Until};
use crate::org::Org;
use crate::{StoreError, sql};
use chrono::{NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::tasks::{KeyTaskDraft, ProgressDraft, TaskStatus, is_overdue};
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;

/// The evidence files of a task, attached with the progress reports.
pub const KEY_TASK_FILES: crate::files::Attachments = crate::files::Attachments {
    table: "key_task_files",
    owner_column: "key_task_id",
    entity: "key_task",
};

/// A key task with its units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTask {
    pub id: i64,
    /// The committee that set it.
    pub org_id: OrgId,
    pub committee_name: String,
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

    /// "Đang thực hiện, 60% — quá hạn".
    pub fn progress(&self, today: NaiveDate) -> String {
        lantoa_domain::tasks::progress_text(self.status, self.percent, self.overdue(today))
    }
}

#[derive(FromQueryResult)]
struct TaskRow {
    id: i64,
    org_id: i64,
    committee_name: String,
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
            committee_name: r.committee_name,
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

/// The task's status and percent as they are now.
const CURRENT: &str = "t.status, t.percent";

/// The select of tasks `t`, the progress (`status` and `percent`) from `progress`.
fn task_select(progress: &str) -> String {
    format!(
        "SELECT t.id, t.org_id, c.name AS committee_name, y.year, t.number, t.content, t.documents, t.lead_org_id, \
         l.name AS lead_name, t.deadline, t.target, {progress} \
         FROM key_tasks t JOIN orgs c ON c.id = t.org_id JOIN orgs l ON l.id = t.lead_org_id JOIN campaign_years y ON y.id = t.year_id"
    )
}

/// One key task.
pub async fn task<C: ConnectionTrait>(conn: &C, id: i64) -> Result<KeyTask, StoreError> {
    let row: Option<TaskRow> = sql::one(
        conn,
        &format!("{} WHERE t.id = $1", task_select(CURRENT)),
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
        &format!(
            "{} WHERE t.org_id = $1 AND t.year_id = $2 ORDER BY t.number",
            task_select(CURRENT)
        ),
        vec![committee.0.into(), year.id.into()],
    )
    .await?;
    Ok(rows.into_iter().map(KeyTask::from).collect())
}

/// The tasks a committee set for a year as they stood when a cut day ended: each with the
/// status and percent of the latest progress report made by then (not started before
/// any): one query. For the whole year, as they are now.
pub async fn tasks_as_of<C: ConnectionTrait>(
    conn: &C,
    committee: OrgId,
    year: &CampaignYear,
    until: Until,
) -> Result<Vec<KeyTask>, StoreError> {
    let mut values = vec![committee.0.into(), year.id.into()];
    let reported = until.on_moments("u.created_at", &mut values);
    if reported.is_empty() {
        return tasks(conn, committee, year).await;
    }
    let latest = |column: &str| {
        format!(
            "(SELECT u.{column} FROM key_task_updates u WHERE u.key_task_id = t.id{reported} \
             ORDER BY u.created_at DESC, u.id DESC LIMIT 1)"
        )
    };
    let progress = format!(
        "COALESCE({}, '{}') AS status, COALESCE({}, 0) AS percent",
        latest("status"),
        TaskStatus::NotStarted.code(),
        latest("percent")
    );
    let rows: Vec<TaskRow> = sql::all(
        conn,
        &format!(
            "{} WHERE t.org_id = $1 AND t.year_id = $2 ORDER BY t.number",
            task_select(&progress)
        ),
        values,
    )
    .await?;
    Ok(rows.into_iter().map(KeyTask::from).collect())
}

/// The units a task is assigned to besides its lead, by name.
pub async fn coordinating<C: ConnectionTrait>(
    conn: &C,
    task_id: i64,
) -> Result<Vec<(OrgId, String)>, StoreError> {
    Ok(coordinating_of(conn, &[task_id])
        .await?
        .remove(&task_id)
        .unwrap_or_default())
}

/// The coordinating units of several tasks, by task, each by name: one query per 30 000
/// tasks.
pub async fn coordinating_of<C: ConnectionTrait>(
    conn: &C,
    task_ids: &[i64],
) -> Result<HashMap<i64, Vec<(OrgId, String)>>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        key_task_id: i64,
        id: i64,
        name: String,
    }
    let rows: Vec<Row> = sql::all_in(
        conn,
        "SELECT u.key_task_id, o.id, o.name FROM key_task_units u JOIN orgs o ON o.id = u.org_id \
         WHERE u.key_task_id IN ({list}) ORDER BY o.name",
        task_ids.iter().map(|id| (*id).into()).collect(),
    )
    .await?;
    let mut by_task: HashMap<i64, Vec<(OrgId, String)>> = HashMap::new();
    for r in rows {
        by_task
            .entry(r.key_task_id)
            .or_default()
            .push((OrgId(r.id), r.name));
    }
    Ok(by_task)
}

/// The tasks set by other committees that a unit leads or coordinates in a year, by
/// deadline: one query.
pub async fn assigned_to<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
    year: &CampaignYear,
) -> Result<Vec<KeyTask>, StoreError> {
    let rows: Vec<TaskRow> = sql::all(
        conn,
        &format!(
            "{} WHERE t.year_id = $1 AND t.org_id <> $2 AND (t.lead_org_id = $2 OR EXISTS \
             (SELECT 1 FROM key_task_units u WHERE u.key_task_id = t.id AND u.org_id = $2)) \
             ORDER BY t.deadline, t.number",
            task_select(CURRENT)
        ),
        vec![year.id.into(), unit.0.into()],
    )
    .await?;
    Ok(rows.into_iter().map(KeyTask::from).collect())
}

/// The overdue tasks a unit set, leads or coordinates, on `today`, oldest deadline first:
/// one query.
pub async fn overdue_for<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
    today: NaiveDate,
) -> Result<Vec<KeyTask>, StoreError> {
    let rows: Vec<TaskRow> = sql::all(
        conn,
        &format!(
            "{} WHERE t.deadline < $1 AND t.status <> $2 AND (t.org_id = $3 OR t.lead_org_id = $3 \
             OR EXISTS (SELECT 1 FROM key_task_units u WHERE u.key_task_id = t.id AND u.org_id = $3)) \
             ORDER BY t.deadline, t.number",
            task_select(CURRENT)
        ),
        vec![
            today.into(),
            TaskStatus::Done.code().into(),
            unit.0.into(),
        ],
    )
    .await?;
    Ok(rows.into_iter().map(KeyTask::from).collect())
}

/// Refuses a lead or coordinating unit outside the committee's subtree.
pub fn check_units(committee: &Org, lead: &Org, coordinating: &[Org]) -> Result<(), StoreError> {
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
    Ok(())
}

/// Refuses a number another task of the committee's year holds.
async fn check_number<C: ConnectionTrait>(
    conn: &C,
    committee: OrgId,
    year: &CampaignYear,
    number: i32,
    except: i64,
) -> Result<(), StoreError> {
    let used = sql::scalar(
        conn,
        "SELECT COUNT(*) AS value FROM key_tasks WHERE org_id = $1 AND year_id = $2 AND number = $3 AND id <> $4",
        vec![committee.0.into(), year.id.into(), number.into(), except.into()],
    )
    .await?;
    if used > 0 {
        return Err(StoreError::invalid(
            "number",
            format!("Năm {} đã có nhiệm vụ số {number}", year.year),
        ));
    }
    Ok(())
}

/// Links the coordinating units (the lead left out) and returns their ids.
async fn set_coordinating<C: ConnectionTrait>(
    conn: &C,
    task_id: i64,
    lead: &Org,
    coordinating: &[Org],
) -> Result<Vec<i64>, StoreError> {
    let mut others: Vec<i64> = coordinating
        .iter()
        .map(|o| o.id.0)
        .filter(|o| *o != lead.id.0)
        .collect();
    others.sort_unstable();
    others.dedup();
    sql::set_links(
        conn,
        "key_task_units",
        ("key_task_id", task_id),
        "org_id",
        &others,
    )
    .await?;
    Ok(others)
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
    check_units(committee, lead, coordinating)?;
    let txn = conn.begin_write().await?;
    check_number(&txn, committee.id, year, draft.number, 0).await?;
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
    let others = set_coordinating(&txn, id, lead, coordinating).await?;
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

/// Changes a task's number, content, documents, deadline, target and units; its progress
/// stays. Audited with what it was.
pub async fn update<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    task: &KeyTask,
    committee: &Org,
    draft: &KeyTaskDraft,
    lead: &Org,
    coordinating: &[Org],
) -> Result<(), StoreError> {
    check_units(committee, lead, coordinating)?;
    let year = crate::campaign::year(conn, task.year).await?;
    let txn = conn.begin_write().await?;
    check_number(&txn, committee.id, &year, draft.number, task.id).await?;
    let before = self::coordinating(&txn, task.id).await?;
    sql::exec(
        &txn,
        "UPDATE key_tasks SET number = $1, content = $2, documents = $3, lead_org_id = $4, deadline = $5, \
         target = $6, updated_at = $7 WHERE id = $8",
        vec![
            draft.number.into(),
            draft.content.clone().into(),
            draft.documents.clone().into(),
            lead.id.0.into(),
            draft.deadline.into(),
            draft.target.clone().into(),
            Utc::now().into(),
            task.id.into(),
        ],
    )
    .await?;
    let others = set_coordinating(&txn, task.id, lead, coordinating).await?;
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::KeyTaskUpdate,
            "key_task",
            task.id,
            Some(committee.id),
            &serde_json::json!({
                "number": task.number,
                "content": task.content,
                "lead_org_id": task.lead_org_id.0,
                "coordinating": before.iter().map(|(id, _)| id.0).collect::<Vec<_>>(),
                "deadline": task.deadline.to_string(),
                "target": task.target,
            }),
            &serde_json::json!({
                "number": draft.number,
                "content": draft.content,
                "lead_org_id": lead.id.0,
                "coordinating": others,
                "deadline": draft.deadline.to_string(),
                "target": draft.target,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
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

/// Records a unit's progress report, with its evidence file if any, in one transaction;
/// the task takes its status and percent.
pub async fn report<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    task_id: i64,
    unit: OrgId,
    draft: &ProgressDraft,
    evidence: Option<crate::files::Incoming<'_>>,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
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
    if let Some((files, file)) = evidence {
        let owner = crate::files::Owner {
            id: task_id,
            org_id: unit,
        };
        KEY_TASK_FILES
            .attach(&txn, files, actor, owner, file)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}
