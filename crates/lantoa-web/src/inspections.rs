//! Inspection and supervision (kiểm tra, giám sát): a committee's year of inspections with
//! its figures (planned and done, units and people inspected, recommendations open and
//! overdue), each figure leading to its list, and the recommendations the unit itself must
//! carry out; planning an inspection, recording its conclusion and recommendations (the
//! committee's staff); the follow-up of a recommendation (the responsible unit's staff).

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
use chrono::NaiveDate;
use lantoa_domain::accounts::Role;
use lantoa_domain::inspections::{
    FollowUpInput, InspectionFocus, InspectionInput, InspectionKind, InspectionState,
    RecommendationInput, RecommendationStatus, ResultInput,
};
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{ClosedList, OrgId, PersonId};
use lantoa_store::StoreError;
use lantoa_store::campaign::Until;
use lantoa_store::inspections::{
    self, FollowUp, Inspection, InspectionFigures, InspectionFilter, Recommendation, SubjectPerson,
};
use lantoa_store::org::{self, Org};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/kiem-tra", get(list_page))
        .route("/kiem-tra/moi", get(new_form).post(create))
        .route("/kiem-tra/{id}", get(inspection_page))
        .route("/kiem-tra/{id}/ket-qua", post(record_result))
        .route("/kiem-tra/{id}/kien-nghi", post(recommend))
        .route("/kiem-tra/kien-nghi/{id}", post(follow_up))
}

const PER_PAGE: u64 = 30;

/// Unit, year, page and the filters behind a figure.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    org: Option<i64>,
    year: Option<i32>,
    page: Option<u64>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    state: String,
    /// "ca-nhan" (people) or "to-chuc" (units).
    #[serde(default)]
    subject: String,
}

impl ListQuery {
    fn filter(&self) -> InspectionFilter {
        InspectionFilter {
            kind: InspectionKind::from_code(&self.kind),
            state: InspectionState::from_code(&self.state),
            of_person: match self.subject.as_str() {
                "ca-nhan" => Some(true),
                "to-chuc" => Some(false),
                _ => None,
            },
        }
    }

    fn filters(&self) -> String {
        views::filter_query(&[
            ("kind", self.kind.clone()),
            ("state", self.state.clone()),
            ("subject", self.subject.clone()),
        ])
    }
}

#[derive(Template)]
#[template(path = "inspections/list.html")]
struct ListPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    years: Vec<i32>,
    figures: InspectionFigures,
    tiles: Vec<Figure>,
    rows: Vec<Inspection>,
    total: String,
    links: Vec<PageLink>,
    filtered: bool,
    /// Open recommendations the unit must carry out.
    to_do: Vec<Recommendation>,
    today: NaiveDate,
    can_add: bool,
}

impl Dates for ListPage {}

impl ListPage {
    fn done_share(&self) -> String {
        lantoa_domain::format::percent(self.figures.done(), self.figures.planned())
    }
}

impl Numbers for ListPage {}

async fn list_page(
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
    let today = crate::today();
    let figures = inspections::figures(db, unit.id, &year, today, Until::WHOLE_YEAR).await?;
    let filter = q.filter();
    let page = inspections::inspections(db, unit.id, &year, &filter, q.page.unwrap_or(1), PER_PAGE)
        .await?;
    let base = format!("{STAFF}/kiem-tra?org={}&year={}", unit.id, year.year);
    let figure = |label: &str, count: i64, query: &str| {
        Figure::new(label, count, format!("{base}{query}#danh-sach"))
    };
    let tiles = vec![
        figure(
            "Cuộc kiểm tra, giám sát theo kế hoạch",
            figures.planned(),
            "",
        ),
        figure(
            "Đã thực hiện",
            figures.done(),
            &format!("&state={}", InspectionState::Done.code()),
        ),
        figure(
            "Đối tượng là tổ chức đảng",
            figures.of_units,
            "&subject=to-chuc",
        ),
        figure(
            "Đối tượng là cán bộ, đảng viên",
            figures.of_people,
            "&subject=ca-nhan",
        ),
    ];
    let filters = q.filters();
    let links = page_links(page.page, page.pages(), |p| {
        format!("{base}{filters}&page={p}#danh-sach")
    });
    let lineage = org::lineage(db, &unit).await?;
    let view = ListPage {
        title: format!("Kiểm tra, giám sát năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Kiểm tra, giám sát")),
        me: viewer.me(),
        year: year.year,
        years: years.iter().map(|y| y.year).collect(),
        figures,
        tiles,
        total: views::number(page.total),
        rows: page.items,
        links,
        filtered: filter != InspectionFilter::default(),
        to_do: inspections::open_for(db, unit.id).await?,
        today,
        can_add: viewer.can_at(&unit).edit,
        unit,
    };
    Ok(render(&view)?.into_response())
}

/// The plan form as posted.
#[derive(Debug, Default, Deserialize)]
struct PlanForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    focus: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

impl PlanForm {
    fn input(&self) -> InspectionInput {
        InspectionInput {
            kind: self.kind.clone(),
            focus: self.focus.clone(),
            content: self.content.clone(),
            team: self.team.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "inspections/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    action: String,
    form: PlanForm,
    kinds: Vec<(&'static str, &'static str)>,
    focuses: Vec<(&'static str, &'static str)>,
    units: Vec<Org>,
    /// Leaders by unit name.
    people: Vec<(String, Vec<SubjectPerson>)>,
    errors: FormErrors,
}

impl FormPage {
    fn is_subject(&self, unit: &Org) -> bool {
        self.form.subject == unit.id.to_string()
    }

    fn is_person(&self, person: &SubjectPerson) -> bool {
        self.form.person == person.id.to_string()
    }
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    committee: &Org,
    year: i32,
    form: PlanForm,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let db = state.store.db();
    let mut people: Vec<(String, Vec<SubjectPerson>)> = Vec::new();
    for person in inspections::subject_people(db, committee.id).await? {
        match people.last_mut() {
            Some((unit, list)) if *unit == person.org_name => list.push(person),
            _ => people.push((person.org_name.clone(), vec![person])),
        }
    }
    let lineage = org::lineage(db, committee).await?;
    Ok(FormPage {
        title: format!(
            "Kế hoạch kiểm tra, giám sát năm {year} — {}",
            committee.name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Kiểm tra, giám sát")),
        me: viewer.me(),
        action: format!("{STAFF}/kiem-tra/moi?org={}&year={year}", committee.id),
        form,
        kinds: InspectionKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        focuses: InspectionFocus::ALL
            .iter()
            .map(|f| (f.code(), f.label()))
            .collect(),
        units: org::child_units(db, committee.id).await?,
        people,
        errors: FormErrors(errors),
    })
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (committee, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let page = form_page(
        &state,
        &viewer,
        &committee,
        year.year,
        PlanForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
    axum::Form(form): axum::Form<PlanForm>,
) -> Result<Response, AppError> {
    let (committee, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let db = state.store.db();
    let mut errors = FieldErrors::default();
    // A person chosen names the unit too: their own.
    let person: Option<i64> = form.person.trim().parse().ok();
    let subject_id = match person {
        Some(p) => inspections::subject_people(db, committee.id)
            .await?
            .into_iter()
            .find(|s| s.id == p)
            .map(|s| s.org_id),
        None => form.subject.trim().parse().ok(),
    };
    let subject = match subject_id {
        Some(id) => org::get(db, OrgId(id)).await.ok(),
        None => None,
    };
    if subject.is_none() {
        errors.add(
            "subject",
            "Chọn tổ chức hoặc cán bộ được kiểm tra, giám sát",
        );
    }
    let draft = form
        .input()
        .validate(year.year)
        .map_err(|e| errors.append(e))
        .ok();
    let saved = match (draft, subject) {
        (Some(draft), Some(subject)) if errors.is_empty() => {
            inspections::plan(
                db,
                &viewer.actor,
                &committee,
                &year,
                &draft,
                &subject,
                person.map(PersonId),
            )
            .await
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/kiem-tra/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&form_page(&state, &viewer, &committee, year.year, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// What the viewer may do with an inspection.
struct Access {
    /// Record its result and recommendations (staff of the committee).
    edit: bool,
    /// The recommendations whose follow-up the viewer reports (staff of the committee or
    /// of the responsible unit).
    follows: Vec<i64>,
}

/// An inspection the viewer may read (leaders and staff of the committee, of the unit
/// inspected, or of a unit responsible for one of its recommendations), its committee, its
/// recommendations and what the viewer may do; 404 for anyone else.
async fn inspection_in_reach(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(Inspection, Org, Vec<Recommendation>, Access), AppError> {
    let db = state.store.db();
    let inspection = inspections::inspection(db, id).await?;
    let committee = org::get(db, inspection.org_id).await?;
    let recommendations = inspections::recommendations(db, id).await?;
    let mut ids = vec![inspection.subject_org_id];
    ids.extend(recommendations.iter().map(|r| r.org_id));
    let units: HashMap<OrgId, Org> = org::get_many(db, &ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let reads = std::iter::once(&committee)
        .chain(units.values())
        .any(|o| viewer.role_at(o) >= Some(Role::Leader));
    if !reads {
        return Err(AppError::NotFound);
    }
    let edit = viewer.can_at(&committee).edit;
    let follows = recommendations
        .iter()
        .filter(|r| r.status.is_open())
        .filter(|r| edit || units.get(&r.org_id).is_some_and(|o| viewer.can_at(o).edit))
        .map(|r| r.id)
        .collect();
    Ok((
        inspection,
        committee,
        recommendations,
        Access { edit, follows },
    ))
}

/// The forms of an inspection's page as typed.
#[derive(Debug, Default, Deserialize)]
struct PageForms {
    #[serde(default)]
    concluded_on: String,
    #[serde(default)]
    conclusion: String,
    #[serde(default)]
    strengths: String,
    #[serde(default)]
    shortcomings: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    recommendation: String,
    #[serde(default)]
    deadline: String,
    /// The recommendation a follow-up was refused for.
    #[serde(skip)]
    follow_up_of: Option<i64>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "inspections/inspection.html")]
struct InspectionPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    i: Inspection,
    committee: Org,
    /// Whether the viewer reads the committee's list (not only this inspection).
    reads_committee: bool,
    recommendations: Vec<Recommendation>,
    follow_ups: HashMap<i64, Vec<FollowUp>>,
    access: Access,
    /// Units a recommendation may be given to: the unit inspected first, then the
    /// committee's units.
    responsible: Vec<Org>,
    statuses: Vec<(&'static str, &'static str)>,
    form: PageForms,
    today: NaiveDate,
    errors: FormErrors,
}

impl Dates for InspectionPage {}

impl InspectionPage {
    fn follow_ups_of(&self, r: &Recommendation) -> &[FollowUp] {
        self.follow_ups.get(&r.id).map_or(&[], Vec::as_slice)
    }

    fn follows(&self, r: &Recommendation) -> bool {
        self.access.follows.contains(&r.id)
    }

    /// The follow-up form's errors and text belong to the recommendation they were for.
    fn refused_here(&self, r: &Recommendation) -> bool {
        self.form.follow_up_of == Some(r.id)
    }
}

async fn inspection_view(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    form: PageForms,
    errors: FieldErrors,
) -> Result<InspectionPage, AppError> {
    let (i, committee, recommendations, access) = inspection_in_reach(state, viewer, id).await?;
    let db = state.store.db();
    let ids: Vec<i64> = recommendations.iter().map(|r| r.id).collect();
    let mut responsible = Vec::new();
    if access.edit && i.state == InspectionState::Done {
        responsible.push(org::get(db, i.subject_org_id).await?);
        responsible.extend(
            org::child_units(db, committee.id)
                .await?
                .into_iter()
                .filter(|o| o.id != i.subject_org_id),
        );
    }
    let lineage = org::lineage(db, &committee).await?;
    Ok(InspectionPage {
        title: format!("{} — {}", i.kind.label(), i.subject()),
        crumbs: viewer.org_crumbs(&lineage, Some("Kiểm tra, giám sát")),
        me: viewer.me(),
        follow_ups: inspections::follow_ups(db, &ids).await?,
        statuses: RecommendationStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        today: crate::today(),
        errors: FormErrors(errors),
        responsible,
        recommendations,
        access,
        reads_committee: viewer.role_at(&committee) >= Some(Role::Leader),
        committee,
        form,
        i,
    })
}

async fn inspection_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let page = inspection_view(
        &state,
        &viewer,
        id,
        PageForms::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// The inspection again with why a change was refused, or to it when saved.
async fn after(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    saved: Result<(), StoreError>,
    form: PageForms,
) -> Result<Response, AppError> {
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/kiem-tra/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&inspection_view(state, viewer, id, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn record_result(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<PageForms>,
) -> Result<Response, AppError> {
    let (i, _, _, access) = inspection_in_reach(&state, &viewer, id).await?;
    if !access.edit {
        return Err(AppError::Forbidden);
    }
    let input = ResultInput {
        concluded_on: form.concluded_on.clone(),
        conclusion: form.conclusion.clone(),
        strengths: form.strengths.clone(),
        shortcomings: form.shortcomings.clone(),
    };
    let saved = match input.validate(i.starts_on, crate::today()) {
        Ok(draft) => inspections::record_result(state.store.db(), &viewer.actor, id, &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    after(&state, &viewer, id, saved, form).await
}

async fn recommend(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<PageForms>,
) -> Result<Response, AppError> {
    let (i, committee, _, access) = inspection_in_reach(&state, &viewer, id).await?;
    if !access.edit {
        return Err(AppError::Forbidden);
    }
    let db = state.store.db();
    let mut errors = FieldErrors::default();
    let responsible = match form.responsible.trim().parse::<i64>() {
        Ok(unit) => org::get(db, OrgId(unit)).await.ok(),
        Err(_) => None,
    };
    if responsible.is_none() {
        errors.add("responsible", "Chọn đơn vị thực hiện kiến nghị");
    }
    let input = RecommendationInput {
        content: form.recommendation.clone(),
        deadline: form.deadline.clone(),
    };
    let draft = input
        .validate(i.concluded_on.unwrap_or(i.starts_on))
        .map_err(|e| errors.append(e))
        .ok();
    let saved = match (draft, responsible) {
        (Some(draft), Some(responsible)) if errors.is_empty() => {
            inspections::recommend(db, &viewer.actor, &i, &committee, &responsible, &draft)
                .await
                .map(|_| ())
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    after(&state, &viewer, id, saved, form).await
}

/// Reports the follow-up of a recommendation (staff of the committee or of the responsible
/// unit); the path names the recommendation.
async fn follow_up(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(recommendation): Path<i64>,
    axum::Form(mut form): axum::Form<PageForms>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let of = inspections::recommendation(db, recommendation).await?;
    let id = of.inspection_id;
    let (_, _, _, access) = inspection_in_reach(&state, &viewer, id).await?;
    if !access.follows.contains(&recommendation) {
        return Err(AppError::Forbidden);
    }
    let input = FollowUpInput {
        status: form.status.clone(),
        note: form.note.clone(),
    };
    let saved = match input.validate() {
        Ok(draft) => {
            inspections::follow_up(db, &viewer.actor, recommendation, &draft, crate::today()).await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    form.follow_up_of = Some(recommendation);
    after(&state, &viewer, id, saved, form).await
}
