//! Quality ratings of members: entering a member's yearly rating (score, level checked
//! against the bands in force, step) with their plan's year-end result beside it, the
//! counts by level per child unit, and the list behind each count, exportable.

use crate::auth::Viewer;
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{self, Crumb, FormErrors, Me, PageLink, page_links, render, render_invalid};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lantoa_domain::accounts::Role;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::ratings::{RatingInput, RatingLevel, RatingPeriod, RatingStep, cap_warning};
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{ClosedList, PersonId};
use lantoa_store::StoreError;
use lantoa_store::audit::{self, Change};
use lantoa_store::campaign::CampaignYear;
use lantoa_store::org::{self, Org};
use lantoa_store::people::Person;
use lantoa_store::plans::{self, Commitment, Plan};
use lantoa_store::ratings::{self, LevelCounts, RatedMember, Subject};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/xep-loai", get(counts_page))
        .route("/xep-loai/danh-sach", get(list_page))
        .route("/xep-loai/danh-gia", get(rating_form).post(save_rating))
}

/// A unit's counts: (level code, count as shown) in the levels' order, and the total.
struct CountRow {
    id: i64,
    name: String,
    cells: Vec<(&'static str, String)>,
    total: String,
}

fn row(id: i64, name: String, counts: &LevelCounts) -> CountRow {
    let n = |l: &RatingLevel| counts.get(l).copied().unwrap_or(0);
    CountRow {
        id,
        name,
        cells: RatingLevel::ALL
            .iter()
            .map(|l| (l.code(), views::number(n(l))))
            .collect(),
        total: views::number(RatingLevel::ALL.iter().map(n).sum()),
    }
}

#[derive(Template)]
#[template(path = "ratings/counts.html")]
struct CountsPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    years: Vec<i32>,
    levels: Vec<(&'static str, &'static str)>,
    total: CountRow,
    children: Vec<CountRow>,
    regulation: String,
    /// The units directly under this one with their own rating of the year, if any:
    /// (id, name, score, level).
    unit_ratings: Vec<(i64, String, String, &'static str)>,
    /// Whether the viewer rates those units (staff of this unit).
    can_rate_units: bool,
}

async fn counts_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, years) = unit_and_year(&state, &viewer, &q, Role::Leader).await?;
    let db = state.store.db();
    let (total, by_child) = ratings::counts_with_children(db, unit.id, &year).await?;
    let child_units = org::child_units(db, unit.id).await?;
    let rated_units = ratings::of_children(db, unit.id, &year).await?;
    let unit_ratings = child_units
        .iter()
        .map(|c| {
            let r = rated_units.get(&c.id);
            (
                c.id.0,
                c.name.clone(),
                r.map(ratings::Rating::score_text).unwrap_or_default(),
                r.and_then(ratings::Rating::level)
                    .map_or("Chưa xếp loại", RatingLevel::label),
            )
        })
        .collect();
    let children = child_units
        .into_iter()
        .filter_map(|c| {
            by_child
                .get(&c.id)
                .map(|counts| row(c.id.0, c.name, counts))
        })
        .collect();
    let lineage = org::lineage(db, &unit).await?;
    let page = CountsPage {
        title: format!(
            "Xếp loại chất lượng đảng viên năm {} — {}",
            year.year, unit.name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Xếp loại chất lượng")),
        me: viewer.me(),
        years: years.iter().map(|y| y.year).collect(),
        year: year.year,
        levels: RatingLevel::ALL
            .iter()
            .map(|l| (l.code(), l.label()))
            .collect(),
        total: row(unit.id.0, unit.name.clone(), &total),
        children,
        regulation: lantoa_store::settings::load(db)
            .await?
            .bands
            .regulation
            .to_string(),
        unit_ratings,
        can_rate_units: viewer.can_at(&unit).edit,
        unit,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    org: Option<i64>,
    year: Option<i32>,
    page: Option<u64>,
    #[serde(default)]
    muc: String,
    #[serde(default)]
    format: String,
}

#[derive(Template)]
#[template(path = "ratings/list.html")]
struct ListPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    level: String,
    total: String,
    rows: Vec<RatedMember>,
    links: Vec<PageLink>,
}

const PER_PAGE: u64 = 50;

async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let study = StudyQuery {
        org: q.org,
        year: q.year,
        ..Default::default()
    };
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &study, Role::Leader).await?;
    let db = state.store.db();
    let level = RatingLevel::from_code(&q.muc);
    if !q.format.is_empty() {
        let format = crate::people::ExportFormat::parse(&q.format)
            .ok_or_else(|| AppError::BadRequest("định dạng phải là xlsx hoặc csv".into()))?;
        let all =
            ratings::members(db, &unit.subtree(), &year, level, 1, u64::from(u32::MAX)).await?;
        let header = [
            "Họ và tên",
            "Đơn vị",
            "Điểm",
            "Mức xếp loại",
            "Bước",
            "Kế hoạch cá nhân",
        ];
        let rows = all.items.iter().map(|m| {
            vec![
                m.full_name.clone(),
                m.org_name.clone(),
                m.score_text(),
                m.level_label().to_owned(),
                m.step_label().to_owned(),
                m.plan_label().to_owned(),
            ]
        });
        let bytes = format.table("Xếp loại", &header, rows)?;
        audit::record(
            db,
            &viewer.actor,
            Change::created(
                AuditAction::ExportRatings,
                "org",
                unit.id.0,
                Some(unit.id),
                serde_json::json!({ "year": year.year, "level": q.muc, "people": all.total }),
            ),
        )
        .await?;
        return Ok(format.download(
            &format!("xep-loai-{}-{}", year.year, unit.code.to_lowercase()),
            bytes,
        ));
    }
    let page = ratings::members(
        db,
        &unit.subtree(),
        &year,
        level,
        q.page.unwrap_or(1),
        PER_PAGE,
    )
    .await?;
    let (org_id, y, muc) = (unit.id.0, year.year, q.muc.clone());
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/xep-loai/danh-sach?org={org_id}&year={y}&muc={muc}&page={p}")
    });
    let lineage = org::lineage(db, &unit).await?;
    let view = ListPage {
        title: format!(
            "{} năm {} — {}",
            level.map_or("Đảng viên đã xếp loại", RatingLevel::label),
            year.year,
            unit.name
        ),
        crumbs: viewer.org_crumbs(&lineage, Some("Xếp loại chất lượng")),
        me: viewer.me(),
        level: q.muc,
        total: views::number(page.total),
        rows: page.items,
        links,
        year: year.year,
        unit,
    };
    Ok(render(&view)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
struct RatingQuery {
    /// A member to rate…
    person: Option<i64>,
    /// …or an organisation.
    unit: Option<i64>,
    year: Option<i32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct RatingForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    period_label: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    note: String,
    /// Saves despite the cap warning.
    #[serde(default)]
    confirm: String,
}

impl RatingForm {
    fn input(&self) -> RatingInput {
        RatingInput {
            period: self.period.clone(),
            period_label: self.period_label.clone(),
            score: self.score.clone(),
            level: self.level.clone(),
            step: self.step.clone(),
            note: self.note.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "ratings/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    /// Where the form posts.
    action: String,
    year: i32,
    form: RatingForm,
    periods: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    steps: Vec<(&'static str, &'static str)>,
    regulation: String,
    bands: String,
    plan: Option<Plan>,
    commitments: Vec<Commitment>,
    warning: String,
    errors: FormErrors,
}

/// Who is rated.
enum Who {
    Member(Person),
    Organisation(Org),
}

/// Who and which year a rating is about, and the unit whose staff rate (the member's unit,
/// or the committee above an organisation).
struct Rated {
    who: Who,
    unit: Org,
    year: CampaignYear,
}

impl Rated {
    fn subject(&self) -> Subject<'_> {
        match &self.who {
            Who::Member(p) => Subject::Member(p),
            Who::Organisation(o) => Subject::Organisation(o),
        }
    }

    fn name(&self) -> &str {
        match &self.who {
            Who::Member(p) => &p.details.full_name,
            Who::Organisation(o) => &o.name,
        }
    }

    fn query(&self) -> String {
        match &self.who {
            Who::Member(p) => format!("person={}&year={}", p.id, self.year.year),
            Who::Organisation(o) => format!("unit={}&year={}", o.id, self.year.year),
        }
    }
}

/// The member (staff over their unit rate them) or the organisation (staff of the
/// committee above rate it; system administrators the top unit), and the year.
async fn subject(state: &AppState, viewer: &Viewer, q: &RatingQuery) -> Result<Rated, AppError> {
    let db = state.store.db();
    let (who, unit) = match (q.person, q.unit) {
        (Some(person), _) => {
            let person = lantoa_store::people::get(db, PersonId(person)).await?;
            let unit = org::get(db, person.org_id).await?;
            viewer.require(Role::Staff, &unit)?;
            if person.details.member_status.is_none() {
                return Err(AppError::Conflict(format!(
                    "{} không phải đảng viên: chỉ xếp loại chất lượng đảng viên.",
                    person.details.full_name
                )));
            }
            (Who::Member(person), unit)
        }
        (None, Some(id)) => {
            let rated = org::get(db, lantoa_domain::OrgId(id)).await?;
            let above = match rated.parent_id {
                Some(parent) => {
                    let above = org::get(db, parent).await?;
                    viewer.require(Role::Staff, &above)?;
                    above
                }
                None if viewer.principal.is_system_admin() => rated.clone(),
                None => return Err(AppError::NotFound),
            };
            (Who::Organisation(rated), above)
        }
        (None, None) => return Err(AppError::NotFound),
    };
    let years = lantoa_store::campaign::years(db).await?;
    let year = match q.year {
        Some(y) => years.iter().find(|c| c.year == y),
        None => crate::campaign::current_year(&years, crate::today()),
    }
    .cloned()
    .ok_or(AppError::NotFound)?;
    Ok(Rated { who, unit, year })
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    rated: &Rated,
    form: RatingForm,
    warning: String,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let (unit, year) = (&rated.unit, &rated.year);
    let db = state.store.db();
    let plan = match &rated.who {
        Who::Member(p) => plans::plan_of(db, p.id, year.id).await?,
        Who::Organisation(o) => plans::collective_of(db, o.id, year.id).await?,
    };
    let commitments = match &plan {
        Some(p) => plans::commitments(db, p.id).await?,
        None => Vec::new(),
    };
    let bands = lantoa_store::settings::load(db).await?.bands;
    let lineage = org::lineage(db, unit).await?;
    Ok(FormPage {
        title: format!("Xếp loại chất lượng năm {} — {}", year.year, rated.name()),
        action: format!("{STAFF}/xep-loai/danh-gia?{}", rated.query()),
        crumbs: viewer.org_crumbs(&lineage, Some("Xếp loại chất lượng")),
        me: viewer.me(),
        year: year.year,
        form,
        periods: RatingPeriod::ALL
            .iter()
            .map(|p| (p.code(), p.label()))
            .collect(),
        levels: RatingLevel::ALL
            .iter()
            .map(|l| (l.code(), l.label()))
            .collect(),
        steps: RatingStep::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        bands: bands.describe(),
        regulation: bands.regulation.into_owned(),
        plan,
        commitments,
        warning,
        errors: FormErrors(errors),
    })
}

async fn rating_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<RatingQuery>,
) -> Result<Response, AppError> {
    let rated = subject(&state, &viewer, &q).await?;
    let stored = ratings::of(
        state.store.db(),
        rated.subject(),
        &rated.year,
        RatingPeriod::Year,
        "",
    )
    .await?;
    let form = match stored {
        Some(r) => RatingForm {
            period: r.period.clone(),
            period_label: r.period_label.clone(),
            score: r.score_text(),
            level: r.level.clone(),
            step: r.step.clone(),
            note: r.note.clone().unwrap_or_default(),
            confirm: String::new(),
        },
        None => RatingForm {
            period: RatingPeriod::Year.code().into(),
            step: RatingStep::SelfRated.code().into(),
            ..Default::default()
        },
    };
    let page = form_page(
        &state,
        &viewer,
        &rated,
        form,
        String::new(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// The warning to show before saving a member's "xuất sắc" past the unit's cap, if any.
async fn cap_check(
    state: &AppState,
    rated: &Rated,
    draft: &lantoa_domain::ratings::RatingDraft,
) -> Result<Option<String>, AppError> {
    let settings = lantoa_store::settings::load(state.store.db()).await?;
    let (Some(cap), Who::Member(person), RatingLevel::Excellent, RatingPeriod::Year) = (
        settings.excellent_cap_percent,
        &rated.who,
        draft.level,
        draft.period,
    ) else {
        return Ok(None);
    };
    let db = state.store.db();
    let already = ratings::of(db, rated.subject(), &rated.year, draft.period, "").await?;
    if already.is_some_and(|r| r.level == RatingLevel::Excellent.code()) {
        return Ok(None);
    }
    let (excellent, good) = ratings::excellent_and_good(db, person.org_id, &rated.year).await?;
    Ok(cap_warning(excellent, good, cap))
}

async fn save_rating(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<RatingQuery>,
    Form(form): Form<RatingForm>,
) -> Result<Response, AppError> {
    let rated = subject(&state, &viewer, &q).await?;
    let bands = lantoa_store::settings::load(state.store.db()).await?.bands;
    let draft = match form.input().validate(&bands) {
        Ok(draft) => draft,
        Err(errors) => {
            return render_invalid(
                &form_page(&state, &viewer, &rated, form, String::new(), errors).await?,
            );
        }
    };
    if form.confirm.is_empty()
        && let Some(warning) = cap_check(&state, &rated, &draft).await?
    {
        return render_invalid(
            &form_page(
                &state,
                &viewer,
                &rated,
                form,
                warning,
                FieldErrors::default(),
            )
            .await?,
        );
    }
    let saved = ratings::save(
        state.store.db(),
        &viewer.actor,
        rated.subject(),
        &rated.year,
        &draft,
    )
    .await;
    match saved {
        Ok(_) => {
            let back = match &rated.who {
                Who::Member(_) => "xep-loai/danh-sach",
                Who::Organisation(_) => "xep-loai",
            };
            Ok(Redirect::to(&format!(
                "{STAFF}/{back}?org={}&year={}",
                rated.unit.id, rated.year.year
            ))
            .into_response())
        }
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&form_page(&state, &viewer, &rated, form, String::new(), errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}
