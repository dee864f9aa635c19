//! Who is asking: signing in and out, the session cookie, API tokens, password reset codes,
//! and [`Viewer`], the signed-in account every staff handler starts from, with the checks
//! of its scope.
//!
//! Every route under `/quan-ly` and `/api/v1` sits behind [`require_sign_in`]: anonymous
//! pages are sent to the sign-in form, anonymous API calls get 401. Each handler then reads
//! the unit of the record from the database and asks the viewer for a role there
//! ([`Viewer::require`]): too little role over a unit it can read is 403, no role at all is
//! 404, so that nobody learns a record exists outside their scope.

use crate::views::{self, FormErrors, Me, render, render_invalid};
use crate::{AppError, AppState, RequestActor, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{Duration, Utc};
use lantoa_domain::PersonId;
use lantoa_domain::accounts::{Role, check_password, until_text};
use lantoa_domain::validation::FieldErrors;
use lantoa_store::accounts::{self, Principal};
use lantoa_store::audit::{self, Actor, Change};
use lantoa_store::org::{Org, Scope};
use lantoa_store::sessions::{self, Lifetimes, Session};
use serde::Deserialize;
use std::net::IpAddr;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "lantoa_phien";
/// The sign-in page.
pub const LOGIN: &str = "/dang-nhap";
/// The page where a reset code sets a new password.
pub const RESET: &str = "/dat-mat-khau";

/// How sessions behave and whom the server believes about client addresses (settings of
/// `lantoa serve`).
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Mark the cookie `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Idle and absolute lifetimes of a session.
    pub lifetimes: Lifetimes,
    /// The reverse proxies and load balancers in front of the server.
    pub trusted_proxies: TrustedProxies,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            lifetimes: Lifetimes {
                idle: Duration::hours(2),
                absolute: Duration::hours(12),
            },
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// The reverse proxies or load balancers whose `X-Forwarded-For` header the server believes.
///
/// Sign-in throttling, the nomination form's limit and the audit log all go by the client's
/// address. Behind a proxy every request comes from the proxy's address, so without this
/// twenty mistyped passwords anywhere would make everyone wait; and a header believed from
/// anyone would let a guesser name a new address at each attempt. So the header is read
/// only from a trusted peer, from the right: the first address that is not itself a
/// trusted proxy is the client (those further left were written by the client).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Addresses or networks separated by commas ("10.0.0.5, 10.1.0.0/16"), or which one is
    /// not one.
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<ipnet::IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!("«{part}» không phải địa chỉ IP hay dải địa chỉ (10.0.0.0/8)")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn holds(&self, addr: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&addr))
    }

    /// The client's address, for a request from `peer` carrying these `X-Forwarded-For`
    /// values (each a comma-separated list, in the order received).
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        if !self.holds(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop.trim().parse::<IpAddr>() {
                Ok(addr) => {
                    client = addr;
                    if !self.holds(addr) {
                        break;
                    }
                }
                // A malformed hop was not written by a proxy we know: stop at the last
                // address one of them vouched for.
                Err(_) => break,
            }
        }
        client
    }
}

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .public(LOGIN, get(login_form).post(login))
        .public("/dang-xuat", axum::routing::post(logout))
        .public(RESET, get(reset_form).post(reset))
}

/// The signed-in account of a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The account and its grants.
    pub principal: Principal,
    /// The session, when signed in through the browser (none with an API token).
    pub session: Option<Session>,
    /// The author of changes made by this request.
    pub actor: Actor,
}

impl Viewer {
    /// The highest role the viewer holds over a unit.
    pub fn role_at(&self, org: &Org) -> Option<Role> {
        self.principal.role_at(&org.path)
    }

    /// Requires `role` over the unit a record belongs to: 404 when the viewer may not even
    /// read the unit (the record's existence is not revealed), 403 when they may read but
    /// not do this.
    pub fn require(&self, role: Role, org: &Org) -> Result<(), AppError> {
        match self.role_at(org) {
            Some(held) if held >= role => Ok(()),
            Some(held) if held >= Role::Leader => Err(AppError::Forbidden),
            _ => Err(AppError::NotFound),
        }
    }

    /// Whether the viewer leads (or staffs) the committee directly above a unit — who
    /// reviews a unit's collective plan and recognises its models; the system
    /// administrators for the top unit.
    pub async fn leads_above(
        &self,
        db: &lantoa_store::DatabaseConnection,
        unit: &lantoa_store::org::Org,
    ) -> Result<bool, AppError> {
        Ok(match unit.parent_id {
            Some(parent) => {
                self.role_at(&lantoa_store::org::get(db, parent).await?) >= Some(Role::Leader)
            }
            None => self.principal.is_system_admin(),
        })
    }

    /// Requires a system administrator: 403 for other staff, 404 for anyone else.
    pub fn require_system_admin(&self) -> Result<(), AppError> {
        if self.principal.is_system_admin() {
            Ok(())
        } else if self.principal.highest_role() >= Some(Role::Leader) {
            Err(AppError::Forbidden)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Requires `role` over at least one unit (pages that list what the scope holds).
    pub fn require_somewhere(&self, role: Role) -> Result<(), AppError> {
        if self.principal.highest_role() >= Some(role) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The units where the viewer holds at least `role`, to filter lists in their query.
    pub fn scope(&self, role: Role) -> Scope {
        self.principal.scope(role)
    }

    /// Whether this person is the viewer.
    pub fn is_person(&self, person: PersonId) -> bool {
        self.principal.person_id == Some(person)
    }

    /// Citizen ID, phone, email and date of birth are for staff over the person's unit and
    /// for the person themself.
    pub fn sees_personal_data(&self, person: PersonId, unit: &Org) -> bool {
        self.is_person(person) || self.role_at(unit) >= Some(Role::Staff)
    }

    /// What the viewer may do over a unit, for the buttons a page shows.
    pub fn can_at(&self, org: &Org) -> Can {
        let role = self.role_at(org);
        Can {
            read: role >= Some(Role::Leader),
            edit: role >= Some(Role::Staff),
            audit: role >= Some(Role::UnitAdmin),
        }
    }

    /// Breadcrumbs of a unit: ancestors outside the viewer's scope are named, not linked.
    pub fn org_crumbs(&self, lineage: &[Org], current: Option<&str>) -> Vec<views::Crumb> {
        let mut crumbs = views::org_crumbs(lineage, current);
        for (crumb, org) in crumbs.iter_mut().skip(1).zip(lineage) {
            if self.role_at(org).is_none() {
                crumb.href = None;
            }
        }
        crumbs
    }

    /// What the page layout shows: the name and the menu of what the viewer may open.
    pub fn me(&self) -> Me {
        let p = &self.principal;
        let highest = p.highest_role();
        let mut links = Vec::new();
        if let Some(person) = p.person_id {
            links.push(("Hồ sơ của tôi", format!("{STAFF}/nhan-su/{person}")));
            links.push(("Kế hoạch của tôi", format!("{STAFF}/ke-hoach-cua-toi")));
            links.push(("Tự điểm danh", format!("{STAFF}/diem-danh")));
            links.push(("Đề cử người tốt", format!("{STAFF}/guong-dien-hinh/moi")));
        }
        links.push(("Văn bản", format!("{STAFF}/van-ban")));
        if highest >= Some(Role::Leader) {
            links.push(("Tổng quan", format!("{STAFF}/tong-quan")));
            links.push(("Đơn vị", format!("{STAFF}/don-vi")));
            links.push(("Nhân sự", format!("{STAFF}/nhan-su")));
            links.push(("Học tập", format!("{STAFF}/hoc-tap")));
            links.push(("Kế hoạch cá nhân", format!("{STAFF}/ke-hoach")));
            links.push(("Xếp loại", format!("{STAFF}/xep-loai")));
            links.push(("Mô hình", format!("{STAFF}/mo-hinh")));
            links.push(("Gương điển hình", format!("{STAFF}/guong-dien-hinh")));
            links.push(("Khen thưởng", format!("{STAFF}/khen-thuong")));
            links.push(("Nhiệm vụ", format!("{STAFF}/nhiem-vu")));
            links.push(("Kiểm tra, giám sát", format!("{STAFF}/kiem-tra")));
            links.push(("Tuyên truyền", format!("{STAFF}/tuyen-truyen")));
            links.push(("Giảng dạy", format!("{STAFF}/giang-day")));
            links.push(("Giải thưởng", format!("{STAFF}/giai-thuong")));
        }
        if highest >= Some(Role::Staff) {
            links.push(("Chấm giải", format!("{STAFF}/cham-giai")));
            links.push(("Nhập dữ liệu", format!("{STAFF}/nhap-du-lieu")));
        }
        if highest >= Some(Role::UnitAdmin) {
            links.push(("Tài khoản", format!("{STAFF}/tai-khoan")));
            links.push(("Nhật ký", format!("{STAFF}/nhat-ky")));
        }
        if p.is_system_admin() {
            links.push(("Cài đặt", format!("{STAFF}/cai-dat")));
        }
        Me {
            name: p.person_name.clone().unwrap_or_else(|| p.username.clone()),
            account_href: format!("{STAFF}/tai-khoan-cua-toi"),
            links,
        }
    }

    /// Where the viewer starts: the units for leaders and above, their own record else.
    pub fn home(&self) -> String {
        match (self.principal.highest_role(), self.principal.person_id) {
            (Some(role), _) if role >= Role::Leader => format!("{STAFF}/don-vi"),
            (_, Some(person)) => format!("{STAFF}/nhan-su/{person}"),
            _ => format!("{STAFF}/tai-khoan-cua-toi"),
        }
    }
}

/// The buttons a page about a unit shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Can {
    /// Read the unit's pages (leaders and above).
    pub read: bool,
    /// Create and change records (staff and above).
    pub edit: bool,
    /// Read the audit log and manage accounts (unit administrators and above).
    pub audit: bool,
}

/// The client's address, for throttling and the audit log: the connection's peer, or the
/// address a trusted proxy forwarded for.
pub fn client_addr(settings: &AuthSettings, parts: &Parts) -> Option<String> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
        .0
        .ip();
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    Some(settings.trusted_proxies.client(peer, forwarded).to_string())
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The signed-in account of a request, if any: an API token in `Authorization: Bearer`,
/// else the session cookie. A disabled account is nobody.
pub async fn identify(state: &AppState, parts: &Parts) -> Result<Option<Viewer>, AppError> {
    let db = state.store.db();
    let now = Utc::now();
    let (account_id, session) = if let Some(token) = bearer(&parts.headers) {
        match sessions::resolve_token(db, token, now).await? {
            Some(account) => (account, None),
            None => return Ok(None),
        }
    } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
        match sessions::resolve(db, token, state.auth.lifetimes.idle, now).await? {
            Some(session) => (session.account_id, Some(session)),
            None => return Ok(None),
        }
    } else {
        return Ok(None);
    };
    let Some(principal) = accounts::principal(db, account_id).await? else {
        return Ok(None);
    };
    let actor = Actor {
        account_id: Some(principal.account_id),
        person_id: principal.person_id.map(|p| p.0),
        channel: if session.is_some() { "web" } else { "api" },
        client_addr: client_addr(&state.auth, parts),
    };
    Ok(Some(Viewer {
        principal,
        session,
        actor,
    }))
}

/// Middleware of the signed-in areas: finds the viewer once per request for the handlers;
/// an anonymous page request goes to the sign-in form (and back after), an anonymous API
/// call gets 401.
pub async fn require_sign_in(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    match identify(&state, &parts).await {
        Ok(Some(viewer)) => {
            parts.extensions.insert(viewer);
            next.run(axum::extract::Request::from_parts(parts, body))
                .await
        }
        Ok(None) if parts.uri.path().starts_with("/api/") => crate::api::unauthorized(),
        Ok(None) => {
            let back = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or(STAFF);
            Redirect::to(&format!("{LOGIN}?tiep={}", views::query_value(back))).into_response()
        }
        Err(e) => e.into_response(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or(AppError::SignInRequired)
    }
}

fn session_cookie(settings: &AuthSettings, token: &str, max_age: i64) -> HeaderValue {
    let secure = if settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The response header that removes the session cookie.
pub fn clear_cookie(settings: &AuthSettings) -> (header::HeaderName, HeaderValue) {
    (header::SET_COOKIE, session_cookie(settings, "", 0))
}

/// A local path to go back to after signing in; anything else goes to the start page.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        STAFF.to_owned()
    }
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    title: String,
    crumbs: Vec<views::Crumb>,
    me: Me,
    no_accounts: bool,
    identifier: String,
    next: String,
    notice: String,
    errors: FormErrors,
}

impl LoginPage {
    fn new(no_accounts: bool, identifier: String, next: String) -> Self {
        LoginPage {
            title: if no_accounts {
                "Chưa có tài khoản nào".into()
            } else {
                "Đăng nhập".into()
            },
            crumbs: Vec::new(),
            me: Me::none(),
            no_accounts,
            identifier,
            next,
            notice: String::new(),
            errors: FormErrors::default(),
        }
    }
}

#[derive(Deserialize)]
struct LoginQuery {
    #[serde(default)]
    tiep: String,
    #[serde(default)]
    da: String,
}

async fn login_form(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
    parts: Parts,
) -> Result<Response, AppError> {
    if let Some(viewer) = identify(&state, &parts).await? {
        let target = if q.tiep.is_empty() {
            viewer.home()
        } else {
            safe_next(&q.tiep)
        };
        return Ok(Redirect::to(&target).into_response());
    }
    let no_accounts = accounts::count(state.store.db()).await? == 0;
    let mut page = LoginPage::new(no_accounts, String::new(), q.tiep);
    page.notice = match q.da.as_str() {
        "dang-xuat" => "Bạn đã đăng xuất.".into(),
        "dat-mat-khau" => "Đã đặt mật khẩu mới. Mời bạn đăng nhập.".into(),
        "het-phien" => "Phiên làm việc đã kết thúc. Mời bạn đăng nhập lại.".into(),
        _ => String::new(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    ten: String,
    #[serde(default)]
    mat_khau: String,
    #[serde(default)]
    tiep: String,
}

/// A hash of a random password, verified when no account matches so that a wrong username
/// takes as long as a wrong password and does not tell which accounts exist.
fn decoy_hash() -> String {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY
        .get_or_init(|| {
            accounts::hash_password(&lantoa_store::secret::new_token()).unwrap_or_default()
        })
        .clone()
}

/// Checks a password on a blocking thread (Argon2 takes tens of milliseconds of CPU).
pub async fn password_matches(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || accounts::verify_password(&hash, &password))
        .await
        .unwrap_or(false)
}

/// Hashes a password on a blocking thread.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || accounts::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::from)
}

fn refused(page: LoginPage, status: StatusCode) -> Result<Response, AppError> {
    Ok((status, render(&page)?).into_response())
}

async fn login(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let now = Utc::now();
    let addr = actor.client_addr.clone().unwrap_or_else(|| "?".to_owned());
    let mut page = LoginPage::new(false, form.ten.trim().to_owned(), form.tiep.clone());
    let mut fail = |field: &'static str, message: String| {
        page.errors.0.add(field, message);
    };
    if let Some(until) = sessions::address_wait(db, &addr, now).await? {
        fail(
            "ten",
            format!(
                "Có quá nhiều lần đăng nhập sai từ máy này. Vui lòng thử lại sau {}.",
                until_text(until)
            ),
        );
        return refused(page, StatusCode::TOO_MANY_REQUESTS);
    }
    if form.ten.trim().is_empty() || form.mat_khau.is_empty() {
        if form.ten.trim().is_empty() {
            fail("ten", "Nhập tên đăng nhập, số điện thoại hoặc email".into());
        }
        if form.mat_khau.is_empty() {
            fail("mat_khau", "Nhập mật khẩu".into());
        }
        return refused(page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let account = accounts::find_for_login(db, &form.ten).await?;
    let wrong = "Tên đăng nhập hoặc mật khẩu không đúng.".to_owned();
    let Some(account) = account else {
        tokio::task::spawn_blocking(move || {
            accounts::verify_password(&decoy_hash(), &form.mat_khau)
        })
        .await
        .ok();
        sessions::address_failed(db, &addr, now).await?;
        let change = Change {
            action: lantoa_domain::audit::AuditAction::LoginFailed,
            entity_type: "account",
            entity_id: None,
            org_id: None,
            before: serde_json::Value::Null,
            after: serde_json::json!({ "account": "không có" }),
        };
        audit::record(db, &actor, change).await?;
        fail("ten", wrong);
        return refused(page, StatusCode::UNPROCESSABLE_ENTITY);
    };
    if let Some(until) = account.locked_until.filter(|u| *u > now) {
        fail("ten", locked_message(until));
        return refused(page, StatusCode::TOO_MANY_REQUESTS);
    }
    if !password_matches(account.password_hash.clone(), form.mat_khau).await {
        sessions::address_failed(db, &addr, now).await?;
        let mut failed_actor = actor.clone();
        failed_actor.account_id = Some(account.id);
        match accounts::login_failed(db, &failed_actor, account.id, now).await? {
            Some(until) => {
                fail("ten", locked_message(until));
                return refused(page, StatusCode::TOO_MANY_REQUESTS);
            }
            None => {
                fail("ten", wrong);
                return refused(page, StatusCode::UNPROCESSABLE_ENTITY);
            }
        }
    }
    if !account.is_active {
        fail(
            "ten",
            "Tài khoản này đã bị khóa. Hãy liên hệ quản trị đơn vị của bạn.".into(),
        );
        return refused(page, StatusCode::FORBIDDEN);
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let (_, token) = sessions::start(
        db,
        &actor,
        account.id,
        user_agent,
        state.auth.lifetimes,
        now,
    )
    .await?;
    let max_age = state.auth.lifetimes.absolute.num_seconds();
    let target = if form.tiep.is_empty() {
        STAFF.to_owned()
    } else {
        safe_next(&form.tiep)
    };
    Ok((
        [(
            header::SET_COOKIE,
            session_cookie(&state.auth, &token, max_age),
        )],
        Redirect::to(&target),
    )
        .into_response())
}

fn locked_message(until: chrono::DateTime<Utc>) -> String {
    format!(
        "Tài khoản tạm khóa đến {} vì nhập sai mật khẩu nhiều lần. Hãy thử lại sau, hoặc nhờ quản trị đơn vị cấp mã đặt lại mật khẩu.",
        until_text(until)
    )
}

async fn logout(State(state): State<AppState>, parts: Parts) -> Result<Response, AppError> {
    if let Some(viewer) = identify(&state, &parts).await?
        && let Some(session) = viewer.session
    {
        sessions::end(state.store.db(), &viewer.actor, session).await?;
    }
    Ok((
        [clear_cookie(&state.auth)],
        Redirect::to(&format!("{LOGIN}?da=dang-xuat")),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    title: String,
    crumbs: Vec<views::Crumb>,
    me: Me,
    code: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct ResetQuery {
    #[serde(default)]
    ma: String,
}

async fn reset_form(Query(q): Query<ResetQuery>) -> Result<Response, AppError> {
    Ok(render(&ResetPage {
        title: "Đặt mật khẩu mới".into(),
        crumbs: Vec::new(),
        me: Me::none(),
        code: q.ma,
        errors: FormErrors::default(),
    })?
    .into_response())
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    ma: String,
    #[serde(default)]
    mat_khau: String,
    #[serde(default)]
    nhap_lai: String,
}

async fn reset(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let now = Utc::now();
    let addr = actor.client_addr.clone().unwrap_or_else(|| "?".to_owned());
    let mut errors = FieldErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(until) = sessions::address_wait(db, &addr, now).await? {
        errors.add(
            "ma",
            format!(
                "Có quá nhiều lần nhập sai từ máy này. Vui lòng thử lại sau {}.",
                until_text(until)
            ),
        );
        status = StatusCode::TOO_MANY_REQUESTS;
    } else {
        match accounts::reset_code_account(db, &form.ma, now).await? {
            None => {
                sessions::address_failed(db, &addr, now).await?;
                errors.add(
                    "ma",
                    "Mã không đúng, đã dùng hoặc đã hết hạn. Hãy nhờ quản trị đơn vị cấp mã mới.",
                );
            }
            Some(account) => {
                check_new_password(
                    &account.username,
                    &form.mat_khau,
                    &form.nhap_lai,
                    &mut errors,
                );
                if errors.is_empty() {
                    let hash = hash_password(form.mat_khau.clone()).await?;
                    let mut actor = actor.clone();
                    actor.account_id = Some(account.id);
                    accounts::redeem_reset_code(db, &actor, &form.ma, &hash, now).await?;
                    return Ok(Redirect::to(&format!("{LOGIN}?da=dat-mat-khau")).into_response());
                }
            }
        }
    }
    let page = ResetPage {
        title: "Đặt mật khẩu mới".into(),
        crumbs: Vec::new(),
        me: Me::none(),
        code: form.ma,
        errors: FormErrors(errors),
    };
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        render_invalid(&page)
    } else {
        Ok((status, render(&page)?).into_response())
    }
}

/// Checks a new password and its confirmation, adding errors at the fields `mat_khau` and
/// `nhap_lai`.
pub fn check_new_password(username: &str, password: &str, again: &str, errors: &mut FieldErrors) {
    if let Err(message) = check_password(username, password) {
        errors.add("mat_khau", message);
    } else if password != again {
        errors.add("nhap_lai", "Hai lần nhập mật khẩu không giống nhau");
    }
}
