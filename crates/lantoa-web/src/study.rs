//! Studying the year's topic: the coverage page with its per-unit table and the list of
//! members who have not studied, the sessions of a unit, a session's roster and counted
//! lượt, and the "Cách tính" page.

use crate::auth::Viewer;
use crate::views::{
    self, Crumb, FormErrors, Me, Numbers, PageLink, page_links, render, render_invalid,
};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use lantoa_domain::accounts::Role;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::files::{FileKind, MAX_ATTACHMENT_BYTES};
use lantoa_domain::study::{
    AttendanceStatus, AudienceKind, Coverage, SessionFormat, SessionInput, SessionKind,
    reference_day,
};
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{ClosedList, OrgId, PersonId};
use lantoa_store::StoreError;
use lantoa_store::audit::{self, Change};
use lantoa_store::campaign::Until;
use lantoa_store::campaign::{self, CampaignYear, Topic};
use lantoa_store::files::StoredFile;
use lantoa_store::org::{self, Org, Scope};
use lantoa_store::study::{self, RosterEntry, Session};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/hoc-tap", get(coverage_page))
        .route("/hoc-tap/chua-hoc", get(missing_page))
        .route("/hoc-tap/cach-tinh", get(method_page))
        .route("/hoc-tap/buoi", get(sessions_page))
        .route("/hoc-tap/buoi/moi", get(new_session).post(create_session))
        .route("/hoc-tap/buoi/{id}", get(session_page))
        .route(
            "/hoc-tap/buoi/{id}/sua",
            get(edit_session).post(update_session),
        )
        .route(
            "/hoc-tap/buoi/{id}/xoa",
            get(confirm_delete).post(delete_session),
        )
        .route("/hoc-tap/buoi/{id}/tep", post(attach_file))
        .route("/hoc-tap/buoi/{id}/tep/{file}", get(session_file))
        .route("/hoc-tap/buoi/{id}/tep/{file}/go", post(remove_file))
        .route("/hoc-tap/buoi/{id}/diem-danh", post(save_marks))
        .route("/hoc-tap/buoi/{id}/co-mat-tat-ca", post(all_present))
        .route("/hoc-tap/buoi/{id}/luot", post(save_counted))
        .route("/hoc-tap/buoi/{id}/ma-qr.svg", get(checkin_qr))
        .route("/hoc-tap/buoi/{id}/nhap", post(import_marks))
        .route("/hoc-tap/buoi/{id}/mau.xlsx", get(roster_file))
        .route("/diem-danh", get(checkin_form).post(check_in))
}

/// Which unit and year a study page is about.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StudyQuery {
    /// Unit id; the top of the viewer's scope when absent.
    pub org: Option<i64>,
    /// Campaign year; the latest one when absent.
    pub year: Option<i32>,
    /// Page of a list.
    pub page: Option<u64>,
    /// Sort of the per-unit table.
    #[serde(default)]
    pub sort: String,
    /// Export format of the missing list.
    #[serde(default)]
    pub format: String,
}

impl StudyQuery {
    /// The unit and year of another page's query.
    pub fn at(org: Option<i64>, year: Option<i32>) -> Self {
        StudyQuery {
            org,
            year,
            ..Default::default()
        }
    }
}

/// The unit (checked for `role`) and campaign year a query names, and the year's reference
/// day.
pub async fn unit_and_year(
    state: &AppState,
    viewer: &Viewer,
    q: &StudyQuery,
    role: Role,
) -> Result<(Org, CampaignYear, NaiveDate, Vec<CampaignYear>), AppError> {
    viewer.require_somewhere(role)?;
    let db = state.store.db();
    let unit = match q.org {
        Some(id) => org::get(db, OrgId(id)).await?,
        None => {
            let top = match viewer.scope(role) {
                Scope::All => org::children(db, None, false)
                    .await?
                    .into_iter()
                    .map(|s| s.org.id)
                    .next(),
                Scope::Subtrees(_) => viewer.principal.top_units(role).into_iter().next(),
            };
            org::get(db, top.ok_or(AppError::NotFound)?).await?
        }
    };
    viewer.require(role, &unit)?;
    let years = campaign::years(db).await?;
    let today = crate::today();
    let year = match q.year {
        Some(y) => years
            .iter()
            .find(|c| c.year == y)
            .cloned()
            .ok_or(AppError::NotFound)?,
        None => crate::campaign::current_year(&years, today)
            .cloned()
            .ok_or_else(|| {
                AppError::Conflict(
                    "Chưa có năm học tập nào: quản trị hệ thống hãy mở năm ở trang «Năm học tập»."
                        .into(),
                )
            })?,
    };
    let day = reference_day(year.year, today);
    Ok((unit, year, day, years))
}

/// A child unit's row of the coverage table.
struct ChildRow {
    id: i64,
    name: String,
    coverage: Coverage,
}

#[derive(Template)]
#[template(path = "study/coverage.html")]
struct CoveragePage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: CampaignYear,
    years: Vec<i32>,
    day: String,
    coverage: Coverage,
    counted: Vec<(AudienceKind, String)>,
    counted_total: String,
    formats: Vec<(SessionFormat, String)>,
    sessions_total: String,
    children: Vec<ChildRow>,
    sort: String,
}

impl Numbers for CoveragePage {}

async fn coverage_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, day, years) = unit_and_year(&state, &viewer, &q, Role::Leader).await?;
    let db = state.store.db();
    let within = unit.subtree();
    let (coverage, by_child) =
        study::coverage_with_children(db, unit.id, &year, day, Until::WHOLE_YEAR).await?;
    let counted = study::counted_totals(db, &within, &year, Until::WHOLE_YEAR).await?;
    let formats = study::sessions_by_format(db, &within, &year, Until::WHOLE_YEAR).await?;
    let mut children: Vec<ChildRow> = org::child_units(db, unit.id)
        .await?
        .into_iter()
        .map(|c| ChildRow {
            id: c.id.0,
            coverage: by_child.get(&c.id).copied().unwrap_or_default(),
            name: c.name,
        })
        .filter(|c| c.coverage.eligible > 0)
        .collect();
    match q.sort.as_str() {
        "do-phu" => children.sort_by_key(|c| (c.coverage.per_mille(), -c.coverage.missing())),
        "chua-hoc" => children.sort_by_key(|c| -c.coverage.missing()),
        _ => {}
    }
    let lineage = org::lineage(db, &unit).await?;
    let page = CoveragePage {
        title: format!("Học tập chuyên đề năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Học tập chuyên đề")),
        me: viewer.me(),
        years: years.iter().map(|y| y.year).collect(),
        day: lantoa_domain::dates::display(day),
        coverage,
        counted_total: views::number(counted.iter().map(|(_, n)| n).sum()),
        counted: counted
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k, views::number(n)))
            .collect(),
        sessions_total: views::number(formats.iter().map(|(_, n)| n).sum()),
        formats: formats
            .into_iter()
            .map(|(f, n)| (f, views::number(n)))
            .collect(),
        children,
        sort: q.sort,
        unit,
        year,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "study/missing.html")]
struct MissingPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    total: String,
    rows: Vec<study::Missing>,
    links: Vec<PageLink>,
}

const PER_PAGE: u64 = 50;

async fn missing_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, day, _) = unit_and_year(&state, &viewer, &q, Role::Leader).await?;
    let db = state.store.db();
    let within = unit.subtree();
    if !q.format.is_empty() {
        let format = crate::people::ExportFormat::parse(&q.format)
            .ok_or_else(|| AppError::BadRequest("định dạng phải là xlsx hoặc csv".into()))?;
        // One page holding every row.
        let all = study::missing(db, &within, &year, day, 1, u64::from(u32::MAX)).await?;
        let header = ["Họ và tên", "Chức vụ", "Đơn vị", "Mã đơn vị"];
        let rows = all.items.iter().map(|m| {
            vec![
                m.full_name.clone(),
                m.position.clone().unwrap_or_default(),
                m.org_name.clone(),
                m.org_code.clone(),
            ]
        });
        let bytes = format.table("Chưa học tập", &header, rows)?;
        let change = Change {
            action: AuditAction::ExportMissing,
            entity_type: "org",
            entity_id: Some(unit.id.0),
            org_id: Some(unit.id),
            before: serde_json::Value::Null,
            after: serde_json::json!({ "year": year.year, "people": all.total, "format": format.extension() }),
        };
        audit::record(db, &viewer.actor, change).await?;
        return Ok(format.download(
            &format!("chua-hoc-tap-{}-{}", year.year, unit.code.to_lowercase()),
            bytes,
        ));
    }
    let page = study::missing(db, &within, &year, day, q.page.unwrap_or(1), PER_PAGE).await?;
    let (org_id, y) = (unit.id.0, year.year);
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/hoc-tap/chua-hoc?org={org_id}&year={y}&page={p}")
    });
    let lineage = org::lineage(db, &unit).await?;
    let view = MissingPage {
        title: format!("Chưa học tập chuyên đề năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Chưa học tập")),
        me: viewer.me(),
        total: views::number(page.total),
        rows: page.items,
        links,
        unit,
        year: year.year,
    };
    Ok(render(&view)?.into_response())
}

#[derive(Template)]
#[template(path = "study/method.html")]
struct MethodPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
}

async fn method_page(viewer: Viewer) -> Result<Response, AppError> {
    Ok(render(&MethodPage {
        title: "Cách tính số liệu học tập".into(),
        crumbs: vec![Crumb::here("Cách tính")],
        me: viewer.me(),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "study/sessions.html")]
struct SessionsPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    year: i32,
    can_add: bool,
    total: String,
    rows: Vec<Session>,
    links: Vec<PageLink>,
}

impl SessionsPage {
    fn when(&self, s: &Session) -> String {
        s.starts_at.format("%d/%m/%Y %H:%M").to_string()
    }
}

impl Numbers for SessionsPage {}

async fn sessions_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Leader).await?;
    let db = state.store.db();
    let page = study::sessions(db, &unit.subtree(), &year, q.page.unwrap_or(1), PER_PAGE).await?;
    let (org_id, y) = (unit.id.0, year.year);
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/hoc-tap/buoi?org={org_id}&year={y}&page={p}")
    });
    let lineage = org::lineage(db, &unit).await?;
    let view = SessionsPage {
        title: format!("Buổi học tập năm {} — {}", year.year, unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Buổi học tập")),
        me: viewer.me(),
        can_add: viewer.can_at(&unit).edit,
        total: views::number(page.total),
        rows: page.items,
        links,
        unit,
        year: year.year,
    };
    Ok(render(&view)?.into_response())
}

/// The session form as posted: topics come as repeated checkboxes.
#[derive(Debug, Clone, Default, Deserialize)]
struct SessionForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    speaker: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    topics: Vec<i64>,
    #[serde(default)]
    units: Vec<i64>,
}

impl SessionForm {
    fn from_session(session: &Session, topics: &[Topic]) -> Self {
        SessionForm {
            title: session.title.clone(),
            kind: session.kind.code().into(),
            format: session.format.code().into(),
            date: session.starts_at.format("%d/%m/%Y").to_string(),
            starts: session.starts_at.format("%H:%M").to_string(),
            ends: session.ends_at.format("%H:%M").to_string(),
            place: session.place.clone().unwrap_or_default(),
            speaker: session.speaker.clone().unwrap_or_default(),
            notes: session.notes.clone().unwrap_or_default(),
            topics: topics.iter().map(|t| t.id).collect(),
            units: session.roster_units.iter().map(|u| u.id).collect(),
        }
    }

    fn has_unit(&self, id: &i64) -> bool {
        self.units.contains(id)
    }

    fn input(&self) -> SessionInput {
        SessionInput {
            title: self.title.clone(),
            kind: self.kind.clone(),
            format: self.format.clone(),
            date: self.date.clone(),
            starts: self.starts.clone(),
            ends: self.ends.clone(),
            place: self.place.clone(),
            speaker: self.speaker.clone(),
            notes: self.notes.clone(),
            topics: self.topics.clone(),
            units: self.units.clone(),
        }
    }

    fn has_topic(&self, id: &i64) -> bool {
        self.topics.contains(id)
    }
}

#[derive(Template)]
#[template(path = "study/session_form.html")]
struct SessionFormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    action: String,
    cancel: String,
    form: SessionForm,
    topics: Vec<Topic>,
    /// Units directly under the organiser, to narrow the roster to.
    units: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    formats: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

fn options<T: ClosedList>() -> Vec<(&'static str, &'static str)> {
    T::ALL.iter().map(|v| (v.code(), v.label())).collect()
}

/// The session form: a new session of `unit` in `year`, or `editing` an existing one.
async fn session_form_page(
    state: &AppState,
    viewer: &Viewer,
    unit: &Org,
    year: &CampaignYear,
    editing: Option<&Session>,
    form: SessionForm,
    errors: FieldErrors,
) -> Result<SessionFormPage, AppError> {
    let db = state.store.db();
    let lineage = org::lineage(db, unit).await?;
    let query = format!("org={}&year={}", unit.id, year.year);
    let (title, here, action, cancel) = match editing {
        Some(s) => (
            format!("Sửa buổi học tập — {}", s.title),
            "Sửa buổi học tập",
            format!("{STAFF}/hoc-tap/buoi/{}/sua", s.id),
            format!("{STAFF}/hoc-tap/buoi/{}", s.id),
        ),
        None => (
            format!("Thêm buổi học tập năm {} — {}", year.year, unit.name),
            "Thêm buổi học tập",
            format!("{STAFF}/hoc-tap/buoi/moi?{query}"),
            format!("{STAFF}/hoc-tap/buoi?{query}"),
        ),
    };
    Ok(SessionFormPage {
        title,
        crumbs: viewer.org_crumbs(&lineage, Some(here)),
        me: viewer.me(),
        action,
        cancel,
        form,
        topics: year.topics.clone(),
        units: org::child_units(db, unit.id)
            .await?
            .into_iter()
            .map(|u| (u.id.0, u.name))
            .collect(),
        kinds: options::<SessionKind>(),
        formats: options::<SessionFormat>(),
        errors: FormErrors(errors),
    })
}

async fn new_session(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let form = SessionForm {
        kind: SessionKind::Conference.code().into(),
        format: SessionFormat::InPerson.code().into(),
        starts: "07:30".into(),
        ends: "11:00".into(),
        topics: year.topics.iter().map(|t| t.id).collect(),
        ..Default::default()
    };
    let page = session_form_page(
        &state,
        &viewer,
        &unit,
        &year,
        None,
        form,
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn create_session(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<SessionForm>,
) -> Result<Response, AppError> {
    let (unit, year, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let result = match form.input().validate(year.year) {
        Ok(draft) => {
            study::create_session(state.store.db(), &viewer.actor, unit.id, &year, &draft).await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/hoc-tap/buoi/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &session_form_page(&state, &viewer, &unit, &year, None, form, errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "study/session.html")]
struct SessionPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    session: Session,
    topics: Vec<Topic>,
    /// Minutes, photos, slides.
    files: Vec<StoredFile>,
    can_edit: bool,
    query: String,
    roster: Vec<RosterEntry>,
    statuses: Vec<(&'static str, &'static str)>,
    /// Audience code, label, lượt, lượt as shown.
    counted: Vec<(&'static str, &'static str, i64, String)>,
    checkin_url: String,
    checkin_window: String,
    /// The report of an attendance file just imported.
    report: Option<lantoa_domain::import::ImportReport>,
    notice: String,
    errors: FormErrors,
}

impl SessionPage {
    fn when(&self) -> String {
        format!(
            "{} – {}",
            self.session.starts_at.format("%H:%M ngày %d/%m/%Y"),
            self.session.ends_at.format("%H:%M")
        )
    }
}

impl Numbers for SessionPage {}

/// A session and its organiser, which the viewer must hold `role` over.
async fn session_in_scope(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    role: Role,
) -> Result<(Session, Org), AppError> {
    let session = study::session(state.store.db(), id).await?;
    let unit = org::get(state.store.db(), session.org_id).await?;
    viewer.require(role, &unit)?;
    Ok((session, unit))
}

#[derive(Debug, Default, Deserialize)]
struct SessionQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    da: String,
}

async fn session_view(
    state: &AppState,
    viewer: &Viewer,
    headers: &axum::http::HeaderMap,
    session: Session,
    unit: &Org,
    query: String,
    errors: FieldErrors,
) -> Result<SessionPage, AppError> {
    let db = state.store.db();
    let roster = study::roster(db, &session, &query).await?;
    let counted = study::counted(db, session.id).await?;
    let lineage = org::lineage(db, unit).await?;
    Ok(SessionPage {
        title: session.title.clone(),
        crumbs: viewer.org_crumbs(&lineage, Some("Buổi học tập")),
        me: viewer.me(),
        topics: study::session_topics(db, session.id).await?,
        files: study::SESSION_FILES.list(db, session.id).await?,
        can_edit: viewer.can_at(unit).edit,
        roster,
        statuses: options::<AttendanceStatus>(),
        counted: AudienceKind::ALL
            .iter()
            .map(|k| {
                let n = counted
                    .iter()
                    .find(|(c, _)| c == k)
                    .map(|(_, n)| *n)
                    .unwrap_or(0);
                (k.code(), k.label(), n, views::number(n))
            })
            .collect(),
        checkin_url: checkin_url(state, headers, &session.checkin_code),
        checkin_window: {
            let (from, to) = session.checkin_window();
            format!(
                "{} đến {}",
                from.format("%H:%M ngày %d/%m/%Y"),
                to.format("%H:%M ngày %d/%m/%Y")
            )
        },
        report: None,
        notice: String::new(),
        errors: FormErrors(errors),
        query,
        session,
    })
}

async fn session_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<SessionQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let (session, unit) = session_in_scope(&state, &viewer, id, Role::Leader).await?;
    let mut page = session_view(
        &state,
        &viewer,
        &headers,
        session,
        &unit,
        q.q,
        FieldErrors::default(),
    )
    .await?;
    page.notice = match q.da.as_str() {
        "diem-danh" => "Đã lưu điểm danh.".into(),
        "luot" => "Đã lưu số lượt tham dự.".into(),
        "sua" => "Đã lưu thông tin buổi học tập.".into(),
        "tep" => "Đã đính kèm tệp.".into(),
        "go-tep" => "Đã gỡ tệp.".into(),
        _ => String::new(),
    };
    Ok(render(&page)?.into_response())
}

/// Marks as posted: `m_<person id>` = status code, or empty to clear.
async fn save_marks(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (session, unit) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    let mut marks = Vec::new();
    for (key, value) in &fields {
        let Some(person) = key.strip_prefix("m_").and_then(|p| p.parse::<i64>().ok()) else {
            continue;
        };
        let status = if value.is_empty() {
            None
        } else {
            Some(
                AttendanceStatus::from_code(value)
                    .ok_or_else(|| AppError::BadRequest(format!("trạng thái «{value}»")))?,
            )
        };
        marks.push((PersonId(person), status));
    }
    let saved = study::save_attendance(state.store.db(), &viewer.actor, &session, &marks)
        .await
        .map(|_| ());
    after_change(
        &state,
        &viewer,
        &headers,
        session,
        &unit,
        saved,
        "diem-danh",
    )
    .await
}

/// After a change on a session's page: back to the page with its notice (`done`), or the
/// page again with the errors at their fields (422).
async fn after_change(
    state: &AppState,
    viewer: &Viewer,
    headers: &axum::http::HeaderMap,
    session: Session,
    unit: &Org,
    result: Result<(), StoreError>,
    done: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("{STAFF}/hoc-tap/buoi/{}?da={done}", session.id)).into_response(),
        ),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &session_view(state, viewer, headers, session, unit, String::new(), errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

async fn all_present(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (session, _) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    study::mark_all_present(state.store.db(), &viewer.actor, &session).await?;
    Ok(Redirect::to(&format!("{STAFF}/hoc-tap/buoi/{id}?da=diem-danh")).into_response())
}

/// Counts as posted: `n_<audience code>` = a whole number.
async fn save_counted(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (session, unit) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    let mut errors = FieldErrors::default();
    let mut counts = Vec::new();
    for kind in AudienceKind::ALL {
        let text = fields
            .iter()
            .find(|(k, _)| k.strip_prefix("n_") == Some(kind.code()))
            .map(|(_, v)| v.trim().replace(['.', ' '], ""))
            .unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        match text.parse::<i64>() {
            Ok(n) if n >= 0 => counts.push((*kind, n)),
            _ => errors.add(
                "counted",
                format!("Số lượt {} phải là số nguyên không âm", kind.label()),
            ),
        }
    }
    let result = if errors.is_empty() {
        study::save_counted(state.store.db(), &viewer.actor, &session, &counts).await
    } else {
        Err(StoreError::Invalid(errors))
    };
    after_change(&state, &viewer, &headers, session, &unit, result, "luot").await
}

/// The address members open to check in, with the code filled in.
fn checkin_url(state: &AppState, headers: &axum::http::HeaderMap, code: &str) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.auth.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}{STAFF}/diem-danh?ma={code}")
}

/// The QR code of a session's check-in address, drawn as SVG.
async fn checkin_qr(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let (session, _) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    let url = checkin_url(&state, &headers, &session.checkin_code);
    let code =
        qrcode::QrCode::new(url.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .build();
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        svg,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "study/checkin.html")]
struct CheckInPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    code: String,
    done: Option<String>,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
struct CheckInForm {
    #[serde(default)]
    ma: String,
}

fn checkin_page(
    viewer: &Viewer,
    code: String,
    done: Option<String>,
    errors: FieldErrors,
) -> CheckInPage {
    CheckInPage {
        title: "Tự điểm danh".into(),
        crumbs: vec![Crumb::here("Tự điểm danh")],
        me: viewer.me(),
        code,
        done,
        errors: FormErrors(errors),
    }
}

async fn checkin_form(viewer: Viewer, Query(q): Query<CheckInForm>) -> Result<Response, AppError> {
    Ok(render(&checkin_page(&viewer, q.ma, None, FieldErrors::default()))?.into_response())
}

/// A member marks themself present with the code shown in the room; wrong codes count
/// against the account like failed sign-ins.
async fn check_in(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<CheckInForm>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let Some(person) = viewer.principal.person_id else {
        let errors = FieldErrors::single(
            "ma",
            "Tài khoản này không gắn với hồ sơ đảng viên nào nên không tự điểm danh được.",
        );
        return render_invalid(&checkin_page(&viewer, form.ma, None, errors));
    };
    let key = format!("checkin:{}", viewer.principal.account_id);
    let now = chrono::Utc::now();
    if let Some(until) = lantoa_store::sessions::address_wait(db, &key, now).await? {
        let message = format!(
            "Bạn đã nhập sai mã nhiều lần. Vui lòng thử lại sau {}.",
            lantoa_domain::accounts::until_text(until)
        );
        let page = checkin_page(&viewer, form.ma, None, FieldErrors::single("ma", message));
        return Ok((axum::http::StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response());
    }
    let local_now = now.with_timezone(&chrono::Local).naive_local();
    match study::check_in(db, &viewer.actor, &form.ma, person, local_now).await? {
        Ok(session) => {
            let done = format!(
                "Đã ghi nhận bạn có mặt tại «{}» ({}).",
                session.title, session.org_name
            );
            Ok(render(&checkin_page(
                &viewer,
                String::new(),
                Some(done),
                FieldErrors::default(),
            ))?
            .into_response())
        }
        Err(refusal) => {
            if matches!(refusal, study::CheckInRefusal::UnknownCode(_)) {
                lantoa_store::sessions::address_failed(db, &key, now).await?;
            }
            let errors = FieldErrors::single("ma", refusal.to_string());
            render_invalid(&checkin_page(&viewer, form.ma, None, errors))
        }
    }
}

/// The roster as a spreadsheet to fill in and import back: name, card, unit code and the
/// current mark of each member.
async fn roster_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (session, _) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    let roster = study::roster(state.store.db(), &session, "").await?;
    let header: Vec<&str> = lantoa_office::columns::ATTENDANCE_COLUMNS
        .iter()
        .map(|c| c.header)
        .collect();
    let rows = roster.iter().map(|r| {
        vec![
            r.full_name.clone(),
            r.party_card_no.clone().unwrap_or_default(),
            r.org_code.clone(),
            r.mark().map(|m| m.label().to_owned()).unwrap_or_default(),
        ]
    });
    let bytes = lantoa_office::export::xlsx("Điểm danh", &header, rows)?;
    Ok(views::download(
        &format!("diem-danh-buoi-{id}.xlsx"),
        crate::people::ExportFormat::Xlsx.mime(),
        bytes,
    ))
}

/// Imports marks from a file: every bad row reported with its number and reasons; nothing
/// written unless every row is valid or "skip invalid rows" is ticked.
async fn import_marks(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (session, unit) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    let upload = crate::imports::read_upload(&mut multipart).await?;
    let mut errors = FieldErrors::default();
    crate::imports::check_file(&upload.file, &mut errors);
    let rows = match &upload.file {
        Some((name, bytes)) if errors.is_empty() => {
            match lantoa_office::Table::read(name, bytes)
                .and_then(|table| lantoa_office::columns::attendance_rows(&table))
            {
                Ok(rows) => rows,
                Err(e) => {
                    errors.add("file", e.to_string());
                    Vec::new()
                }
            }
        }
        _ => Vec::new(),
    };
    if !errors.is_empty() {
        let invalid = Err(StoreError::Invalid(errors));
        return after_change(&state, &viewer, &headers, session, &unit, invalid, "").await;
    }
    let report = study::import_attendance(
        state.store.db(),
        &viewer.actor,
        &session,
        &rows,
        upload.options,
    )
    .await?;
    let session = study::session(state.store.db(), id).await?;
    let mut page = session_view(
        &state,
        &viewer,
        &headers,
        session,
        &unit,
        String::new(),
        FieldErrors::default(),
    )
    .await?;
    let rejected = !report.rejected.is_empty();
    page.notice = if report.written {
        format!(
            "Đã lưu điểm danh từ tệp: {} mới, {} thay đổi, {} không đổi.",
            report.created, report.updated, report.unchanged
        )
    } else {
        "Chưa lưu gì từ tệp.".to_owned()
    };
    page.report = Some(report);
    if rejected {
        Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
    } else {
        Ok(render(&page)?.into_response())
    }
}

async fn edit_session(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (session, unit) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    let db = state.store.db();
    let year = campaign::year(db, session.year).await?;
    let form = SessionForm::from_session(&session, &study::session_topics(db, id).await?);
    let page = session_form_page(
        &state,
        &viewer,
        &unit,
        &year,
        Some(&session),
        form,
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn update_session(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<SessionForm>,
) -> Result<Response, AppError> {
    let (session, unit) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    let db = state.store.db();
    let year = campaign::year(db, session.year).await?;
    let result = match form.input().validate(year.year) {
        Ok(draft) => study::update_session(db, &viewer.actor, &session, &year, &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/hoc-tap/buoi/{id}?da=sua")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &session_form_page(&state, &viewer, &unit, &year, Some(&session), form, errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "study/confirm_delete.html")]
struct ConfirmDeletePage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    session: Session,
    files: usize,
}

impl Numbers for ConfirmDeletePage {}

async fn confirm_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (session, unit) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    let db = state.store.db();
    let lineage = org::lineage(db, &unit).await?;
    let view = ConfirmDeletePage {
        title: format!("Xóa buổi «{}»?", session.title),
        crumbs: viewer.org_crumbs(&lineage, Some("Xóa buổi học tập")),
        me: viewer.me(),
        files: study::SESSION_FILES.list(db, id).await?.len(),
        session,
    };
    Ok(render(&view)?.into_response())
}

async fn delete_session(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (session, _) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    study::delete_session(state.store.db(), &viewer.actor, &session).await?;
    Ok(Redirect::to(&format!(
        "{STAFF}/hoc-tap/buoi?org={}&year={}",
        session.org_id, session.year
    ))
    .into_response())
}

/// Kinds of files a session takes: minutes and slides, spreadsheets, photos.
const SESSION_FILE_KINDS: [FileKind; 5] = [
    FileKind::Pdf,
    FileKind::Docx,
    FileKind::Xlsx,
    FileKind::Jpeg,
    FileKind::Png,
];

async fn attach_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (session, unit) = session_in_scope(&state, &viewer, id, Role::Staff).await?;
    let posted = views::MultipartForm::read(&mut multipart, "file").await?;
    let result = match posted
        .attachment(&SESSION_FILE_KINDS, MAX_ATTACHMENT_BYTES)
        .await
    {
        Err(e) => Err(e),
        Ok(file) => study::SESSION_FILES
            .attach(
                state.store.db(),
                state.store.files(),
                &viewer.actor,
                session.owner(),
                &file,
            )
            .await
            .map(|_| ()),
    };
    after_change(&state, &viewer, &headers, session, &unit, result, "tep").await
}

/// A file of a session the viewer reads.
async fn file_in_session(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    file: i64,
    role: Role,
) -> Result<(Session, StoredFile), AppError> {
    let (session, _) = session_in_scope(state, viewer, id, role).await?;
    let file = study::SESSION_FILES.one(state.store.db(), id, file).await?;
    Ok((session, file))
}

async fn session_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (_, file) = file_in_session(&state, &viewer, id, file, Role::Leader).await?;
    views::stored_file(&state, &file).await
}

async fn remove_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (session, file) = file_in_session(&state, &viewer, id, file, Role::Staff).await?;
    study::SESSION_FILES
        .remove(state.store.db(), &viewer.actor, session.owner(), &file)
        .await?;
    Ok(Redirect::to(&format!("{STAFF}/hoc-tap/buoi/{id}?da=go-tep")).into_response())
}
