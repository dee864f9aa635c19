//! Background jobs: imports (and later exports and reports) recorded as rows, claimed by a
//! worker in any server sharing the database, with progress users can watch.

use crate::StoreError;
use crate::sql;
use chrono::{DateTime, Utc};
use lantoa_domain::{JobId, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// A worker is on it.
    Running,
    /// Finished; the result is there.
    Done,
    /// Stopped with an error.
    Failed,
}

impl JobState {
    fn from_code(code: &str) -> Self {
        match code {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            _ => JobState::Failed,
        }
    }

    /// Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            JobState::Queued => "Đang chờ",
            JobState::Running => "Đang chạy",
            JobState::Done => "Hoàn thành",
            JobState::Failed => "Lỗi",
        }
    }

    /// Whether the job has ended.
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed)
    }
}

/// A job without its files.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Job {
    /// Id.
    pub id: JobId,
    /// What kind of work ("import_people", "import_orgs"…).
    pub kind: String,
    /// State.
    pub state: JobState,
    /// Parameters, JSON.
    pub params: String,
    /// Units of work done.
    pub progress_done: i64,
    /// Units of work in all (0 while unknown).
    pub progress_total: i64,
    /// What is being done now, in Vietnamese.
    pub stage: Option<String>,
    /// Name of the uploaded file.
    pub input_name: Option<String>,
    /// Result, JSON.
    pub result: Option<String>,
    /// Whether an output file is there.
    pub has_output: bool,
    /// Why it failed, in Vietnamese.
    pub error: Option<String>,
    /// The unit it concerns.
    pub org_id: Option<OrgId>,
    /// The account that queued it: the job runs with its grants, and only it (or a system
    /// administrator) sees the job.
    pub account_id: Option<i64>,
    /// How many times a worker has taken it (more than once when a server stopped while
    /// running it). A worker's writes count only while the job is still its attempt.
    pub attempt: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
}

impl Job {
    /// Progress in whole percent.
    pub fn percent(&self) -> i64 {
        if self.progress_total <= 0 {
            0
        } else {
            (self.progress_done * 100 / self.progress_total).clamp(0, 100)
        }
    }
}

#[derive(FromQueryResult)]
struct JobRow {
    id: i64,
    kind: String,
    state: String,
    params: String,
    progress_done: i64,
    progress_total: i64,
    stage: Option<String>,
    input_name: Option<String>,
    result: Option<String>,
    has_output: bool,
    error: Option<String>,
    org_id: Option<i64>,
    account_id: Option<i64>,
    attempts: i64,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl From<JobRow> for Job {
    fn from(row: JobRow) -> Self {
        Job {
            id: JobId(row.id),
            kind: row.kind,
            state: JobState::from_code(&row.state),
            params: row.params,
            progress_done: row.progress_done,
            progress_total: row.progress_total,
            stage: row.stage,
            input_name: row.input_name,
            result: row.result,
            has_output: row.has_output,
            error: row.error,
            org_id: row.org_id.map(OrgId),
            account_id: row.account_id,
            attempt: row.attempts,
            created_at: row.created_at,
            finished_at: row.finished_at,
        }
    }
}

const COLUMNS: &str = "id, kind, state, params, progress_done, progress_total, stage, input_name, result, \
    (output IS NOT NULL) AS has_output, error, org_id, account_id, CAST(attempts AS BIGINT) AS attempts, \
    created_at, finished_at";

/// How many times a job is started before a job whose server keeps stopping under it is
/// failed instead of run again.
pub const MAX_ATTEMPTS: i64 = 3;

/// A job to queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Kind of work.
    pub kind: String,
    /// Parameters, JSON.
    pub params: String,
    /// Uploaded file name.
    pub input_name: Option<String>,
    /// Uploaded file.
    pub input: Option<Vec<u8>>,
    /// The unit it concerns.
    pub org_id: Option<OrgId>,
    /// The account queuing it.
    pub account_id: Option<i64>,
}

/// Queues a job.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, job: NewJob) -> Result<JobId, StoreError> {
    let now = Utc::now();
    let id = sql::scalar(
        conn,
        "INSERT INTO jobs (kind, state, params, progress_done, progress_total, input_name, input, org_id, account_id, created_at, updated_at) \
         VALUES ($1, 'queued', $2, 0, 0, $3, $4, $5, $6, $7, $7) RETURNING id AS value",
        vec![
            job.kind.into(),
            job.params.into(),
            job.input_name.into(),
            job.input.into(),
            job.org_id.map(|o| o.0).into(),
            job.account_id.into(),
            now.into(),
        ],
    )
    .await?;
    Ok(JobId(id))
}

/// The job with this id.
pub async fn get<C: ConnectionTrait>(conn: &C, id: JobId) -> Result<Job, StoreError> {
    let row: Option<JobRow> = sql::one(
        conn,
        &format!("SELECT {COLUMNS} FROM jobs WHERE id = $1"),
        vec![id.0.into()],
    )
    .await?;
    row.map(Job::from).ok_or(StoreError::NotFound)
}

/// The newest jobs of an account (of everyone when `None`).
pub async fn recent<C: ConnectionTrait>(
    conn: &C,
    account_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Job>, StoreError> {
    let rows: Vec<JobRow> = match account_id {
        Some(account) => {
            sql::all(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM jobs WHERE account_id = $1 ORDER BY id DESC LIMIT $2"
                ),
                vec![account.into(), (limit as i64).into()],
            )
            .await?
        }
        None => {
            sql::all(
                conn,
                &format!("SELECT {COLUMNS} FROM jobs ORDER BY id DESC LIMIT $1"),
                vec![(limit as i64).into()],
            )
            .await?
        }
    };
    Ok(rows.into_iter().map(Job::from).collect())
}

/// Claims the oldest queued job for this worker; two servers never run the same job. On
/// PostgreSQL one statement takes the oldest job no other worker is taking (`FOR UPDATE
/// SKIP LOCKED`), so racing workers each get a different one without retrying; SQLite
/// serialises writes, and the conditional update decides.
pub async fn claim_next<C: ConnectionTrait>(conn: &C) -> Result<Option<Job>, StoreError> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        let claimed = sql::one::<sql::Scalar, C>(
            conn,
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = $1, updated_at = $1 WHERE id = \
             (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING id AS value",
            vec![Utc::now().into()],
        )
        .await?;
        return match claimed {
            Some(s) => get(conn, JobId(s.value)).await.map(Some),
            None => Ok(None),
        };
    }
    loop {
        let Some(id) = sql::one::<sql::Scalar, C>(
            conn,
            "SELECT id AS value FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1",
            vec![],
        )
        .await?
        .map(|s| s.value) else {
            return Ok(None);
        };
        let now = Utc::now();
        let claimed = sql::exec(
            conn,
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = $1, updated_at = $1 \
             WHERE id = $2 AND state = 'queued'",
            vec![now.into(), id.into()],
        )
        .await?;
        if claimed.rows_affected() == 1 {
            return get(conn, JobId(id)).await.map(Some);
        }
    }
}

/// What [`recover_stale`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Interrupted jobs queued to run again.
    pub requeued: u64,
    /// Interrupted jobs failed, having been started [`MAX_ATTEMPTS`] times.
    pub failed: u64,
}

/// The running jobs whose worker has given no sign of life since `before` (its server
/// stopped mid-job) are queued again, or failed with a reason once started
/// [`MAX_ATTEMPTS`] times. Running one again is safe: an import or a report writes in one
/// transaction at its end, so the interrupted run wrote nothing, and the stopped worker's
/// late writes no longer count (they name its attempt). A live worker signals at least
/// every [`heartbeat`] interval its server is configured with.
pub async fn recover_stale<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<Recovered, StoreError> {
    let now = Utc::now();
    let requeued = sql::exec(
        conn,
        "UPDATE jobs SET state = 'queued', stage = NULL, progress_done = 0, updated_at = $1 \
         WHERE state = 'running' AND updated_at < $2 AND attempts < $3",
        vec![now.into(), before.into(), MAX_ATTEMPTS.into()],
    )
    .await?
    .rows_affected();
    let failed = sql::exec(
        conn,
        "UPDATE jobs SET state = 'failed', error = $1, finished_at = $2, updated_at = $2 \
         WHERE state = 'running' AND updated_at < $3",
        vec![
            format!(
                "Máy chủ dừng {MAX_ATTEMPTS} lần khi việc đang chạy; không có dữ liệu nào được ghi. Hãy chạy lại."
            )
            .into(),
            now.into(),
            before.into(),
        ],
    )
    .await?
    .rows_affected();
    Ok(Recovered { requeued, failed })
}

/// The condition naming a job's current attempt: a worker whose job was taken over
/// (queued again after its silence) changes nothing any more.
const THIS_ATTEMPT: &str = "id = $1 AND attempts = $2 AND state = 'running'";

/// Tells other servers that the worker of a running job is alive.
pub async fn heartbeat<C: ConnectionTrait>(conn: &C, job: &Job) -> Result<(), StoreError> {
    sql::exec(
        conn,
        &format!("UPDATE jobs SET updated_at = $3 WHERE {THIS_ATTEMPT}"),
        vec![job.id.0.into(), job.attempt.into(), Utc::now().into()],
    )
    .await?;
    Ok(())
}

/// The uploaded file of a job.
pub async fn input<C: ConnectionTrait>(conn: &C, id: JobId) -> Result<Vec<u8>, StoreError> {
    #[derive(FromQueryResult)]
    struct Bytes {
        input: Option<Vec<u8>>,
    }
    let row: Option<Bytes> = sql::one(
        conn,
        "SELECT input FROM jobs WHERE id = $1",
        vec![id.0.into()],
    )
    .await?;
    row.and_then(|r| r.input).ok_or(StoreError::NotFound)
}

/// The output file of a job.
pub async fn output<C: ConnectionTrait>(conn: &C, id: JobId) -> Result<Vec<u8>, StoreError> {
    #[derive(FromQueryResult)]
    struct Bytes {
        output: Option<Vec<u8>>,
    }
    let row: Option<Bytes> = sql::one(
        conn,
        "SELECT output FROM jobs WHERE id = $1",
        vec![id.0.into()],
    )
    .await?;
    row.and_then(|r| r.output).ok_or(StoreError::NotFound)
}

/// Records progress.
pub async fn set_progress<C: ConnectionTrait>(
    conn: &C,
    job: &Job,
    stage: &str,
    done: u64,
    total: u64,
) -> Result<(), StoreError> {
    sql::exec(
        conn,
        &format!(
            "UPDATE jobs SET stage = $3, progress_done = $4, progress_total = $5, updated_at = $6 \
             WHERE {THIS_ATTEMPT}"
        ),
        vec![
            job.id.0.into(),
            job.attempt.into(),
            stage.into(),
            (done as i64).into(),
            (total as i64).into(),
            Utc::now().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Records success with its result and optional output file; false when the job is no
/// longer this attempt's (taken over after its worker fell silent), and nothing changed.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    job: &Job,
    result: &str,
    output: Option<Vec<u8>>,
) -> Result<bool, StoreError> {
    let now = Utc::now();
    let done = sql::exec(
        conn,
        &format!(
            "UPDATE jobs SET state = 'done', result = $3, output = $4, progress_done = progress_total, \
             finished_at = $5, updated_at = $5, input = NULL WHERE {THIS_ATTEMPT}"
        ),
        vec![
            job.id.0.into(),
            job.attempt.into(),
            result.into(),
            output.into(),
            now.into(),
        ],
    )
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records failure with a reason users can read; false as [`finish`].
pub async fn fail<C: ConnectionTrait>(
    conn: &C,
    job: &Job,
    error: &str,
) -> Result<bool, StoreError> {
    let now = Utc::now();
    let failed = sql::exec(
        conn,
        &format!(
            "UPDATE jobs SET state = 'failed', error = $3, finished_at = $4, updated_at = $4 \
             WHERE {THIS_ATTEMPT}"
        ),
        vec![
            job.id.0.into(),
            job.attempt.into(),
            error.into(),
            now.into(),
        ],
    )
    .await?;
    Ok(failed.rows_affected() == 1)
}
