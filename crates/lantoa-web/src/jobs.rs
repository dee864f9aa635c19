//! The worker that runs queued jobs inside the server (imports, reports, reminder e-mails). Progress
//! goes through a channel to a writer that saves it every half second, so the import never
//! waits on it.

use crate::AppState;
use crate::imports::{ImportFile, ImportParams, run_import};
use lantoa_store::jobs::{self, Job};
use std::time::Duration;
use tokio::sync::watch;

/// Queues again (or fails, past their last attempt) the jobs a stopped server left
/// running; errors are logged, not fatal.
async fn recover_stale_jobs(state: &AppState) {
    let silence = chrono::Duration::from_std(state.job_takeover).unwrap_or_default();
    match jobs::recover_stale(state.store.db(), chrono::Utc::now() - silence).await {
        Ok(jobs::Recovered {
            requeued: 0,
            failed: 0,
        }) => {}
        Ok(recovered) => {
            tracing::warn!(
                requeued = recovered.requeued,
                failed = recovered.failed,
                "took over jobs interrupted by a stopped server"
            );
            state.jobs_queued.notify_one();
        }
        Err(e) => tracing::error!(error = %e, "could not check interrupted jobs"),
    }
}

/// How often a running job's worker signals that it is alive, and how often interrupted
/// jobs are looked for: a quarter of the silence after which a job is taken over.
fn heartbeat_every(state: &AppState) -> Duration {
    (state.job_takeover / 4).max(Duration::from_millis(250))
}

/// Runs jobs until the server stops, and takes over the jobs that a stopped server left
/// running (several servers may share the database, so a job counts as interrupted only
/// when its worker stopped signalling, not merely because it runs).
pub async fn run_worker(state: AppState) {
    let mut last_check: Option<std::time::Instant> = None;
    loop {
        if last_check.is_none_or(|t| t.elapsed() >= heartbeat_every(&state)) {
            recover_stale_jobs(&state).await;
            last_check = Some(std::time::Instant::now());
        }
        match run_pending(&state).await {
            Ok(_) => {
                let _woken =
                    tokio::time::timeout(heartbeat_every(&state), state.jobs_queued.notified())
                        .await;
            }
            Err(e) => {
                tracing::error!(error = %e, "could not claim a job");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

/// Queues the mailing of waiting reminders and wakes the worker.
pub async fn enqueue_mail(
    state: &AppState,
    viewer: &crate::auth::Viewer,
) -> Result<(), lantoa_store::StoreError> {
    jobs::enqueue(
        state.store.db(),
        jobs::NewJob {
            kind: crate::mail::JOB_KIND.into(),
            params: "{}".into(),
            input_name: None,
            input: None,
            org_id: None,
            account_id: Some(viewer.principal.account_id),
        },
    )
    .await?;
    state.jobs_queued.notify_one();
    Ok(())
}

/// What a job leaves: its JSON result and an optional file, or the reason it failed.
pub(crate) type JobOutcome = Result<(String, Option<Vec<u8>>), String>;

/// How a job reports its progress: a stage, done, total.
pub(crate) type Progress<'a> = lantoa_store::imports::Progress<'a>;

/// The account that queued a job, with its grants as they are now, and the actor it acts
/// as: a job does nothing for an account no longer active.
pub(crate) async fn acting_for(
    db: &lantoa_store::DatabaseConnection,
    job: &Job,
    client_addr: Option<String>,
) -> Result<
    (
        lantoa_store::accounts::Principal,
        lantoa_store::audit::Actor,
    ),
    String,
> {
    let principal = match job.account_id {
        Some(account) => lantoa_store::accounts::principal(db, account)
            .await
            .map_err(|e| e.to_string())?,
        None => None,
    }
    .ok_or("Tài khoản gửi yêu cầu không còn hoạt động; việc không được thực hiện.")?;
    let actor = lantoa_store::audit::Actor {
        account_id: Some(principal.account_id),
        person_id: principal.person_id.map(|p| p.0),
        channel: "web",
        client_addr,
    };
    Ok((principal, actor))
}

/// A job the viewer may follow: their own, or any for a system administrator.
pub(crate) async fn own_job(
    state: &AppState,
    viewer: &crate::auth::Viewer,
    id: i64,
) -> Result<Job, crate::AppError> {
    let job = jobs::get(state.store.db(), lantoa_domain::JobId(id)).await?;
    if job.account_id == Some(viewer.principal.account_id) || viewer.principal.is_system_admin() {
        Ok(job)
    } else {
        Err(crate::AppError::NotFound)
    }
}

/// Mails the reminders waiting.
async fn mail_job(state: &AppState) -> JobOutcome {
    let mailer = state
        .mailer
        .as_ref()
        .ok_or("Máy chủ thư chưa được cấu hình; nhắc nhở chỉ hiện trên trang của từng người.")?;
    let mailed = crate::mail::send_pending(state.store.db(), mailer)
        .await
        .map_err(|e| e.to_string())?;
    let result = serde_json::to_string(&mailed).map_err(|e| e.to_string())?;
    Ok((result, None))
}

/// Runs an import for the account that queued it.
async fn import_job(
    db: &lantoa_store::DatabaseConnection,
    job: &Job,
    progress: lantoa_store::imports::Progress<'_>,
) -> JobOutcome {
    let id = job.id;
    let params: ImportParams =
        serde_json::from_str(&job.params).map_err(|e| format!("tham số không hợp lệ: {e}"))?;
    let input = jobs::input(db, id).await.map_err(|e| e.to_string())?;
    let name = job.input_name.clone().unwrap_or_default();
    // The job acts for the account that queued it, with its grants as they are now.
    let (principal, actor) = acting_for(db, job, params.client_addr.clone()).await?;
    let outcome = run_import(
        db,
        &actor,
        &principal.scope(lantoa_domain::accounts::Role::Staff),
        ImportFile {
            kind: params.kind,
            name: &name,
            bytes: &input,
            options: params.options,
        },
        crate::today(),
        progress,
    )
    .await
    .map_err(|e| match e {
        crate::imports::ImportError::File(f) => format!("Không nhập được: {f}"),
        crate::imports::ImportError::Store(s) => {
            tracing::error!(job.id = %id, error = %s, "import failed");
            "Lỗi cơ sở dữ liệu khi nhập; không có dữ liệu nào được ghi. Hãy thử lại.".to_owned()
        }
    })?;
    let result = serde_json::to_string(&outcome.report).map_err(|e| e.to_string())?;
    Ok((result, outcome.rejected_file))
}

/// Runs queued jobs one after another until none is left; returns how many ran.
pub async fn run_pending(state: &AppState) -> Result<usize, lantoa_store::StoreError> {
    let mut ran = 0;
    while let Some(job) = jobs::claim_next(state.store.db()).await? {
        run_one(state, job).await;
        ran += 1;
    }
    Ok(ran)
}

async fn run_one(state: &AppState, job: Job) {
    let db = state.store.db().clone();
    let id = job.id;
    tracing::info!(job.id = %id, job.kind = %job.kind, job.attempt = job.attempt, "job started");
    let (sender, mut receiver) = watch::channel((String::new(), 0u64, 0u64));
    let writer_db = db.clone();
    let (writer_job, heartbeat) = (job.clone(), heartbeat_every(state));
    let writer = tokio::spawn(async move {
        loop {
            let saved = tokio::select! {
                changed = receiver.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    let (stage, done, total) = receiver.borrow_and_update().clone();
                    jobs::set_progress(&writer_db, &writer_job, &stage, done, total).await
                }
                () = tokio::time::sleep(heartbeat) => jobs::heartbeat(&writer_db, &writer_job).await,
            };
            if let Err(e) = saved {
                tracing::warn!(job.id = %id, error = %e, "progress not saved");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    let progress = move |stage: &'static str, done: u64, total: u64| {
        sender.send_replace((stage.to_owned(), done, total));
    };
    let outcome = match job.kind.as_str() {
        crate::mail::JOB_KIND => mail_job(state).await,
        crate::report::JOB_KIND => crate::report::run_job(&db, &job, &progress).await,
        _ => import_job(&db, &job, &progress).await,
    };
    drop(progress);
    if let Err(e) = writer.await {
        tracing::warn!(job.id = %id, error = %e, "progress writer stopped");
    }
    let saved = match outcome {
        Ok((result, output)) => jobs::finish(&db, &job, &result, output).await,
        Err(message) => jobs::fail(&db, &job, &message).await,
    };
    match saved {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(job.id = %id, "the job was taken over by another worker; its end is not recorded");
        }
        Err(e) => tracing::error!(job.id = %id, error = %e, "could not record the job's end"),
    }
    tracing::info!(job.id = %id, "job ended");
}
