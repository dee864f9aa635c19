//! Propaganda (tuyên truyền): a subtree's year by channel and by month, how regularly each
//! unit under it worked (months without activity, the share that were only documents),
//! each figure leading to the activities behind it; recording an activity (a unit's
//! staff; many at once through the import); the media columns kept in the subtree, and a
//! column's items with the exemplars and models they told of.

use crate::auth::Viewer;
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{
    self, Crumb, Dates, Figure, FormErrors, Me, Numbers, PageLink, page_links, render,
    render_invalid,
};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use lantoa_domain::ClosedList;
use lantoa_domain::accounts::Role;
use lantoa_domain::propaganda::{ActivityInput, Channel, ColumnInput, ItemInput, MediaKind};
use lantoa_domain::validation::FieldErrors;
use lantoa_store::StoreError;
use lantoa_store::campaign::CampaignYear;
use lantoa_store::campaign::Until;
use lantoa_store::org::{self, Org};
use lantoa_store::propaganda::{
    self, Activity, ActivityFilter, MediaColumn, MediaItem, PropagandaFigures, Story,
    UnitRegularity,
};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/tuyen-truyen", get(figures_page))
        .route("/tuyen-truyen/moi", get(new_form).post(create))
        .route("/chuyen-muc", get(columns_page).post(create_column))
        .route("/chuyen-muc/{id}", get(column_page))
        .route("/chuyen-muc/{id}/tin-bai", post(add_item))
}

const PER_PAGE: u64 = 30;

/// Unit, year, page and the filters behind a figure.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    org: Option<i64>,
    year: Option<i32>,
    page: Option<u64>,
    #[serde(default)]
    channel: String,
    month: Option<u32>,
}

impl ListQuery {
    fn filter(&self) -> ActivityFilter {
        ActivityFilter {
            channel: Channel::from_code(&self.channel),
            month: self.month.filter(|m| (1..=12).contains(m)),
        }
    }

    fn filters(&self) -> String {
        views::filter_query(&[
            ("channel", self.channel.clone()),
            (
                "month",
                self.month.map(|m| m.to_string()).unwrap_or_default(),
            ),
        ])
    }
}

#[derive(Template)]
#[template(path = "propaganda/figures.html")]
struct FiguresPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    years: Vec<i32>,
    figures: PropagandaFigures,
    tiles: Vec<Figure>,
    regularity: Vec<UnitRegularity>,
    /// Months already over, for the months without activity.
    over: u32,
    rows: Vec<Activity>,
    total: String,
    links: Vec<PageLink>,
    filtered: bool,
    can_add: bool,
}

impl Numbers for FiguresPage {}

impl Dates for FiguresPage {}

impl FiguresPage {
    fn document_share(&self) -> String {
        lantoa_domain::format::percent(self.figures.documents(), self.figures.total())
    }

    /// Units with at least one month over and silent.
    fn irregular(&self) -> usize {
        self.regularity
            .iter()
            .filter(|u| !u.silent_months(self.over).is_empty())
            .count()
    }

    /// Whether a month is over and the unit had nothing in it.
    fn silent(&self, unit: &UnitRegularity, month: &usize) -> bool {
        (*month as u32) < self.over && unit.by_month[*month] == 0
    }
}

async fn figures_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, years) = unit_and_year(
        &state,
        &viewer,
        &StudyQuery::at(q.org, q.year),
        Role::Leader,
    )
    .await?;
    let db = state.store.db();
    let within = unit.subtree();
    let figures = propaganda::figures(db, &within, &year, Until::WHOLE_YEAR).await?;
    let filter = q.filter();
    let page =
        propaganda::activities(db, &within, &year, &filter, q.page.unwrap_or(1), PER_PAGE).await?;
    let base = format!("{STAFF}/tuyen-truyen?org={}&year={}", unit.id, year.year);
    let tiles = vec![
        Figure::new(
            "Hoạt động tuyên truyền",
            figures.total(),
            format!("{base}#danh-sach"),
        ),
        Figure::new(
            "Chỉ bằng văn bản",
            figures.documents(),
            format!("{base}&channel={}#danh-sach", Channel::Document.code()),
        ),
        Figure::new(
            "Lượt người được tuyên truyền",
            figures.reach(),
            format!("{base}#danh-sach"),
        ),
    ];
    let filters = q.filters();
    let links = page_links(page.page, page.pages(), |p| {
        format!("{base}{filters}&page={p}#danh-sach")
    });
    let lineage = org::lineage(db, &unit).await?;
    let view = FiguresPage {
        title: format!("Tuyên truyền năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Tuyên truyền")),
        me: viewer.me(),
        year: year.year,
        years: years.iter().map(|y| y.year).collect(),
        regularity: propaganda::regularity(db, unit.id, &year, Until::WHOLE_YEAR).await?,
        over: lantoa_domain::propaganda::months_over(year.year, crate::today()),
        figures,
        tiles,
        total: views::number(page.total),
        rows: page.items,
        links,
        filtered: filter != ActivityFilter::default(),
        can_add: viewer.can_at(&unit).edit,
        unit,
    };
    Ok(render(&view)?.into_response())
}

/// The activity form as posted.
#[derive(Debug, Default, Deserialize)]
struct ActivityForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    reach: String,
    #[serde(default)]
    link: String,
}

impl ActivityForm {
    fn input(&self) -> ActivityInput {
        ActivityInput {
            org_code: String::new(),
            held_on: self.held_on.clone(),
            channel: self.channel.clone(),
            topic: self.topic.clone(),
            title: self.title.clone(),
            quantity: self.quantity.clone(),
            reach: self.reach.clone(),
            link: self.link.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "propaganda/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    action: String,
    unit_name: String,
    form: ActivityForm,
    channels: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    unit: &Org,
    year: &CampaignYear,
    form: ActivityForm,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let lineage = org::lineage(state.store.db(), unit).await?;
    Ok(FormPage {
        title: format!(
            "Ghi hoạt động tuyên truyền năm {} — {}",
            year.year, unit.name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Tuyên truyền")),
        me: viewer.me(),
        action: format!(
            "{STAFF}/tuyen-truyen/moi?org={}&year={}",
            unit.id, year.year
        ),
        unit_name: unit.name.clone(),
        form,
        channels: Channel::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        errors: FormErrors(errors),
    })
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let form = ActivityForm {
        quantity: "1".into(),
        ..Default::default()
    };
    let page = form_page(&state, &viewer, &unit, &year, form, FieldErrors::default()).await?;
    Ok(render(&page)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
    axum::Form(form): axum::Form<ActivityForm>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let saved = match form.input().validate(crate::today()) {
        Ok(draft) => {
            propaganda::record(state.store.db(), &viewer.actor, &unit, &year, &draft).await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!(
            "{STAFF}/tuyen-truyen?org={}&year={}#danh-sach",
            unit.id, year.year
        ))
        .into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&form_page(&state, &viewer, &unit, &year, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// The column form as posted.
#[derive(Debug, Default, Deserialize)]
struct ColumnForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    schedule: String,
    #[serde(default)]
    started_on: String,
}

#[derive(Template)]
#[template(path = "propaganda/columns.html")]
struct ColumnsPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    columns: Vec<MediaColumn>,
    can_add: bool,
    form: ColumnForm,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

impl Dates for ColumnsPage {}

async fn columns_view(
    state: &AppState,
    viewer: &Viewer,
    q: &StudyQuery,
    form: ColumnForm,
    errors: FieldErrors,
) -> Result<(ColumnsPage, Org), AppError> {
    let (unit, _, _, _) = unit_and_year(state, viewer, q, Role::Leader).await?;
    let db = state.store.db();
    let lineage = org::lineage(db, &unit).await?;
    Ok((
        ColumnsPage {
            title: format!("Chuyên trang, chuyên mục — {}", unit.name),
            crumbs: viewer.org_crumbs(&lineage, Some("Chuyên mục")),
            me: viewer.me(),
            columns: propaganda::columns(db, &unit.subtree()).await?,
            can_add: viewer.can_at(&unit).edit,
            form,
            kinds: MediaKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            errors: FormErrors(errors),
            unit: unit.clone(),
        },
        unit,
    ))
}

async fn columns_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (page, _) = columns_view(
        &state,
        &viewer,
        &q,
        ColumnForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn create_column(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
    axum::Form(form): axum::Form<ColumnForm>,
) -> Result<Response, AppError> {
    let (unit, _, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let input = ColumnInput {
        name: form.name.clone(),
        kind: form.kind.clone(),
        schedule: form.schedule.clone(),
        started_on: form.started_on.clone(),
    };
    let saved = match input.validate() {
        Ok(draft) => {
            propaganda::create_column(state.store.db(), &viewer.actor, &unit, &draft).await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/chuyen-muc/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&columns_view(&state, &viewer, &q, form, errors).await?.0)
        }
        Err(e) => Err(e.into()),
    }
}

/// A column the viewer may read (leaders and staff over its unit), with whether they add
/// items (its staff); 404 for anyone else.
async fn column_in_reach(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(MediaColumn, Org, bool), AppError> {
    let db = state.store.db();
    let column = propaganda::column(db, id).await?;
    let unit = org::get(db, column.org_id).await?;
    viewer.require(Role::Leader, &unit)?;
    let edit = viewer.can_at(&unit).edit;
    Ok((column, unit, edit))
}

/// The item form as posted: the story is "e12" (exemplar) or "m7" (model).
#[derive(Debug, Default, Deserialize)]
struct ItemForm {
    #[serde(default)]
    aired_on: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    programme: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    story: String,
}

impl ItemForm {
    fn story(&self) -> Option<Story> {
        let (kind, id) = self.story.split_at_checked(1)?;
        let id = id.parse().ok()?;
        match kind {
            "e" => Some(Story::Exemplar(id)),
            "m" => Some(Story::Model(id)),
            _ => None,
        }
    }
}

#[derive(Template)]
#[template(path = "propaganda/column.html")]
struct ColumnPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    column: MediaColumn,
    items: Vec<MediaItem>,
    total: String,
    links: Vec<PageLink>,
    edit: bool,
    exemplars: Vec<(i64, String)>,
    models: Vec<(i64, String)>,
    form: ItemForm,
    errors: FormErrors,
}

impl Dates for ColumnPage {}

impl ColumnPage {
    fn chosen(&self, prefix: &str, id: &i64) -> bool {
        self.form.story == format!("{prefix}{id}")
    }
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    page: Option<u64>,
}

async fn column_view(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    page: u64,
    form: ItemForm,
    errors: FieldErrors,
) -> Result<ColumnPage, AppError> {
    let (column, unit, edit) = column_in_reach(state, viewer, id).await?;
    let db = state.store.db();
    let lineage = org::lineage(db, &unit).await?;
    let items = propaganda::items(db, id, page, PER_PAGE).await?;
    let (exemplars, models) = if edit {
        let top = lineage.first().unwrap_or(&unit);
        propaganda::story_candidates(db, &top.subtree(), crate::today().year()).await?
    } else {
        Default::default()
    };
    Ok(ColumnPage {
        title: format!("{} — {}", column.name, column.org_name),
        crumbs: viewer.org_crumbs(&lineage, Some("Chuyên mục")),
        me: viewer.me(),
        total: views::number(items.total),
        links: page_links(items.page, items.pages(), |p| {
            format!("{STAFF}/chuyen-muc/{id}?page={p}")
        }),
        items: items.items,
        edit,
        exemplars,
        models,
        form,
        errors: FormErrors(errors),
        column,
    })
}

async fn column_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let page = column_view(
        &state,
        &viewer,
        id,
        q.page.unwrap_or(1),
        ItemForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn add_item(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ItemForm>,
) -> Result<Response, AppError> {
    let (column, _, edit) = column_in_reach(&state, &viewer, id).await?;
    if !edit {
        return Err(AppError::Forbidden);
    }
    let input = ItemInput {
        aired_on: form.aired_on.clone(),
        title: form.title.clone(),
        programme: form.programme.clone(),
        link: form.link.clone(),
    };
    let saved = match input.validate(column.started_on, crate::today()) {
        Ok(draft) => {
            propaganda::add_item(
                state.store.db(),
                &viewer.actor,
                &column,
                &draft,
                form.story(),
            )
            .await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("{STAFF}/chuyen-muc/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&column_view(&state, &viewer, id, 1, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}
