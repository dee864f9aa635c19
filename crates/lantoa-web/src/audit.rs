//! The audit log pages, for unit administrators over their subtree: filtered by unit, record,
//! account, action and dates, newest first, and exported (the export is itself logged).

use crate::auth::Viewer;
use crate::people::ExportFormat;
use crate::views::{self, Crumb, FormErrors, Me, PageLink, page_links, query_value, render};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lantoa_domain::accounts::Role;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{ClosedList, OrgId, PersonId};
use lantoa_store::audit::{self, Change, Entry, LogFilter};
use lantoa_store::org::{self, Org};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/nhat-ky", get(list))
        .route("/nhat-ky/xuat", get(export))
}

/// Rows per page.
const PER_PAGE: u64 = 50;

/// The filters of the log, as in the query string.
#[derive(Debug, Clone, Default, Deserialize)]
struct LogQuery {
    /// A unit: the log of its whole subtree.
    org: Option<i64>,
    /// A person: the log of that record.
    person: Option<i64>,
    /// Username of the author.
    #[serde(default)]
    ai: String,
    /// Action code.
    #[serde(default)]
    viec: String,
    /// From this day, dd/mm/yyyy.
    #[serde(default)]
    tu: String,
    /// To this day inclusive, dd/mm/yyyy.
    #[serde(default)]
    den: String,
    page: Option<u64>,
    /// Export format.
    #[serde(default)]
    format: String,
}

impl LogQuery {
    /// The query string of these filters, without the page.
    fn href_params(&self) -> String {
        let mut parts = Vec::new();
        if let Some(org) = self.org {
            parts.push(format!("org={org}"));
        }
        if let Some(person) = self.person {
            parts.push(format!("person={person}"));
        }
        for (key, value) in [
            ("ai", &self.ai),
            ("viec", &self.viec),
            ("tu", &self.tu),
            ("den", &self.den),
        ] {
            if !value.trim().is_empty() {
                parts.push(format!("{key}={}", query_value(value.trim())));
            }
        }
        parts.join("&")
    }
}

/// A log row as shown.
struct Row {
    when: String,
    action: &'static str,
    who: String,
    org_id: Option<i64>,
    org_name: String,
    record: Option<String>,
    changes: String,
}

impl From<Entry> for Row {
    fn from(e: Entry) -> Self {
        let record = match (e.entity_type.as_str(), e.entity_id) {
            ("person", Some(id)) => Some(format!("{STAFF}/nhan-su/{id}")),
            ("org", Some(id)) => Some(views::org_href(id)),
            ("account", Some(id)) => Some(format!("{STAFF}/tai-khoan/{id}")),
            _ => None,
        };
        let who = match (&e.actor_username, &e.actor_account_id, &e.client_addr) {
            (Some(username), _, Some(addr)) => format!("{username} ({addr})"),
            (Some(username), _, None) => username.clone(),
            (None, Some(account), _) => format!("Tài khoản số {account}"),
            (None, None, Some(addr)) => format!("{} ({addr})", channel_label(&e.actor_channel)),
            (None, None, None) => channel_label(&e.actor_channel).to_owned(),
        };
        Row {
            when: e
                .created_at
                .with_timezone(&chrono::Local)
                .format("%d/%m/%Y %H:%M")
                .to_string(),
            action: e.action_label(),
            who,
            org_id: e.org_id,
            org_name: e.org_name.clone().unwrap_or_default(),
            record,
            changes: describe(&e.changes),
        }
    }
}

fn channel_label(channel: &str) -> &'static str {
    match channel {
        "web" => "Trang quản lý",
        "api" => "API",
        "cli" => "Lệnh trên máy chủ",
        "demo" => "Dữ liệu mẫu",
        "generate" => "Dữ liệu tổng hợp",
        _ => "Hệ thống",
    }
}

/// The Vietnamese name of a field in the log: the file column's header when there is one.
fn field_label(key: &str) -> String {
    use lantoa_office::columns::{ORG_COLUMNS, PEOPLE_COLUMNS};
    if let Some(column) = PEOPLE_COLUMNS
        .iter()
        .chain(ORG_COLUMNS)
        .find(|c| c.field == key)
    {
        return column.header.to_owned();
    }
    match key {
        "parent_id" => "Đơn vị cấp trên (số)",
        "archived" => "Lưu trữ",
        "merged_into_id" => "Sáp nhập vào (số)",
        "read" => "Số dòng đọc",
        "created" => "Tạo mới",
        "updated" => "Cập nhật",
        "unchanged" => "Không đổi",
        "rejected" => "Dòng lỗi",
        "format" => "Định dạng",
        "people" => "Số người",
        "grants" => "Quyền",
        "person_id" => "Hồ sơ nhân sự (số)",
        "username" => "Tên đăng nhập",
        "active" => "Hoạt động",
        "failed_logins" => "Số lần sai liên tiếp",
        "locked_until" => "Khóa đến",
        "expires_at" => "Hết hạn",
        "session" => "Phiên",
        "sessions" => "Số phiên",
        "token" => "Mã API (số)",
        "name" => "Tên",
        "account" => "Tài khoản",
        "rows" => "Số dòng",
        "filters" => "Bộ lọc",
        other => other,
    }
    .to_owned()
}

/// The label of a stored code of a closed list, for the fields that hold one.
fn code_label(key: &str, code: &str) -> Option<&'static str> {
    use lantoa_domain::ClosedList;
    use lantoa_domain::org::{OrgKind, Sector};
    match key {
        "kind" => OrgKind::from_code(code).map(OrgKind::label),
        "sector" => Sector::from_code(code).map(Sector::label),
        _ => None,
    }
}

/// A grant as stored in the log: "Cán bộ nghiệp vụ tại Đảng bộ Phường 5".
fn grant_text(grant: &serde_json::Value) -> String {
    use lantoa_domain::ClosedList;
    let role = grant["role"]
        .as_str()
        .and_then(Role::from_code)
        .map(Role::label)
        .unwrap_or("?");
    match (grant["org"].as_str(), grant["org_id"].as_i64()) {
        (Some(name), _) => format!("{role} tại {name}"),
        (None, Some(id)) => format!("{role} tại đơn vị số {id}"),
        (None, None) => format!("{role} toàn hệ thống"),
    }
}

/// "Tên đơn vị: «cũ» → «mới»; …" from the stored before/after JSON.
fn describe(changes: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(changes) else {
        return String::new();
    };
    let text = |key: &str, v: &serde_json::Value| match v {
        serde_json::Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => t
                .with_timezone(&chrono::Local)
                .format("%d/%m/%Y %H:%M")
                .to_string(),
            Err(_) => code_label(key, s).unwrap_or(s).to_owned(),
        },
        serde_json::Value::Bool(true) => "có".to_owned(),
        serde_json::Value::Bool(false) => "không".to_owned(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) if key == "grants" => {
            let grants: Vec<String> = items.iter().map(grant_text).collect();
            if grants.is_empty() {
                "không có".to_owned()
            } else {
                grants.join(", ")
            }
        }
        other => other.to_string(),
    };
    let Some(after) = value["after"].as_object() else {
        return String::new();
    };
    let before = value["before"].as_object();
    after
        .iter()
        .filter_map(|(key, new)| match before.and_then(|b| b.get(key)) {
            Some(old) => Some(format!(
                "{}: «{}» → «{}»",
                field_label(key),
                text(key, old),
                text(key, new)
            )),
            None if text(key, new).is_empty() => None,
            None => Some(format!("{}: {}", field_label(key), text(key, new))),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    query: LogQuery,
    errors: FormErrors,
    actions: Vec<(&'static str, &'static str)>,
    export_href: String,
    rows: Vec<Row>,
    total: String,
    links: Vec<PageLink>,
}

/// The store filter for a query, within the viewer's administration; the title and the
/// breadcrumbs of the page. A unit or person out of scope is a 404.
async fn resolve(
    state: &AppState,
    viewer: &Viewer,
    q: &LogQuery,
    errors: &mut FieldErrors,
) -> Result<(LogFilter, String, Vec<Crumb>), AppError> {
    viewer.require_somewhere(Role::UnitAdmin)?;
    let db = state.store.db();
    let mut filter = LogFilter {
        scope: viewer.scope(Role::UnitAdmin),
        ..Default::default()
    };
    let unit_crumbs = |unit: &Org, lineage: &[Org]| {
        let mut crumbs = viewer.org_crumbs(lineage, None);
        crumbs.pop();
        crumbs.push(Crumb::link(unit.name.clone(), views::org_href(unit.id.0)));
        crumbs
    };
    let (title, mut crumbs) = match (q.person, q.org) {
        (Some(id), _) => {
            let person = lantoa_store::people::get(db, PersonId(id)).await?;
            let unit = org::get(db, person.org_id).await?;
            viewer.require(Role::UnitAdmin, &unit)?;
            let mut crumbs = unit_crumbs(&unit, &org::lineage(db, &unit).await?);
            crumbs.push(Crumb::link(
                person.details.full_name.clone(),
                format!("{STAFF}/nhan-su/{id}"),
            ));
            filter.entity = Some(("person".to_owned(), id));
            (format!("Nhật ký — {}", person.details.full_name), crumbs)
        }
        (None, Some(id)) => {
            let unit = org::get(db, OrgId(id)).await?;
            viewer.require(Role::UnitAdmin, &unit)?;
            let crumbs = unit_crumbs(&unit, &org::lineage(db, &unit).await?);
            filter.within = Some(unit.subtree());
            (format!("Nhật ký — {}", unit.name), crumbs)
        }
        (None, None) => ("Nhật ký thay đổi".to_owned(), Vec::new()),
    };
    crumbs.push(Crumb::here("Nhật ký"));
    if !q.ai.trim().is_empty() {
        match lantoa_store::accounts::find_for_login(db, &q.ai).await? {
            Some(account) => filter.account_id = Some(account.id),
            None => errors.add("ai", format!("Không có tài khoản «{}»", q.ai.trim())),
        }
    }
    if !q.viec.is_empty() {
        filter.action = AuditAction::from_code(&q.viec);
    }
    let day = |text: &str, field: &'static str, errors: &mut FieldErrors| {
        if text.trim().is_empty() {
            return None;
        }
        match lantoa_domain::dates::parse(text) {
            Ok(d) => d
                .and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
                .map(|t| t.with_timezone(&chrono::Utc)),
            Err(e) => {
                errors.add(field, e.to_string());
                None
            }
        }
    };
    filter.from = day(&q.tu, "tu", errors);
    filter.until = day(&q.den, "den", errors).map(|d| d + chrono::Duration::days(1));
    Ok((filter, title, crumbs))
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::default();
    let (filter, title, crumbs) = resolve(&state, &viewer, &q, &mut errors).await?;
    let page = audit::list(state.store.db(), &filter, q.page.unwrap_or(1), PER_PAGE).await?;
    let params = q.href_params();
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/nhat-ky?{params}&page={p}")
    });
    let view = ListPage {
        title,
        crumbs,
        me: viewer.me(),
        actions: AuditAction::ALL
            .iter()
            .map(|a| (a.code(), a.label()))
            .collect(),
        export_href: format!("{STAFF}/nhat-ky/xuat?{params}"),
        errors: FormErrors(errors),
        query: q,
        total: views::number(page.total),
        rows: page.items.into_iter().map(Row::from).collect(),
        links,
    };
    Ok(render(&view)?.into_response())
}

/// Rows read per query while exporting.
const EXPORT_BATCH: u64 = 5_000;

/// The filtered log as a file, audited with the filters it used.
async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    let format = ExportFormat::parse(&q.format)
        .ok_or_else(|| AppError::BadRequest("định dạng phải là xlsx hoặc csv".into()))?;
    let mut errors = FieldErrors::default();
    let (filter, _, _) = resolve(&state, &viewer, &q, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::BadRequest(errors.joined()));
    }
    let db = state.store.db();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut before = None;
    loop {
        let batch = audit::batch_before(db, &filter, before, EXPORT_BATCH).await?;
        let Some(last) = batch.last() else { break };
        before = Some(last.id);
        rows.extend(batch.into_iter().map(|e| {
            let row = Row::from(e);
            vec![
                row.when,
                row.who,
                row.action.to_owned(),
                row.org_name,
                row.changes,
            ]
        }));
    }
    let header = ["Thời gian", "Người thực hiện", "Việc", "Đơn vị", "Nội dung"];
    let count = rows.len();
    let bytes = format.table("Nhật ký", &header, rows)?;
    let change = Change {
        action: AuditAction::ExportAudit,
        entity_type: "audit_log",
        entity_id: None,
        org_id: q.org.map(OrgId),
        before: serde_json::Value::Null,
        after: serde_json::json!({ "format": format.extension(), "rows": count, "filters": q.href_params() }),
    };
    audit::record(db, &viewer.actor, change).await?;
    Ok(format.download("nhat-ky", bytes))
}
