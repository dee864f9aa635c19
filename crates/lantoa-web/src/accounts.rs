//! Accounts: everyone's own page (password, devices, API tokens), and the account pages of
//! unit administrators (list, create for a person, grants, disable, reset codes) within
//! their subtree.

use crate::auth::{self, Viewer, hash_password, password_matches};
use crate::views::{
    self, Crumb, FormErrors, Me, PageLink, page_links, query_value, render, render_invalid,
};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use lantoa_domain::accounts::{Role, check_username};
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{ClosedList, PersonId};
use lantoa_store::StoreError;
use lantoa_store::accounts::{self, AccountSummary, Grant, ScopedGrant};
use lantoa_store::sessions::{self, SessionInfo, TokenInfo};
use lantoa_store::{org, people};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/tai-khoan-cua-toi", get(mine))
        .route("/tai-khoan-cua-toi/mat-khau", post(change_password))
        .route(
            "/tai-khoan-cua-toi/dang-xuat-tat-ca",
            post(sign_out_everywhere),
        )
        .route("/tai-khoan-cua-toi/ma-api", post(create_token))
        .route("/tai-khoan-cua-toi/ma-api/{id}/thu-hoi", post(revoke_token))
        .route("/tai-khoan", get(list))
        .route("/tai-khoan/moi", get(new_form).post(create))
        .route("/tai-khoan/{id}", get(show))
        .route("/tai-khoan/{id}/quyen", post(add_grant))
        .route("/tai-khoan/{id}/quyen/{grant}/xoa", post(remove_grant))
        .route("/tai-khoan/{id}/khoa", post(disable))
        .route("/tai-khoan/{id}/mo-khoa", post(enable))
        .route("/tai-khoan/{id}/dat-lai-mat-khau", post(reset_code))
}

const MINE: &str = "/quan-ly/tai-khoan-cua-toi";

fn time(t: &chrono::DateTime<Utc>) -> String {
    t.with_timezone(&chrono::Local)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// A grant as shown: "Cán bộ nghiệp vụ — Đảng bộ Phường 5".
fn grant_text(g: &ScopedGrant) -> String {
    match &g.org_name {
        Some(name) => format!("{} — {name}", g.role.label()),
        None => format!("{} — toàn hệ thống", g.role.label()),
    }
}

#[derive(Template)]
#[template(path = "accounts/mine.html")]
struct MinePage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    username: String,
    grants: Vec<String>,
    sessions: Vec<SessionInfo>,
    current_session: Option<i64>,
    tokens: Vec<TokenInfo>,
    new_token: Option<String>,
    notice: String,
    errors: FormErrors,
}

impl MinePage {
    fn time(&self, t: &chrono::DateTime<Utc>) -> String {
        time(t)
    }

    fn last_used(&self, t: &Option<chrono::DateTime<Utc>>) -> String {
        t.as_ref()
            .map(time)
            .unwrap_or_else(|| "chưa dùng".to_owned())
    }
}

async fn mine_page(state: &AppState, viewer: &Viewer) -> Result<MinePage, AppError> {
    let db = state.store.db();
    let account = viewer.principal.account_id;
    Ok(MinePage {
        title: "Tài khoản của tôi".into(),
        crumbs: vec![Crumb::here("Tài khoản của tôi")],
        me: viewer.me(),
        username: viewer.principal.username.clone(),
        grants: viewer.principal.grants.iter().map(grant_text).collect(),
        sessions: sessions::list(db, account, Utc::now()).await?,
        current_session: viewer.session.map(|s| s.id),
        tokens: sessions::tokens(db, account).await?,
        new_token: None,
        notice: String::new(),
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct MineQuery {
    #[serde(default)]
    da: String,
}

async fn mine(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<MineQuery>,
) -> Result<Response, AppError> {
    let mut page = mine_page(&state, &viewer).await?;
    page.notice = match q.da.as_str() {
        "doi-mat-khau" => "Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất.".into(),
        "thu-hoi" => "Đã thu hồi mã API.".into(),
        _ => String::new(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    hien_tai: String,
    #[serde(default)]
    mat_khau: String,
    #[serde(default)]
    nhap_lai: String,
}

async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let mut errors = FieldErrors::default();
    let current = accounts::find_for_login(db, &viewer.principal.username)
        .await?
        .ok_or(AppError::NotFound)?;
    if !password_matches(current.password_hash, form.hien_tai).await {
        errors.add("hien_tai", "Mật khẩu hiện tại không đúng");
    }
    auth::check_new_password(
        &viewer.principal.username,
        &form.mat_khau,
        &form.nhap_lai,
        &mut errors,
    );
    if !errors.is_empty() {
        let mut page = mine_page(&state, &viewer).await?;
        page.errors = FormErrors(errors);
        return render_invalid(&page);
    }
    let hash = hash_password(form.mat_khau).await?;
    let keep = viewer.session.map(|s| s.id);
    accounts::set_password(db, &viewer.actor, viewer.principal.account_id, &hash, keep).await?;
    Ok(Redirect::to(&format!("{MINE}?da=doi-mat-khau")).into_response())
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    sessions::end_all(state.store.db(), &viewer.actor, viewer.principal.account_id).await?;
    Ok((
        [auth::clear_cookie(&state.auth)],
        Redirect::to(&format!("{}?da=dang-xuat", auth::LOGIN)),
    )
        .into_response())
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    ten: String,
}

async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let created = sessions::create_token(
        state.store.db(),
        &viewer.actor,
        viewer.principal.account_id,
        &form.ten,
    )
    .await;
    let mut page = mine_page(&state, &viewer).await?;
    match created {
        Ok((_, token)) => {
            page.new_token = Some(token);
            Ok(render(&page)?.into_response())
        }
        Err(StoreError::Invalid(errors)) => {
            page.errors = FormErrors(errors);
            render_invalid(&page)
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    sessions::revoke_token(
        state.store.db(),
        &viewer.actor,
        viewer.principal.account_id,
        id,
    )
    .await?;
    Ok(Redirect::to(&format!("{MINE}?da=thu-hoi")).into_response())
}

/// An account as listed to an administrator.
struct AccountRow {
    id: i64,
    username: String,
    person: String,
    grants: Vec<String>,
    state: &'static str,
}

fn state_label(a: &AccountSummary) -> &'static str {
    if !a.is_active {
        "Đã khóa"
    } else if a.locked_until.is_some_and(|u| u > Utc::now()) {
        "Tạm khóa do nhập sai"
    } else if !a.has_password {
        "Chưa kích hoạt"
    } else {
        "Hoạt động"
    }
}

impl From<&AccountSummary> for AccountRow {
    fn from(a: &AccountSummary) -> Self {
        AccountRow {
            id: a.id,
            username: a.username.clone(),
            person: a.person_name.clone().unwrap_or_default(),
            grants: a.grants.iter().map(grant_text).collect(),
            state: state_label(a),
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/list.html")]
struct ListPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    query: String,
    rows: Vec<AccountRow>,
    total: String,
    links: Vec<PageLink>,
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<u64>,
}

const PER_PAGE: u64 = 50;

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::UnitAdmin)?;
    let scope = viewer.scope(Role::UnitAdmin);
    let page = accounts::list(
        state.store.db(),
        &scope,
        &q.q,
        q.page.unwrap_or(1),
        PER_PAGE,
    )
    .await?;
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/tai-khoan?q={}&page={p}", query_value(&q.q))
    });
    let view = ListPage {
        title: "Tài khoản".into(),
        crumbs: vec![Crumb::here("Tài khoản")],
        me: viewer.me(),
        total: views::number(page.total),
        rows: page.items.iter().map(AccountRow::from).collect(),
        query: q.q,
        links,
    };
    Ok(render(&view)?.into_response())
}

/// An account the viewer administers: 404 when it has nothing in the viewer's scope, 403
/// when it also has grants elsewhere (only who administers all of them may change it).
async fn managed(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(AccountSummary, bool), AppError> {
    viewer.require_somewhere(Role::UnitAdmin)?;
    let account = accounts::get(state.store.db(), id).await?;
    let scope = viewer.scope(Role::UnitAdmin);
    let visible = account.managed_within(&scope)
        || account
            .grants
            .iter()
            .any(|g| g.path.as_deref().is_some_and(|p| scope.contains(p)));
    if !visible {
        return Err(AppError::NotFound);
    }
    Ok((account.clone(), account.managed_within(&scope)))
}

#[derive(Template)]
#[template(path = "accounts/show.html")]
struct ShowPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    account: AccountRow,
    person_id: Option<PersonId>,
    grants: Vec<(i64, String, bool)>,
    can_manage: bool,
    is_active: bool,
    roles: Vec<(&'static str, &'static str)>,
    role: String,
    unit_code: String,
    code: Option<String>,
    reset_href: String,
    errors: FormErrors,
}

async fn show_page(state: &AppState, viewer: &Viewer, id: i64) -> Result<ShowPage, AppError> {
    let (account, can_manage) = managed(state, viewer, id).await?;
    let grants = account
        .grants
        .iter()
        .map(|g| {
            let removable = can_manage && viewer.principal.may_grant(g.role, g.path.as_deref());
            (g.id, grant_text(g), removable)
        })
        .collect();
    Ok(ShowPage {
        title: format!("Tài khoản {}", account.username),
        crumbs: vec![
            Crumb::link("Tài khoản", format!("{STAFF}/tai-khoan")),
            Crumb::here(account.username.clone()),
        ],
        me: viewer.me(),
        account: AccountRow::from(&account),
        person_id: account.person_id,
        grants,
        can_manage,
        is_active: account.is_active,
        roles: grantable_roles(viewer),
        role: String::new(),
        unit_code: String::new(),
        code: None,
        reset_href: String::new(),
        errors: FormErrors::default(),
    })
}

fn grantable_roles(viewer: &Viewer) -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .iter()
        .filter(|r| viewer.principal.is_system_admin() || **r <= Role::UnitAdmin)
        .map(|r| (r.code(), r.label()))
        .collect()
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    Ok(render(&show_page(&state, &viewer, id).await?)?.into_response())
}

/// Requires that the viewer manages the whole account.
async fn manage(state: &AppState, viewer: &Viewer, id: i64) -> Result<AccountSummary, AppError> {
    match managed(state, viewer, id).await? {
        (account, true) => Ok(account),
        (_, false) => Err(AppError::Forbidden),
    }
}

#[derive(Deserialize)]
struct GrantForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_code: String,
}

/// The grant a form asks for, when the viewer may give it; else the errors at its fields.
async fn grant_from_form(
    state: &AppState,
    viewer: &Viewer,
    role: &str,
    unit_code: &str,
) -> Result<Result<Grant, FieldErrors>, AppError> {
    let mut errors = FieldErrors::default();
    let Some(role) = Role::from_code(role) else {
        errors.add("role", "Chọn vai trò");
        return Ok(Err(errors));
    };
    if role == Role::SystemAdmin {
        return Ok(if viewer.principal.is_system_admin() {
            Ok(Grant { org_id: None, role })
        } else {
            errors.add("role", "Chỉ quản trị hệ thống cấp được vai trò này");
            Err(errors)
        });
    }
    let unit = org::get_by_code(state.store.db(), unit_code)
        .await?
        .filter(|u| viewer.role_at(u).is_some());
    let Some(unit) = unit else {
        errors.add(
            "unit_code",
            if unit_code.trim().is_empty() {
                "Nhập mã đơn vị".to_owned()
            } else {
                format!(
                    "Không có đơn vị mã «{}» trong phạm vi của bạn",
                    unit_code.trim()
                )
            },
        );
        return Ok(Err(errors));
    };
    if !viewer.principal.may_grant(role, Some(&unit.path)) {
        errors.add(
            "role",
            format!(
                "Bạn không cấp được vai trò «{}» tại «{}»: quản trị đơn vị chỉ cấp vai trò thấp hơn mình, hoặc quản trị cho đơn vị cấp dưới",
                role.label(),
                unit.name
            ),
        );
        return Ok(Err(errors));
    }
    Ok(Ok(Grant {
        org_id: Some(unit.id),
        role,
    }))
}

async fn add_grant(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<GrantForm>,
) -> Result<Response, AppError> {
    manage(&state, &viewer, id).await?;
    match grant_from_form(&state, &viewer, &form.role, &form.unit_code).await? {
        Ok(grant) => {
            accounts::add_grant(state.store.db(), &viewer.actor, id, grant).await?;
            Ok(Redirect::to(&format!("{STAFF}/tai-khoan/{id}")).into_response())
        }
        Err(errors) => {
            let mut page = show_page(&state, &viewer, id).await?;
            page.role = form.role;
            page.unit_code = form.unit_code;
            page.errors = FormErrors(errors);
            render_invalid(&page)
        }
    }
}

async fn remove_grant(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, grant)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let account = manage(&state, &viewer, id).await?;
    let target = account
        .grants
        .iter()
        .find(|g| g.id == grant)
        .ok_or(AppError::NotFound)?;
    if !viewer
        .principal
        .may_grant(target.role, target.path.as_deref())
    {
        return Err(AppError::Forbidden);
    }
    accounts::remove_grant(state.store.db(), &viewer.actor, id, grant).await?;
    Ok(Redirect::to(&format!("{STAFF}/tai-khoan/{id}")).into_response())
}

async fn set_active(
    state: AppState,
    viewer: Viewer,
    id: i64,
    active: bool,
) -> Result<Response, AppError> {
    manage(&state, &viewer, id).await?;
    if id == viewer.principal.account_id {
        return Err(AppError::Conflict(
            "Không thể tự khóa tài khoản của chính mình.".into(),
        ));
    }
    accounts::set_active(state.store.db(), &viewer.actor, id, active).await?;
    Ok(Redirect::to(&format!("{STAFF}/tai-khoan/{id}")).into_response())
}

async fn disable(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    set_active(state, viewer, id, false).await
}

async fn enable(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    set_active(state, viewer, id, true).await
}

/// Shows a new one-time code on the account page, to hand over in person or by phone.
async fn show_code(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    code: String,
) -> Result<Response, AppError> {
    let mut page = show_page(state, viewer, id).await?;
    page.reset_href = format!("{}?ma={}", auth::RESET, query_value(&code));
    page.code = Some(code);
    Ok(render(&page)?.into_response())
}

async fn reset_code(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manage(&state, &viewer, id).await?;
    let code = accounts::issue_reset_code(state.store.db(), &viewer.actor, id, Utc::now()).await?;
    show_code(&state, &viewer, id, code).await
}

#[derive(Template)]
#[template(path = "accounts/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    form: NewAccountForm,
    person_name: String,
    roles: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct NewAccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    person: Option<i64>,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_code: String,
}

#[derive(Deserialize)]
struct NewQuery {
    person: Option<i64>,
}

/// The person an account is made for, who must be in the administrator's scope.
async fn person_in_scope(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<people::Person, AppError> {
    let person = people::get(state.store.db(), PersonId(id)).await?;
    let unit = org::get(state.store.db(), person.org_id).await?;
    viewer.require(Role::UnitAdmin, &unit)?;
    Ok(person)
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::UnitAdmin)?;
    let mut form = NewAccountForm {
        role: Role::Member.code().to_owned(),
        ..Default::default()
    };
    let mut person_name = String::new();
    if let Some(id) = q.person {
        let person = person_in_scope(&state, &viewer, id).await?;
        form.person = Some(id);
        form.unit_code = person.details.org_code.clone();
        person_name = person.details.full_name.clone();
    }
    let page = FormPage {
        title: "Tạo tài khoản".into(),
        crumbs: vec![
            Crumb::link("Tài khoản", format!("{STAFF}/tai-khoan")),
            Crumb::here("Tạo tài khoản"),
        ],
        me: viewer.me(),
        form,
        person_name,
        roles: grantable_roles(&viewer),
        errors: FormErrors::default(),
    };
    Ok(render(&page)?.into_response())
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<NewAccountForm>,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::UnitAdmin)?;
    let db = state.store.db();
    let mut errors = FieldErrors::default();
    let username = check_username(&form.username)
        .map_err(|message| errors.add("username", message))
        .ok();
    let person = match form.person {
        Some(id) => Some(person_in_scope(&state, &viewer, id).await?),
        None => None,
    };
    let grant = match grant_from_form(&state, &viewer, &form.role, &form.unit_code).await? {
        Ok(grant) => Some(grant),
        Err(grant_errors) => {
            errors.append(grant_errors);
            None
        }
    };
    let created = match (username, grant) {
        (Some(username), Some(grant)) => {
            match accounts::create(
                db,
                &viewer.actor,
                &username,
                "",
                person.as_ref().map(|p| p.id.0),
                &[grant],
            )
            .await
            {
                Ok(id) => Some(id),
                Err(StoreError::Invalid(store_errors)) => {
                    errors.append(store_errors);
                    None
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => None,
    };
    let Some(id) = created else {
        let page = FormPage {
            title: "Tạo tài khoản".into(),
            crumbs: vec![
                Crumb::link("Tài khoản", format!("{STAFF}/tai-khoan")),
                Crumb::here("Tạo tài khoản"),
            ],
            me: viewer.me(),
            person_name: person.map(|p| p.details.full_name).unwrap_or_default(),
            form,
            roles: grantable_roles(&viewer),
            errors: FormErrors(errors),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    // The new account has no password: its owner sets one with this code.
    let code = accounts::issue_reset_code(db, &viewer.actor, id, Utc::now()).await?;
    show_code(&state, &viewer, id, code).await
}
