//! Teaching the campaign's content: a subtree's year of courses by audience (courses,
//! classes, learners, hours) with the list behind each, and the form by which a unit's
//! staff record a course.

use crate::auth::Viewer;
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{
    self, Crumb, Dates, FormErrors, Me, Numbers, PageLink, page_links, render, render_invalid,
};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lantoa_domain::ClosedList;
use lantoa_domain::accounts::Role;
use lantoa_domain::teaching::{Audience, CourseInput};
use lantoa_domain::validation::FieldErrors;
use lantoa_store::StoreError;
use lantoa_store::org::{self, Org};
use lantoa_store::teaching::{self, Counts, Course};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new().route("/giang-day", get(teaching_page).post(create))
}

const PER_PAGE: u64 = 30;

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    org: Option<i64>,
    year: Option<i32>,
    page: Option<u64>,
    #[serde(default)]
    audience: String,
}

/// The course form as posted.
#[derive(Debug, Default, Deserialize)]
struct CourseForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    classes: String,
    #[serde(default)]
    learners: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

impl CourseForm {
    fn input(&self) -> CourseInput {
        CourseInput {
            name: self.name.clone(),
            audience: self.audience.clone(),
            content: self.content.clone(),
            classes: self.classes.clone(),
            learners: self.learners.clone(),
            hours: self.hours.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "teaching/page.html")]
struct TeachingPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    years: Vec<i32>,
    figures: Vec<(Audience, Counts)>,
    total: Counts,
    rows: Vec<Course>,
    count: String,
    links: Vec<PageLink>,
    filtered: bool,
    can_add: bool,
    audiences: Vec<(&'static str, &'static str)>,
    form: CourseForm,
    errors: FormErrors,
}

impl Numbers for TeachingPage {}

impl Dates for TeachingPage {}

async fn page_view(
    state: &AppState,
    viewer: &Viewer,
    q: &ListQuery,
    form: CourseForm,
    errors: FieldErrors,
) -> Result<TeachingPage, AppError> {
    let (unit, year, _, years) =
        unit_and_year(state, viewer, &StudyQuery::at(q.org, q.year), Role::Leader).await?;
    let db = state.store.db();
    let within = unit.subtree();
    let figures = teaching::figures(db, &within, &year).await?;
    let total = figures.iter().fold(Counts::default(), |t, (_, c)| Counts {
        courses: t.courses + c.courses,
        classes: t.classes + c.classes,
        learners: t.learners + c.learners,
        hours: t.hours + c.hours,
    });
    let audience = Audience::from_code(&q.audience);
    let page =
        teaching::courses(db, &within, &year, audience, q.page.unwrap_or(1), PER_PAGE).await?;
    let filter = views::filter_query(&[("audience", q.audience.clone())]);
    let (org_id, y) = (unit.id, year.year);
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/giang-day?org={org_id}&year={y}{filter}&page={p}#danh-sach")
    });
    let lineage = org::lineage(db, &unit).await?;
    Ok(TeachingPage {
        title: format!(
            "Đưa nội dung vào giảng dạy năm {} — {}",
            year.year, unit.name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Giảng dạy")),
        me: viewer.me(),
        year: year.year,
        years: years.iter().map(|y| y.year).collect(),
        figures,
        total,
        count: views::number(page.total),
        rows: page.items,
        links,
        filtered: audience.is_some(),
        can_add: viewer.can_at(&unit).edit,
        audiences: Audience::ALL
            .iter()
            .map(|a| (a.code(), a.label()))
            .collect(),
        form,
        errors: FormErrors(errors),
        unit,
    })
}

async fn teaching_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let page = page_view(
        &state,
        &viewer,
        &q,
        CourseForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
    axum::Form(form): axum::Form<CourseForm>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) =
        unit_and_year(&state, &viewer, &StudyQuery::at(q.org, q.year), Role::Staff).await?;
    let saved = match form.input().validate(year.year) {
        Ok(draft) => teaching::create(state.store.db(), &viewer.actor, &unit, &year, &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!(
            "{STAFF}/giang-day?org={}&year={}#danh-sach",
            unit.id, year.year
        ))
        .into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&page_view(&state, &viewer, &q, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}
