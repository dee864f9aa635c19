//! The audit log pages: the history of a unit's subtree or of one record, newest first.

use crate::views::{self, Crumb, PageLink, org_crumbs, page_links, render};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lantoa_domain::{OrgId, PersonId};
use lantoa_store::audit::{self, Entry};
use lantoa_store::org;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/nhat-ky", get(list))
}

/// Rows per page.
const PER_PAGE: u64 = 50;

#[derive(Debug, Default, Deserialize)]
struct LogQuery {
    /// A unit: the log of its whole subtree.
    org: Option<i64>,
    /// A person: the log of that record.
    person: Option<i64>,
    page: Option<u64>,
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
            _ => None,
        };
        let who = match (&e.actor_account_id, &e.client_addr) {
            (Some(account), _) => format!("Tài khoản số {account}"),
            (None, Some(addr)) => format!("{} ({addr})", channel_label(&e.actor_channel)),
            (None, None) => channel_label(&e.actor_channel).to_owned(),
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

/// "Tên đơn vị: «cũ» → «mới»; …" from the stored before/after JSON.
fn describe(changes: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(changes) else {
        return String::new();
    };
    let text = |key: &str, v: &serde_json::Value| match v {
        serde_json::Value::String(s) => code_label(key, s).unwrap_or(s).to_owned(),
        serde_json::Value::Bool(true) => "có".to_owned(),
        serde_json::Value::Bool(false) => "không".to_owned(),
        serde_json::Value::Null => String::new(),
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
    rows: Vec<Row>,
    total: String,
    links: Vec<PageLink>,
}

async fn list(
    State(state): State<AppState>,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let page_no = q.page.unwrap_or(1);
    let (title, crumbs, page, href): (String, Vec<Crumb>, _, String) = match (q.person, q.org) {
        (Some(id), _) => {
            let person = lantoa_store::people::get(db, PersonId(id)).await?;
            let unit = org::get(db, person.org_id).await?;
            let mut crumbs = org_crumbs(&org::lineage(db, &unit).await?, None);
            crumbs.pop();
            crumbs.push(Crumb::link(unit.name.clone(), views::org_href(unit.id.0)));
            crumbs.push(Crumb::link(
                person.details.full_name.clone(),
                format!("{STAFF}/nhan-su/{id}"),
            ));
            crumbs.push(Crumb::here("Nhật ký"));
            let page = audit::list(db, None, Some(("person", id)), page_no, PER_PAGE).await?;
            (
                format!("Nhật ký — {}", person.details.full_name),
                crumbs,
                page,
                format!("person={id}"),
            )
        }
        (None, Some(id)) => {
            let unit = org::get(db, OrgId(id)).await?;
            let crumbs = org_crumbs(&org::lineage(db, &unit).await?, Some("Nhật ký"));
            let page = audit::list(db, Some(&unit.subtree()), None, page_no, PER_PAGE).await?;
            (
                format!("Nhật ký — {}", unit.name),
                crumbs,
                page,
                format!("org={id}"),
            )
        }
        (None, None) => {
            let page = audit::list(db, None, None, page_no, PER_PAGE).await?;
            (
                "Nhật ký thay đổi".to_owned(),
                vec![Crumb::here("Nhật ký")],
                page,
                String::new(),
            )
        }
    };
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/nhat-ky?{href}&page={p}")
    });
    let view = ListPage {
        title,
        crumbs,
        total: views::number(page.total),
        rows: page.items.into_iter().map(Row::from).collect(),
        links,
    };
    Ok(render(&view)?.into_response())
}
