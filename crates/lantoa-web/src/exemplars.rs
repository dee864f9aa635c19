//! Exemplars (gương điển hình, người tốt việc tốt): the figures of a subtree and year with
//! the nominations behind them; nominating (a unit's staff for their subtree, a member for
//! their own unit); the steps to commendation by the unit's staff; the exemplar of the
//! month. The nominator's contact is shown to staff only.

use crate::auth::Viewer;
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{Crumb, FormErrors, Me, Numbers, PageLink, page_links, render, render_invalid};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lantoa_domain::ClosedList;
use lantoa_domain::accounts::Role;
use lantoa_domain::exemplars::{
    ExemplarField, ExemplarInput, ExemplarKind, ExemplarState, ExemplarStep, NominationSource,
    SubjectCategory,
};
use lantoa_domain::validation::FieldErrors;
use lantoa_store::StoreError;
use lantoa_store::campaign::CampaignYear;
use lantoa_store::campaign::Until;
use lantoa_store::exemplars::{self, Exemplar, ExemplarFigures, ExemplarFilter, Nominator};
use lantoa_store::org::{self, Org};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/guong-dien-hinh", get(list_page))
        .route("/guong-dien-hinh/moi", get(new_form).post(nominate))
        .route("/guong-dien-hinh/{id}", get(exemplar_page))
        .route("/guong-dien-hinh/{id}/tep/{file}", get(exemplar_file))
        .route("/guong-dien-hinh/{id}/buoc", post(take_step))
        .route("/guong-dien-hinh/{id}/thang", post(feature))
        .route("/guong-dien-hinh/{id}/cong-khai", post(publish))
}

const PER_PAGE: u64 = 30;

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    org: Option<i64>,
    year: Option<i32>,
    page: Option<u64>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    open: String,
}

impl ListQuery {
    fn study(&self) -> StudyQuery {
        StudyQuery::at(self.org, self.year)
    }

    fn filter(&self) -> ExemplarFilter {
        ExemplarFilter {
            q: self.q.clone(),
            state: ExemplarState::from_code(&self.state),
            category: SubjectCategory::from_code(&self.category),
            field: None,
            open: !self.open.is_empty(),
        }
    }

    fn filters(&self) -> String {
        crate::views::filter_query(&[
            ("q", crate::views::query_value(&self.q)),
            ("state", self.state.clone()),
            ("category", self.category.clone()),
            ("open", self.open.clone()),
        ])
    }
}

#[derive(Template)]
#[template(path = "exemplars/list.html")]
struct ListPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    years: Vec<i32>,
    figures: ExemplarFigures,
    rows: Vec<Exemplar>,
    total: String,
    links: Vec<PageLink>,
    filtered: bool,
    q: String,
    state: String,
    states: Vec<(&'static str, &'static str)>,
    can_nominate: bool,
    featured: Vec<(String, i64, String)>,
}

impl Numbers for ListPage {}

impl ListPage {
    /// The median days from nomination to decision: "12", "12,5" or "–".
    fn median(&self) -> String {
        match self.figures.median_days {
            Some(d) if d.fract() == 0.0 => crate::views::number(d as i64),
            Some(d) => format!("{d:.1}").replace('.', ","),
            None => "–".into(),
        }
    }

    /// A month "2024-09" as "09/2024".
    fn month(&self, m: &str) -> String {
        crate::views::month(m)
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
    let figures = exemplars::figures(db, &within, &year, Until::WHOLE_YEAR).await?;
    let filter = q.filter();
    let page =
        exemplars::exemplars(db, &within, &year, &filter, q.page.unwrap_or(1), PER_PAGE).await?;
    let filters = q.filters();
    let (org_id, y) = (unit.id.0, year.year);
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/guong-dien-hinh?org={org_id}&year={y}{filters}&page={p}")
    });
    let lineage = org::lineage(db, &unit).await?;
    let view = ListPage {
        title: format!("Gương điển hình năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Gương điển hình")),
        me: viewer.me(),
        years: years.iter().map(|y| y.year).collect(),
        year: year.year,
        figures,
        total: crate::views::number(page.total),
        rows: page.items,
        links,
        filtered: filter != ExemplarFilter::default(),
        q: q.q.clone(),
        state: q.state.clone(),
        states: ExemplarState::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        can_nominate: viewer.can_at(&unit).edit,
        featured: exemplars::featured(db, unit.id).await?,
        unit,
    };
    Ok(render(&view)?.into_response())
}

/// The nomination form as posted; a registered person is named by their party card.
#[derive(Debug, Default, Deserialize)]
struct NominationForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    card: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    about: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    achievement: String,
    #[serde(default)]
    evidence: String,
}

#[derive(Template)]
#[template(path = "exemplars/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    action: String,
    unit_name: String,
    form: NominationForm,
    kinds: Vec<(&'static str, &'static str)>,
    fields: Vec<(&'static str, &'static str)>,
    /// Set once a member's nomination is sent.
    sent: bool,
    errors: FormErrors,
}

/// Where a nomination goes: the unit named (its staff nominate for their subtree), else the
/// member's own unit.
async fn nominating_unit(
    state: &AppState,
    viewer: &Viewer,
    q: &ListQuery,
) -> Result<(Org, CampaignYear, NominationSource), AppError> {
    let db = state.store.db();
    if q.org.is_some() || viewer.principal.person_id.is_none() {
        let (unit, year, _, _) = unit_and_year(state, viewer, &q.study(), Role::Staff).await?;
        return Ok((unit, year, NominationSource::Staff));
    }
    let person = viewer.principal.person_id.ok_or(AppError::NotFound)?;
    let person = lantoa_store::people::get(db, person).await?;
    let unit = org::get(db, person.org_id).await?;
    let years = lantoa_store::campaign::years(db).await?;
    let year = crate::campaign::current_year(&years, crate::today())
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok((unit, year, NominationSource::Member))
}

fn form_page(
    viewer: &Viewer,
    unit: &Org,
    q: &ListQuery,
    form: NominationForm,
    sent: bool,
    errors: FieldErrors,
) -> FormPage {
    let action = match q.org {
        Some(org) => format!(
            "{STAFF}/guong-dien-hinh/moi?org={org}{}",
            q.year.map(|y| format!("&year={y}")).unwrap_or_default()
        ),
        None => format!("{STAFF}/guong-dien-hinh/moi"),
    };
    FormPage {
        title: format!("Đề cử gương điển hình, người tốt việc tốt — {}", unit.name),
        crumbs: vec![Crumb::here("Đề cử gương điển hình")],
        me: viewer.me(),
        action,
        unit_name: unit.name.clone(),
        form,
        kinds: ExemplarKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        fields: ExemplarField::ALL
            .iter()
            .map(|f| (f.code(), f.label()))
            .collect(),
        sent,
        errors: FormErrors(errors),
    }
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (unit, _, _) = nominating_unit(&state, &viewer, &q).await?;
    let form = NominationForm {
        kind: ExemplarKind::Person.code().into(),
        ..Default::default()
    };
    Ok(render(&form_page(
        &viewer,
        &unit,
        &q,
        form,
        false,
        FieldErrors::default(),
    ))?
    .into_response())
}

async fn nominate(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
    Form(form): Form<NominationForm>,
) -> Result<Response, AppError> {
    let (unit, year, source) = nominating_unit(&state, &viewer, &q).await?;
    let db = state.store.db();
    let mut person_id = String::new();
    let card = lantoa_domain::people::normalise_card(&form.card);
    if let Some(card) = &card {
        match lantoa_store::people::by_cards(db, std::slice::from_ref(card))
            .await?
            .into_iter()
            .next()
        {
            Some(p) => person_id = p.id.0.to_string(),
            None => {
                let errors =
                    FieldErrors::single("card", format!("Không có đảng viên số thẻ «{card}»"));
                return render_invalid(&form_page(&viewer, &unit, &q, form, false, errors));
            }
        }
    }
    let input = ExemplarInput {
        kind: form.kind.clone(),
        person_id,
        name: form.name.clone(),
        about: form.about.clone(),
        field: form.field.clone(),
        achievement: form.achievement.clone(),
        evidence: form.evidence.clone(),
    };
    let nominator = Nominator {
        source: Some(source),
        ..Default::default()
    };
    let saved = match input.validate() {
        Ok(draft) => exemplars::nominate(db, &viewer.actor, &unit, &year, &draft, &nominator).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(id) if source == NominationSource::Staff => {
            Ok(Redirect::to(&format!("{STAFF}/guong-dien-hinh/{id}")).into_response())
        }
        Ok(_) => Ok(render(&form_page(
            &viewer,
            &unit,
            &q,
            NominationForm::default(),
            true,
            FieldErrors::default(),
        ))?
        .into_response()),
        Err(StoreError::Invalid(mut errors)) => {
            // A person outside the unit was named by card: the error belongs there.
            if let Some(message) = errors.get("person_id").map(str::to_owned) {
                errors.add("card", message);
            }
            render_invalid(&form_page(&viewer, &unit, &q, form, false, errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// A nomination the viewer may read (leaders and staff over its unit), and whether they
/// act on it (staff).
async fn exemplar_in_reach(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(Exemplar, Org, bool), AppError> {
    let db = state.store.db();
    let exemplar = exemplars::exemplar(db, id).await?;
    let unit = org::get(db, exemplar.org_id).await?;
    viewer.require(Role::Leader, &unit)?;
    let staff = viewer.can_at(&unit).edit;
    Ok((exemplar, unit, staff))
}

#[derive(Template)]
#[template(path = "exemplars/exemplar.html")]
struct ExemplarPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    x: Exemplar,
    staff: bool,
    steps: Vec<(&'static str, &'static str)>,
    /// The proposals that named it, with each review's conclusion.
    proposals: Vec<(
        lantoa_store::proposals::Proposal,
        Option<lantoa_domain::commendations::ReviewOutcome>,
        Option<String>,
    )>,
    month: String,
    /// Photos sent with the nomination.
    files: Vec<lantoa_store::files::StoredFile>,
    /// The model whose collective this is: (id, name).
    model: Option<(i64, String)>,
    /// The media items that told of it.
    stories: Vec<lantoa_store::propaganda::MediaItem>,
    errors: FormErrors,
}

impl ExemplarPage {
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        lantoa_domain::dates::display(t.with_timezone(&chrono::Local).date_naive())
    }
}

async fn exemplar_view(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    month: String,
    errors: FieldErrors,
) -> Result<ExemplarPage, AppError> {
    let (x, unit, staff) = exemplar_in_reach(state, viewer, id).await?;
    let steps = if staff {
        ExemplarStep::ALL
            .iter()
            .filter(|s| x.state.after(**s).is_ok())
            .map(|s| (s.code(), s.label()))
            .collect()
    } else {
        Vec::new()
    };
    let lineage = org::lineage(state.store.db(), &unit).await?;
    let proposals = lantoa_store::proposals::of_exemplar(state.store.db(), id).await?;
    Ok(ExemplarPage {
        proposals,
        files: exemplars::EXEMPLAR_FILES.list(state.store.db(), id).await?,
        model: exemplars::model_of(state.store.db(), id).await?,
        stories: lantoa_store::propaganda::items_about(
            state.store.db(),
            lantoa_store::propaganda::Story::Exemplar(id),
        )
        .await?,
        title: x.name.clone(),
        crumbs: viewer.org_crumbs(&lineage, Some("Gương điển hình")),
        me: viewer.me(),
        staff,
        steps,
        month,
        errors: FormErrors(errors),
        x,
    })
}

async fn exemplar_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let month = crate::today().format("%m/%Y").to_string();
    Ok(
        render(&exemplar_view(&state, &viewer, id, month, FieldErrors::default()).await?)?
            .into_response(),
    )
}

#[derive(Debug, Default, Deserialize)]
struct StepForm {
    #[serde(default)]
    step: String,
}

async fn take_step(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let (_, _, staff) = exemplar_in_reach(&state, &viewer, id).await?;
    if !staff {
        return Err(AppError::Forbidden);
    }
    let step = ExemplarStep::from_code(&form.step).ok_or(AppError::NotFound)?;
    match exemplars::take_step(state.store.db(), &viewer.actor, id, step).await {
        Ok(_) => Ok(Redirect::to(&format!("{STAFF}/guong-dien-hinh/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&exemplar_view(&state, &viewer, id, String::new(), errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct PublishForm {
    #[serde(default)]
    public: String,
}

/// Shows a verified or commended exemplar on the public site, or hides it.
async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<PublishForm>,
) -> Result<Response, AppError> {
    let (_, _, staff) = exemplar_in_reach(&state, &viewer, id).await?;
    if !staff {
        return Err(AppError::Forbidden);
    }
    let public = form.public == "1";
    match exemplars::set_public(state.store.db(), &viewer.actor, id, public).await {
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/guong-dien-hinh/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&exemplar_view(&state, &viewer, id, String::new(), errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct MonthForm {
    #[serde(default)]
    month: String,
}

/// "09/2024" as stored, "2024-09"; or why not.
fn parse_month(text: &str) -> Result<String, String> {
    let parts: Vec<&str> = text.trim().split(['/', '-', '.']).collect();
    match parts.as_slice() {
        [m, y] => match (m.parse::<u32>(), y.parse::<i32>()) {
            (Ok(m), Ok(y)) if (1..=12).contains(&m) && (2000..=2100).contains(&y) => {
                Ok(format!("{y}-{m:02}"))
            }
            _ => Err("Tháng ghi dạng mm/yyyy, ví dụ 09/2024".into()),
        },
        _ => Err("Tháng ghi dạng mm/yyyy, ví dụ 09/2024".into()),
    }
}

async fn feature(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<MonthForm>,
) -> Result<Response, AppError> {
    let (x, unit, staff) = exemplar_in_reach(&state, &viewer, id).await?;
    if !staff {
        return Err(AppError::Forbidden);
    }
    let saved = match parse_month(&form.month) {
        Ok(month) => exemplars::feature(state.store.db(), &viewer.actor, &unit, &month, &x).await,
        Err(message) => Err(StoreError::invalid("month", message)),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!(
            "{STAFF}/guong-dien-hinh?org={}&year={}",
            unit.id, x.year
        ))
        .into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&exemplar_view(&state, &viewer, id, form.month, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// A photo sent with a nomination, to those who read the nomination.
async fn exemplar_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    exemplar_in_reach(&state, &viewer, id).await?;
    let file = exemplars::EXEMPLAR_FILES
        .one(state.store.db(), id, file)
        .await?;
    crate::views::stored_file(&state, &file).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_are_typed_as_people_write_them() {
        assert_eq!(super::parse_month("9/2024").unwrap(), "2024-09");
        assert_eq!(super::parse_month("09-2024").unwrap(), "2024-09");
        assert!(super::parse_month("13/2024").is_err());
        assert!(super::parse_month("2024").is_err());
        assert_eq!(crate::views::month("2024-09"), "09/2024");
    }
}
