//! The campaign's frame: years and their topics (opened by system administrators), and the
//! guiding documents (văn bản chỉ đạo) that any unit's staff enter for their subtree and
//! every member reads for their year.

use crate::auth::Viewer;
use crate::views::{
    self, Crumb, FormErrors, Me, MultipartForm, PageLink, page_links, render, render_invalid,
};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use lantoa_domain::ClosedList;
use lantoa_domain::accounts::Role;
use lantoa_domain::campaign::{DocumentInput, DocumentKind};
use lantoa_domain::files::FileKind;
use lantoa_domain::validation::FieldErrors;
use lantoa_store::StoreError;
use lantoa_store::campaign::{self, CampaignYear, Document, DocumentFilter, FileChange, Reach};
use lantoa_store::files::NewFile;
use lantoa_store::org::{self, Org, Scope};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/nam-hoc-tap", get(years_page).post(create_year))
        .route("/nam-hoc-tap/{id}/chuyen-de", post(add_topic))
        .route("/van-ban", get(documents_page))
        .route("/van-ban/moi", get(new_document).post(create_document))
        .route("/van-ban/{id}", get(document_page))
        .route(
            "/van-ban/{id}/sua",
            get(edit_document).post(update_document),
        )
        .route(
            "/van-ban/{id}/xoa",
            get(confirm_delete).post(delete_document),
        )
        .route("/van-ban/{id}/tep", get(document_file))
}

/// The year pages show when none is asked for: the latest that has begun, else the
/// earliest.
pub fn current_year(years: &[CampaignYear], today: NaiveDate) -> Option<&CampaignYear> {
    years
        .iter()
        .find(|c| NaiveDate::from_ymd_opt(c.year, 1, 1).is_some_and(|d| d <= today))
        .or(years.last())
}

/// Whose documents the viewer reads: those of their own units and every unit above, and
/// those entered anywhere they lead.
pub fn reach(viewer: &Viewer) -> Reach {
    Reach {
        units: viewer.principal.unit_paths(),
        below: viewer.scope(Role::Leader),
    }
}

#[derive(Template)]
#[template(path = "campaign/years.html")]
struct YearsPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    years: Vec<CampaignYear>,
    /// Documents guiding each topic: (topic id, document).
    guiding: Vec<(i64, Document)>,
    can_edit: bool,
    form_year: String,
    form_term: String,
    errors: FormErrors,
}

impl YearsPage {
    fn guiding_of(&self, topic: &i64) -> Vec<&Document> {
        self.guiding
            .iter()
            .filter(|(t, _)| t == topic)
            .map(|(_, d)| d)
            .collect()
    }
}

async fn years_view(
    state: &AppState,
    viewer: &Viewer,
    errors: FieldErrors,
    form_year: String,
    form_term: String,
) -> Result<YearsPage, AppError> {
    let db = state.store.db();
    Ok(YearsPage {
        title: "Năm học tập và chuyên đề".into(),
        crumbs: vec![Crumb::here("Năm học tập")],
        me: viewer.me(),
        years: campaign::years(db).await?,
        guiding: campaign::documents_by_topic(db, &reach(viewer)).await?,
        can_edit: viewer.principal.is_system_admin(),
        form_year,
        form_term,
        errors: FormErrors(errors),
    })
}

async fn years_page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::Leader)?;
    let page = years_view(
        &state,
        &viewer,
        FieldErrors::default(),
        String::new(),
        String::new(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct YearForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    term_topic: String,
}

async fn create_year(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<YearForm>,
) -> Result<Response, AppError> {
    viewer.require_system_admin()?;
    let result = match form.year.trim().parse::<i32>() {
        Ok(year) => {
            campaign::create_year(state.store.db(), &viewer.actor, year, &form.term_topic).await
        }
        Err(_) => Err(StoreError::invalid(
            "year",
            "Năm ghi bằng 4 chữ số, ví dụ 2026",
        )),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{STAFF}/nam-hoc-tap")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&years_view(&state, &viewer, errors, form.year, form.term_topic).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct TopicForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    core_contents: String,
}

async fn add_topic(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<TopicForm>,
) -> Result<Response, AppError> {
    viewer.require_system_admin()?;
    let db = state.store.db();
    if !campaign::years(db).await?.iter().any(|y| y.id == id) {
        return Err(AppError::NotFound);
    }
    match campaign::add_topic(db, &viewer.actor, id, &form.title, &form.core_contents).await {
        Ok(_) => Ok(Redirect::to(&format!("{STAFF}/nam-hoc-tap")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &years_view(&state, &viewer, errors, String::new(), String::new()).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

const PER_PAGE: u64 = 30;

/// Filters of the document list.
#[derive(Debug, Default, Deserialize)]
struct DocumentQuery {
    /// A year; absent for the current one, empty for every year.
    year: Option<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    q: String,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "campaign/documents.html")]
struct DocumentsPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    years: Vec<i32>,
    /// The chosen year, or 0 for all.
    year: i32,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    q: String,
    total: String,
    rows: Vec<Document>,
    links: Vec<PageLink>,
    can_add: bool,
}

impl DocumentsPage {
    fn date(&self, d: &Document) -> String {
        lantoa_domain::dates::display(d.issued_on)
    }
}

async fn documents_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DocumentQuery>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let years = campaign::years(db).await?;
    let year = match q.year.as_deref().map(str::trim) {
        None => current_year(&years, crate::today()),
        Some("") => None,
        Some(text) => Some(
            years
                .iter()
                .find(|y| y.year.to_string() == text)
                .ok_or(AppError::NotFound)?,
        ),
    };
    let kind = DocumentKind::from_code(&q.kind);
    let filter = DocumentFilter {
        reach: reach(&viewer),
        year_id: year.map(|y| y.id),
        kind,
        query: q.q.clone(),
    };
    let page = campaign::documents(db, &filter, q.page.unwrap_or(1), PER_PAGE).await?;
    let year_number = year.map(|y| y.year).unwrap_or(0);
    let (kind_code, words) = (q.kind.clone(), views::query_value(&q.q));
    let year_param = if year_number == 0 {
        String::new()
    } else {
        year_number.to_string()
    };
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/van-ban?year={year_param}&kind={kind_code}&q={words}&page={p}")
    });
    let view = DocumentsPage {
        title: match year {
            Some(y) => format!("Văn bản chỉ đạo năm {}", y.year),
            None => "Văn bản chỉ đạo".into(),
        },
        crumbs: vec![Crumb::here("Văn bản")],
        me: viewer.me(),
        years: years.iter().map(|y| y.year).collect(),
        year: year_number,
        kinds: DocumentKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        kind: q.kind,
        q: q.q,
        total: views::number(page.total),
        rows: page.items,
        links,
        can_add: viewer.principal.highest_role() >= Some(Role::Staff),
    };
    Ok(render(&view)?.into_response())
}

/// A document the viewer reads, else 404.
async fn readable(state: &AppState, viewer: &Viewer, id: i64) -> Result<Document, AppError> {
    let document = campaign::document(state.store.db(), id).await?;
    if reach(viewer).contains(&document.org_path) {
        Ok(document)
    } else {
        Err(AppError::NotFound)
    }
}

/// A document the viewer may change (staff over the unit that entered it), with the unit.
async fn editable(state: &AppState, viewer: &Viewer, id: i64) -> Result<(Document, Org), AppError> {
    let document = readable(state, viewer, id).await?;
    let unit = org::get(state.store.db(), document.org_id).await?;
    if viewer.role_at(&unit) >= Some(Role::Staff) {
        Ok((document, unit))
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Template)]
#[template(path = "campaign/document.html")]
struct DocumentPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    document: Document,
    issued_on: String,
    can_edit: bool,
}

async fn document_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let document = readable(&state, &viewer, id).await?;
    let unit = org::get(state.store.db(), document.org_id).await?;
    let view = DocumentPage {
        title: format!("{} {}", document.kind.label(), document.symbol),
        crumbs: vec![
            Crumb::link("Văn bản", format!("{STAFF}/van-ban")),
            Crumb::here(document.symbol.clone()),
        ],
        me: viewer.me(),
        issued_on: lantoa_domain::dates::display(document.issued_on),
        can_edit: viewer.role_at(&unit) >= Some(Role::Staff),
        document,
    };
    Ok(render(&view)?.into_response())
}

async fn document_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let document = readable(&state, &viewer, id).await?;
    let file = document.file.ok_or(AppError::NotFound)?;
    views::stored_file(&state, &file).await
}

/// The document form as typed.
#[derive(Debug, Clone, Default)]
struct DocumentForm {
    org: String,
    input: DocumentInput,
    remove_file: bool,
}

impl DocumentForm {
    fn read(form: &MultipartForm) -> Self {
        DocumentForm {
            org: form.text("org"),
            input: DocumentInput {
                symbol: form.text("symbol"),
                kind: form.text("kind"),
                issuer: form.text("issuer"),
                issued_on: form.text("issued_on"),
                title: form.text("title"),
                summary: form.text("summary"),
                years: form
                    .all("years")
                    .iter()
                    .filter_map(|y| y.parse().ok())
                    .collect(),
                topics: form
                    .all("topics")
                    .iter()
                    .filter_map(|t| t.parse().ok())
                    .collect(),
            },
            remove_file: form.has("remove_file"),
        }
    }

    fn from_document(d: &Document) -> Self {
        DocumentForm {
            org: d.org_id.0.to_string(),
            input: DocumentInput {
                symbol: d.symbol.clone(),
                kind: d.kind.code().into(),
                issuer: d.issuer.clone(),
                issued_on: lantoa_domain::dates::display(d.issued_on),
                title: d.title.clone(),
                summary: d.summary.clone().unwrap_or_default(),
                years: d.years.clone(),
                topics: d.topics.iter().map(|t| t.id).collect(),
            },
            remove_file: false,
        }
    }

    fn has_year(&self, year: &i32) -> bool {
        self.input.years.contains(year)
    }

    fn has_topic(&self, topic: &i64) -> bool {
        self.input.topics.contains(topic)
    }
}

#[derive(Template)]
#[template(path = "campaign/document_form.html")]
struct DocumentFormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    action: String,
    cancel: String,
    /// Units the document may be entered for (id, name); empty when editing.
    units: Vec<(i64, String)>,
    unit_name: String,
    years: Vec<CampaignYear>,
    kinds: Vec<(&'static str, &'static str)>,
    form: DocumentForm,
    /// Name of the file already attached (editing).
    current_file: Option<String>,
    errors: FormErrors,
}

/// Units a viewer may enter documents for: the top units of their staff scope and the units
/// directly below them (the whole first level for a system administrator).
async fn units_for_documents(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<(i64, String)>, AppError> {
    let db = state.store.db();
    let tops: Vec<Org> = match viewer.scope(Role::Staff) {
        Scope::All => {
            let roots = org::children(db, None, false).await?;
            let ids: Vec<_> = roots.iter().map(|s| s.org.id).collect();
            org::get_many(db, &ids).await?
        }
        Scope::Subtrees(_) => org::get_many(db, &viewer.principal.top_units(Role::Staff)).await?,
    };
    let mut units = Vec::new();
    for top in tops {
        let children = org::child_units(db, top.id).await?;
        units.push((top.id.0, top.name.clone()));
        units.extend(
            children
                .into_iter()
                .map(|c| (c.id.0, format!("— {}", c.name))),
        );
    }
    Ok(units)
}

async fn document_form_page(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<&Document>,
    form: DocumentForm,
    errors: FieldErrors,
) -> Result<DocumentFormPage, AppError> {
    let years = campaign::years(state.store.db()).await?;
    let (title, action, cancel, units, unit_name, current_file) = match editing {
        Some(d) => (
            format!("Sửa văn bản {}", d.symbol),
            format!("{STAFF}/van-ban/{}/sua", d.id),
            format!("{STAFF}/van-ban/{}", d.id),
            Vec::new(),
            d.org_name.clone(),
            d.file.as_ref().map(|f| f.name.clone()),
        ),
        None => (
            "Thêm văn bản chỉ đạo".to_owned(),
            format!("{STAFF}/van-ban/moi"),
            format!("{STAFF}/van-ban"),
            units_for_documents(state, viewer).await?,
            String::new(),
            None,
        ),
    };
    Ok(DocumentFormPage {
        crumbs: vec![
            Crumb::link("Văn bản", format!("{STAFF}/van-ban")),
            Crumb::here(title.clone()),
        ],
        title,
        me: viewer.me(),
        action,
        cancel,
        units,
        unit_name,
        years,
        kinds: DocumentKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        form,
        current_file,
        errors: FormErrors(errors),
    })
}

#[derive(Debug, Default, Deserialize)]
struct NewDocumentQuery {
    org: Option<i64>,
}

async fn new_document(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NewDocumentQuery>,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::Staff)?;
    let years = campaign::years(state.store.db()).await?;
    let form = DocumentForm {
        org: q.org.map(|o| o.to_string()).unwrap_or_default(),
        input: DocumentInput {
            years: current_year(&years, crate::today())
                .map(|y| vec![y.year])
                .unwrap_or_default(),
            ..Default::default()
        },
        remove_file: false,
    };
    let mut page = document_form_page(&state, &viewer, None, form, FieldErrors::default()).await?;
    if page.form.org.is_empty()
        && let Some((first, _)) = page.units.first()
    {
        page.form.org = first.to_string();
    }
    Ok(render(&page)?.into_response())
}

/// The checked document and file of a posted form, or every error at once.
fn check_document(
    form: &DocumentForm,
    file: Option<(String, Vec<u8>)>,
) -> Result<(lantoa_domain::campaign::DocumentDraft, Option<NewFile>), FieldErrors> {
    let draft = form.input.validate(crate::today());
    let mut errors = draft.clone().err().unwrap_or_default();
    let file = match file {
        None => None,
        Some((name, bytes)) => {
            match FileKind::detect(&name, &bytes, &[FileKind::Pdf, FileKind::Docx]) {
                Ok(kind) => Some(NewFile {
                    name: lantoa_domain::files::clean_name(&name),
                    kind,
                    bytes,
                }),
                Err(message) => {
                    errors.add("file", message);
                    None
                }
            }
        }
    };
    match draft {
        Ok(draft) if errors.is_empty() => Ok((draft, file)),
        _ => {
            if file.is_some() {
                errors.add(
                    "file",
                    "Tệp hợp lệ nhưng chưa được lưu: hãy chọn lại tệp khi gửi lại",
                );
            }
            Err(errors)
        }
    }
}

async fn create_document(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::Staff)?;
    let posted = MultipartForm::read(&mut multipart, "file").await?;
    let form = DocumentForm::read(&posted);
    let db = state.store.db();
    let unit = match form.org.trim().parse::<i64>() {
        Ok(id) => Some(org::get(db, lantoa_domain::OrgId(id)).await?),
        Err(_) => None,
    };
    if let Some(unit) = &unit {
        viewer.require(Role::Staff, unit)?;
    }
    let result = match (check_document(&form, posted.file), &unit) {
        (Err(mut errors), None) => {
            errors.add("org", "Chọn đơn vị ban hành văn bản");
            Err(StoreError::Invalid(errors))
        }
        (Err(errors), Some(_)) => Err(StoreError::Invalid(errors)),
        (Ok(_), None) => Err(StoreError::invalid("org", "Chọn đơn vị ban hành văn bản")),
        (Ok((draft, file)), Some(unit)) => {
            campaign::create_document(
                db,
                &viewer.actor,
                unit.id,
                &draft,
                file.as_ref().map(|f| (state.store.files(), f)),
            )
            .await
        }
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/van-ban/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&document_form_page(&state, &viewer, None, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (document, _) = editable(&state, &viewer, id).await?;
    let form = DocumentForm::from_document(&document);
    let page = document_form_page(
        &state,
        &viewer,
        Some(&document),
        form,
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn update_document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let (document, _) = editable(&state, &viewer, id).await?;
    let posted = MultipartForm::read(&mut multipart, "file").await?;
    let form = DocumentForm::read(&posted);
    let result = match check_document(&form, posted.file) {
        Err(errors) => Err(StoreError::Invalid(errors)),
        Ok((draft, file)) => {
            let change = match file {
                Some(new) => FileChange::Replace(new),
                None if form.remove_file => FileChange::Remove,
                None => FileChange::Keep,
            };
            campaign::update_document(
                state.store.db(),
                state.store.files(),
                &viewer.actor,
                id,
                &draft,
                &change,
            )
            .await
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/van-ban/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &document_form_page(&state, &viewer, Some(&document), form, errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "campaign/confirm_delete.html")]
struct ConfirmDeletePage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    document: Document,
}

async fn confirm_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (document, _) = editable(&state, &viewer, id).await?;
    let view = ConfirmDeletePage {
        title: format!("Xóa văn bản {}?", document.symbol),
        crumbs: vec![
            Crumb::link("Văn bản", format!("{STAFF}/van-ban")),
            Crumb::link(document.symbol.clone(), format!("{STAFF}/van-ban/{id}")),
            Crumb::here("Xóa"),
        ],
        me: viewer.me(),
        document,
    };
    Ok(render(&view)?.into_response())
}

async fn delete_document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    editable(&state, &viewer, id).await?;
    campaign::delete_document(state.store.db(), &viewer.actor, id).await?;
    Ok(Redirect::to(&format!("{STAFF}/van-ban")).into_response())
}
