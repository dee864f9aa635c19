//! The JSON API under `/api/v1`: the same data as the pages, with the same scope checks,
//! for an API token (`Authorization: Bearer …`) or a signed-in browser; documented at
//! `/api/openapi.json` with Swagger UI at `/api/docs`.

use crate::auth::Viewer;
use crate::people::{ListQuery, PER_PAGE};
use crate::{AppError, AppState};
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lantoa_domain::accounts::Role;
use lantoa_domain::{ClosedList, OrgId};
use lantoa_store::campaign::Until;
use lantoa_store::org::{self, Org, OrgSummary, Scope};
use lantoa_store::people::{self, Person};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

/// A unit.
#[derive(Serialize, ToSchema)]
pub struct OrgDto {
    id: i64,
    code: String,
    name: String,
    /// Kind code (e.g. `chi_bo_truc_thuoc`).
    kind: &'static str,
    kind_label: &'static str,
    /// Sector code.
    sector: &'static str,
    sector_label: &'static str,
    parent_id: Option<i64>,
    path: String,
    active: bool,
    merged_into_id: Option<i64>,
    /// Units below (whole subtree), in lists only.
    descendants: Option<i64>,
    /// People in the whole subtree, in lists only.
    people: Option<i64>,
}

impl OrgDto {
    fn new(o: &Org, counts: Option<(i64, i64)>) -> Self {
        OrgDto {
            id: o.id.0,
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind.code(),
            kind_label: o.kind.label(),
            sector: o.sector.code(),
            sector_label: o.sector.label(),
            parent_id: o.parent_id.map(|p| p.0),
            path: o.path.clone(),
            active: o.is_active(),
            merged_into_id: o.merged_into_id.map(|m| m.0),
            descendants: counts.map(|c| c.0),
            people: counts.map(|c| c.1),
        }
    }
}

impl From<&OrgSummary> for OrgDto {
    fn from(s: &OrgSummary) -> Self {
        OrgDto::new(&s.org, Some((s.descendants, s.people)))
    }
}

/// A unit with its ancestors and children.
#[derive(Serialize, ToSchema)]
pub struct OrgDetail {
    #[serde(flatten)]
    org: OrgDto,
    /// From the root down, the unit excluded.
    ancestors: Vec<OrgDto>,
    children: Vec<OrgDto>,
}

/// A person. Personal data (citizen ID, phone, email, birth date) is not in the API: it is
/// shown on the staff pages to those who may see it.
#[derive(Serialize, ToSchema)]
pub struct PersonDto {
    id: i64,
    full_name: String,
    gender: Option<&'static str>,
    categories: Vec<&'static str>,
    member_status: Option<&'static str>,
    party_card_no: Option<String>,
    org_id: i64,
    org_code: String,
    org_name: String,
    position: Option<String>,
    is_leader: bool,
}

impl From<&Person> for PersonDto {
    fn from(p: &Person) -> Self {
        PersonDto {
            id: p.id.0,
            full_name: p.details.full_name.clone(),
            gender: p.details.gender.map(|g| g.code()),
            categories: p.details.categories.iter().map(|c| c.code()).collect(),
            member_status: p.details.member_status.map(|s| s.code()),
            party_card_no: p.details.party_card_no.clone(),
            org_id: p.org_id.0,
            org_code: p.details.org_code.clone(),
            org_name: p.org_name.clone(),
            position: p.details.position.clone(),
            is_leader: p.details.is_leader,
        }
    }
}

/// A page of people.
#[derive(Serialize, ToSchema)]
pub struct PeoplePage {
    items: Vec<PersonDto>,
    /// People matching; with `capped`, the count where counting stopped (10 000).
    total: i64,
    /// More people match than `total`: refine the search to see them.
    capped: bool,
    page: u64,
    per_page: u64,
    pages: u64,
}

/// An error.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// Vietnamese message.
    error: String,
}

struct JsonError(AppError);

impl From<AppError> for JsonError {
    fn from(e: AppError) -> Self {
        JsonError(e)
    }
}

/// A query or path the API cannot read (a number out of range, a word for a number): 400
/// with the documented JSON body, not axum's plain-text rejection.
fn unreadable(e: impl std::fmt::Display) -> JsonError {
    JsonError(AppError::BadRequest(format!("Tham số không hợp lệ: {e}")))
}

impl From<lantoa_store::StoreError> for JsonError {
    fn from(e: lantoa_store::StoreError) -> Self {
        JsonError(e.into())
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        let (status, error) = self.0.status_and_message();
        (status, Json(ApiError { error })).into_response()
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OrgsQuery {
    /// Parent unit id; the roots when absent.
    parent: Option<i64>,
}

/// Units under a parent, with subtree counts; without a parent, the top units the token may
/// read (the roots for a system administrator).
#[utoipa::path(get, path = "/api/v1/orgs", params(OrgsQuery),
    responses((status = 200, body = Vec<OrgDto>), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
async fn list_orgs(
    State(state): State<AppState>,
    viewer: Viewer,
    q: Result<Query<OrgsQuery>, QueryRejection>,
) -> Result<Json<Vec<OrgDto>>, JsonError> {
    let Query(q) = q.map_err(unreadable)?;
    let db = state.store.db();
    let units = match q.parent {
        Some(id) => {
            let parent = org::get(db, OrgId(id)).await?;
            viewer.require(Role::Leader, &parent)?;
            org::children(db, Some(parent.id), true).await?
        }
        None => match viewer.scope(Role::Leader) {
            Scope::All => org::children(db, None, true).await?,
            Scope::Subtrees(_) => {
                org::summaries_of(db, &viewer.principal.top_units(Role::Leader)).await?
            }
        },
    };
    Ok(Json(units.iter().map(OrgDto::from).collect()))
}

/// One unit with its ancestors and children.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", params(("id" = i64, Path, description = "Unit id")),
    responses((status = 200, body = OrgDetail), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
async fn get_org(
    State(state): State<AppState>,
    viewer: Viewer,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<OrgDetail>, JsonError> {
    let Path(id) = id.map_err(unreadable)?;
    let db = state.store.db();
    let unit = org::get(db, OrgId(id)).await?;
    viewer.require(Role::Leader, &unit)?;
    let lineage = org::lineage(db, &unit).await?;
    let children = org::children(db, Some(unit.id), true).await?;
    Ok(Json(OrgDetail {
        ancestors: lineage
            .iter()
            .filter(|o| o.id != unit.id && viewer.role_at(o).is_some())
            .map(|o| OrgDto::new(o, None))
            .collect(),
        children: children.iter().map(OrgDto::from).collect(),
        org: OrgDto::new(&unit, None),
    }))
}

#[derive(Deserialize, IntoParams)]
#[allow(
    dead_code,
    reason = "read by the OpenAPI document only; the handler reads ListQuery"
)]
#[into_params(parameter_in = Query)]
struct PeopleParams {
    /// Unit id: people of its whole subtree.
    org: Option<i64>,
    /// Name, with or without diacritics.
    q: Option<String>,
    /// Category code, e.g. `dang_vien`.
    category: Option<String>,
    /// Member status code: `chinh_thuc`, `du_bi`, `mien_sinh_hoat`.
    status: Option<String>,
    /// Page from 1 (50 a page).
    page: Option<u64>,
    /// Id of the previous page's last person: without a name, the page is read from after
    /// them (a quick next page) instead of by skipping the earlier pages.
    sau: Option<i64>,
}

/// People the token may read, filtered and paginated.
#[utoipa::path(get, path = "/api/v1/people", params(PeopleParams),
    responses((status = 200, body = PeoplePage), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
async fn list_people(
    State(state): State<AppState>,
    viewer: Viewer,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<PeoplePage>, JsonError> {
    let Query(q) = q.map_err(unreadable)?;
    // The document declares 64-bit signed integers; a page past them is unreadable too.
    if q.page.is_some_and(|p| i64::try_from(p).is_err()) {
        return Err(unreadable("page: số trang quá lớn"));
    }
    viewer.require_somewhere(Role::Leader)?;
    let db = state.store.db();
    let (filter, _) = q.filter(db, &viewer).await?;
    let page = people::search(db, &filter, q.page.unwrap_or(1), PER_PAGE).await?;
    Ok(Json(PeoplePage {
        items: page.items.iter().map(PersonDto::from).collect(),
        total: page.total,
        capped: page.capped,
        pages: page.pages(),
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Study coverage of a unit's subtree for a campaign year (see the "Cách tính" page).
#[derive(Serialize, ToSchema)]
pub struct StudyStats {
    org_id: i64,
    org_name: String,
    year: i32,
    /// dd/mm/yyyy: the day members are counted where they belong.
    reference_day: String,
    /// Members who must study.
    eligible: i64,
    /// Of them, present at one session or more.
    studied: i64,
    /// "99,7%".
    percent: String,
    /// Lượt of non-members by audience code.
    counted: std::collections::BTreeMap<&'static str, i64>,
    /// Sessions by format code.
    sessions: std::collections::BTreeMap<&'static str, i64>,
    /// The same coverage for each child unit with members.
    children: Vec<ChildStudyStats>,
}

/// Coverage of a child unit.
#[derive(Serialize, ToSchema)]
pub struct ChildStudyStats {
    org_id: i64,
    org_name: String,
    eligible: i64,
    studied: i64,
    percent: String,
}

#[derive(Deserialize, IntoParams)]
#[allow(
    dead_code,
    reason = "read by the OpenAPI document only; the handler reads StudyQuery"
)]
#[into_params(parameter_in = Query)]
struct StudyParams {
    /// Unit id (the top of the token's scope when absent).
    org: Option<i64>,
    /// Campaign year (the current one when absent).
    year: Option<i32>,
}

/// Study coverage of a subtree for a year, with its child units.
#[utoipa::path(get, path = "/api/v1/stats/study", params(StudyParams),
    responses((status = 200, body = StudyStats), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
async fn study_stats(
    State(state): State<AppState>,
    viewer: Viewer,
    q: Result<Query<crate::study::StudyQuery>, QueryRejection>,
) -> Result<Json<StudyStats>, JsonError> {
    let Query(q) = q.map_err(unreadable)?;
    use lantoa_store::study;
    let (unit, year, day, _) =
        crate::study::unit_and_year(&state, &viewer, &q, Role::Leader).await?;
    let db = state.store.db();
    let within = unit.subtree();
    let (coverage, by_child) =
        study::coverage_with_children(db, unit.id, &year, day, Until::WHOLE_YEAR).await?;
    let children = org::child_units(db, unit.id)
        .await?
        .into_iter()
        .filter_map(|c| {
            let cov = by_child.get(&c.id)?;
            Some(ChildStudyStats {
                org_id: c.id.0,
                org_name: c.name,
                eligible: cov.eligible,
                studied: cov.studied,
                percent: cov.percent(),
            })
        })
        .collect();
    Ok(Json(StudyStats {
        org_id: unit.id.0,
        org_name: unit.name.clone(),
        year: year.year,
        reference_day: lantoa_domain::dates::display(day),
        eligible: coverage.eligible,
        studied: coverage.studied,
        percent: coverage.percent(),
        counted: study::counted_totals(db, &within, &year, Until::WHOLE_YEAR)
            .await?
            .into_iter()
            .map(|(k, n)| (k.code(), n))
            .collect(),
        sessions: study::sessions_by_format(db, &within, &year, Until::WHOLE_YEAR)
            .await?
            .into_iter()
            .map(|(f, n)| (f.code(), n))
            .collect(),
        children,
    }))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lan Tỏa API",
        description = "Đơn vị và nhân sự của phong trào học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh."
    ),
    paths(list_orgs, get_org, list_people, study_stats),
    components(schemas(OrgDto, OrgDetail, PersonDto, PeoplePage, ApiError, StudyStats, ChildStudyStats)),
    modifiers(&TokenSecurity)
)]
struct ApiDoc;

/// Declares the bearer token scheme (`lantoa token create`, or the account page).
struct TokenSecurity;

impl utoipa::Modify for TokenSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Mã API tạo ở trang «Tài khoản của tôi» hoặc bằng lệnh `lantoa token create`"))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The API routes, behind the sign-in check.
pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/api/v1/orgs", get(list_orgs))
        .route("/api/v1/orgs/{id}", get(get_org))
        .route("/api/v1/people", get(list_people))
        .route("/api/v1/stats/study", get(study_stats))
}

/// The API's documentation, public.
pub fn docs() -> crate::Routes {
    crate::Routes::new().merge_router(
        SwaggerUi::new("/api/docs")
            .url("/api/openapi.json", openapi())
            .into(),
        &["/api/docs/", "/api/openapi.json"],
    )
}

/// The answer to an API call without a valid token.
pub fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
        Json(ApiError {
            error: "Cần mã API hợp lệ trong tiêu đề «Authorization: Bearer …»".into(),
        }),
    )
        .into_response()
}

/// The answer to an API path that does not exist.
pub fn not_found() -> Response {
    JsonError(AppError::NotFound).into_response()
}
