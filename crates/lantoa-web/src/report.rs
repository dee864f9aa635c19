//! The dashboard (`/quan-ly/tong-quan`) and the year-end report (`/quan-ly/bao-cao`) of a
//! unit's subtree over a year or a term: the same `Figures` from the store, the findings the
//! committee's thresholds draw from them, and the report as a Party document (HTML print
//! view and DOCX). `document` is also what `lantoa report` writes.

use crate::auth::Viewer;
use crate::charts::{self, Bar};
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{self, Crumb, Dates, FormErrors, Me, Numbers, render, render_invalid};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use lantoa_domain::ClosedList;
use lantoa_domain::accounts::Role;
use lantoa_domain::findings::{Finding, Rule, Thresholds, findings};
use lantoa_domain::format::{number, percent};
use lantoa_domain::report::{Figures, Period, Prose, ReportInput, Section, results};
use lantoa_domain::validation::FieldErrors;
use lantoa_office::party_doc::{Block, DocumentLayout, PartyDocument, Signature};
use lantoa_store::StoreError;
use lantoa_store::org::{self, Org};
use lantoa_store::report::{IssuedLine, IssuedReport};
use serde::{Deserialize, Serialize};

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/tong-quan", get(dashboard))
        .route("/bao-cao", get(report_page).post(save_report))
        .route("/bao-cao/ban-in", get(draft_print))
        .route("/bao-cao/bao-cao.docx", get(draft_docx))
        .route("/bao-cao/so-lieu.xlsx", get(draft_xlsx))
        .route("/bao-cao/lap", axum::routing::post(queue_file))
        .route("/bao-cao/viec/{id}", get(job_page))
        .route("/bao-cao/viec/{id}/tep", get(job_file))
        .route("/bao-cao/{id}", get(issued_page))
        .route("/bao-cao/{id}/bao-cao.docx", get(issued_docx))
        .route("/bao-cao/{id}/so-lieu.xlsx", get(issued_xlsx))
}

/// Unit, period ("2024", "2024-6t" or "2021-2025") and the sort of the child table.
#[derive(Debug, Default, Deserialize)]
struct DashboardQuery {
    org: Option<i64>,
    #[serde(default)]
    ky: String,
    #[serde(default)]
    xep: String,
}

/// The unit (in the viewer's scope as a leader), the period asked for (the current
/// campaign year by default) and the campaign years there are, newest first.
async fn unit_and_period(
    state: &AppState,
    viewer: &Viewer,
    q: &DashboardQuery,
) -> Result<(Org, Period, Vec<i32>), AppError> {
    let asked = if q.ky.trim().is_empty() {
        None
    } else {
        Some(Period::parse(&q.ky).ok_or_else(|| {
            AppError::BadRequest(
                "Kỳ báo cáo ghi một năm (2024), 6 tháng đầu năm (2024-6t) hoặc một giai đoạn (2021-2025).".into(),
            )
        })?)
    };
    // The unit and the current year; a period asked for may have no campaign year at all
    // (its report then says there is no data).
    let study = StudyQuery {
        org: q.org,
        ..Default::default()
    };
    let (unit, year, _, years) = unit_and_year(state, viewer, &study, Role::Leader).await?;
    let period = asked.unwrap_or(Period::year(year.year));
    Ok((unit, period, years.iter().map(|y| y.year).collect()))
}

/// The href of a page behind a figure, for the unit and the period's last year.
fn behind(path: &str, unit: i64, year: i32, extra: &str) -> String {
    format!("{STAFF}/{path}?org={unit}&year={year}{extra}")
}

/// Where a finding's evidence is.
fn evidence(rule: Rule, unit: i64, year: i32) -> String {
    match rule {
        Rule::DocumentsOnly => behind("tuyen-truyen", unit, year, "&channel=van_ban#danh-sach"),
        Rule::Irregular => behind("tuyen-truyen", unit, year, ""),
        Rule::ModelsConcentrated => behind("mo-hinh", unit, year, "&sector=mttq_doan_the"),
        Rule::GrassrootsWithoutModel => behind("mo-hinh/chua-co", unit, year, ""),
        Rule::CommendationNarrow => behind("khen-thuong/duoc-khen", unit, year, ""),
        Rule::CommendationSlow => behind("guong-dien-hinh", unit, year, ""),
        Rule::StudyLow => behind("hoc-tap", unit, year, ""),
        Rule::PlansLow => behind("ke-hoach", unit, year, ""),
        Rule::LeadersWithoutPlan => behind("ke-hoach/lanh-dao", unit, year, ""),
        Rule::TasksOverdue => behind("nhiem-vu", unit, year, ""),
        Rule::RecommendationsOverdue => behind("kiem-tra", unit, year, ""),
    }
}

/// A tile: the figure, what it is made of, how it moved since the period before, and the
/// list behind it.
struct Tile {
    label: &'static str,
    value: String,
    detail: String,
    change: String,
    href: String,
}

/// "+12 so với 2023", "−3 so với 2023", "bằng 2023", or nothing when there was no data.
fn change(now: i64, before: Option<i64>, period: &Period) -> String {
    let Some(before) = before else {
        return String::new();
    };
    let since = period.before().label();
    match now.cmp(&before) {
        std::cmp::Ordering::Greater => format!("▲ {} so với {since}", number(now - before)),
        std::cmp::Ordering::Less => format!("▼ {} so với {since}", number(before - now)),
        std::cmp::Ordering::Equal => format!("bằng {since}"),
    }
}

fn tiles(f: &Figures, before: Option<&Figures>) -> Vec<Tile> {
    let (unit, year, period) = (f.unit_id, f.last_year, f.period());
    let was = |pick: fn(&Figures) -> i64| before.map(pick);
    let tile = |label, value: String, detail: String, now: i64, was: Option<i64>, href| Tile {
        label,
        value,
        detail,
        change: change(now, was, &period),
        href,
    };
    let c = &f.commendations;
    vec![
        tile(
            "Đảng viên học tập chuyên đề",
            percent(f.study.studied, f.study.eligible),
            format!(
                "{}/{} đảng viên",
                number(f.study.studied),
                number(f.study.eligible)
            ),
            f.study.studied,
            was(|b| b.study.studied),
            behind("hoc-tap", unit, year, ""),
        ),
        tile(
            "Lượt người dân học tập",
            number(f.study.citizens),
            format!("{} buổi học tập", number(f.study.sessions)),
            f.study.citizens,
            was(|b| b.study.citizens),
            behind("hoc-tap", unit, year, ""),
        ),
        tile(
            "Kế hoạch cá nhân",
            percent(f.plans.submitted, f.plans.required),
            format!(
                "{}/{} đã xây dựng, {} được duyệt",
                number(f.plans.submitted),
                number(f.plans.required),
                number(f.plans.approved)
            ),
            f.plans.submitted,
            was(|b| b.plans.submitted),
            behind("ke-hoach", unit, year, ""),
        ),
        tile(
            "Mô hình tiêu biểu",
            number(f.models.total),
            format!(
                "do {}/{} cơ sở đảng đăng ký; {} được công nhận",
                number(f.models.grassroots_with_model),
                number(f.models.grassroots),
                number(f.models.recognised)
            ),
            f.models.total,
            was(|b| b.models.total),
            behind("mo-hinh", unit, year, ""),
        ),
        tile(
            "Gương điển hình được đề cử",
            number(f.exemplars.nominated),
            format!(
                "{} đã khen; {} do người dân đề cử",
                number(f.exemplars.commended),
                number(f.exemplars.from_public)
            ),
            f.exemplars.nominated,
            was(|b| b.exemplars.nominated),
            behind("guong-dien-hinh", unit, year, ""),
        ),
        tile(
            "Được khen thưởng",
            number(c.individuals + c.collectives),
            format!(
                "{} cá nhân ({} không phải đảng viên), {} tập thể",
                number(c.individuals),
                number(c.beyond_party()),
                number(c.collectives)
            ),
            c.individuals + c.collectives,
            was(|b| b.commendations.individuals + b.commendations.collectives),
            behind("khen-thuong", unit, year, ""),
        ),
        tile(
            "Hoạt động tuyên truyền",
            number(f.propaganda.activities),
            format!(
                "{} chỉ bằng văn bản",
                percent(f.propaganda.documents, f.propaganda.activities)
            ),
            f.propaganda.activities,
            was(|b| b.propaganda.activities),
            behind("tuyen-truyen", unit, year, ""),
        ),
        tile(
            "Nhiệm vụ trọng tâm hoàn thành",
            format!("{}/{}", number(f.tasks.done), number(f.tasks.total)),
            format!("{} quá hạn", number(f.tasks.overdue.len() as i64)),
            f.tasks.done,
            was(|b| b.tasks.done),
            behind("nhiem-vu", unit, year, ""),
        ),
        tile(
            "Kiểm tra, giám sát",
            format!(
                "{}/{}",
                number(f.inspections.done),
                number(f.inspections.planned)
            ),
            format!(
                "{} kiến nghị chưa xong, {} quá hạn",
                number(f.inspections.open),
                number(f.inspections.overdue)
            ),
            f.inspections.done,
            was(|b| b.inspections.done),
            behind("kiem-tra", unit, year, ""),
        ),
        tile(
            "Tác phẩm dự giải thưởng",
            number(f.award.entries),
            format!("{} tác phẩm đạt giải", number(f.award.prizes)),
            f.award.entries,
            was(|b| b.award.entries),
            format!("{STAFF}/giai-thuong"),
        ),
    ]
}

/// The columns the child table sorts by: (code, heading).
const SORTS: [(&str, &str); 5] = [
    ("hoc-tap", "Học tập"),
    ("ke-hoach", "Kế hoạch được duyệt"),
    ("mo-hinh", "Mô hình"),
    ("tuyen-truyen", "Tuyên truyền"),
    ("thang-trong", "Tháng không tuyên truyền"),
];

/// A child unit's row with its lags marked.
struct ChildRow {
    href: String,
    name: String,
    study: String,
    study_lags: bool,
    plans: String,
    plans_lags: bool,
    models: i64,
    models_lags: bool,
    activities: i64,
    silent: i64,
    silent_lags: bool,
}

fn child_rows(f: &Figures, t: &Thresholds, sort: &str, period: &Period) -> Vec<ChildRow> {
    let mut children = f.children.clone();
    let ratio = |a: i64, b: i64| if b > 0 { a as f64 / b as f64 } else { -1.0 };
    match sort {
        "ke-hoach" => children.sort_by(|a, b| {
            ratio(a.plan_approved, a.plan_required)
                .total_cmp(&ratio(b.plan_approved, b.plan_required))
        }),
        "mo-hinh" => children.sort_by_key(|c| c.models),
        "tuyen-truyen" => children.sort_by_key(|c| c.activities),
        "thang-trong" => children.sort_by_key(|c| std::cmp::Reverse(c.silent_months)),
        "hoc-tap" => children
            .sort_by(|a, b| ratio(a.studied, a.eligible).total_cmp(&ratio(b.studied, b.eligible))),
        _ => {}
    }
    children
        .iter()
        .map(|c| ChildRow {
            href: format!("{STAFF}/tong-quan?org={}&ky={}", c.id, period.code()),
            name: c.name.clone(),
            study: percent(c.studied, c.eligible),
            study_lags: t.study_lags(c),
            plans: percent(c.plan_approved, c.plan_required),
            plans_lags: t.plans_lag(c),
            models: c.models,
            models_lags: c.models == 0,
            activities: c.activities,
            silent: c.silent_months,
            silent_lags: t.silent(c),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "report/dashboard.html")]
struct DashboardPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    period: Period,
    periods: Vec<(String, String, String)>,
    tiles: Vec<Tile>,
    findings: Vec<(Finding, String)>,
    children: Vec<ChildRow>,
    sorts: Vec<(&'static str, &'static str, String)>,
    /// (title, SVG) of each chart with data.
    charts: Vec<(String, String)>,
    report_href: String,
}

impl Numbers for DashboardPage {}

/// Most bars of a chart in a document.
const DOCUMENT_BARS: usize = 30;

/// The charts of the figures that have data: per child unit, per month, per channel, per
/// sector; each bar leads to its list when `linked` (pages), not in documents.
fn charts_of(f: &Figures, linked: bool) -> Vec<(String, String)> {
    let (id, year) = (f.unit_id, f.last_year);
    let link = |href: String| linked.then_some(href);
    // A page of a document holds about thirty bars: the largest units then.
    let mut children: Vec<&lantoa_domain::report::ChildFigures> = f.children.iter().collect();
    let per_unit = if !linked && children.len() > DOCUMENT_BARS {
        children.sort_by_key(|c| std::cmp::Reverse(c.eligible));
        children.truncate(DOCUMENT_BARS);
        format!(
            "Đảng viên đã học tập chuyên đề ({DOCUMENT_BARS} đơn vị trực thuộc đông đảng viên nhất)"
        )
    } else {
        "Đảng viên đã học tập chuyên đề theo đơn vị trực thuộc".to_owned()
    };
    let drawn = [
        (
            per_unit.as_str(),
            charts::bars as fn(&str, &[Bar]) -> String,
            children
                .iter()
                .map(|c| Bar {
                    label: c.name.clone(),
                    value: c.studied,
                    href: link(behind("hoc-tap", c.id, year, "")),
                })
                .collect::<Vec<_>>(),
        ),
        (
            "Hoạt động tuyên truyền theo tháng",
            charts::columns,
            f.propaganda
                .by_month
                .iter()
                .take(f.months())
                .enumerate()
                .map(|(i, n)| Bar {
                    label: format!("T{}", i + 1),
                    value: *n,
                    href: link(behind(
                        "tuyen-truyen",
                        id,
                        year,
                        &format!("&month={}#danh-sach", i + 1),
                    )),
                })
                .collect(),
        ),
        (
            "Hoạt động tuyên truyền theo hình thức",
            charts::bars,
            f.propaganda
                .by_channel
                .iter()
                .map(|c| Bar {
                    label: c.label.clone(),
                    value: c.n,
                    href: link(behind(
                        "tuyen-truyen",
                        id,
                        year,
                        &format!("&channel={}#danh-sach", c.code),
                    )),
                })
                .collect(),
        ),
        (
            "Mô hình tiêu biểu theo khối",
            charts::bars,
            f.models
                .by_sector
                .iter()
                .map(|c| Bar {
                    label: c.label.clone(),
                    value: c.n,
                    href: link(behind("mo-hinh", id, year, &format!("&sector={}", c.code))),
                })
                .collect(),
        ),
    ];
    drawn
        .into_iter()
        .map(|(title, draw, bars)| (title.to_owned(), draw(title, &bars)))
        .filter(|(_, svg)| !svg.is_empty())
        .collect()
}

/// The periods offered, as code, label and link: each campaign year newest first with its
/// first six months, and the full term.
fn periods(years: &[i32], unit: i64) -> Vec<(String, String, String)> {
    let link = |p: Period, label: String| {
        let code = p.code();
        let href = format!("{STAFF}/tong-quan?org={unit}&ky={code}");
        (code, label, href)
    };
    let mut out = Vec::new();
    for y in years {
        out.push(link(Period::year(*y), y.to_string()));
        out.push(link(Period::half_year(*y), format!("6 tháng đầu {y}")));
    }
    if let (Some(first), Some(last)) = (years.iter().min(), years.iter().max())
        && first < last
    {
        let term = Period {
            first: *first,
            last: *last,
            half: false,
        };
        out.push(link(term, term.label()));
    }
    out
}

/// The figures and findings of a unit and period, with the period before for comparison
/// when its years exist.
async fn figures_and_findings(
    state: &AppState,
    unit: &Org,
    period: Period,
    years: &[i32],
    compare: bool,
) -> Result<(Figures, Option<Figures>, Vec<Finding>, Thresholds), AppError> {
    let settings = lantoa_store::settings::load(state.store.db()).await?;
    let before = period.before();
    let before =
        (compare && years.iter().any(|y| before.years().any(|b| b == *y))).then_some(before);
    let (figures, before, _) = lantoa_store::report::figures_preferring_replica(
        &state.store,
        unit,
        (period, before),
        &settings,
        crate::today(),
    )
    .await?;
    let found = findings(&figures, &settings.thresholds);
    Ok((figures, before, found, settings.thresholds))
}

/// Finishes the first counts a stopped server left half done, then reads the current
/// year's dashboard figures of each top unit: what `serve` runs in the background when it
/// starts, so that after a bulk load or an upgrade (which forget the counts) the first
/// leader to open the dashboard does not wait for every figure to be counted.
pub(crate) async fn warm_top_dashboards(state: &AppState) -> Result<(), AppError> {
    let db = state.store.db();
    lantoa_store::rollups::finish_counts(db).await?;
    let years = lantoa_store::campaign::years(db).await?;
    let Some(year) = crate::campaign::current_year(&years, crate::today()) else {
        return Ok(());
    };
    let years: Vec<i32> = years.iter().map(|y| y.year).collect();
    for top in org::children(db, None, false).await? {
        figures_and_findings(state, &top.org, Period::year(year.year), &years, true).await?;
    }
    Ok(())
}

/// With a read replica, counts the units marked pending every second, so that the replica
/// holds the dashboards' figures up to date (a dashboard reads them there only then);
/// without one, pages count them as they read. Runs until the server stops.
pub(crate) async fn keep_figures_current(state: AppState) {
    if state.store.replica().is_none() {
        return;
    }
    let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = lantoa_store::rollups::refresh_pending(state.store.db()).await {
            tracing::warn!(error = %e, "counting the pending units failed");
        }
    }
}

/// The dashboard's figures, counted in a task of their own; `None` when they take longer
/// than the state's `dashboard_wait` (or are already being counted for an earlier request), the task
/// going on so that a later request finds them counted.
async fn dashboard_figures(
    state: &AppState,
    unit: &Org,
    period: Period,
    years: &[i32],
) -> Result<Option<(Figures, Option<Figures>, Vec<Finding>, Thresholds)>, AppError> {
    let wanted = format!("{}/{}", unit.id.0, period.code());
    {
        let mut counting = state
            .dashboards_counting
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if !counting.insert(wanted.clone()) {
            return Ok(None);
        }
    }
    let task = tokio::spawn({
        let (state, unit, years) = (state.clone(), unit.clone(), years.to_vec());
        async move {
            let figures = figures_and_findings(&state, &unit, period, &years, true).await;
            state
                .dashboards_counting
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&wanted);
            if let Err(e) = &figures {
                tracing::warn!(error = %e, unit = unit.id.0, "counting a dashboard's figures failed");
            }
            figures
        }
    });
    match tokio::time::timeout(state.dashboard_wait, task).await {
        Ok(joined) => Ok(Some(joined.map_err(|e| {
            AppError::Internal(format!("counting a dashboard's figures stopped: {e}"))
        })??)),
        Err(_) => Ok(None),
    }
}

/// What a dashboard shows while its figures are counted for the first time: how far each
/// figure has gone; it reloads itself.
#[derive(Template)]
#[template(path = "report/counting.html")]
struct CountingPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    counts: Vec<lantoa_store::rollups::FirstCount>,
}

async fn dashboard(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    let (unit, period, years) = unit_and_period(&state, &viewer, &q).await?;
    let Some((f, before, found, thresholds)) =
        dashboard_figures(&state, &unit, period, &years).await?
    else {
        let page = CountingPage {
            title: format!("Tổng quan {} — {}", period.label(), unit.name),
            crumbs: vec![Crumb::here("Tổng quan")],
            me: viewer.me(),
            counts: lantoa_store::rollups::first_counts(state.store.db()).await?,
        };
        return Ok(render(&page)?.into_response());
    };
    let (id, year) = (unit.id.0, period.last);
    let sorts = SORTS
        .iter()
        .map(|(code, label)| {
            (
                *code,
                *label,
                format!(
                    "{STAFF}/tong-quan?org={id}&ky={}&xep={code}#don-vi",
                    period.code()
                ),
            )
        })
        .collect();
    let page = DashboardPage {
        title: format!("Tổng quan {} — {}", period.label(), unit.name),
        crumbs: vec![Crumb::here("Tổng quan")],
        me: viewer.me(),
        periods: periods(&years, id),
        tiles: tiles(&f, before.as_ref()),
        findings: found
            .into_iter()
            .map(|x| {
                let href = evidence(x.rule, id, year);
                (x, href)
            })
            .collect(),
        children: child_rows(&f, &thresholds, &q.xep, &period),
        sorts,
        charts: charts_of(&f, true),
        report_href: format!("{STAFF}/bao-cao?org={id}&ky={}", period.code()),
        period,
    };
    Ok(render(&page)?.into_response())
}

/// What heads a report besides its figures: the letterhead, the number once issued, the
/// date and who signs.
pub struct Heading {
    pub letterhead: views::Letterhead,
    pub layout: DocumentLayout,
    pub number: Option<String>,
    pub date: NaiveDate,
    pub signer_name: String,
    pub signer_post: Option<String>,
}

/// The report as a Party document: letterhead, title, results by field, the prose
/// sections, the table of child units, signature and recipients.
pub fn document(f: &Figures, prose: &Prose, heading: Heading) -> PartyDocument {
    let paragraphs = |text: &str| -> Vec<Block> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| Block::Text(l.to_owned()))
            .collect()
    };
    let period = f.period();
    let mut body = vec![Block::Heading(
        "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, QUÁN TRIỆT".into(),
    )];
    body.extend(paragraphs(&prose.leadership));
    body.push(Block::Heading("II. KẾT QUẢ THỰC HIỆN".into()));
    if f.is_empty() {
        body.push(Block::Text(format!(
            "Trong {}, chưa có số liệu nào được ghi nhận trên hệ thống Lan Tỏa cho {}.",
            period.label(),
            f.unit_name
        )));
    }
    for Section {
        heading,
        paragraphs: texts,
    } in results(f)
    {
        body.push(Block::Heading(heading));
        body.extend(texts.into_iter().map(Block::Text));
    }
    if !f.children.is_empty() {
        body.push(Block::Text(if period.first == period.last {
            format!("Kết quả của các đơn vị trực thuộc ({}):", period.label())
        } else {
            "Kết quả của các đơn vị trực thuộc (số liệu năm cuối kỳ):".to_owned()
        }));
        body.push(children_table(f));
    }
    body.push(Block::Heading("III. HẠN CHẾ VÀ NGUYÊN NHÂN".into()));
    body.push(Block::Heading("1. Hạn chế".into()));
    body.extend(paragraphs(&prose.limitations));
    if !prose.causes.trim().is_empty() {
        body.push(Block::Heading("2. Nguyên nhân".into()));
        body.extend(paragraphs(&prose.causes));
    }
    body.push(Block::Heading(format!(
        "IV. NHIỆM VỤ TRỌNG TÂM {}",
        period.next_label().to_uppercase()
    )));
    body.extend(paragraphs(&prose.next_year));
    if !prose.proposals.trim().is_empty() {
        body.push(Block::Heading("V. ĐỀ XUẤT, KIẾN NGHỊ".into()));
        body.extend(paragraphs(&prose.proposals));
    }
    let charts = charts_of(f, false);
    if !charts.is_empty() {
        body.push(Block::Heading("PHỤ LỤC: BIỂU ĐỒ".into()));
        body.extend(
            charts
                .into_iter()
                .map(|(title, svg)| Block::Chart { title, svg }),
        );
    }
    PartyDocument {
        superior: heading.letterhead.superior,
        issuer: f.unit_name.clone(),
        number: heading.number,
        place: heading.letterhead.place,
        date: heading.date,
        title: "Báo cáo".into(),
        summary: vec![format!(
            "kết quả học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh {}",
            period.label()
        )],
        body,
        signature: Signature {
            heading: format!("T/M {}", f.unit_name.to_uppercase()),
            position: heading.signer_post.unwrap_or_default().to_uppercase(),
            name: heading.signer_name,
        },
        approval: None,
        copies: vec![
            "Cấp ủy cấp trên,".into(),
            "Các đơn vị trực thuộc,".into(),
            "Lưu văn phòng.".into(),
        ],
        layout: heading.layout,
    }
}

/// The child units' figures as a bordered table.
fn children_table(f: &Figures) -> Block {
    Block::Table {
        header: [
            "Đơn vị",
            "Đảng viên học tập",
            "Kế hoạch được duyệt",
            "Mô hình",
            "Hoạt động tuyên truyền",
            "Tháng không tuyên truyền",
        ]
        .map(String::from)
        .to_vec(),
        rows: f
            .children
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    format!(
                        "{}/{} ({})",
                        number(c.studied),
                        number(c.eligible),
                        percent(c.studied, c.eligible)
                    ),
                    percent(c.plan_approved, c.plan_required),
                    number(c.models),
                    number(c.activities),
                    number(c.silent_months),
                ]
            })
            .collect(),
        widths: vec![300, 170, 140, 110, 150, 130],
    }
}

/// A report not yet issued: live figures, the findings, and the prose saved by staff (else
/// that of the period's latest issued report, else drafted from the findings).
pub struct Draft {
    pub figures: Figures,
    pub findings: Vec<Finding>,
    pub prose: Prose,
    pub letterhead: views::Letterhead,
    pub layout: DocumentLayout,
}

impl Draft {
    /// The draft as a document dated `today`, unnumbered and unsigned.
    pub fn document(&self, today: NaiveDate) -> PartyDocument {
        document(
            &self.figures,
            &self.prose,
            Heading {
                letterhead: self.letterhead.clone(),
                layout: self.layout.clone(),
                number: None,
                date: today,
                signer_name: String::new(),
                signer_post: None,
            },
        )
    }
}

/// The draft of a unit's report for a period.
pub async fn draft(
    db: &lantoa_store::DatabaseConnection,
    unit: &Org,
    period: Period,
    today: NaiveDate,
) -> Result<Draft, lantoa_store::StoreError> {
    let figures = lantoa_store::report::figures(db, unit, period, today).await?;
    let settings = lantoa_store::settings::load(db).await?;
    let found = findings(&figures, &settings.thresholds);
    let prose = match lantoa_store::report::saved_draft(db, unit.id, period).await? {
        Some(p) => p,
        None => {
            let latest = lantoa_store::report::history(db, unit.id)
                .await?
                .into_iter()
                .find(|r| r.period() == period);
            match latest {
                Some(r) => lantoa_store::report::issued(db, r.id).await?.prose,
                None => Prose::drafted(&figures, &found),
            }
        }
    };
    let letterhead = views::letterhead(&org::lineage(db, unit).await?);
    Ok(Draft {
        figures,
        findings: found,
        prose,
        letterhead,
        layout: settings.layout,
    })
}

/// The report form as posted: the prose, and to issue, the day and signer; `viec` says
/// which button was pressed ("luu" saves the draft, "ban_hanh" issues).
#[derive(Debug, Default, Deserialize)]
struct ReportForm {
    #[serde(default)]
    leadership: String,
    #[serde(default)]
    limitations: String,
    #[serde(default)]
    causes: String,
    #[serde(default)]
    next_year: String,
    #[serde(default)]
    proposals: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    signer_name: String,
    #[serde(default)]
    signer_post: String,
    #[serde(default)]
    viec: String,
}

impl ReportForm {
    fn input(&self) -> ReportInput {
        ReportInput {
            prose: Prose {
                leadership: self.leadership.clone(),
                limitations: self.limitations.clone(),
                causes: self.causes.clone(),
                next_year: self.next_year.clone(),
                proposals: self.proposals.clone(),
            },
            issued_on: self.issued_on.clone(),
            signer_name: self.signer_name.clone(),
            signer_post: self.signer_post.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "report/workspace.html")]
struct WorkspacePage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    period: Period,
    query: String,
    can_edit: bool,
    form: ReportInput,
    errors: FormErrors,
    notice: String,
    findings: Vec<Finding>,
    earlier: Vec<IssuedLine>,
    history: Vec<IssuedLine>,
    /// The label of section IV, which depends on the period.
    next_heading: String,
    next_hint: &'static str,
}

impl Dates for WorkspacePage {}

async fn workspace(
    state: &AppState,
    viewer: &Viewer,
    q: &DashboardQuery,
    typed: Option<ReportInput>,
    errors: FieldErrors,
    notice: &str,
) -> Result<WorkspacePage, AppError> {
    let (unit, period, _) = unit_and_period(state, viewer, q).await?;
    let db = state.store.db();
    let draft = draft(db, &unit, period, crate::today()).await?;
    let history = lantoa_store::report::history(db, unit.id).await?;
    let can_edit = viewer.require(Role::Staff, &unit).is_ok();
    let form = typed.unwrap_or_else(|| ReportInput {
        prose: draft.prose.clone(),
        issued_on: lantoa_domain::dates::display(crate::today()),
        ..Default::default()
    });
    Ok(WorkspacePage {
        title: format!("Báo cáo {} — {}", period.label(), unit.name),
        crumbs: vec![
            Crumb::link(
                "Tổng quan",
                format!("{STAFF}/tong-quan?org={}&ky={}", unit.id.0, period.code()),
            ),
            Crumb::here("Báo cáo"),
        ],
        me: viewer.me(),
        query: format!("org={}&ky={}", unit.id.0, period.code()),
        period,
        can_edit,
        form,
        errors: FormErrors(errors),
        notice: notice.into(),
        findings: draft.findings,
        earlier: history
            .iter()
            .filter(|r| r.period() == period)
            .cloned()
            .collect(),
        history,
        next_heading: format!("IV. Nhiệm vụ trọng tâm {}", period.next_label()),
        next_hint: if period.half {
            "Dự thảo lấy từ các nhiệm vụ trọng tâm của năm chưa hoàn thành đến 30/6."
        } else {
            "Dự thảo lấy từ các nhiệm vụ trọng tâm năm sau đã giao."
        },
    })
}

#[derive(Debug, Default, Deserialize)]
struct Notice {
    #[serde(default)]
    luu: String,
}

async fn report_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DashboardQuery>,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    let notice = if n.luu.is_empty() {
        ""
    } else {
        "Đã lưu dự thảo."
    };
    let page = workspace(&state, &viewer, &q, None, FieldErrors::default(), notice).await?;
    Ok(render(&page)?.into_response())
}

async fn save_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DashboardQuery>,
    Form(form): Form<ReportForm>,
) -> Result<Response, AppError> {
    let (unit, period, _) = unit_and_period(&state, &viewer, &q).await?;
    viewer.require(Role::Staff, &unit)?;
    let db = state.store.db();
    let input = form.input();
    let back = format!("{STAFF}/bao-cao?org={}&ky={}", unit.id.0, period.code());
    let saved = if form.viec == "ban_hanh" {
        match input.issue(period, crate::today()) {
            Ok((prose, issue)) => {
                let figures =
                    lantoa_store::report::figures(db, &unit, period, crate::today()).await?;
                let views::Letterhead { superior, place } =
                    views::letterhead(&org::lineage(db, &unit).await?);
                lantoa_store::report::issue(
                    db,
                    &viewer.actor,
                    &unit,
                    period,
                    lantoa_store::report::Issuing {
                        figures: &figures,
                        prose: &prose,
                        issue: &issue,
                        superior: &superior,
                        place: &place,
                    },
                )
                .await
                .map(|r| format!("{STAFF}/bao-cao/{}", r.id))
            }
            Err(errors) => Err(StoreError::Invalid(errors)),
        }
    } else {
        match input.prose() {
            Ok(prose) => lantoa_store::report::save_draft(db, &viewer.actor, &unit, period, &prose)
                .await
                .map(|()| format!("{back}&luu=1")),
            Err(errors) => Err(StoreError::Invalid(errors)),
        }
    };
    match saved {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&workspace(&state, &viewer, &q, Some(input), errors, "").await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "report/report.html")]
struct PrintPage {
    title: String,
    doc: PartyDocument,
    date_line: String,
    back_href: String,
    docx_href: String,
    xlsx_href: String,
}

/// The print view of a report; `file` gives the address of each file from its name.
fn print_page(doc: PartyDocument, back_href: String, file: impl Fn(&str) -> String) -> PrintPage {
    PrintPage {
        title: format!("{} {}", doc.title, doc.summary.join(" ")),
        date_line: lantoa_office::party_doc::date_line(&doc.place, doc.date),
        doc,
        back_href,
        docx_href: file("bao-cao.docx"),
        xlsx_href: file("so-lieu.xlsx"),
    }
}

async fn draft_print(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    let (unit, period, _) = unit_and_period(&state, &viewer, &q).await?;
    let draft = draft(state.store.db(), &unit, period, crate::today()).await?;
    let query = format!("org={}&ky={}", unit.id.0, period.code());
    let page = print_page(
        draft.document(crate::today()),
        format!("{STAFF}/bao-cao?{query}"),
        |name| format!("{STAFF}/bao-cao/{name}?{query}"),
    );
    Ok(render(&page)?.into_response())
}

/// A report file: "bao-cao.docx" or "so-lieu.xlsx".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportFile {
    Docx,
    Xlsx,
}

impl ReportFile {
    /// "docx" or "xlsx".
    fn extension(self) -> &'static str {
        match self {
            ReportFile::Docx => "docx",
            ReportFile::Xlsx => "xlsx",
        }
    }

    /// The file's bytes.
    pub fn write(
        self,
        doc: &PartyDocument,
        figures: &Figures,
        found: &[Finding],
    ) -> Result<Vec<u8>, lantoa_office::export::ExportError> {
        match self {
            ReportFile::Docx => lantoa_office::party_doc::party_docx(doc),
            ReportFile::Xlsx => lantoa_office::report_book::report_xlsx(figures, found),
        }
    }

    fn send(self, stem: &str, bytes: Vec<u8>) -> Response {
        match self {
            ReportFile::Docx => views::docx(&format!("{stem}.docx"), bytes),
            ReportFile::Xlsx => views::download(
                &format!("{stem}.xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes,
            ),
        }
    }
}

async fn draft_file(
    state: &AppState,
    viewer: &Viewer,
    q: &DashboardQuery,
    file: ReportFile,
) -> Result<Response, AppError> {
    let (unit, period, _) = unit_and_period(state, viewer, q).await?;
    let db = state.store.db();
    let draft = draft(db, &unit, period, crate::today()).await?;
    let bytes = file.write(
        &draft.document(crate::today()),
        &draft.figures,
        &draft.findings,
    )?;
    lantoa_store::report::log_generated(db, &viewer.actor, &unit, period, file.extension()).await?;
    Ok(file.send(&format!("bao-cao-{}-{}", unit.code, period.code()), bytes))
}

async fn draft_docx(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    draft_file(&state, &viewer, &q, ReportFile::Docx).await
}

async fn draft_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    draft_file(&state, &viewer, &q, ReportFile::Xlsx).await
}

/// An issued report the viewer may read (leaders over its unit), as a document.
async fn issued_in_reach(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(IssuedReport, Org, PartyDocument), AppError> {
    let db = state.store.db();
    let report = lantoa_store::report::issued(db, id).await?;
    let unit = org::get(db, report.org_id).await?;
    viewer.require(Role::Leader, &unit)?;
    let layout = lantoa_store::settings::load(db).await?.layout;
    let doc = issued_document(&report, layout);
    Ok((report, unit, doc))
}

/// An issued report's document, from what was frozen when it was issued (the layout is
/// today's setting: it changes how it looks, never what it says).
pub fn issued_document(r: &IssuedReport, layout: DocumentLayout) -> PartyDocument {
    let mut doc = document(
        &r.figures,
        &r.prose,
        Heading {
            letterhead: views::Letterhead {
                superior: r.superior.clone(),
                place: r.place.clone(),
            },
            layout,
            number: Some(r.symbol.clone()),
            date: r.issued_on,
            signer_name: r.signer_name.clone(),
            signer_post: r.signer_post.clone(),
        },
    );
    doc.issuer = r.issuer_name.clone();
    if let Some(earlier) = &r.replaces {
        doc.summary.push(format!("(thay thế Báo cáo số {earlier})"));
    }
    doc
}

async fn issued_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (report, _, doc) = issued_in_reach(&state, &viewer, id).await?;
    let page = print_page(
        doc,
        format!(
            "{STAFF}/bao-cao?org={}&ky={}",
            report.org_id.0,
            report.period.code()
        ),
        |name| format!("{STAFF}/bao-cao/{id}/{name}"),
    );
    Ok(render(&page)?.into_response())
}

async fn issued_file(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    file: ReportFile,
) -> Result<Response, AppError> {
    let (report, unit, doc) = issued_in_reach(state, viewer, id).await?;
    let thresholds = lantoa_store::settings::load(state.store.db())
        .await?
        .thresholds;
    let found = findings(&report.figures, &thresholds);
    let bytes = file.write(&doc, &report.figures, &found)?;
    lantoa_store::report::log_generated(
        state.store.db(),
        &viewer.actor,
        &unit,
        report.period,
        file.extension(),
    )
    .await?;
    let stem = format!("bao-cao-{}", report.symbol.replace('/', "-"));
    Ok(file.send(&stem, bytes))
}

async fn issued_docx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    issued_file(&state, &viewer, id, ReportFile::Docx).await
}

async fn issued_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    issued_file(&state, &viewer, id, ReportFile::Xlsx).await
}

/// The kind of the jobs that write a report's file.
pub const JOB_KIND: &str = "report";

/// What a report job is asked: the unit, the period and the file; and who asked from where.
#[derive(Debug, Serialize, Deserialize)]
struct JobParams {
    org_id: i64,
    period: Period,
    file: ReportFile,
    client_addr: Option<String>,
}

/// What a finished report job left: the file's name.
#[derive(Debug, Serialize, Deserialize)]
struct JobResult {
    file_name: String,
}

#[derive(Debug, Deserialize)]
struct FileChoice {
    tep: String,
}

/// Queues the writing of a draft report's file and shows its progress.
async fn queue_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DashboardQuery>,
    Form(choice): Form<FileChoice>,
) -> Result<Response, AppError> {
    let (unit, period, _) = unit_and_period(&state, &viewer, &q).await?;
    let file = match choice.tep.as_str() {
        "docx" => ReportFile::Docx,
        "xlsx" => ReportFile::Xlsx,
        _ => {
            return Err(AppError::BadRequest(
                "Chọn bản Word hoặc bảng số liệu.".into(),
            ));
        }
    };
    let params = JobParams {
        org_id: unit.id.0,
        period,
        file,
        client_addr: viewer.actor.client_addr.clone(),
    };
    let id = lantoa_store::jobs::enqueue(
        state.store.db(),
        lantoa_store::jobs::NewJob {
            kind: JOB_KIND.into(),
            params: serde_json::to_string(&params)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            input_name: None,
            input: None,
            org_id: Some(unit.id),
            account_id: Some(viewer.principal.account_id),
        },
    )
    .await?;
    state.jobs_queued.notify_one();
    Ok(Redirect::to(&format!("{STAFF}/bao-cao/viec/{}", id.0)).into_response())
}

/// Writes a draft report's file for the account that queued it, if it still reads the
/// unit: reading the figures, then writing the file.
pub(crate) async fn run_job(
    db: &lantoa_store::DatabaseConnection,
    job: &lantoa_store::jobs::Job,
    progress: crate::jobs::Progress<'_>,
) -> crate::jobs::JobOutcome {
    let params: JobParams =
        serde_json::from_str(&job.params).map_err(|e| format!("tham số không hợp lệ: {e}"))?;
    let (principal, actor) = crate::jobs::acting_for(db, job, params.client_addr.clone()).await?;
    let fault = |e: lantoa_store::StoreError| {
        tracing::error!(job.id = %job.id, error = %e, "report failed");
        "Lỗi cơ sở dữ liệu khi lập báo cáo; hãy thử lại.".to_owned()
    };
    let unit = org::get(db, lantoa_domain::OrgId(params.org_id))
        .await
        .map_err(fault)?;
    if !principal.scope(Role::Leader).contains(&unit.path) {
        return Err("Tài khoản không còn quyền xem đơn vị này; báo cáo không được lập.".into());
    }
    progress("Đọc số liệu", 0, 2);
    let today = crate::today();
    let draft = draft(db, &unit, params.period, today)
        .await
        .map_err(fault)?;
    progress("Viết tệp", 1, 2);
    let bytes = params
        .file
        .write(&draft.document(today), &draft.figures, &draft.findings)
        .map_err(|e| e.to_string())?;
    lantoa_store::report::log_generated(db, &actor, &unit, params.period, params.file.extension())
        .await
        .map_err(fault)?;
    progress("Xong", 2, 2);
    let result = JobResult {
        file_name: format!(
            "bao-cao-{}-{}.{}",
            unit.code,
            params.period.code(),
            params.file.extension()
        ),
    };
    Ok((
        serde_json::to_string(&result).map_err(|e| e.to_string())?,
        Some(bytes),
    ))
}

#[derive(Template)]
#[template(path = "report/job.html")]
struct JobPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    job: lantoa_store::jobs::Job,
    back_href: String,
}

/// A report job the viewer queued.
async fn report_job(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(lantoa_store::jobs::Job, JobParams), AppError> {
    let job = crate::jobs::own_job(state, viewer, id).await?;
    if job.kind != JOB_KIND {
        return Err(AppError::NotFound);
    }
    let params = serde_json::from_str(&job.params).map_err(|_| AppError::NotFound)?;
    Ok((job, params))
}

async fn job_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (job, params) = report_job(&state, &viewer, id).await?;
    let what = match params.file {
        ReportFile::Docx => "bản Word",
        ReportFile::Xlsx => "bảng số liệu",
    };
    let back_href = format!(
        "{STAFF}/bao-cao?org={}&ky={}",
        params.org_id,
        params.period.code()
    );
    let page = JobPage {
        title: format!("Lập {what} báo cáo {}", params.period.label()),
        crumbs: vec![
            Crumb::link("Báo cáo", back_href.clone()),
            Crumb::here(format!("Việc số {id}")),
        ],
        me: viewer.me(),
        job,
        back_href,
    };
    Ok(render(&page)?.into_response())
}

async fn job_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (job, params) = report_job(&state, &viewer, id).await?;
    let result: JobResult = job
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .ok_or(AppError::NotFound)?;
    let bytes = lantoa_store::jobs::output(state.store.db(), lantoa_domain::JobId(id)).await?;
    let stem = result
        .file_name
        .rsplit_once('.')
        .map_or(result.file_name.as_str(), |(s, _)| s);
    Ok(params.file.send(stem, bytes))
}
