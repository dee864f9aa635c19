//! Commendation decisions: the figures of a subtree and year (by form; individuals split
//! into party members, union members and citizens), the decisions behind them, issuing one
//! (staff of a Party organisation, within its powers, commending verified nominations of
//! its subtree), and the decision in the Party's layout as DOCX.

use crate::auth::Viewer;
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{self, Crumb, FormErrors, Me, Numbers, PageLink, page_links, render};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lantoa_domain::ClosedList;
use lantoa_domain::accounts::Role;
use lantoa_domain::commendations::DecisionInput;
use lantoa_domain::org::OrgKind;
use lantoa_domain::validation::FieldErrors;
use lantoa_office::party_doc::{Block, Certificate, PartyDocument, Signature};
use lantoa_store::StoreError;
use lantoa_store::campaign::CampaignYear;
use lantoa_store::campaign::Until;
use lantoa_store::commendations::{self, CommendationFigures, Decision};
use lantoa_store::exemplars::Exemplar;
use lantoa_store::org::{self, Org};

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/khen-thuong", get(list_page))
        .route("/khen-thuong/moi", get(new_form).post(issue))
        .route("/khen-thuong/duoc-khen", get(commended_page))
        .route("/khen-thuong/{id}", get(decision_page))
        .route("/khen-thuong/{id}/quyet-dinh.docx", get(decision_docx))
        .route("/khen-thuong/{id}/giay-khen.docx", get(certificates_docx))
}

const PER_PAGE: u64 = 30;

#[derive(Template)]
#[template(path = "commendations/list.html")]
struct ListPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    years: Vec<i32>,
    figures: CommendationFigures,
    /// The units that signed decisions: (unit, name, collectives, individuals).
    issuers: Vec<(lantoa_domain::OrgId, String, i64, i64)>,
    rows: Vec<Decision>,
    links: Vec<PageLink>,
    can_issue: bool,
    /// Proposals waiting for the unit's review.
    waiting: i64,
}

impl Numbers for ListPage {}

impl ListPage {
    fn date(&self, d: &chrono::NaiveDate) -> String {
        lantoa_domain::dates::display(*d)
    }
}

async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, years) = unit_and_year(&state, &viewer, &q, Role::Leader).await?;
    let db = state.store.db();
    let within = unit.subtree();
    let figures = commendations::figures(db, &within, &year, Until::WHOLE_YEAR).await?;
    let issuers = commendations::issuers(db, &within, &year, Until::WHOLE_YEAR).await?;
    let powers = lantoa_store::settings::load(db).await?.powers;
    let page = commendations::decisions(db, &within, &year, q.page.unwrap_or(1), PER_PAGE).await?;
    let (org_id, y) = (unit.id.0, year.year);
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/khen-thuong?org={org_id}&year={y}&page={p}")
    });
    let lineage = org::lineage(db, &unit).await?;
    let view = ListPage {
        title: format!("Khen thưởng năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Khen thưởng")),
        me: viewer.me(),
        years: years.iter().map(|y| y.year).collect(),
        year: year.year,
        figures,
        issuers,
        rows: page.items,
        links,
        can_issue: viewer.can_at(&unit).edit && !powers.forms_of(unit.kind).is_empty(),
        waiting: lantoa_store::proposals::waiting(db, unit.id, &year).await?,
        unit,
    };
    Ok(render(&view)?.into_response())
}

/// Unit, year, page and the filters behind a figure.
#[derive(Debug, Default, serde::Deserialize)]
struct CommendedQuery {
    org: Option<i64>,
    year: Option<i32>,
    page: Option<u64>,
    #[serde(default)]
    form: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    issuer: String,
}

#[derive(Template)]
#[template(path = "commendations/commended.html")]
struct CommendedPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    total: String,
    rows: Vec<commendations::Commended>,
    links: Vec<PageLink>,
}

/// The people and collectives behind a figure of commendation.
async fn commended_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CommendedQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(
        &state,
        &viewer,
        &StudyQuery::at(q.org, q.year),
        Role::Leader,
    )
    .await?;
    let db = state.store.db();
    let form = lantoa_domain::commendations::CommendationForm::from_code(&q.form);
    let category = lantoa_domain::exemplars::SubjectCategory::from_code(&q.category);
    let issuer = q.issuer.trim().parse().ok().map(lantoa_domain::OrgId);
    let filter = commendations::RecipientFilter {
        form,
        category,
        issuer,
    };
    let page = commendations::commended(
        db,
        &unit.subtree(),
        &year,
        &filter,
        q.page.unwrap_or(1),
        PER_PAGE,
    )
    .await?;
    let filters = views::filter_query(&[
        ("form", q.form.clone()),
        ("category", q.category.clone()),
        ("issuer", q.issuer.clone()),
    ]);
    let (org_id, y) = (unit.id.0, year.year);
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/khen-thuong/duoc-khen?org={org_id}&year={y}{filters}&page={p}")
    });
    let what = [form.map(|f| f.label()), category.map(|c| c.label())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let lineage = org::lineage(db, &unit).await?;
    let view = CommendedPage {
        title: format!(
            "Được khen thưởng năm {}{} — {}",
            year.year,
            if what.is_empty() {
                String::new()
            } else {
                format!(" ({what})")
            },
            unit.name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Khen thưởng")),
        me: viewer.me(),
        total: views::number(page.total),
        rows: page.items,
        links,
        year: year.year,
        unit,
    };
    Ok(render(&view)?.into_response())
}

#[derive(Template)]
#[template(path = "commendations/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    action: String,
    form: DecisionInput,
    chosen: Vec<i64>,
    forms: Vec<(&'static str, &'static str)>,
    eligible: Vec<Exemplar>,
    errors: FormErrors,
}

impl FormPage {
    fn is_chosen(&self, id: &i64) -> bool {
        self.chosen.contains(id)
    }
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    unit: &Org,
    year: &CampaignYear,
    form: DecisionInput,
    chosen: Vec<i64>,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let db = state.store.db();
    let lineage = org::lineage(db, unit).await?;
    let powers = lantoa_store::settings::load(db).await?.powers;
    Ok(FormPage {
        title: format!("Quyết định khen thưởng năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Khen thưởng")),
        me: viewer.me(),
        action: format!("{STAFF}/khen-thuong/moi?org={}&year={}", unit.id, year.year),
        form,
        chosen,
        forms: powers
            .forms_of(unit.kind)
            .into_iter()
            .map(|f| (f.code(), f.label()))
            .collect(),
        eligible: commendations::eligible(db, unit, year).await?,
        errors: FormErrors(errors),
    })
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let form = DecisionInput {
        signed_on: lantoa_domain::dates::display(crate::today()),
        ..Default::default()
    };
    let page = form_page(
        &state,
        &viewer,
        &unit,
        &year,
        form,
        Vec::new(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn issue(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let one = |name: &str| views::field_text(&fields, name);
    let form = DecisionInput {
        form: one("form"),
        signed_on: one("signed_on"),
        number: one("number"),
        signer_name: one("signer_name"),
        signer_post: one("signer_post"),
        reason: one("reason"),
    };
    let chosen = views::field_ids(&fields, "recipient");
    let powers = lantoa_store::settings::load(state.store.db()).await?.powers;
    let issued = match form.validate(unit.kind, &powers, crate::today()) {
        Ok(draft) => {
            commendations::issue(
                state.store.db(),
                &viewer.actor,
                &unit,
                &year,
                &draft,
                &chosen,
            )
            .await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match issued {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/khen-thuong/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => views::render_invalid(
            &form_page(&state, &viewer, &unit, &year, form, chosen, errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// A decision the viewer may read (leaders and staff over its issuer).
async fn decision_in_reach(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(Decision, Org), AppError> {
    let db = state.store.db();
    let decision = commendations::decision(db, id).await?;
    let unit = org::get(db, decision.org_id).await?;
    viewer.require(Role::Leader, &unit)?;
    Ok((decision, unit))
}

#[derive(Template)]
#[template(path = "commendations/decision.html")]
struct DecisionPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    d: Decision,
    recipients: Vec<Exemplar>,
    signed: String,
}

async fn decision_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (d, unit) = decision_in_reach(&state, &viewer, id).await?;
    let db = state.store.db();
    let lineage = org::lineage(db, &unit).await?;
    let view = DecisionPage {
        title: format!("Quyết định số {}", d.symbol),
        crumbs: viewer.org_crumbs(&lineage, Some("Khen thưởng")),
        me: viewer.me(),
        recipients: commendations::recipients(db, id).await?,
        signed: lantoa_domain::dates::display(d.signed_on),
        d,
    };
    Ok(render(&view)?.into_response())
}

/// What a printed decision or its certificates need: the decision, its issuer, whom it
/// commends, the place of the date line and the body above the issuer.
struct Printed {
    d: Decision,
    unit: Org,
    recipients: Vec<Exemplar>,
    place: String,
    superior: String,
}

async fn printed(state: &AppState, viewer: &Viewer, id: i64) -> Result<Printed, AppError> {
    let (d, unit) = decision_in_reach(state, viewer, id).await?;
    let db = state.store.db();
    let recipients = commendations::recipients(db, id).await?;
    let views::Letterhead { superior, place } = views::letterhead(&org::lineage(db, &unit).await?);
    Ok(Printed {
        place,
        superior,
        d,
        unit,
        recipients,
    })
}

/// The signature of a decision and its certificates: "T/M" the issuer.
fn signature_of(d: &Decision, unit: &Org) -> Signature {
    Signature {
        heading: format!("T/M {}", unit.name.to_uppercase()),
        position: d.signer_post.to_uppercase(),
        name: d.signer_name.clone(),
    }
}

/// The certificate of each person and collective a decision commends, one page each.
async fn certificates_docx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let Printed {
        d,
        unit,
        recipients,
        place,
        ..
    } = printed(&state, &viewer, id).await?;
    let issuer = if matches!(
        unit.kind,
        OrgKind::GrassrootsCell | OrgKind::Cell | OrgKind::PartyGroup
    ) {
        unit.name.clone()
    } else {
        format!("Ban Thường vụ {}", unit.name)
    };
    let certificates: Vec<Certificate> = recipients
        .iter()
        .map(|x| Certificate {
            issuer: issuer.clone(),
            form: d.form.certificate_title().into(),
            recipient: x.name.clone(),
            about: x.about.clone().unwrap_or_else(|| x.org_name.clone()),
            reason: d.reason.clone(),
            decision: format!(
                "Quyết định số {} ngày {}",
                d.symbol,
                lantoa_domain::dates::display(d.signed_on)
            ),
            place: place.clone(),
            date: d.signed_on,
            signature: signature_of(&d, &unit),
        })
        .collect();
    let bytes = lantoa_office::party_doc::certificates_docx(&certificates)?;
    Ok(views::docx(
        &format!("giay-khen-{}.docx", d.symbol.replace('/', "-")),
        bytes,
    ))
}

/// The decision in the Party's layout: header, number, title, the articles, the list of
/// recipients, the signature "T/M" of the issuer, "Nơi nhận".
async fn decision_docx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let Printed {
        d,
        unit,
        recipients,
        place,
        superior,
    } = printed(&state, &viewer, id).await?;
    let rows: Vec<Vec<String>> = recipients
        .iter()
        .enumerate()
        .map(|(i, x)| {
            vec![
                (i + 1).to_string(),
                x.name.clone(),
                x.about.clone().unwrap_or_else(|| x.org_name.clone()),
                x.achievement.clone(),
            ]
        })
        .collect();
    let doc = PartyDocument {
        superior,
        issuer: unit.name.clone(),
        number: Some(d.symbol.clone()),
        place,
        date: d.signed_on,
        title: "Quyết định".into(),
        summary: vec![format!(
            "về việc {} tập thể, cá nhân có thành tích trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm {}",
            match d.form {
                lantoa_domain::commendations::CommendationForm::Praise => "biểu dương".to_owned(),
                other => format!("tặng {}", other.label().to_lowercase()),
            },
            d.year
        )],
        body: vec![
            Block::Text(format!(
                "Căn cứ Điều lệ Đảng Cộng sản Việt Nam; Quy định số 29-QĐ/TW ngày 25/7/2016 của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng; xét đề nghị của các đơn vị, {} quyết định:",
                unit.name
            )),
            Block::Heading(format!(
                "Điều 1. {} {} tập thể, cá nhân (có danh sách kèm theo).",
                d.form.label(),
                crate::views::number(d.recipients)
            )),
            Block::Text(format!("Lý do: {}", d.reason)),
            Block::Table {
                header: vec![
                    "TT".into(),
                    "Tập thể, cá nhân".into(),
                    "Đơn vị, chức vụ".into(),
                    "Thành tích".into(),
                ],
                rows,
                widths: vec![70, 280, 250, 400],
            },
            Block::Heading(
                "Điều 2. Các cơ quan, đơn vị liên quan và các tập thể, cá nhân có tên tại Điều 1 thi hành quyết định này."
                    .into(),
            ),
        ],
        signature: signature_of(&d, &unit),
        approval: None,
        copies: vec![
            "Như Điều 2,".into(),
            "Các đơn vị trực thuộc,".into(),
            "Lưu văn phòng.".into(),
        ],
        layout: lantoa_store::settings::load(state.store.db()).await?.layout,
    };
    let bytes = lantoa_office::party_doc::party_docx(&doc)?;
    Ok(views::docx(
        &format!("quyet-dinh-{}.docx", d.symbol.replace('/', "-")),
        bytes,
    ))
}
