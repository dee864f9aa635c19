//! Typical models (mô hình): the figures of a unit's subtree for a year, each leading to the
//! models behind it (or the grassroots units without one); registering and editing a model
//! (the unit's staff); its steps — started, evaluated, recognised or not (the committee
//! above), replicated by other units (staff over the adopting unit).

use crate::auth::Viewer;
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{
    self, Crumb, Figure, FormErrors, Me, Numbers, PageLink, page_links, render, render_invalid,
};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lantoa_domain::ClosedList;
use lantoa_domain::accounts::Role;
use lantoa_domain::files::{FileKind, MAX_ATTACHMENT_BYTES};
use lantoa_domain::models::{ModelCategory, ModelInput, ModelState, ModelStep, ResultInput};
use lantoa_domain::org::{OrgKind, Sector};
use lantoa_domain::validation::FieldErrors;
use lantoa_store::StoreError;
use lantoa_store::campaign::CampaignYear;
use lantoa_store::campaign::Until;
use lantoa_store::files::StoredFile;
use lantoa_store::models::{
    self, Evaluation, Model, ModelFigures, ModelFilter, Replication, StepInput, UnitWithout,
};
use lantoa_store::org::{self, Org};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/mo-hinh", get(list_page))
        .route("/mo-hinh/chua-co", get(without_page))
        .route("/mo-hinh/moi", get(new_form).post(create))
        .route("/mo-hinh/{id}", get(model_page))
        .route("/mo-hinh/{id}/sua", get(edit_form).post(update))
        .route("/mo-hinh/{id}/buoc", post(take_step))
        .route("/mo-hinh/{id}/nhan-rong", post(replicate))
        .route("/mo-hinh/{id}/de-nghi-khen", post(propose_collective))
        .route("/mo-hinh/{id}/tep", post(attach_file))
        .route("/mo-hinh/{id}/tep/{file}", get(model_file))
        .route("/mo-hinh/{id}/tep/{file}/go", post(remove_file))
}

const PER_PAGE: u64 = 30;

/// Unit, year, page and the filters behind a figure.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    org: Option<i64>,
    year: Option<i32>,
    page: Option<u64>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    state: String,
    /// "moi" (new) or "ke-thua" (carried over).
    #[serde(default)]
    origin: String,
    #[serde(default)]
    recognised: String,
}

impl ListQuery {
    fn study(&self) -> StudyQuery {
        StudyQuery::at(self.org, self.year)
    }

    fn filter(&self) -> ModelFilter {
        ModelFilter {
            q: self.q.clone(),
            sector: Sector::from_code(&self.sector),
            category: ModelCategory::from_code(&self.category),
            kind: OrgKind::from_code(&self.kind),
            state: ModelState::from_code(&self.state),
            continued: match self.origin.as_str() {
                "ke-thua" => Some(true),
                "moi" => Some(false),
                _ => None,
            },
            recognised: !self.recognised.is_empty(),
        }
    }

    /// The query string of the filters (without the page).
    fn filters(&self) -> String {
        crate::views::filter_query(&[
            ("q", crate::views::query_value(&self.q)),
            ("sector", self.sector.clone()),
            ("category", self.category.clone()),
            ("kind", self.kind.clone()),
            ("state", self.state.clone()),
            ("origin", self.origin.clone()),
            ("recognised", self.recognised.clone()),
        ])
    }
}

#[derive(Template)]
#[template(path = "models/list.html")]
struct ListPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    years: Vec<i32>,
    figures: ModelFigures,
    tiles: Vec<Figure>,
    by_sector: Vec<Figure>,
    by_category: Vec<Figure>,
    by_kind: Vec<Figure>,
    rows: Vec<Model>,
    total: String,
    links: Vec<PageLink>,
    filtered: bool,
    q: String,
    sector: String,
    category: String,
    sectors: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    can_add: bool,
}

impl Numbers for ListPage {}

impl ListPage {
    /// The share of models in socio-political organisations: "12,5%".
    fn front_share(&self) -> String {
        lantoa_domain::format::percent(self.figures.front_and_unions(), self.figures.total)
    }
}

async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, years) = unit_and_year(&state, &viewer, &q.study(), Role::Leader).await?;
    let db = state.store.db();
    let within = unit.subtree();
    let figures = models::figures(db, &within, &year, Until::WHOLE_YEAR).await?;
    let filter = q.filter();
    let page = models::models(db, &within, &year, &filter, q.page.unwrap_or(1), PER_PAGE).await?;
    let base = format!("{STAFF}/mo-hinh?org={}&year={}", unit.id, year.year);
    let figure = |label: String, count: i64, query: &str| {
        Figure::new(label, count, format!("{base}{query}#danh-sach"))
    };
    let tiles = vec![
        figure("Mô hình đăng ký".into(), figures.total, ""),
        figure("Xây dựng mới".into(), figures.built_new(), "&origin=moi"),
        figure(
            "Kế thừa từ năm trước".into(),
            figures.continued,
            "&origin=ke-thua",
        ),
        figure(
            "Được công nhận tiêu biểu".into(),
            figures.recognised,
            "&recognised=1",
        ),
    ];
    let by_sector = figures
        .by_sector
        .iter()
        .map(|(s, n)| figure(s.label().into(), *n, &format!("&sector={}", s.code())))
        .collect();
    let by_category = figures
        .by_category
        .iter()
        .map(|(c, n)| figure(c.label().into(), *n, &format!("&category={}", c.code())))
        .collect();
    let by_kind = figures
        .by_kind
        .iter()
        .map(|(k, n)| figure(k.label().into(), *n, &format!("&kind={}", k.code())))
        .collect();
    let filters = q.filters();
    let links = page_links(page.page, page.pages(), |p| {
        format!("{base}{filters}&page={p}#danh-sach")
    });
    let lineage = org::lineage(db, &unit).await?;
    let page_view = ListPage {
        title: format!("Mô hình năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Mô hình")),
        me: viewer.me(),
        years: years.iter().map(|y| y.year).collect(),
        year: year.year,
        tiles,
        by_sector,
        by_category,
        by_kind,
        figures,
        total: crate::views::number(page.total),
        rows: page.items,
        links,
        filtered: filter != ModelFilter::default(),
        q: q.q.clone(),
        sector: q.sector.clone(),
        category: q.category.clone(),
        sectors: Sector::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        categories: ModelCategory::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        can_add: viewer.can_at(&unit).edit,
        unit,
    };
    Ok(render(&page_view)?.into_response())
}

#[derive(Template)]
#[template(path = "models/without.html")]
struct WithoutPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    total: String,
    rows: Vec<UnitWithout>,
    links: Vec<PageLink>,
}

async fn without_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q.study(), Role::Leader).await?;
    let db = state.store.db();
    let page = models::grassroots_without(
        db,
        &unit.subtree(),
        (&year, Until::WHOLE_YEAR),
        q.page.unwrap_or(1),
        PER_PAGE,
    )
    .await?;
    let (org_id, y) = (unit.id.0, year.year);
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/mo-hinh/chua-co?org={org_id}&year={y}&page={p}")
    });
    let lineage = org::lineage(db, &unit).await?;
    let view = WithoutPage {
        title: format!(
            "Cơ sở đảng chưa đăng ký mô hình năm {} — {}",
            year.year, unit.name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Mô hình")),
        me: viewer.me(),
        total: crate::views::number(page.total),
        rows: page.items,
        links,
        year: year.year,
        unit,
    };
    Ok(render(&view)?.into_response())
}

/// The model form as posted.
#[derive(Debug, Default, Deserialize)]
struct ModelForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    started_on: String,
    #[serde(default)]
    goals: String,
    #[serde(default)]
    carriers: String,
    #[serde(default)]
    is_public: String,
    #[serde(default)]
    continued_from: String,
}

impl ModelForm {
    fn input(&self) -> ModelInput {
        ModelInput {
            name: self.name.clone(),
            sector: self.sector.clone(),
            category: self.category.clone(),
            description: self.description.clone(),
            started_on: self.started_on.clone(),
            goals: self.goals.clone(),
            carriers: self.carriers.clone(),
            is_public: !self.is_public.is_empty(),
            continued_from: self.continued_from.clone(),
        }
    }

    fn of(m: &Model) -> Self {
        ModelForm {
            name: m.name.clone(),
            sector: m.sector.code().into(),
            category: m.category.code().into(),
            description: m.description.clone(),
            started_on: lantoa_domain::dates::display(m.started_on),
            goals: m.goals.clone(),
            carriers: m.carriers.clone().unwrap_or_default(),
            is_public: if m.is_public {
                "1".into()
            } else {
                String::new()
            },
            continued_from: m
                .continued_from
                .as_ref()
                .map(|(id, _, _)| id.to_string())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "models/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    action: String,
    unit_name: String,
    form: ModelForm,
    sectors: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    /// Earlier models it may carry on: (id, "name (year)").
    earlier: Vec<(String, String)>,
    errors: FormErrors,
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    unit: &Org,
    year: &CampaignYear,
    form: ModelForm,
    action: String,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let db = state.store.db();
    let earlier = models::carried_candidates(db, unit, year)
        .await?
        .into_iter()
        .map(|(id, name, y)| (id.to_string(), format!("{name} ({y})")))
        .collect();
    let lineage = org::lineage(db, unit).await?;
    Ok(FormPage {
        title: format!("Mô hình năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Mô hình")),
        me: viewer.me(),
        action,
        unit_name: unit.name.clone(),
        form,
        sectors: Sector::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        categories: ModelCategory::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        earlier,
        errors: FormErrors(errors),
    })
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q.study(), Role::Staff).await?;
    let form = ModelForm {
        sector: unit.sector.code().into(),
        ..Default::default()
    };
    let action = format!("{STAFF}/mo-hinh/moi?org={}&year={}", unit.id, year.year);
    let page = form_page(
        &state,
        &viewer,
        &unit,
        &year,
        form,
        action,
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
    Form(form): Form<ModelForm>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q.study(), Role::Staff).await?;
    let action = format!("{STAFF}/mo-hinh/moi?org={}&year={}", unit.id, year.year);
    let saved = match form.input().validate(crate::today()) {
        Ok(draft) => models::create(state.store.db(), &viewer.actor, &unit, &year, &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/mo-hinh/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&form_page(&state, &viewer, &unit, &year, form, action, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// What the viewer may do with a model.
#[derive(Debug, Clone, Copy, Default)]
struct Access {
    /// Edit it, start it, record evaluations (staff over its unit).
    edit: bool,
    /// Recognise it or conclude it fell short (the committee above its unit).
    judge: bool,
    /// Record a unit that replicated it (staff somewhere).
    replicate: bool,
}

/// A model the viewer may read (leaders and staff over its unit, the committee above), with
/// what they may do; 404 for anyone else.
async fn model_in_reach(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(Model, Org, Access), AppError> {
    let db = state.store.db();
    let model = models::model(db, id).await?;
    let unit = org::get(db, model.org_id).await?;
    viewer.require(Role::Leader, &unit)?;
    let judge = viewer.leads_above(db, &unit).await?;
    let edit = viewer.can_at(&unit).edit;
    let access = Access {
        edit,
        judge,
        replicate: viewer.principal.highest_role() >= Some(Role::Staff),
    };
    Ok((model, unit, access))
}

#[derive(Template)]
#[template(path = "models/model.html")]
struct ModelPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    model: Model,
    evaluations: Vec<Evaluation>,
    replications: Vec<Replication>,
    access: Access,
    /// The steps the viewer may take now: (code, label).
    steps: Vec<(&'static str, &'static str)>,
    step_form: ResultForm,
    replication_form: ReplicationForm,
    files: Vec<StoredFile>,
    /// The media items that told of it.
    stories: Vec<lantoa_store::propaganda::MediaItem>,
    errors: FormErrors,
}

impl ModelPage {
    fn date(&self, d: &chrono::NaiveDate) -> String {
        lantoa_domain::dates::display(*d)
    }
}

async fn model_view(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    step_form: ResultForm,
    replication_form: ReplicationForm,
    errors: FieldErrors,
) -> Result<ModelPage, AppError> {
    let (model, unit, access) = model_in_reach(state, viewer, id).await?;
    let db = state.store.db();
    let steps = ModelStep::ALL
        .iter()
        .filter(|s| **s != ModelStep::Replicate && model.state.after(**s).is_ok())
        .filter(|s| match s {
            ModelStep::Recognise | ModelStep::Reject => access.judge,
            _ => access.edit,
        })
        .map(|s| (s.code(), s.label()))
        .collect();
    let lineage = org::lineage(db, &unit).await?;
    Ok(ModelPage {
        title: model.name.clone(),
        crumbs: viewer.org_crumbs(&lineage, Some("Mô hình")),
        me: viewer.me(),
        evaluations: models::evaluations(db, id).await?,
        replications: models::replications(db, id).await?,
        files: models::MODEL_FILES.list(db, id).await?,
        stories: lantoa_store::propaganda::items_about(
            db,
            lantoa_store::propaganda::Story::Model(id),
        )
        .await?,
        access,
        steps,
        step_form,
        replication_form,
        errors: FormErrors(errors),
        model,
    })
}

async fn model_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let page = model_view(
        &state,
        &viewer,
        id,
        ResultForm::default(),
        ReplicationForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (model, unit, access) = model_in_reach(&state, &viewer, id).await?;
    if !access.edit {
        return Err(AppError::Forbidden);
    }
    let year = lantoa_store::campaign::year(state.store.db(), model.year).await?;
    let action = format!("{STAFF}/mo-hinh/{id}/sua");
    let page = form_page(
        &state,
        &viewer,
        &unit,
        &year,
        ModelForm::of(&model),
        action,
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<ModelForm>,
) -> Result<Response, AppError> {
    let (model, unit, access) = model_in_reach(&state, &viewer, id).await?;
    if !access.edit {
        return Err(AppError::Forbidden);
    }
    let saved = match form.input().validate(crate::today()) {
        Ok(draft) => models::update(state.store.db(), &viewer.actor, &model, &unit, &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/mo-hinh/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let year = lantoa_store::campaign::year(state.store.db(), model.year).await?;
            let action = format!("{STAFF}/mo-hinh/{id}/sua");
            render_invalid(&form_page(&state, &viewer, &unit, &year, form, action, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// A step as posted, with the dated results of an evaluation.
#[derive(Debug, Default, Deserialize)]
struct ResultForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    results: String,
}

async fn take_step(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<ResultForm>,
) -> Result<Response, AppError> {
    let (_, _, access) = model_in_reach(&state, &viewer, id).await?;
    let step = ModelStep::from_code(&form.step)
        .filter(|s| *s != ModelStep::Replicate)
        .ok_or(AppError::NotFound)?;
    let allowed = match step {
        ModelStep::Recognise | ModelStep::Reject => access.judge,
        _ => access.edit,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let today = crate::today();
    let result = match step {
        ModelStep::Evaluate => ResultInput {
            on: form.on.clone(),
            results: form.results.clone(),
        }
        .validate(today)
        .map(Some),
        _ => Ok(None),
    };
    let taken = match result {
        Ok(result) => {
            let input = StepInput {
                result,
                ..Default::default()
            };
            models::take_step(state.store.db(), &viewer.actor, id, step, &input, today).await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match taken {
        Ok(_) => Ok(Redirect::to(&format!("{STAFF}/mo-hinh/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &model_view(
                &state,
                &viewer,
                id,
                form,
                ReplicationForm::default(),
                errors,
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// A replication as posted: the adopting unit's code, the date, its name there, results.
#[derive(Debug, Default, Deserialize)]
struct ReplicationForm {
    #[serde(default)]
    org_code: String,
    #[serde(default)]
    adopted_on: String,
    #[serde(default)]
    adapted_name: String,
    #[serde(default)]
    results: String,
}

async fn replicate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<ReplicationForm>,
) -> Result<Response, AppError> {
    let (_, _, access) = model_in_reach(&state, &viewer, id).await?;
    if !access.replicate {
        return Err(AppError::Forbidden);
    }
    let db = state.store.db();
    let today = crate::today();
    let mut errors = FieldErrors::default();
    let code = lantoa_domain::org::normalise_code(&form.org_code);
    let adopter = match org::by_codes(db, std::slice::from_ref(&code))
        .await?
        .remove(&code)
    {
        Some(o) if viewer.role_at(&o) >= Some(Role::Staff) => Some(o),
        Some(o) => {
            errors.add(
                "org_code",
                format!("{} nằm ngoài phạm vi quản lý của bạn", o.name),
            );
            None
        }
        None => {
            errors.add("org_code", format!("Không có đơn vị mã «{code}»"));
            None
        }
    };
    let result = ResultInput {
        on: form.adopted_on.clone(),
        results: form.results.clone(),
    }
    .validate(today);
    let taken = match (adopter, result) {
        (Some(adopter), Ok(result)) if errors.is_empty() => {
            let input = StepInput {
                result: Some(result),
                adopter: Some(&adopter),
                adapted_name: form.adapted_name.clone(),
            };
            models::take_step(db, &viewer.actor, id, ModelStep::Replicate, &input, today).await
        }
        (_, result) => {
            if let Err(e) = result {
                for (field, message) in e.iter() {
                    let field = if field == "on" { "adopted_on" } else { field };
                    errors.add(field.to_owned(), message);
                }
            }
            Err(StoreError::Invalid(errors))
        }
    };
    match taken {
        Ok(_) => Ok(Redirect::to(&format!("{STAFF}/mo-hinh/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &model_view(&state, &viewer, id, ResultForm::default(), form, errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// The model's page again with why a change was refused, the forms empty.
async fn refused_on_model(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let page = model_view(
        state,
        viewer,
        id,
        ResultForm::default(),
        ReplicationForm::default(),
        errors,
    )
    .await?;
    render_invalid(&page)
}

/// Nominates the collective carrying out a recognised model and opens the proposal form
/// with it ticked (staff of the model's unit).
async fn propose_collective(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (model, _, access) = model_in_reach(&state, &viewer, id).await?;
    if !access.edit {
        return Err(AppError::Forbidden);
    }
    match lantoa_store::exemplars::nominate_model_collective(
        state.store.db(),
        &viewer.actor,
        &model,
    )
    .await
    {
        Ok(exemplar) => Ok(Redirect::to(&format!(
            "{STAFF}/khen-thuong/de-nghi/moi?org={}&year={}&chon={exemplar}",
            model.org_id, model.year
        ))
        .into_response()),
        Err(StoreError::Invalid(errors)) => refused_on_model(&state, &viewer, id, errors).await,
        Err(e) => Err(e.into()),
    }
}

/// Attaches a photo or a report to a model (staff of its unit).
async fn attach_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (model, _, access) = model_in_reach(&state, &viewer, id).await?;
    if !access.edit {
        return Err(AppError::Forbidden);
    }
    let posted = views::MultipartForm::read(&mut multipart, "file").await?;
    let attached = match posted
        .attachment(&FileKind::ALL, MAX_ATTACHMENT_BYTES)
        .await
    {
        Ok(file) => {
            models::MODEL_FILES
                .attach(
                    state.store.db(),
                    state.store.files(),
                    &viewer.actor,
                    model.owner(),
                    &file,
                )
                .await
        }
        Err(e) => Err(e),
    };
    match attached {
        Ok(_) => Ok(Redirect::to(&format!("{STAFF}/mo-hinh/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => refused_on_model(&state, &viewer, id, errors).await,
        Err(e) => Err(e.into()),
    }
}

/// One file of a model, to those who read the model.
async fn model_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    model_in_reach(&state, &viewer, id).await?;
    let file = models::MODEL_FILES.one(state.store.db(), id, file).await?;
    views::stored_file(&state, &file).await
}

/// Takes a file off a model (staff of its unit).
async fn remove_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (model, _, access) = model_in_reach(&state, &viewer, id).await?;
    if !access.edit {
        return Err(AppError::Forbidden);
    }
    let db = state.store.db();
    let file = models::MODEL_FILES.one(db, id, file).await?;
    models::MODEL_FILES
        .remove(db, &viewer.actor, model.owner(), &file)
        .await?;
    Ok(Redirect::to(&format!("{STAFF}/mo-hinh/{id}")).into_response())
}
