//! Proposals for commendation and their review: a unit's queue of proposals to review and
//! the ones its units sent; sending one (staff of the unit, verified nominations of its
//! subtree, to the nearest organisation that may decide the form); one proposal with its
//! people; the review (bình xét) by staff of the reviewing unit — approved here, sent up
//! for a higher form, or not approved with the reason.

use crate::auth::Viewer;
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{self, Crumb, FormErrors, Me, Numbers, PageLink, page_links, render};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lantoa_domain::ClosedList;
use lantoa_domain::accounts::Role;
use lantoa_domain::commendations::{
    CommendationForm, ItemReviewInput, Powers, ProposalInput, ReviewInput, ReviewOutcome,
    reviewer_of,
};
use lantoa_domain::validation::FieldErrors;
use lantoa_store::StoreError;
use lantoa_store::campaign::CampaignYear;
use lantoa_store::exemplars::Exemplar;
use lantoa_store::org::{self, Org};
use lantoa_store::proposals::{self, Proposal, ProposalItem, ProposalList};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/khen-thuong/de-nghi", get(list_page))
        .route("/khen-thuong/de-nghi/moi", get(new_form).post(send))
        .route("/khen-thuong/de-nghi/{id}", get(proposal_page))
        .route("/khen-thuong/de-nghi/{id}/binh-xet", post(review))
}

const PER_PAGE: u64 = 30;

/// Unit, year, page, and which list: the unit's queue ("den", the default) or what its
/// units sent ("di").
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    org: Option<i64>,
    year: Option<i32>,
    page: Option<u64>,
    #[serde(default)]
    hop: String,
}

#[derive(Template)]
#[template(path = "proposals/list.html")]
struct ListPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    sent: bool,
    waiting: i64,
    rows: Vec<Proposal>,
    total: String,
    links: Vec<PageLink>,
    can_propose: bool,
}

impl Numbers for ListPage {}

impl ListPage {
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        lantoa_domain::dates::display(t.with_timezone(&chrono::Local).date_naive())
    }
}

async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(
        &state,
        &viewer,
        &StudyQuery::at(q.org, q.year),
        Role::Leader,
    )
    .await?;
    let db = state.store.db();
    let sent = q.hop == "di";
    let list = if sent {
        ProposalList::SentWithin(unit.subtree())
    } else {
        ProposalList::AddressedTo(unit.id)
    };
    let page = proposals::proposals(db, &list, &year, q.page.unwrap_or(1), PER_PAGE).await?;
    let waiting = proposals::waiting(db, unit.id, &year).await?;
    let (org_id, y, hop) = (unit.id.0, year.year, q.hop.clone());
    let links = page_links(page.page, page.pages(), |p| {
        format!(
            "{STAFF}/khen-thuong/de-nghi?org={org_id}&year={y}&hop={}&page={p}",
            views::query_value(&hop)
        )
    });
    let lineage = org::lineage(db, &unit).await?;
    let view = ListPage {
        title: format!("Đề nghị khen thưởng năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Đề nghị khen thưởng")),
        me: viewer.me(),
        year: year.year,
        sent,
        waiting,
        total: views::number(page.total),
        rows: page.items,
        links,
        can_propose: viewer.can_at(&unit).edit,
        unit,
    };
    Ok(render(&view)?.into_response())
}

/// Unit, year and a nomination to tick at first (from its page).
#[derive(Debug, Default, Deserialize)]
struct NewQuery {
    org: Option<i64>,
    year: Option<i32>,
    chon: Option<i64>,
}

#[derive(Template)]
#[template(path = "proposals/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    action: String,
    form: ProposalInput,
    chosen: Vec<i64>,
    /// (code, label, the unit that would review it).
    forms: Vec<(&'static str, &'static str, String)>,
    proposable: Vec<Exemplar>,
    errors: FormErrors,
}

impl FormPage {
    fn is_chosen(&self, id: &i64) -> bool {
        self.chosen.contains(id)
    }
}

/// The unit and each unit above it, nearest first.
async fn chain_up(state: &AppState, unit: &Org) -> Result<Vec<Org>, AppError> {
    let mut lineage = org::lineage(state.store.db(), unit).await?;
    lineage.reverse();
    Ok(lineage)
}

/// The organisation that reviews a proposal of this form from the first unit of `chain`.
fn reviewer<'a>(chain: &'a [Org], form: CommendationForm, powers: &Powers) -> Option<&'a Org> {
    reviewer_of(chain, |o| o.kind, form, powers)
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    unit: &Org,
    year: &CampaignYear,
    form: ProposalInput,
    chosen: Vec<i64>,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let db = state.store.db();
    let chain = chain_up(state, unit).await?;
    let powers = lantoa_store::settings::load(db).await?.powers;
    let forms = CommendationForm::ALL
        .iter()
        .filter_map(|f| {
            reviewer(&chain, *f, &powers).map(|r| (f.code(), f.label(), r.name.clone()))
        })
        .collect();
    let mut lineage = chain;
    lineage.reverse();
    Ok(FormPage {
        title: format!(
            "Tờ trình đề nghị khen thưởng năm {} — {}",
            year.year, unit.name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Đề nghị khen thưởng")),
        me: viewer.me(),
        action: format!(
            "{STAFF}/khen-thuong/de-nghi/moi?org={}&year={}",
            unit.id, year.year
        ),
        form,
        chosen,
        forms,
        proposable: proposals::proposable(db, unit, year).await?,
        errors: FormErrors(errors),
    })
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) =
        unit_and_year(&state, &viewer, &StudyQuery::at(q.org, q.year), Role::Staff).await?;
    let page = form_page(
        &state,
        &viewer,
        &unit,
        &year,
        ProposalInput::default(),
        q.chon.into_iter().collect(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn send(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let db = state.store.db();
    let form = ProposalInput {
        form: views::field_text(&fields, "form"),
        reason: views::field_text(&fields, "reason"),
    };
    let chosen = views::field_ids(&fields, "recipient");
    let sent = match form.validate() {
        Ok(draft) => {
            let chain = chain_up(&state, &unit).await?;
            let powers = lantoa_store::settings::load(db).await?.powers;
            match reviewer(&chain, draft.form, &powers) {
                Some(to) => {
                    proposals::propose(db, &viewer.actor, &unit, to, &year, &draft, &chosen).await
                }
                None => Err(StoreError::invalid(
                    "form",
                    format!(
                        "Không có tổ chức nào từ {} trở lên có thẩm quyền quyết định «{}»",
                        unit.name,
                        draft.form.label()
                    ),
                )),
            }
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match sent {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/khen-thuong/de-nghi/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => views::render_invalid(
            &form_page(&state, &viewer, &unit, &year, form, chosen, errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// A proposal the viewer may read (leaders or staff over the proposing or the reviewing
/// unit), the reviewing unit, and whether the viewer reviews it (its staff).
async fn proposal_in_reach(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(Proposal, Org, bool), AppError> {
    let db = state.store.db();
    let p = proposals::proposal(db, id).await?;
    let from = org::get(db, p.org_id).await?;
    let to = org::get(db, p.to_org_id).await?;
    if viewer.require(Role::Leader, &to).is_err() {
        viewer.require(Role::Leader, &from)?;
    }
    let reviews = viewer.can_at(&to).edit;
    Ok((p, to, reviews))
}

#[derive(Template)]
#[template(path = "proposals/proposal.html")]
struct ProposalPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    p: Proposal,
    items: Vec<ProposalItem>,
    /// The review form is shown (pending, and the viewer reviews it).
    reviewing: bool,
    review: ReviewInput,
    outcomes: Vec<(&'static str, &'static str)>,
    /// The proposed form and those above it, for those sent up.
    higher_forms: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

impl ProposalPage {
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        lantoa_domain::dates::display(t.with_timezone(&chrono::Local).date_naive())
    }

    /// The outcome typed for an item (after a refused review), or its stored one.
    fn outcome_of(&self, item: &ProposalItem) -> String {
        self.review
            .items
            .iter()
            .find(|i| i.exemplar_id == item.exemplar_id)
            .map(|i| i.outcome.clone())
            .or_else(|| item.outcome.map(|o| o.code().to_owned()))
            .unwrap_or_default()
    }

    fn comment_of(&self, item: &ProposalItem) -> String {
        self.review
            .items
            .iter()
            .find(|i| i.exemplar_id == item.exemplar_id)
            .map(|i| i.comment.clone())
            .unwrap_or_default()
    }

    fn error_at(&self, name: &str, item: &ProposalItem) -> String {
        self.errors
            .at(&ReviewInput::field(name, item.exemplar_id))
            .to_owned()
    }
}

async fn proposal_view(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    review: ReviewInput,
    errors: FieldErrors,
) -> Result<ProposalPage, AppError> {
    let (p, to, reviews) = proposal_in_reach(state, viewer, id).await?;
    let db = state.store.db();
    let lineage = org::lineage(db, &to).await?;
    Ok(ProposalPage {
        title: format!(
            "Tờ trình đề nghị {} của {}",
            p.form.label().to_lowercase(),
            p.org_name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Đề nghị khen thưởng")),
        me: viewer.me(),
        items: proposals::items(db, id).await?,
        reviewing: reviews && p.is_pending(),
        review,
        outcomes: ReviewOutcome::ALL
            .iter()
            .map(|o| (o.code(), o.label()))
            .collect(),
        higher_forms: CommendationForm::ALL
            .iter()
            .filter(|f| (**f as usize) >= (p.form as usize))
            .map(|f| (f.code(), f.label()))
            .collect(),
        errors: FormErrors(errors),
        p,
    })
}

async fn proposal_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let page = proposal_view(
        &state,
        &viewer,
        id,
        ReviewInput::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// The review: `outcome_{exemplar}` and `comment_{exemplar}` for each person or collective
/// named (the list is read from the proposal, never from the form), and `higher_form`.
async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (p, to, reviews) = proposal_in_reach(&state, &viewer, id).await?;
    if !reviews {
        return Err(AppError::Forbidden);
    }
    let db = state.store.db();
    let named = proposals::items(db, id).await?;
    let input = ReviewInput {
        items: named
            .iter()
            .map(|i| ItemReviewInput {
                exemplar_id: i.exemplar_id,
                outcome: views::field_text(&fields, &ReviewInput::field("outcome", i.exemplar_id)),
                comment: views::field_text(&fields, &ReviewInput::field("comment", i.exemplar_id)),
            })
            .collect(),
        higher_form: views::field_text(&fields, "higher_form"),
    };
    let reviewed = match input.validate(p.form) {
        Ok(draft) => {
            let powers = lantoa_store::settings::load(db).await?.powers;
            let mut above = chain_up(&state, &to).await?;
            above.remove(0);
            let next = draft
                .higher_form
                .and_then(|f| reviewer(&above, f, &powers))
                .cloned();
            proposals::review(db, &viewer.actor, id, &draft, next.as_ref()).await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match reviewed {
        Ok(Some(next)) => {
            Ok(Redirect::to(&format!("{STAFF}/khen-thuong/de-nghi/{next}")).into_response())
        }
        Ok(None) => Ok(Redirect::to(&format!("{STAFF}/khen-thuong/de-nghi/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            views::render_invalid(&proposal_view(&state, &viewer, id, input, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}
