//! Key tasks (nhiệm vụ trọng tâm): a committee's numbered tasks of a year with their
//! progress, the overdue ones flagged, and the tasks committees above assigned to the unit;
//! setting and changing a task (the committee's staff); progress reports with their
//! evidence (the staff of the lead and coordinating units); the year's list in the Party's
//! layout (.docx).

use crate::auth::Viewer;
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{self, Crumb, Dates, FormErrors, Me, render, render_invalid};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lantoa_domain::accounts::Role;
use lantoa_domain::files::{FileKind, MAX_ATTACHMENT_BYTES};
use lantoa_domain::tasks::{KeyTaskInput, ProgressInput, TaskStatus};
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{ClosedList, OrgId};
use lantoa_office::party_doc::{Block, PartyDocument, Signature};
use lantoa_store::StoreError;
use lantoa_store::campaign::CampaignYear;
use lantoa_store::files::StoredFile;
use lantoa_store::org::{self, Org};
use lantoa_store::tasks::{self, KEY_TASK_FILES, KeyTask, ProgressReport};

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/nhiem-vu", get(list_page))
        .route("/nhiem-vu/moi", get(new_form).post(create))
        .route("/nhiem-vu/danh-sach.docx", get(list_docx))
        .route("/nhiem-vu/{id}", get(task_page))
        .route("/nhiem-vu/{id}/sua", get(edit_form).post(update))
        .route("/nhiem-vu/{id}/tien-do", post(report))
        .route("/nhiem-vu/{id}/tep/{file}", get(task_file))
        .route("/nhiem-vu/{id}/tep/{file}/go", post(remove_file))
}

/// A task in a list, with its coordinating units and whether it is overdue.
struct Row {
    task: KeyTask,
    coordinating: String,
    progress: String,
    overdue: bool,
}

/// The tasks with their coordinating units: two queries whatever their number.
async fn rows(state: &AppState, list: Vec<KeyTask>) -> Result<Vec<Row>, AppError> {
    let ids: Vec<i64> = list.iter().map(|t| t.id).collect();
    let mut coordinating = tasks::coordinating_of(state.store.db(), &ids).await?;
    let today = crate::today();
    Ok(list
        .into_iter()
        .map(|task| Row {
            coordinating: coordinating
                .remove(&task.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, name)| name)
                .collect::<Vec<_>>()
                .join(", "),
            progress: task.progress(today),
            overdue: task.overdue(today),
            task,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "tasks/list.html")]
struct ListPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    years: Vec<i32>,
    own: Vec<Row>,
    assigned: Vec<Row>,
    overdue: usize,
    done: usize,
    can_add: bool,
}

impl Dates for ListPage {}

async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, years) = unit_and_year(&state, &viewer, &q, Role::Leader).await?;
    let db = state.store.db();
    let own = rows(&state, tasks::tasks(db, unit.id, &year).await?).await?;
    let assigned = rows(&state, tasks::assigned_to(db, unit.id, &year).await?).await?;
    let lineage = org::lineage(db, &unit).await?;
    let page = ListPage {
        title: format!("Nhiệm vụ trọng tâm năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Nhiệm vụ trọng tâm")),
        me: viewer.me(),
        year: year.year,
        years: years.iter().map(|y| y.year).collect(),
        overdue: own.iter().chain(&assigned).filter(|r| r.overdue).count(),
        done: own
            .iter()
            .filter(|r| r.task.status == TaskStatus::Done)
            .count(),
        own,
        assigned,
        can_add: viewer.can_at(&unit).edit,
        unit,
    };
    Ok(render(&page)?.into_response())
}

/// The task form as posted: repeated "coordinating" boxes, so read as pairs.
#[derive(Debug, Default)]
struct TaskForm {
    input: KeyTaskInput,
    lead: Option<i64>,
    coordinating: Vec<i64>,
}

impl TaskForm {
    fn read(fields: &[(String, String)]) -> Self {
        TaskForm {
            input: KeyTaskInput {
                number: views::field_text(fields, "number"),
                content: views::field_text(fields, "content"),
                documents: views::field_text(fields, "documents"),
                deadline: views::field_text(fields, "deadline"),
                target: views::field_text(fields, "target"),
            },
            lead: views::field_ids(fields, "lead").first().copied(),
            coordinating: views::field_ids(fields, "coordinating"),
        }
    }

    fn of(task: &KeyTask, coordinating: &[(OrgId, String)]) -> Self {
        TaskForm {
            input: KeyTaskInput {
                number: task.number.to_string(),
                content: task.content.clone(),
                documents: task.documents.clone().unwrap_or_default(),
                deadline: lantoa_domain::dates::display(task.deadline),
                target: task.target.clone(),
            },
            lead: Some(task.lead_org_id.0),
            coordinating: coordinating.iter().map(|(id, _)| id.0).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "tasks/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    action: String,
    form: TaskForm,
    /// The units a task may be given to: the committee, the units directly under it, and
    /// any deeper unit the task already names.
    units: Vec<Org>,
    errors: FormErrors,
}

impl FormPage {
    fn is_lead(&self, id: &OrgId) -> bool {
        self.form.lead == Some(id.0)
    }

    fn is_coordinating(&self, id: &OrgId) -> bool {
        self.form.coordinating.contains(&id.0)
    }
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    committee: &Org,
    year: i32,
    form: TaskForm,
    action: String,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let db = state.store.db();
    let mut units = vec![committee.clone()];
    units.extend(org::child_units(db, committee.id).await?);
    let named: Vec<OrgId> = form
        .lead
        .iter()
        .chain(&form.coordinating)
        .map(|id| OrgId(*id))
        .filter(|id| !units.iter().any(|u| u.id == *id))
        .collect();
    if !named.is_empty() {
        units.extend(
            org::get_many(db, &named)
                .await?
                .into_iter()
                .filter(|o| committee.subtree().contains(&o.path)),
        );
    }
    let lineage = org::lineage(db, committee).await?;
    Ok(FormPage {
        title: format!("Nhiệm vụ trọng tâm năm {year} — {}", committee.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Nhiệm vụ trọng tâm")),
        me: viewer.me(),
        action,
        form,
        units,
        errors: FormErrors(errors),
    })
}

/// The lead and coordinating units chosen, read from the database and checked to lie under
/// the committee.
async fn chosen_units(
    state: &AppState,
    committee: &Org,
    form: &TaskForm,
) -> Result<Result<(Org, Vec<Org>), StoreError>, AppError> {
    let db = state.store.db();
    let lead = match form.lead {
        Some(id) => org::get(db, OrgId(id)).await.ok(),
        None => None,
    };
    let Some(lead) = lead else {
        return Ok(Err(StoreError::invalid("lead", "Chọn đơn vị chủ trì")));
    };
    let ids: Vec<OrgId> = form.coordinating.iter().map(|id| OrgId(*id)).collect();
    let coordinating = org::get_many(db, &ids).await?;
    Ok(tasks::check_units(committee, &lead, &coordinating).map(|()| (lead, coordinating)))
}

/// Checks the typed task and its units: every error at once.
async fn checked(
    state: &AppState,
    committee: &Org,
    form: &TaskForm,
    year: i32,
) -> Result<Result<(lantoa_domain::tasks::KeyTaskDraft, Org, Vec<Org>), StoreError>, AppError> {
    let units = chosen_units(state, committee, form).await?;
    Ok(match (form.input.validate(year), units) {
        (Ok(draft), Ok((lead, coordinating))) => Ok((draft, lead, coordinating)),
        (draft, units) => {
            let mut errors = draft.err().unwrap_or_default();
            if let Err(StoreError::Invalid(more)) = units {
                errors.append(more);
            }
            Err(StoreError::Invalid(errors))
        }
    })
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (committee, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let next = tasks::tasks(state.store.db(), committee.id, &year)
        .await?
        .iter()
        .map(|t| t.number)
        .max()
        .unwrap_or(0)
        + 1;
    let form = TaskForm {
        input: KeyTaskInput {
            number: next.to_string(),
            ..Default::default()
        },
        ..Default::default()
    };
    let action = new_action(&committee, &year);
    let page = form_page(
        &state,
        &viewer,
        &committee,
        year.year,
        form,
        action,
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

fn new_action(committee: &Org, year: &CampaignYear) -> String {
    format!(
        "{STAFF}/nhiem-vu/moi?org={}&year={}",
        committee.id, year.year
    )
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (committee, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let form = TaskForm::read(&fields);
    let saved = match checked(&state, &committee, &form, year.year).await? {
        Ok((draft, lead, coordinating)) => {
            tasks::create(
                state.store.db(),
                &viewer.actor,
                &committee,
                &year,
                &draft,
                &lead,
                &coordinating,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/nhiem-vu/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let action = new_action(&committee, &year);
            render_invalid(
                &form_page(&state, &viewer, &committee, year.year, form, action, errors).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// What the viewer may do with a task.
struct Access {
    /// Change it (staff of the committee that set it).
    edit: bool,
    /// The assigned units the viewer may report for (their staff).
    reporters: Vec<Org>,
}

/// A task the viewer may read (leaders and staff of the committee, of the lead or of a
/// coordinating unit), its committee, coordinating units and what the viewer may do; 404
/// for anyone else.
async fn task_in_reach(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(KeyTask, Org, Vec<(OrgId, String)>, Access), AppError> {
    let db = state.store.db();
    let task = tasks::task(db, id).await?;
    let committee = org::get(db, task.org_id).await?;
    let coordinating = tasks::coordinating(db, id).await?;
    let mut assigned_ids = vec![task.lead_org_id];
    assigned_ids.extend(coordinating.iter().map(|(id, _)| *id));
    let assigned = org::get_many(db, &assigned_ids).await?;
    let reads = std::iter::once(&committee)
        .chain(&assigned)
        .any(|o| viewer.role_at(o) >= Some(Role::Leader));
    if !reads {
        return Err(AppError::NotFound);
    }
    let access = Access {
        edit: viewer.can_at(&committee).edit,
        reporters: assigned
            .into_iter()
            .filter(|o| viewer.can_at(o).edit)
            .collect(),
    };
    Ok((task, committee, coordinating, access))
}

/// The progress form as typed.
#[derive(Debug, Default)]
struct ProgressForm {
    unit: Option<i64>,
    input: ProgressInput,
}

#[derive(Template)]
#[template(path = "tasks/task.html")]
struct TaskPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    task: KeyTask,
    committee: Org,
    /// Whether the viewer reads the committee's list (not only this task).
    reads_committee: bool,
    coordinating: Vec<(OrgId, String)>,
    progress: String,
    overdue: bool,
    reports: Vec<ProgressReport>,
    files: Vec<StoredFile>,
    edit: bool,
    reporters: Vec<Org>,
    form: ProgressForm,
    statuses: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

impl Dates for TaskPage {}

impl TaskPage {
    fn is_chosen(&self, unit: &Org) -> bool {
        self.form.unit == Some(unit.id.0)
    }
}

async fn task_view(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    form: ProgressForm,
    errors: FieldErrors,
) -> Result<TaskPage, AppError> {
    let (task, committee, coordinating, access) = task_in_reach(state, viewer, id).await?;
    let db = state.store.db();
    let lineage = org::lineage(db, &committee).await?;
    let today = crate::today();
    Ok(TaskPage {
        title: format!(
            "Nhiệm vụ {} năm {} — {}",
            task.number, task.year, committee.name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Nhiệm vụ trọng tâm")),
        me: viewer.me(),
        progress: task.progress(today),
        overdue: task.overdue(today),
        reports: tasks::reports(db, id).await?,
        files: KEY_TASK_FILES.list(db, id).await?,
        edit: access.edit,
        reporters: access.reporters,
        statuses: TaskStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        form,
        errors: FormErrors(errors),
        reads_committee: viewer.role_at(&committee) >= Some(Role::Leader),
        committee,
        coordinating,
        task,
    })
}

async fn task_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let page = task_view(
        &state,
        &viewer,
        id,
        ProgressForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// The task's committee and year, for the staff who change it; 403 for others who read it.
async fn editable(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(KeyTask, Org, Vec<(OrgId, String)>), AppError> {
    let (task, committee, coordinating, access) = task_in_reach(state, viewer, id).await?;
    if !access.edit {
        return Err(AppError::Forbidden);
    }
    Ok((task, committee, coordinating))
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (task, committee, coordinating) = editable(&state, &viewer, id).await?;
    let page = form_page(
        &state,
        &viewer,
        &committee,
        task.year,
        TaskForm::of(&task, &coordinating),
        format!("{STAFF}/nhiem-vu/{id}/sua"),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (task, committee, _) = editable(&state, &viewer, id).await?;
    let form = TaskForm::read(&fields);
    let saved = match checked(&state, &committee, &form, task.year).await? {
        Ok((draft, lead, coordinating)) => {
            tasks::update(
                state.store.db(),
                &viewer.actor,
                &task,
                &committee,
                &draft,
                &lead,
                &coordinating,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/nhiem-vu/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &form_page(
                &state,
                &viewer,
                &committee,
                task.year,
                form,
                format!("{STAFF}/nhiem-vu/{id}/sua"),
                errors,
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// Records a progress report for one of the viewer's assigned units, with an optional
/// evidence file, in one transaction.
async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (_, _, _, access) = task_in_reach(&state, &viewer, id).await?;
    if access.reporters.is_empty() {
        return Err(AppError::Forbidden);
    }
    let posted = views::MultipartForm::read(&mut multipart, "file").await?;
    let form = ProgressForm {
        unit: views::field_ids(&posted.fields, "unit").first().copied(),
        input: ProgressInput {
            status: posted.text("status"),
            percent: posted.text("percent"),
            narrative: posted.text("narrative"),
        },
    };
    let mut errors = FieldErrors::default();
    // One assigned unit needs no choice; several do.
    let unit = match (access.reporters.as_slice(), form.unit) {
        ([only], _) => Some(only.id),
        (units, Some(chosen)) => units.iter().find(|u| u.id.0 == chosen).map(|u| u.id),
        _ => None,
    };
    if unit.is_none() {
        errors.add("unit", "Chọn đơn vị báo cáo");
    }
    let draft = form.input.validate().map_err(|e| errors.append(e)).ok();
    let evidence = match posted.file {
        Some(_) => match posted
            .attachment(&FileKind::ALL, MAX_ATTACHMENT_BYTES)
            .await
        {
            Ok(file) => Some(file),
            Err(StoreError::Invalid(e)) => {
                errors.append(e);
                None
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let saved = match (unit, draft) {
        (Some(unit), Some(draft)) if errors.is_empty() => {
            tasks::report(
                state.store.db(),
                &viewer.actor,
                id,
                unit,
                &draft,
                evidence.as_ref().map(|f| (state.store.files(), f)),
            )
            .await
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/nhiem-vu/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&task_view(&state, &viewer, id, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// One evidence file, to those who read the task.
async fn task_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    task_in_reach(&state, &viewer, id).await?;
    let file = KEY_TASK_FILES.one(state.store.db(), id, file).await?;
    views::stored_file(&state, &file).await
}

/// Takes an evidence file off a task (staff of the committee).
async fn remove_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (task, _, _) = editable(&state, &viewer, id).await?;
    let db = state.store.db();
    let file = KEY_TASK_FILES.one(db, id, file).await?;
    let owner = lantoa_store::files::Owner {
        id,
        org_id: task.org_id,
    };
    KEY_TASK_FILES
        .remove(db, &viewer.actor, owner, &file)
        .await?;
    Ok(Redirect::to(&format!("{STAFF}/nhiem-vu/{id}")).into_response())
}

/// The committee's tasks of the year in the Party's layout, with where each stands today.
async fn list_docx(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (committee, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Leader).await?;
    let db = state.store.db();
    let rows = rows(&state, tasks::tasks(db, committee.id, &year).await?).await?;
    let today = crate::today();
    let views::Letterhead { superior, place } =
        views::letterhead(&org::lineage(db, &committee).await?);
    let table = Block::Table {
        header: [
            "TT",
            "Nội dung nhiệm vụ",
            "Chủ trì",
            "Phối hợp",
            "Thời hạn",
            "Chỉ tiêu",
            "Tiến độ",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                let mut content = r.task.content.clone();
                if let Some(d) = &r.task.documents {
                    content.push_str(&format!(" (theo {d})"));
                }
                vec![
                    r.task.number.to_string(),
                    content,
                    r.task.lead_name.clone(),
                    r.coordinating.clone(),
                    lantoa_domain::dates::display(r.task.deadline),
                    r.task.target.clone(),
                    r.progress.clone(),
                ]
            })
            .collect(),
        widths: vec![50, 290, 130, 140, 100, 160, 130],
    };
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let done = rows
        .iter()
        .filter(|r| r.task.status == TaskStatus::Done)
        .count();
    let doc = PartyDocument {
        superior,
        issuer: committee.name.clone(),
        number: None,
        place,
        date: today,
        title: "Danh mục".into(),
        summary: vec![format!(
            "nhiệm vụ trọng tâm năm {} thực hiện Chỉ thị số 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            year.year
        )],
        body: vec![
            Block::Text(format!(
                "Năm {}, {} đề ra {} nhiệm vụ trọng tâm; đến ngày {}, {} nhiệm vụ đã hoàn thành, {} nhiệm vụ quá hạn chưa hoàn thành.",
                year.year,
                committee.name,
                rows.len(),
                lantoa_domain::dates::display(today),
                done,
                overdue,
            )),
            table,
        ],
        signature: Signature {
            heading: format!("T/M {}", committee.name.to_uppercase()),
            position: String::new(),
            name: String::new(),
        },
        approval: None,
        copies: vec![
            "Các đơn vị chủ trì, phối hợp,".into(),
            "Lưu văn phòng.".into(),
        ],
        layout: lantoa_store::settings::load(state.store.db()).await?.layout,
    };
    let bytes = lantoa_office::party_doc::party_docx(&doc)?;
    Ok(views::docx(
        &format!("nhiem-vu-trong-tam-{}.docx", year.year),
        bytes,
    ))
}
