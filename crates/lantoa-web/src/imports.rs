//! Importing units, people and personal plans from spreadsheets: the upload page, the background job that
//! runs the import with progress, its summary with the rejected rows, and the templates.
//! [`run_import`] is the one import path, used by the web job and the command line.

use crate::auth::Viewer;
use crate::jobs::own_job;
use crate::views::{self, Crumb, FormErrors, Me, render, render_invalid};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use lantoa_domain::JobId;
use lantoa_domain::accounts::Role;
use lantoa_domain::import::{ImportOptions, ImportReport};
use lantoa_domain::validation::FieldErrors;
use lantoa_office::columns::{ORG_COLUMNS, PEOPLE_COLUMNS, PLAN_COLUMNS, header_and_rows};
use lantoa_office::{FileError, Table};
use lantoa_store::audit::Actor;
use lantoa_store::imports::{self, Progress};
use lantoa_store::jobs::{self, Job, NewJob};
use lantoa_store::org::Scope;
use lantoa_store::{DatabaseConnection, StoreError};
use serde::{Deserialize, Serialize};

/// Largest accepted upload (a 100 000-row people file is about 15 MB as .xlsx).
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/nhap-du-lieu", get(upload_form).post(upload))
        .route("/nhap-du-lieu/mau/{kind}", get(template_file))
        .route("/viec/{id}", get(job_page))
        .route("/viec/{id}/tep", get(job_output))
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// People.
    People,
    /// Units.
    Orgs,
    /// Personal plans, one row per commitment.
    Plans,
    /// Propaganda activities, one row each.
    Propaganda,
}

impl ImportKind {
    /// "people"/"nhan-su" or "orgs"/"don-vi".
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "people" | "nhan-su" => Some(ImportKind::People),
            "orgs" | "don-vi" => Some(ImportKind::Orgs),
            "plans" | "ke-hoach" => Some(ImportKind::Plans),
            "propaganda" | "tuyen-truyen" => Some(ImportKind::Propaganda),
            _ => None,
        }
    }

    /// The form's value: "people", "orgs" or "plans".
    pub fn code(self) -> &'static str {
        match self {
            ImportKind::People => "people",
            ImportKind::Orgs => "orgs",
            ImportKind::Plans => "plans",
            ImportKind::Propaganda => "propaganda",
        }
    }

    /// Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            ImportKind::People => "nhân sự",
            ImportKind::Orgs => "đơn vị",
            ImportKind::Plans => "kế hoạch cá nhân",
            ImportKind::Propaganda => "hoạt động tuyên truyền",
        }
    }

    fn job_kind(self) -> &'static str {
        match self {
            ImportKind::People => "import_people",
            ImportKind::Orgs => "import_orgs",
            ImportKind::Plans => "import_plans",
            ImportKind::Propaganda => "import_propaganda",
        }
    }

    /// The template file with the official headers.
    pub fn template(self) -> Result<Vec<u8>, AppError> {
        Ok(match self {
            ImportKind::People => lantoa_office::export::people_template()?,
            ImportKind::Orgs => lantoa_office::export::orgs_template()?,
            ImportKind::Plans => lantoa_office::export::plans_template()?,
            ImportKind::Propaganda => lantoa_office::export::propaganda_template()?,
        })
    }
}

/// Why an import could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is unusable (unreadable, missing columns).
    #[error("{0}")]
    File(#[from] FileError),
    /// The database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// An import's report and, when rows were rejected, the file of those rows with reasons.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    /// What was done.
    pub report: ImportReport,
    /// The rejected rows as .xlsx, with a "Lỗi" column.
    pub rejected_file: Option<Vec<u8>>,
}

/// A file to import and how.
#[derive(Debug, Clone, Copy)]
pub struct ImportFile<'a> {
    /// What the file holds.
    pub kind: ImportKind,
    /// Its name (the extension tells the format).
    pub name: &'a str,
    /// Its bytes.
    pub bytes: &'a [u8],
    /// Dry run, skip invalid rows.
    pub options: ImportOptions,
}

/// Reads a file and imports its rows; rows about units outside `scope` are rejected.
pub async fn run_import(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    file: ImportFile<'_>,
    today: NaiveDate,
    progress: Progress<'_>,
) -> Result<ImportOutcome, ImportError> {
    let ImportFile {
        kind,
        name: file_name,
        bytes,
        options,
    } = file;
    progress("Đọc tệp", 0, 0);
    let table = Table::read(file_name, bytes)?;
    let (report, columns) = match kind {
        ImportKind::People => {
            let rows = lantoa_office::people_rows(&table)?;
            (
                imports::import_people(db, actor, scope, rows, options, today, progress).await?,
                PEOPLE_COLUMNS,
            )
        }
        ImportKind::Orgs => {
            let rows = lantoa_office::org_rows(&table)?;
            (
                imports::import_orgs(db, actor, scope, rows, options, progress).await?,
                ORG_COLUMNS,
            )
        }
        ImportKind::Plans => {
            let rows = lantoa_office::columns::plan_rows(&table)?;
            (
                imports::import_plans(db, actor, scope, rows, options, progress).await?,
                PLAN_COLUMNS,
            )
        }
        ImportKind::Propaganda => {
            let rows = lantoa_office::columns::propaganda_rows(&table)?;
            (
                imports::import_propaganda(db, actor, scope, rows, options, today, progress)
                    .await?,
                lantoa_office::columns::PROPAGANDA_COLUMNS,
            )
        }
    };
    let rejected_file = if report.rejected.is_empty() {
        None
    } else {
        let (header, rows) = header_and_rows(&table, columns)?;
        let reasons: std::collections::HashMap<usize, &str> = report
            .rejected
            .iter()
            .map(|r| (r.row, r.reasons.as_str()))
            .collect();
        let rejected: Vec<(usize, Vec<String>, String)> = rows
            .into_iter()
            .filter_map(|(n, cells)| reasons.get(&n).map(|r| (n, cells, r.to_string())))
            .collect();
        Some(
            lantoa_office::export::rejected_xlsx(&header, &rejected)
                .map_err(|e| StoreError::Config(e.to_string()))?,
        )
    };
    Ok(ImportOutcome {
        report,
        rejected_file,
    })
}

/// Parameters of an import job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportParams {
    /// What the file holds.
    pub kind: ImportKind,
    /// Options.
    pub options: ImportOptions,
    /// Address of the client that uploaded the file, for the audit log.
    #[serde(default)]
    pub client_addr: Option<String>,
}

#[derive(Template)]
#[template(path = "imports/upload.html")]
struct UploadPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    errors: FormErrors,
    kind: String,
    recent: Vec<Job>,
}

async fn upload_page(
    state: &AppState,
    viewer: &Viewer,
    kind: String,
    errors: FieldErrors,
) -> Result<UploadPage, AppError> {
    Ok(UploadPage {
        title: "Nhập dữ liệu từ Excel".into(),
        crumbs: vec![Crumb::here("Nhập dữ liệu")],
        me: viewer.me(),
        errors: FormErrors(errors),
        kind,
        recent: jobs::recent(state.store.db(), Some(viewer.principal.account_id), 10).await?,
    })
}

#[derive(Debug, Default, Deserialize)]
struct KindQuery {
    #[serde(default)]
    kind: String,
}

async fn upload_form(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<KindQuery>,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::Staff)?;
    let kind = ImportKind::parse(&q.kind).map_or("people", ImportKind::code);
    Ok(
        render(&upload_page(&state, &viewer, kind.into(), FieldErrors::default()).await?)?
            .into_response(),
    )
}

async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::Staff)?;
    let Upload {
        kind,
        options,
        file,
    } = read_upload(&mut multipart).await?;
    let mut errors = FieldErrors::default();
    let parsed = ImportKind::parse(&kind);
    if parsed.is_none() {
        errors.add(
            "kind",
            "Chọn loại dữ liệu: nhân sự, đơn vị hoặc kế hoạch cá nhân",
        );
    }
    check_file(&file, &mut errors);
    let (Some(kind), Some((name, bytes)), true) = (parsed, file, errors.is_empty()) else {
        return render_invalid(&upload_page(&state, &viewer, kind, errors).await?);
    };
    let params = serde_json::to_string(&ImportParams {
        kind,
        options,
        client_addr: viewer.actor.client_addr.clone(),
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let id = jobs::enqueue(
        state.store.db(),
        NewJob {
            kind: kind.job_kind().into(),
            params,
            input_name: Some(name),
            input: Some(bytes),
            org_id: None,
            account_id: Some(viewer.principal.account_id),
        },
    )
    .await?;
    state.jobs_queued.notify_one();
    Ok(Redirect::to(&format!("{STAFF}/viec/{id}")).into_response())
}

/// An upload form as posted: the kind of data, the options and the file.
pub struct Upload {
    /// The `kind` field.
    pub kind: String,
    /// `skip_invalid` and `dry_run` checkboxes.
    pub options: ImportOptions,
    /// File name and bytes, when a file was chosen.
    pub file: Option<(String, Vec<u8>)>,
}

/// Checks the uploaded file: chosen, not empty, a spreadsheet or CSV.
pub fn check_file(file: &Option<(String, Vec<u8>)>, errors: &mut FieldErrors) {
    match file {
        None => errors.add("file", "Chưa chọn tệp"),
        Some((_, bytes)) if bytes.is_empty() => errors.add("file", "Tệp rỗng"),
        Some((name, _)) => {
            let lower = name.to_lowercase();
            if ![".xlsx", ".xls", ".ods", ".csv"]
                .iter()
                .any(|ext| lower.ends_with(ext))
            {
                errors.add("file", "Chỉ nhận tệp .xlsx, .xls, .ods hoặc .csv");
            }
        }
    }
}

/// Reads an upload form.
pub async fn read_upload(multipart: &mut Multipart) -> Result<Upload, AppError> {
    let form = crate::views::MultipartForm::read(multipart, "file").await?;
    Ok(Upload {
        kind: form.text("kind"),
        options: ImportOptions {
            skip_invalid: form.has("skip_invalid"),
            dry_run: form.has("dry_run"),
        },
        file: form.file,
    })
}

async fn template_file(viewer: Viewer, Path(kind): Path<String>) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::Staff)?;
    let kind = ImportKind::parse(kind.trim_end_matches(".xlsx")).ok_or(AppError::NotFound)?;
    let file_name = match kind {
        ImportKind::People => "mau-nhap-nhan-su.xlsx",
        ImportKind::Orgs => "mau-nhap-don-vi.xlsx",
        ImportKind::Plans => "mau-nhap-ke-hoach-ca-nhan.xlsx",
        ImportKind::Propaganda => "mau-nhap-tuyen-truyen.xlsx",
    };
    Ok(views::download(
        file_name,
        crate::people::ExportFormat::Xlsx.mime(),
        kind.template()?,
    ))
}

#[derive(Template)]
#[template(path = "imports/job.html")]
struct JobPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    job: Job,
    report: Option<ImportReport>,
    options: Option<ImportOptions>,
}

impl JobPage {
    fn n(&self, value: impl std::borrow::Borrow<usize>) -> String {
        views::number(*value.borrow() as i64)
    }
}

/// A job, for the account that queued it or a system administrator only.
async fn job_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let job = own_job(&state, &viewer, id).await?;
    let report = job
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str::<ImportReport>(r).ok());
    let options = serde_json::from_str::<ImportParams>(&job.params)
        .ok()
        .map(|p| p.options);
    let page = JobPage {
        title: format!(
            "Nhập dữ liệu: {}",
            job.input_name.clone().unwrap_or_default()
        ),
        crumbs: vec![
            Crumb::link("Nhập dữ liệu", format!("{STAFF}/nhap-du-lieu")),
            Crumb::here(format!("Việc số {id}")),
        ],
        me: viewer.me(),
        job,
        report,
        options,
    };
    Ok(render(&page)?.into_response())
}

async fn job_output(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    own_job(&state, &viewer, id).await?;
    let bytes = jobs::output(state.store.db(), JobId(id)).await?;
    Ok(views::download(
        &format!("dong-bi-loi-{id}.xlsx"),
        crate::people::ExportFormat::Xlsx.mime(),
        bytes,
    ))
}
