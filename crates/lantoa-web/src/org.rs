//! Units of the tree: browse, open, create, edit, move, merge, archive, export their people.

use crate::auth::{Can, Viewer};
use crate::views::{self, Crumb, FormErrors, Me, org_href, render, render_invalid};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lantoa_domain::accounts::Role;
use lantoa_domain::org::{OrgInput, OrgKind, Sector};
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{ClosedList, OrgId};
use lantoa_store::StoreError;
use lantoa_store::org::{self, Org, OrgSummary, Scope};
use lantoa_store::people::{self, PeopleFilter, Person};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/don-vi", get(index))
        .route("/don-vi/moi", get(new_form).post(create))
        .route("/don-vi/{id}", get(show))
        .route("/don-vi/{id}/sua", get(edit_form).post(update))
        .route("/don-vi/{id}/chuyen", get(move_form).post(move_to))
        .route("/don-vi/{id}/sap-nhap", get(merge_form).post(merge))
        .route("/don-vi/{id}/luu-tru", post(archive))
        .route("/don-vi/{id}/khoi-phuc", post(restore))
        .route("/don-vi/{id}/xuat-nhan-su", get(export_people))
}

/// A unit row in a list.
pub struct UnitRow {
    pub href: String,
    pub name: String,
    pub code: String,
    pub kind: &'static str,
    pub active: bool,
    pub descendants: String,
    pub people: String,
}

impl From<&OrgSummary> for UnitRow {
    fn from(s: &OrgSummary) -> Self {
        UnitRow {
            href: org_href(s.org.id.0),
            name: s.org.name.clone(),
            code: s.org.code.clone(),
            kind: s.org.kind.label(),
            active: s.org.is_active(),
            descendants: views::number(s.descendants),
            people: views::number(s.people),
        }
    }
}

#[derive(Template)]
#[template(path = "org/index.html")]
struct IndexPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    can_add_root: bool,
    query: String,
    roots: Vec<UnitRow>,
    found: Vec<Org>,
}

#[derive(Deserialize)]
struct IndexQuery {
    #[serde(default)]
    q: String,
}

async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<IndexQuery>,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::Leader)?;
    let db = state.store.db();
    let scope = viewer.scope(Role::Leader);
    // The top of what the viewer may read: the roots for the whole tree, else their units.
    let roots = match &scope {
        Scope::All => org::children(db, None, false).await?,
        Scope::Subtrees(_) => {
            org::summaries_of(db, &viewer.principal.top_units(Role::Leader)).await?
        }
    };
    let found = if query.q.trim().is_empty() {
        Vec::new()
    } else {
        org::search(db, &scope, &query.q, 50).await?
    };
    let page = IndexPage {
        title: "Đơn vị".into(),
        crumbs: vec![Crumb::here("Đơn vị")],
        me: viewer.me(),
        can_add_root: viewer.principal.is_system_admin(),
        query: query.q,
        roots: roots.iter().map(UnitRow::from).collect(),
        found,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "org/show.html")]
struct ShowPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    can: Can,
    org: Org,
    merged_into: Option<Org>,
    children: Vec<UnitRow>,
    archived_children: usize,
    show_archived: bool,
    people: Vec<Person>,
    people_total: String,
    people_more: bool,
    people_href: String,
    /// Key tasks the unit set, leads or coordinates that are past their deadline.
    overdue: Vec<lantoa_store::tasks::KeyTask>,
    /// Recommendations of inspections the unit must carry out that are past their deadline.
    overdue_recommendations: Vec<lantoa_store::inspections::Recommendation>,
}

#[derive(Deserialize)]
struct ShowQuery {
    #[serde(default)]
    luu_tru: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let org = org::get(db, OrgId(id)).await?;
    viewer.require(Role::Leader, &org)?;
    let lineage = org::lineage(db, &org).await?;
    let show_archived = q.luu_tru.is_some();
    let children = org::children(db, Some(org.id), true).await?;
    let archived_children = children.iter().filter(|c| !c.org.is_active()).count();
    let shown: Vec<UnitRow> = children
        .iter()
        .filter(|c| show_archived || c.org.is_active())
        .map(UnitRow::from)
        .collect();
    let people = people::search(
        db,
        &PeopleFilter {
            scope: Scope::Subtrees(vec![org.subtree()]),
            ..Default::default()
        },
        1,
        20,
    )
    .await?;
    // The subtree's people, exactly, from the sizes roll-up (the list's count stops at
    // 10 000).
    let size = org::people_in_subtree(db, org.id).await?;
    let merged_into = match org.merged_into_id {
        Some(target) => Some(org::get(db, target).await?).filter(|t| viewer.role_at(t).is_some()),
        None => None,
    };
    let today = crate::today();
    let overdue = lantoa_store::tasks::overdue_for(db, org.id, today).await?;
    let overdue_recommendations = lantoa_store::inspections::open_for(db, org.id)
        .await?
        .into_iter()
        .filter(|r| r.overdue(today))
        .collect();
    let page = ShowPage {
        overdue,
        overdue_recommendations,
        title: org.name.clone(),
        crumbs: viewer.org_crumbs(&lineage, None),
        me: viewer.me(),
        can: viewer.can_at(&org),
        people_total: views::number(size),
        people_more: size > people.items.len() as i64,
        people_href: format!("{STAFF}/nhan-su?org={}", org.id),
        people: people.items,
        children: shown,
        archived_children,
        show_archived,
        merged_into,
        org,
    };
    Ok(render(&page)?.into_response())
}

/// The unit form, for creating and editing.
#[derive(Template)]
#[template(path = "org/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    action: String,
    parent: Option<Org>,
    input: OrgFormInput,
    errors: FormErrors,
    kinds: Vec<(&'static str, &'static str)>,
    sectors: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct OrgFormInput {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    parent: Option<i64>,
}

impl OrgFormInput {
    fn to_input(&self) -> OrgInput {
        OrgInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            sector: self.sector.clone(),
        }
    }
}

fn options<T: ClosedList>() -> Vec<(&'static str, &'static str)> {
    T::ALL.iter().map(|v| (v.code(), v.label())).collect()
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<&Org>,
    parent: Option<Org>,
    input: OrgFormInput,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let db = state.store.db();
    let (title, action, crumbs) = match editing {
        Some(org) => {
            let lineage = org::lineage(db, org).await?;
            (
                format!("Sửa {}", org.name),
                format!("{}/sua", org_href(org.id.0)),
                viewer.org_crumbs(&lineage, Some("Sửa")),
            )
        }
        None => {
            let crumbs = match &parent {
                Some(p) => {
                    viewer.org_crumbs(&org::lineage(db, p).await?, Some("Thêm đơn vị trực thuộc"))
                }
                None => vec![
                    Crumb::link("Đơn vị", format!("{STAFF}/don-vi")),
                    Crumb::here("Thêm đơn vị"),
                ],
            };
            (
                "Thêm đơn vị".to_owned(),
                format!("{STAFF}/don-vi/moi"),
                crumbs,
            )
        }
    };
    Ok(FormPage {
        title,
        crumbs,
        me: viewer.me(),
        action,
        parent,
        input,
        errors: FormErrors(errors),
        kinds: options::<OrgKind>(),
        sectors: options::<Sector>(),
    })
}

#[derive(Deserialize)]
struct NewQuery {
    parent: Option<i64>,
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let parent = parent_for_new(&state, &viewer, q.parent).await?;
    let input = OrgFormInput {
        parent: parent.as_ref().map(|p| p.id.0),
        kind: parent
            .as_ref()
            .map(|p| suggested_child_kind(p.kind).code().to_owned())
            .unwrap_or_default(),
        sector: parent
            .as_ref()
            .map(|p| p.sector.code().to_owned())
            .unwrap_or_default(),
        ..Default::default()
    };
    Ok(
        render(&form_page(&state, &viewer, None, parent, input, FieldErrors::default()).await?)?
            .into_response(),
    )
}

/// The parent of a new unit, which the viewer must be staff of; a new top-level unit is for
/// system administrators only.
async fn parent_for_new(
    state: &AppState,
    viewer: &Viewer,
    parent: Option<i64>,
) -> Result<Option<Org>, AppError> {
    match parent {
        Some(id) => {
            let parent = org::get(state.store.db(), OrgId(id)).await?;
            viewer.require(Role::Staff, &parent)?;
            Ok(Some(parent))
        }
        None if viewer.principal.is_system_admin() => Ok(None),
        None if viewer.principal.highest_role() >= Some(Role::Leader) => Err(AppError::Forbidden),
        None => Err(AppError::NotFound),
    }
}

/// The kind a new unit under `parent` most often has, to preselect in the form.
fn suggested_child_kind(parent: OrgKind) -> OrgKind {
    match parent {
        OrgKind::ProvincialCommittee | OrgKind::DistrictCommittee => OrgKind::GrassrootsCommittee,
        OrgKind::CommuneCommittee | OrgKind::GrassrootsCommittee | OrgKind::SectionCommittee => {
            OrgKind::Cell
        }
        OrgKind::Cell | OrgKind::GrassrootsCell => OrgKind::PartyGroup,
        other => other,
    }
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<OrgFormInput>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let parent = parent_for_new(&state, &viewer, form.parent).await?;
    let result = match form.to_input().validate() {
        Ok(draft) => org::create(db, &viewer.actor, &draft, parent.as_ref().map(|p| p.id)).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&org_href(id.0)).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&form_page(&state, &viewer, None, parent, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let org = org::get(state.store.db(), OrgId(id)).await?;
    viewer.require(Role::Staff, &org)?;
    let input = OrgFormInput {
        code: org.code.clone(),
        name: org.name.clone(),
        kind: org.kind.code().to_owned(),
        sector: org.sector.code().to_owned(),
        parent: None,
    };
    Ok(render(
        &form_page(
            &state,
            &viewer,
            Some(&org),
            None,
            input,
            FieldErrors::default(),
        )
        .await?,
    )?
    .into_response())
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<OrgFormInput>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let org = org::get(db, OrgId(id)).await?;
    viewer.require(Role::Staff, &org)?;
    let result = match form.to_input().validate() {
        Ok(draft) => org::update(db, &viewer.actor, org.id, &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&org_href(id)).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&form_page(&state, &viewer, Some(&org), None, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Move and merge both ask for another unit's code.
#[derive(Template)]
#[template(path = "org/target.html")]
struct TargetPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    org: Org,
    action: String,
    label: &'static str,
    hint: &'static str,
    submit: &'static str,
    code: String,
    errors: FormErrors,
}

#[derive(Clone, Copy)]
enum TargetAction {
    Move,
    Merge,
}

impl TargetAction {
    fn texts(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ) {
        match self {
            TargetAction::Move => (
                "chuyen",
                "Chuyển đơn vị",
                "Mã đơn vị cấp trên mới",
                "Đơn vị được chuyển cùng toàn bộ đơn vị trực thuộc và nhân sự của nó.",
                "Chuyển",
            ),
            TargetAction::Merge => (
                "sap-nhap",
                "Sáp nhập đơn vị",
                "Mã đơn vị nhận sáp nhập",
                "Đơn vị này được lưu trữ và ghi là đã sáp nhập. Nhân sự và số liệu các năm trước vẫn thuộc về nó; hãy chuyển nhân sự sang đơn vị mới nếu cần.",
                "Sáp nhập",
            ),
        }
    }
}

async fn target_page(
    state: &AppState,
    viewer: &Viewer,
    org: Org,
    action: TargetAction,
    code: String,
    errors: FieldErrors,
) -> Result<TargetPage, AppError> {
    let (path, title, label, hint, submit) = action.texts();
    let lineage = org::lineage(state.store.db(), &org).await?;
    Ok(TargetPage {
        title: format!("{title}: {}", org.name),
        crumbs: viewer.org_crumbs(&lineage, Some(title)),
        me: viewer.me(),
        action: format!("{}/{path}", org_href(org.id.0)),
        label,
        hint,
        submit,
        code,
        errors: FormErrors(errors),
        org,
    })
}

#[derive(Deserialize)]
struct TargetForm {
    #[serde(default)]
    code: String,
}

async fn move_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let org = org::get(state.store.db(), OrgId(id)).await?;
    viewer.require(Role::Staff, &org)?;
    Ok(render(
        &target_page(
            &state,
            &viewer,
            org,
            TargetAction::Move,
            String::new(),
            FieldErrors::default(),
        )
        .await?,
    )?
    .into_response())
}

async fn merge_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let org = org::get(state.store.db(), OrgId(id)).await?;
    viewer.require(Role::Staff, &org)?;
    Ok(render(
        &target_page(
            &state,
            &viewer,
            org,
            TargetAction::Merge,
            String::new(),
            FieldErrors::default(),
        )
        .await?,
    )?
    .into_response())
}

async fn apply_target(
    state: AppState,
    viewer: Viewer,
    id: i64,
    form: TargetForm,
    action: TargetAction,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let org = org::get(db, OrgId(id)).await?;
    viewer.require(Role::Staff, &org)?;
    let actor = &viewer.actor;
    // The target is checked like the unit: a unit outside the scope is "not found".
    let target = org::get_by_code(db, &form.code)
        .await?
        .filter(|t| viewer.role_at(t).is_some());
    let result = match target {
        None if form.code.trim().is_empty() => {
            Err(StoreError::invalid("code", "Chưa nhập mã đơn vị"))
        }
        None => Err(StoreError::invalid(
            "code",
            format!("Không có đơn vị mã «{}»", form.code.trim()),
        )),
        Some(target) if viewer.role_at(&target) < Some(Role::Staff) => Err(StoreError::invalid(
            "code",
            format!("Bạn không có quyền cập nhật đơn vị «{}»", target.code),
        )),
        Some(target) => match action {
            TargetAction::Move => org::move_to(db, actor, org.id, target.id).await,
            TargetAction::Merge => org::merge(db, actor, org.id, target.id).await,
        },
    };
    match result {
        Ok(()) => Ok(Redirect::to(&org_href(id)).into_response()),
        Err(StoreError::Invalid(errors)) => {
            // Store errors name the field "parent"/"into"; the form has one field.
            let mut at_code = FieldErrors::default();
            for (_, message) in errors.iter() {
                at_code.add("code", message);
            }
            render_invalid(&target_page(&state, &viewer, org, action, form.code, at_code).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn move_to(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<TargetForm>,
) -> Result<Response, AppError> {
    apply_target(state, viewer, id, form, TargetAction::Move).await
}

async fn merge(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<TargetForm>,
) -> Result<Response, AppError> {
    apply_target(state, viewer, id, form, TargetAction::Merge).await
}

async fn archive(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let org = org::get(state.store.db(), OrgId(id)).await?;
    viewer.require(Role::Staff, &org)?;
    org::archive(state.store.db(), &viewer.actor, org.id).await?;
    Ok(Redirect::to(&org_href(id)).into_response())
}

async fn restore(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let org = org::get(state.store.db(), OrgId(id)).await?;
    viewer.require(Role::Staff, &org)?;
    org::restore(state.store.db(), &viewer.actor, org.id).await?;
    Ok(Redirect::to(&org_href(id)).into_response())
}

#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    format: String,
}

async fn export_people(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let org = org::get(state.store.db(), OrgId(id)).await?;
    // The file holds personal data: staff over the unit only.
    viewer.require(Role::Staff, &org)?;
    let format = crate::people::ExportFormat::parse(&q.format)
        .ok_or_else(|| AppError::BadRequest("định dạng phải là xlsx hoặc csv".into()))?;
    let bytes = crate::people::export(state.store.db(), &viewer.actor, &org, format).await?;
    let file_name = format!("nhan-su-{}.{}", org.code.to_lowercase(), format.extension());
    Ok(views::download(&file_name, format.mime(), bytes))
}
