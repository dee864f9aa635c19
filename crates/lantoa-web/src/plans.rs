//! Personal plans: a member's own plan for the year (write, submit, mid-year review,
//! year-end self-assessment), the reviewer's steps (return with a comment, approve, assess,
//! lock), and the figures of who has reached each stage with the list behind each number.
//!
//! Who may do what on a plan: its owner (the person; or staff over the unit when the plan
//! was entered for someone without an account) writes and reviews it; a reviewer — a
//! leader or staff over the plan's unit who is not its owner — returns, approves, assesses
//! and locks it. Anyone else gets 404.

use crate::auth::Viewer;
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{
    self, Crumb, FormErrors, Me, Numbers, PageLink, page_links, render, render_invalid,
};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lantoa_domain::accounts::Role;
use lantoa_domain::people::{Categories, Category};
use lantoa_domain::plans::{
    CommitmentArea, CommitmentInput, PlanKind, PlanStep, Progress, ProgressInput,
    check_commitments, check_progress,
};
use lantoa_domain::settings::{PlanApprover, Settings};
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{ClosedList, PersonId};
use lantoa_office::party_doc::{Block, PartyDocument, Signature};
use lantoa_store::StoreError;
use lantoa_store::campaign::{self, CampaignYear, Topic, Until};
use lantoa_store::org::{self, Org};
use lantoa_store::plans::{
    self, Commitment, Counted, Plan, PlanCoverage, PlanEvent, PlanHeader, Stage, StepInput,
};
use lantoa_store::study::Missing;
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/ke-hoach", get(coverage_page))
        .route("/ke-hoach/chua", get(lacking_page))
        .route("/ke-hoach/lanh-dao", get(leaders_page))
        .route("/ke-hoach/lap-ho", post(start_for_person))
        .route("/ke-hoach/tap-the", post(start_collective))
        .route("/ke-hoach/nhac", post(remind))
        .route("/nhac-nho/{id}/da-xem", post(reminder_seen))
        .route("/ke-hoach-cua-toi", get(my_plan).post(start_my_plan))
        .route("/ke-hoach/{id}", get(plan_page))
        .route("/ke-hoach/{id}/sua", get(edit_page).post(save_plan))
        .route("/ke-hoach/{id}/in", get(print_page))
        .route("/ke-hoach/{id}/ke-hoach.docx", get(plan_docx))
        .route("/ke-hoach/{id}/buoc", post(take_step))
        .route(
            "/ke-hoach/{id}/danh-gia-viec",
            get(review_page).post(save_review),
        )
}

/// What the viewer may do with a plan.
#[derive(Debug, Clone, Copy, Default)]
struct Access {
    /// Write it, submit it, review their own commitments.
    own: bool,
    /// Return, approve, assess, lock.
    review: bool,
}

impl Access {
    /// Whether the viewer takes this step (whatever the plan's state).
    fn may(self, step: PlanStep) -> bool {
        match step.role() {
            lantoa_domain::plans::PlanRole::Owner => self.own,
            lantoa_domain::plans::PlanRole::Reviewer => self.review,
        }
    }
}

/// A plan the viewer may open, with what they may do; 404 for anyone else.
async fn plan_in_reach(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(Plan, Org, Access), AppError> {
    let db = state.store.db();
    let plan = plans::plan(db, id).await?;
    let unit = org::get(db, plan.org_id).await?;
    let role = viewer.role_at(&unit);
    let access = match plan.kind {
        PlanKind::Personal => {
            let is_owner = plan.person_id.is_some_and(|p| viewer.is_person(p));
            Access {
                own: is_owner || (plan.entered_by_staff && role >= Some(Role::Staff)),
                review: !is_owner && approves_personal(state, viewer, &unit).await?,
            }
        }
        // A unit's own plan: its staff write it, the committee above reviews it (the
        // system administrators for the top unit), and a reviewer never writes it.
        PlanKind::Collective => {
            let review = viewer.leads_above(state.store.db(), &unit).await?;
            Access {
                own: !review && role >= Some(Role::Staff),
                review,
            }
        }
    };
    if access.own || access.review {
        Ok((plan, unit, access))
    } else {
        Err(AppError::NotFound)
    }
}

/// Whether the viewer approves, returns and assesses the personal plans of a unit's people,
/// by the setting: leaders or staff of the unit (the default), its staff only, or the
/// committee directly above it.
async fn approves_personal(
    state: &AppState,
    viewer: &Viewer,
    unit: &Org,
) -> Result<bool, AppError> {
    let db = state.store.db();
    Ok(
        match lantoa_store::settings::load(db).await?.plan_approver {
            PlanApprover::CellLeaders => viewer.role_at(unit) >= Some(Role::Leader),
            PlanApprover::CellStaff => viewer.role_at(unit) >= Some(Role::Staff),
            PlanApprover::ParentCommittee => viewer.leads_above(state.store.db(), unit).await?,
        },
    )
}

/// What the figures count: "đảng viên" when only members must have a plan, else "người".
fn counted_word(required: Categories) -> &'static str {
    if required == Categories::from_iter([Category::PartyMember]) {
        "đảng viên"
    } else {
        "người"
    }
}

/// A stage's count for the coverage table.
struct StageCell {
    stage: Stage,
    count: String,
    percent: String,
    lacking: i64,
}

struct UnitRow {
    id: i64,
    /// A category's code, on the rows by category.
    code: &'static str,
    name: String,
    eligible: String,
    cells: Vec<StageCell>,
}

fn cells(tally: &PlanCoverage) -> Vec<StageCell> {
    Stage::ALL
        .iter()
        .enumerate()
        .map(|(i, stage)| StageCell {
            stage: *stage,
            count: views::number(tally.met(i)),
            percent: lantoa_domain::format::percent(tally.met(i), tally.eligible),
            lacking: tally.eligible - tally.met(i),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "plans/coverage.html")]
struct CoveragePage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    years: Vec<i32>,
    day: String,
    total: UnitRow,
    children: Vec<UnitRow>,
    /// The figures of each required category, when more than one is required.
    by_category: Vec<UnitRow>,
    /// Who must have a plan, in words.
    required: String,
    /// "đảng viên" when only party members must, else "người".
    counted_word: &'static str,
    /// The unit's own collective plan of the year, if any.
    collective: Option<Plan>,
    /// Whether the viewer may open it.
    can_start_collective: bool,
}

impl Numbers for CoveragePage {}

async fn coverage_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, day, years) = unit_and_year(&state, &viewer, &q, Role::Leader).await?;
    let db = state.store.db();
    let settings = lantoa_store::settings::load(db).await?;
    let counted = Counted {
        year: &year,
        day,
        required: settings.plan_required,
        until: Until::WHOLE_YEAR,
    };
    let (total, by_child) = plans::coverage_with_children(db, unit.id, counted).await?;
    // With several categories required, each one's figures too (one query each).
    let by_category = if settings.plan_required.iter().count() > 1 {
        plans::coverage_by_category(db, &unit.subtree(), counted)
            .await?
            .into_iter()
            .map(|(category, tally)| UnitRow {
                id: unit.id.0,
                code: category.code(),
                name: category.label().to_owned(),
                eligible: views::number(tally.eligible),
                cells: cells(&tally),
            })
            .collect()
    } else {
        Vec::new()
    };
    let children = org::child_units(db, unit.id)
        .await?
        .into_iter()
        .filter_map(|c| {
            let tally = by_child.get(&c.id)?;
            Some(UnitRow {
                id: c.id.0,
                code: "",
                eligible: views::number(tally.eligible),
                cells: cells(tally),
                name: c.name,
            })
        })
        .collect();
    let lineage = org::lineage(db, &unit).await?;
    let collective = plans::collective_of(db, unit.id, year.id).await?;
    let page = CoveragePage {
        can_start_collective: collective.is_none()
            && viewer.can_at(&unit).edit
            && !viewer.leads_above(state.store.db(), &unit).await?,
        collective,
        title: format!("Kế hoạch cá nhân năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Kế hoạch cá nhân")),
        me: viewer.me(),
        total: UnitRow {
            id: unit.id.0,
            code: "",
            name: unit.name.clone(),
            eligible: views::number(total.eligible),
            cells: cells(&total),
        },
        children,
        by_category,
        counted_word: counted_word(settings.plan_required),
        required: settings.plan_required_text(),
        years: years.iter().map(|y| y.year).collect(),
        year: year.year,
        day: lantoa_domain::dates::display(day),
        unit,
    };
    Ok(render(&page)?.into_response())
}

/// Unit, year, page and stage of the list behind a figure.
#[derive(Debug, Default, Deserialize)]
struct LackingQuery {
    org: Option<i64>,
    year: Option<i32>,
    page: Option<u64>,
    #[serde(default)]
    buoc: String,
    /// Only the people of this category (a code), from the figures by category.
    #[serde(default)]
    doi_tuong: String,
    /// How many were just reminded.
    nhac: Option<usize>,
}

impl LackingQuery {
    fn study(&self) -> StudyQuery {
        StudyQuery::at(self.org, self.year)
    }

    fn stage(&self) -> Stage {
        Stage::from_code(&self.buoc).unwrap_or(Stage::Submitted)
    }

    /// The people the list counts: those the settings require, or one category of them.
    fn required(&self, settings: &Settings) -> Categories {
        match Category::from_code(&self.doi_tuong) {
            Some(c) if settings.plan_required.contains(c) => Categories::from_iter([c]),
            _ => settings.plan_required,
        }
    }
}

/// The reminder proposed for a stage.
fn reminder_text(stage: Stage, year: i32) -> String {
    let what = match stage {
        Stage::Submitted => "xây dựng và nộp kế hoạch cá nhân",
        Stage::Approved => "hoàn chỉnh kế hoạch cá nhân để chi bộ duyệt",
        Stage::MidYear => "sơ kết 6 tháng kế hoạch cá nhân",
        Stage::Assessed => "tự đánh giá kết quả thực hiện kế hoạch cá nhân để chi bộ đánh giá",
    };
    format!(
        "Đề nghị đồng chí {what} năm {year} (học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh) trên Lan Tỏa hoặc nộp bản giấy cho chi bộ."
    )
}

#[derive(Template)]
#[template(path = "plans/lacking.html")]
struct LackingPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    total: String,
    rows: Vec<Missing>,
    links: Vec<PageLink>,
    can_enter: bool,
    /// Staff may remind the people listed.
    can_remind: bool,
    stage_code: &'static str,
    /// The category listed, when only one.
    category_code: &'static str,
    /// "đảng viên" or "người".
    counted_word: &'static str,
    message: String,
    notice: String,
    errors: FormErrors,
}

const PER_PAGE: u64 = 50;

async fn lacking_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<LackingQuery>,
) -> Result<Response, AppError> {
    let view = lacking_view(&state, &viewer, &q, FieldErrors::default(), None).await?;
    Ok(render(&view)?.into_response())
}

async fn lacking_view(
    state: &AppState,
    viewer: &Viewer,
    q: &LackingQuery,
    errors: FieldErrors,
    message: Option<String>,
) -> Result<LackingPage, AppError> {
    let stage = q.stage();
    let (unit, year, day, _) = unit_and_year(state, viewer, &q.study(), Role::Leader).await?;
    let db = state.store.db();
    let required = q.required(&lantoa_store::settings::load(db).await?);
    let page = plans::lacking(
        db,
        &unit.subtree(),
        Counted {
            year: &year,
            day,
            required,
            until: Until::WHOLE_YEAR,
        },
        stage,
        q.page.unwrap_or(1),
        PER_PAGE,
    )
    .await?;
    let (org_id, y, code) = (unit.id.0, year.year, stage.code());
    let category =
        Category::from_code(&q.doi_tuong).filter(|c| required == Categories::from_iter([*c]));
    let category_code = category.map_or("", |c| c.code());
    let links = page_links(page.page, page.pages(), |p| {
        format!(
            "{STAFF}/ke-hoach/chua?org={org_id}&year={y}&buoc={code}&doi_tuong={category_code}&page={p}"
        )
    });
    let lineage = org::lineage(db, &unit).await?;
    let can_edit = viewer.can_at(&unit).edit;
    Ok(LackingPage {
        title: format!(
            "{}{} năm {} — {}",
            stage.lacking_label(),
            category
                .map(|c| format!(" ({})", c.label().to_lowercase()))
                .unwrap_or_default(),
            year.year,
            unit.name
        ),
        category_code,
        counted_word: counted_word(required),
        crumbs: viewer.org_crumbs(&lineage, Some("Kế hoạch cá nhân")),
        me: viewer.me(),
        can_enter: stage == Stage::Submitted && can_edit,
        can_remind: can_edit && page.total > 0,
        stage_code: code,
        message: message.unwrap_or_else(|| reminder_text(stage, year.year)),
        notice: q
            .nhac
            .map(|n| format!("Đã gửi nhắc nhở cho {} người.", views::number(n as i64)))
            .unwrap_or_default(),
        errors: FormErrors(errors),
        total: views::number(page.total),
        rows: page.items,
        links,
        year: year.year,
        unit,
    })
}

/// Reminds the people ticked on the list, or everyone behind the figure.
async fn remind(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<LackingQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let stage = q.stage();
    let (unit, year, day, _) = unit_and_year(&state, &viewer, &q.study(), Role::Staff).await?;
    let db = state.store.db();
    let people: Vec<PersonId> = if views::field_text(&fields, "all") == "1" {
        let required = q.required(&lantoa_store::settings::load(db).await?);
        plans::lacking(
            db,
            &unit.subtree(),
            Counted {
                year: &year,
                day,
                required,
                until: Until::WHOLE_YEAR,
            },
            stage,
            1,
            u64::from(u32::MAX),
        )
        .await?
        .items
        .iter()
        .map(|m| PersonId(m.person_id))
        .collect()
    } else {
        fields
            .iter()
            .filter(|(k, _)| k == "person")
            .filter_map(|(_, v)| v.parse().ok().map(PersonId))
            .collect()
    };
    let message = views::field_text(&fields, "message");
    let subject = format!("ke_hoach:{}", stage.code());
    let batch = lantoa_store::reminders::NewReminders {
        unit: &unit,
        year_id: Some(year.id),
        subject: &subject,
        message: &message,
        by_email: state.mailer.is_some(),
    };
    match lantoa_store::reminders::send(db, &viewer.actor, &batch, &people).await {
        Ok(sent) => {
            if state.mailer.is_some() {
                crate::jobs::enqueue_mail(&state, &viewer).await?;
            }
            Ok(Redirect::to(&format!(
                "{STAFF}/ke-hoach/chua?org={}&year={}&buoc={}&nhac={sent}",
                unit.id,
                year.year,
                stage.code()
            ))
            .into_response())
        }
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&lacking_view(&state, &viewer, &q, errors, Some(message)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// The person marks one of their reminders seen.
async fn reminder_seen(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let person = viewer.principal.person_id.ok_or(AppError::NotFound)?;
    lantoa_store::reminders::mark_seen(state.store.db(), person, id).await?;
    Ok(Redirect::to(&format!("{STAFF}/nhan-su/{person}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct YearForm {
    year: Option<i32>,
    #[serde(default)]
    person: Option<i64>,
}

async fn year_named(
    state: &AppState,
    year: Option<i32>,
) -> Result<(CampaignYear, Vec<CampaignYear>), AppError> {
    let years = campaign::years(state.store.db()).await?;
    let chosen = match year {
        Some(y) => years.iter().find(|c| c.year == y),
        None => crate::campaign::current_year(&years, crate::today()),
    }
    .cloned()
    .ok_or(AppError::NotFound)?;
    Ok((chosen, years))
}

#[derive(Template)]
#[template(path = "plans/mine.html")]
struct MinePage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    year: CampaignYear,
    /// Other years and whether a plan exists for them: (year, plan id).
    years: Vec<(i32, Option<i64>)>,
    errors: FormErrors,
}

/// The viewer's plan for a year: the plan itself when it exists, else the page to start it.
async fn my_plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<YearForm>,
) -> Result<Response, AppError> {
    let person = viewer.principal.person_id.ok_or(AppError::NotFound)?;
    let (year, years) = year_named(&state, q.year).await?;
    let by_year = plans::personal_plan_ids(state.store.db(), person).await?;
    if let Some(id) = by_year.get(&year.id) {
        return Ok(Redirect::to(&format!("{STAFF}/ke-hoach/{id}")).into_response());
    }
    let listed = years
        .iter()
        .map(|y| (y.year, by_year.get(&y.id).copied()))
        .collect();
    let page = MinePage {
        title: format!("Kế hoạch cá nhân năm {}", year.year),
        crumbs: vec![Crumb::here("Kế hoạch của tôi")],
        me: viewer.me(),
        years: listed,
        year,
        errors: FormErrors::default(),
    };
    Ok(render(&page)?.into_response())
}

async fn start_my_plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<YearForm>,
) -> Result<Response, AppError> {
    let person = viewer.principal.person_id.ok_or(AppError::NotFound)?;
    let (year, _) = year_named(&state, form.year).await?;
    let db = state.store.db();
    let person = lantoa_store::people::get(db, person).await?;
    let id = plans::start(db, &viewer.actor, &person, &year, false).await?;
    Ok(Redirect::to(&format!("{STAFF}/ke-hoach/{id}/sua")).into_response())
}

/// Staff open a plan for someone without an account, to enter it from the paper they wrote.
async fn start_for_person(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<YearForm>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let person =
        lantoa_store::people::get(db, PersonId(form.person.ok_or(AppError::NotFound)?)).await?;
    let unit = org::get(db, person.org_id).await?;
    viewer.require(Role::Staff, &unit)?;
    if plans::has_account(db, person.id).await? {
        return Err(AppError::Conflict(format!(
            "{} có tài khoản: hãy để người đó tự lập kế hoạch (mục «Kế hoạch của tôi»).",
            person.details.full_name
        )));
    }
    let (year, _) = year_named(&state, form.year).await?;
    let id = plans::start(db, &viewer.actor, &person, &year, true).await?;
    Ok(Redirect::to(&format!("{STAFF}/ke-hoach/{id}/sua")).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct CollectiveForm {
    org: Option<i64>,
    year: Option<i32>,
}

/// Staff of a unit open its collective plan for the year (or go to it when it exists).
async fn start_collective(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<CollectiveForm>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let unit = org::get(
        db,
        lantoa_domain::OrgId(form.org.ok_or(AppError::NotFound)?),
    )
    .await?;
    viewer.require(Role::Staff, &unit)?;
    if viewer.leads_above(state.store.db(), &unit).await? {
        return Err(AppError::Conflict(format!(
            "Kế hoạch của tập thể do cán bộ của chính {} lập; cấp trên xem xét, duyệt.",
            unit.name
        )));
    }
    let (year, _) = year_named(&state, form.year).await?;
    if let Some(plan) = plans::collective_of(db, unit.id, year.id).await? {
        return Ok(Redirect::to(&format!("{STAFF}/ke-hoach/{}", plan.id)).into_response());
    }
    let id = plans::start_collective(db, &viewer.actor, &unit, &year).await?;
    Ok(Redirect::to(&format!("{STAFF}/ke-hoach/{id}/sua")).into_response())
}

#[derive(Template)]
#[template(path = "plans/plan.html")]
struct PlanPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    plan: Plan,
    topics: Vec<Topic>,
    commitments: Vec<Commitment>,
    events: Vec<PlanEvent>,
    access: Access,
    /// Whether the date of birth is shown (the person, staff over the unit).
    personal: bool,
    notice: String,
    errors: FormErrors,
}

impl PlanPage {
    fn date(&self, d: &chrono::NaiveDate) -> String {
        lantoa_domain::dates::display(*d)
    }

    fn when(&self, e: &PlanEvent) -> String {
        e.created_at
            .with_timezone(&chrono::Local)
            .format("%H:%M ngày %d/%m/%Y")
            .to_string()
    }

    fn can(&self, step: &str) -> bool {
        let Some(step) = PlanStep::from_code(step) else {
            return false;
        };
        self.access.may(step) && self.plan.state.after(step).is_ok()
    }

    fn editable(&self) -> bool {
        self.access.own && self.plan.state.editable()
    }
}

async fn plan_view(
    state: &AppState,
    viewer: &Viewer,
    plan: Plan,
    access: Access,
    errors: FieldErrors,
) -> Result<PlanPage, AppError> {
    let db = state.store.db();
    let whose = plan
        .person_name
        .clone()
        .unwrap_or_else(|| plan.org_name.clone());
    let personal = match plan.person_id {
        Some(person) => viewer.sees_personal_data(person, &org::get(db, plan.org_id).await?),
        None => false,
    };
    Ok(PlanPage {
        title: format!("Kế hoạch năm {} — {}", plan.year, whose),
        // The owner of a personal plan came from "Kế hoạch của tôi"; everyone else from
        // the unit's plan figures.
        crumbs: if !access.review && plan.kind == PlanKind::Personal {
            vec![Crumb::here("Kế hoạch của tôi")]
        } else {
            vec![
                Crumb::link(
                    "Kế hoạch",
                    format!("{STAFF}/ke-hoach?org={}&year={}", plan.org_id, plan.year),
                ),
                Crumb::here(whose),
            ]
        },
        me: viewer.me(),
        topics: plans::topics(db, plan.id).await?,
        commitments: plans::commitments(db, plan.id).await?,
        events: plans::events(db, plan.id).await?,
        access,
        personal,
        notice: String::new(),
        errors: FormErrors(errors),
        plan,
    })
}

#[derive(Debug, Default, Deserialize)]
struct NoticeQuery {
    #[serde(default)]
    da: String,
}

async fn plan_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let (plan, _, access) = plan_in_reach(&state, &viewer, id).await?;
    let mut page = plan_view(&state, &viewer, plan, access, FieldErrors::default()).await?;
    page.notice = match q.da.as_str() {
        "luu" => "Đã lưu kế hoạch. Khi xong, bấm «Nộp kế hoạch».".into(),
        "" => String::new(),
        step => PlanStep::from_code(step)
            .map(|s| format!("Đã ghi: {}.", s.label().to_lowercase()))
            .unwrap_or_default(),
    };
    Ok(render(&page)?.into_response())
}

/// One row of the commitments form.
struct CommitmentRow {
    index: usize,
    input: CommitmentInput,
    error: String,
}

#[derive(Template)]
#[template(path = "plans/edit.html")]
struct EditPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    plan: Plan,
    party_post: String,
    government_post: String,
    rows: Vec<CommitmentRow>,
    areas: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

/// Blank rows offered under the filled ones.
const BLANK_ROWS: usize = 3;

fn edit_view(
    viewer: &Viewer,
    plan: Plan,
    party_post: String,
    government_post: String,
    inputs: Vec<CommitmentInput>,
    errors: FieldErrors,
) -> EditPage {
    let filled = inputs.len();
    let rows = inputs
        .into_iter()
        .chain(std::iter::repeat_with(CommitmentInput::default).take(BLANK_ROWS))
        .take((filled + BLANK_ROWS).min(lantoa_domain::plans::MAX_COMMITMENTS))
        .enumerate()
        .map(|(index, input)| CommitmentRow {
            index,
            error: errors
                .get(lantoa_domain::plans::commitment_field(index))
                .unwrap_or_default()
                .to_owned(),
            input,
        })
        .collect();
    EditPage {
        title: match plan.kind {
            PlanKind::Personal => format!("Kế hoạch cá nhân năm {}", plan.year),
            PlanKind::Collective => format!("Kế hoạch năm {} của {}", plan.year, plan.org_name),
        },
        crumbs: vec![
            Crumb::link("Kế hoạch", format!("{STAFF}/ke-hoach/{}", plan.id)),
            Crumb::here("Viết kế hoạch"),
        ],
        me: viewer.me(),
        plan,
        party_post,
        government_post,
        rows,
        areas: CommitmentArea::ALL
            .iter()
            .map(|a| (a.code(), a.label()))
            .collect(),
        errors: FormErrors(errors),
    }
}

fn must_edit(plan: &Plan, access: Access) -> Result<(), AppError> {
    if !access.own {
        return Err(AppError::Forbidden);
    }
    if !plan.state.editable() {
        return Err(AppError::Conflict(format!(
            "Kế hoạch đang ở bước «{}»: chỉ sửa được khi còn nháp hoặc bị trả lại.",
            plan.state.label()
        )));
    }
    Ok(())
}

async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (plan, _, access) = plan_in_reach(&state, &viewer, id).await?;
    must_edit(&plan, access)?;
    let inputs = plans::commitments(state.store.db(), id)
        .await?
        .into_iter()
        .map(|c| CommitmentInput {
            area: c.area.code().into(),
            action: c.action,
            measure: c.measure,
            deadline: lantoa_domain::dates::display(c.deadline),
        })
        .collect();
    let page = edit_view(
        &viewer,
        plan.clone(),
        plan.party_post.clone().unwrap_or_default(),
        plan.government_post.clone().unwrap_or_default(),
        inputs,
        FieldErrors::default(),
    );
    Ok(render(&page)?.into_response())
}

async fn save_plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (plan, _, access) = plan_in_reach(&state, &viewer, id).await?;
    must_edit(&plan, access)?;
    let inputs: Vec<CommitmentInput> = (0..lantoa_domain::plans::MAX_COMMITMENTS)
        .map(|i| CommitmentInput {
            area: views::field_text(&fields, &format!("area_{i}")),
            action: views::field_text(&fields, &format!("action_{i}")),
            measure: views::field_text(&fields, &format!("measure_{i}")),
            deadline: views::field_text(&fields, &format!("deadline_{i}")),
        })
        .filter(|c| {
            !(c.action.trim().is_empty()
                && c.measure.trim().is_empty()
                && c.deadline.trim().is_empty())
        })
        .collect();
    let optional = |name: &str| {
        Some(lantoa_domain::text::clean(&views::field_text(
            &fields, name,
        )))
        .filter(|v| !v.is_empty())
    };
    let header = PlanHeader {
        party_post: optional("party_post"),
        government_post: optional("government_post"),
    };
    let result = match check_commitments(&inputs, plan.year) {
        Ok(drafts) => plans::save(state.store.db(), &viewer.actor, &plan, &header, &drafts).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    let submit = views::field_text(&fields, "then") == "nop";
    match result {
        Ok(()) if submit => {
            step_then_redirect(
                &state,
                &viewer,
                plan,
                access,
                PlanStep::Submit,
                StepInput::default(),
            )
            .await
        }
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/ke-hoach/{id}?da=luu")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(&edit_view(
            &viewer,
            plan,
            views::field_text(&fields, "party_post"),
            views::field_text(&fields, "government_post"),
            inputs,
            errors,
        )),
        Err(e) => Err(e.into()),
    }
}

/// Takes a step; back to the plan with a notice, or the plan again with the refusal.
async fn step_then_redirect(
    state: &AppState,
    viewer: &Viewer,
    plan: Plan,
    access: Access,
    step: PlanStep,
    input: StepInput,
) -> Result<Response, AppError> {
    match plans::take_step(state.store.db(), &viewer.actor, plan.id, step, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("{STAFF}/ke-hoach/{}?da={}", plan.id, step.code()))
                .into_response(),
        ),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&plan_view(state, viewer, plan, access, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    comment: String,
}

async fn take_step(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let (plan, _, access) = plan_in_reach(&state, &viewer, id).await?;
    let step = PlanStep::from_code(&form.step)
        .ok_or_else(|| AppError::BadRequest(format!("bước «{}»", form.step)))?;
    if !access.may(step) {
        return Err(AppError::Forbidden);
    }
    if matches!(step, PlanStep::MidYearReview | PlanStep::SelfAssess) {
        return Ok(Redirect::to(&format!(
            "{STAFF}/ke-hoach/{id}/danh-gia-viec?buoc={}",
            step.code()
        ))
        .into_response());
    }
    let input = StepInput {
        comment: Some(form.comment),
        progress: Vec::new(),
    };
    step_then_redirect(&state, &viewer, plan, access, step, input).await
}

/// One commitment in the review form.
struct ReviewRow {
    index: usize,
    commitment: Commitment,
    progress: String,
    evidence: String,
    error: String,
}

#[derive(Template)]
#[template(path = "plans/review.html")]
struct ReviewPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    plan: Plan,
    step: &'static str,
    year_end: bool,
    rows: Vec<ReviewRow>,
    progresses: Vec<(&'static str, &'static str)>,
    comment: String,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
struct ReviewQuery {
    #[serde(default)]
    buoc: String,
}

fn review_step(code: &str) -> Result<PlanStep, AppError> {
    match PlanStep::from_code(code) {
        Some(step @ (PlanStep::MidYearReview | PlanStep::SelfAssess)) => Ok(step),
        _ => Err(AppError::BadRequest(format!("bước «{code}»"))),
    }
}

fn review_view(
    viewer: &Viewer,
    plan: Plan,
    step: PlanStep,
    commitments: Vec<Commitment>,
    posted: &[ProgressInput],
    comment: String,
    errors: FieldErrors,
) -> ReviewPage {
    let year_end = step == PlanStep::SelfAssess;
    let rows = commitments
        .into_iter()
        .enumerate()
        .map(|(index, c)| {
            let posted = posted.iter().find(|p| p.commitment == c.id);
            let (stored_progress, stored_evidence) = if year_end {
                (
                    c.end_progress.or(c.mid_progress),
                    c.end_evidence.clone().or(c.mid_evidence.clone()),
                )
            } else {
                (c.mid_progress, c.mid_evidence.clone())
            };
            ReviewRow {
                index,
                progress: posted
                    .map(|p| p.progress.clone())
                    .or(stored_progress.map(|p| p.code().to_owned()))
                    .unwrap_or_default(),
                evidence: posted
                    .map(|p| p.evidence.clone())
                    .or(stored_evidence)
                    .unwrap_or_default(),
                error: errors
                    .get(lantoa_domain::plans::commitment_field(index))
                    .unwrap_or_default()
                    .to_owned(),
                commitment: c,
            }
        })
        .collect();
    ReviewPage {
        title: format!("{} — kế hoạch năm {}", step.label(), plan.year),
        crumbs: vec![
            Crumb::link("Kế hoạch", format!("{STAFF}/ke-hoach/{}", plan.id)),
            Crumb::here(step.label()),
        ],
        me: viewer.me(),
        step: step.code(),
        year_end,
        rows,
        progresses: Progress::ALL
            .iter()
            .map(|p| (p.code(), p.label()))
            .collect(),
        comment: if comment.is_empty() {
            plan.self_assessment.clone().unwrap_or_default()
        } else {
            comment
        },
        plan,
        errors: FormErrors(errors),
    }
}

async fn review_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, AppError> {
    let step = review_step(&q.buoc)?;
    let (plan, _, access) = plan_in_reach(&state, &viewer, id).await?;
    if !access.own {
        return Err(AppError::Forbidden);
    }
    plan.state.after(step).map_err(AppError::Conflict)?;
    let commitments = plans::commitments(state.store.db(), id).await?;
    let page = review_view(
        &viewer,
        plan,
        step,
        commitments,
        &[],
        String::new(),
        FieldErrors::default(),
    );
    Ok(render(&page)?.into_response())
}

async fn save_review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let step = review_step(&views::field_text(&fields, "step"))?;
    let (plan, _, access) = plan_in_reach(&state, &viewer, id).await?;
    if !access.own {
        return Err(AppError::Forbidden);
    }
    let commitments = plans::commitments(state.store.db(), id).await?;
    let ids: Vec<i64> = commitments.iter().map(|c| c.id).collect();
    let posted: Vec<ProgressInput> = ids
        .iter()
        .map(|c| ProgressInput {
            commitment: *c,
            progress: views::field_text(&fields, &format!("progress_{c}")),
            evidence: views::field_text(&fields, &format!("evidence_{c}")),
        })
        .collect();
    let comment = views::field_text(&fields, "comment");
    let result = match check_progress(&posted, &ids) {
        Ok(progress) => {
            let input = StepInput {
                comment: Some(comment.clone()),
                progress,
            };
            plans::take_step(state.store.db(), &viewer.actor, id, step, &input)
                .await
                .map(|_| ())
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("{STAFF}/ke-hoach/{id}?da={}", step.code())).into_response())
        }
        Err(StoreError::Invalid(errors)) => render_invalid(&review_view(
            &viewer,
            plan,
            step,
            commitments,
            &posted,
            comment,
            errors,
        )),
        Err(e) => Err(e.into()),
    }
}

/// The plan as a document in the Party's layout: the same content for the print view and
/// the DOCX. The date of birth is in it only for those who may see it.
async fn plan_document(
    state: &AppState,
    viewer: &Viewer,
    plan: &Plan,
    unit: &Org,
) -> Result<PartyDocument, AppError> {
    let db = state.store.db();
    let lineage = org::lineage(db, unit).await?;
    let topics = plans::topics(db, plan.id).await?;
    let commitments = plans::commitments(db, plan.id).await?;
    let show_birth = plan
        .person_id
        .is_some_and(|p| viewer.sees_personal_data(p, unit));
    let mut body = Vec::new();
    if let Some(name) = &plan.person_name {
        body.push(Block::Field("Họ và tên".into(), name.clone()));
    }
    if let (true, Some(d)) = (show_birth, plan.birth_date) {
        body.push(Block::Field(
            "Ngày sinh".into(),
            lantoa_domain::dates::display(d),
        ));
    }
    body.push(Block::Field("Đơn vị".into(), plan.org_name.clone()));
    body.push(Block::Field(
        "Chức vụ Đảng".into(),
        plan.party_post.clone().unwrap_or_else(|| "Không".into()),
    ));
    body.push(Block::Field(
        "Chức vụ chính quyền, đoàn thể".into(),
        plan.government_post
            .clone()
            .unwrap_or_else(|| "Không".into()),
    ));
    body.push(Block::Heading("I. CHUYÊN ĐỀ HỌC TẬP".into()));
    body.extend(topics.iter().map(|t| Block::Text(t.title.clone())));
    body.push(Block::Heading("II. NHỮNG VIỆC LÀM CỤ THỂ".into()));
    let year_end = commitments.iter().any(|c| c.end_progress.is_some());
    let mut header = vec![
        "TT".to_owned(),
        "Lĩnh vực".into(),
        "Việc làm cụ thể".into(),
        "Đo kết quả".into(),
        "Thời hạn".into(),
    ];
    let mut widths = vec![60, 170, 400, 220, 150];
    if year_end {
        header.push("Kết quả".into());
        widths = vec![50, 140, 330, 180, 120, 180];
    }
    let rows = commitments
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut row = vec![
                (i + 1).to_string(),
                c.area.label().to_owned(),
                c.action.clone(),
                c.measure.clone(),
                lantoa_domain::dates::display(c.deadline),
            ];
            if year_end {
                row.push(c.end_progress.map(|p| p.label()).unwrap_or("").to_owned());
            }
            row
        })
        .collect();
    body.push(Block::Table {
        header,
        rows,
        widths,
    });
    if let Some(text) = &plan.self_assessment {
        body.push(Block::Heading("III. TỰ ĐÁNH GIÁ CUỐI NĂM".into()));
        body.push(Block::Text(text.clone()));
    }
    if let Some(text) = &plan.assessment {
        body.push(Block::Heading("IV. ĐÁNH GIÁ CỦA CHI BỘ".into()));
        body.push(Block::Text(text.clone()));
    }
    let crate::views::Letterhead { superior, place } = crate::views::letterhead(&lineage);
    Ok(PartyDocument {
        superior,
        issuer: unit.name.clone(),
        number: None,
        copies: Vec::new(),
        place,
        date: plan
            .submitted_at
            .map(|t| t.with_timezone(&chrono::Local).date_naive())
            .unwrap_or_else(crate::today),
        title: match plan.kind {
            PlanKind::Personal => "Kế hoạch cá nhân".into(),
            PlanKind::Collective => "Kế hoạch".into(),
        },
        summary: vec![format!(
            "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm {}",
            plan.year
        )],
        body,
        signature: match plan.kind {
            PlanKind::Personal => Signature {
                heading: "NGƯỜI LẬP KẾ HOẠCH".into(),
                position: String::new(),
                name: plan.person_name.clone().unwrap_or_default(),
            },
            PlanKind::Collective => Signature {
                heading: format!("T/M {}", unit.name.to_uppercase()),
                position: "BÍ THƯ".into(),
                name: String::new(),
            },
        },
        approval: plan.state.approved().then(|| match plan.kind {
            PlanKind::Personal => Signature {
                heading: "XÁC NHẬN CỦA CHI BỘ".into(),
                position: "BÍ THƯ".into(),
                name: String::new(),
            },
            PlanKind::Collective => Signature {
                heading: "XÁC NHẬN CỦA CẤP ỦY CẤP TRÊN".into(),
                position: String::new(),
                name: String::new(),
            },
        }),
        layout: lantoa_store::settings::load(state.store.db()).await?.layout,
    })
}

#[derive(Template)]
#[template(path = "plans/print.html")]
struct PrintPage {
    title: String,
    plan_id: i64,
    doc: PartyDocument,
    date_line: String,
}

async fn print_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (plan, unit, _) = plan_in_reach(&state, &viewer, id).await?;
    let doc = plan_document(&state, &viewer, &plan, &unit).await?;
    let page = PrintPage {
        title: format!("{} năm {}", doc.title, plan.year),
        plan_id: plan.id,
        date_line: lantoa_office::party_doc::date_line(&doc.place, doc.date),
        doc,
    };
    Ok(render(&page)?.into_response())
}

async fn plan_docx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (plan, unit, _) = plan_in_reach(&state, &viewer, id).await?;
    let doc = plan_document(&state, &viewer, &plan, &unit).await?;
    let bytes = lantoa_office::party_doc::party_docx(&doc)?;
    let name = format!(
        "Ke hoach ca nhan {} - {}.docx",
        plan.year,
        plan.person_name
            .clone()
            .unwrap_or_else(|| plan.org_name.clone())
    );
    Ok(views::download(
        &name,
        lantoa_domain::files::FileKind::Docx.mime(),
        bytes,
    ))
}

#[derive(Template)]
#[template(path = "plans/leaders.html")]
struct LeadersPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    total: String,
    rows: Vec<plans::LeaderPlan>,
    links: Vec<PageLink>,
}

/// Leaders and heads with their plans: the supervision the seed asks for ("nhất là vai trò
/// nêu gương của cán bộ lãnh đạo, người đứng đầu").
async fn leaders_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Leader).await?;
    let db = state.store.db();
    let page = plans::leaders(db, &unit.subtree(), &year, q.page.unwrap_or(1), PER_PAGE).await?;
    let (org_id, y) = (unit.id.0, year.year);
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/ke-hoach/lanh-dao?org={org_id}&year={y}&page={p}")
    });
    let lineage = org::lineage(db, &unit).await?;
    let view = LeadersPage {
        title: format!(
            "Kế hoạch của cán bộ lãnh đạo, người đứng đầu năm {} — {}",
            year.year, unit.name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Kế hoạch của lãnh đạo")),
        me: viewer.me(),
        total: views::number(page.total),
        rows: page.items,
        links,
        year: year.year,
        unit,
    };
    Ok(render(&view)?.into_response())
}
