//! The audit log: one row per change, written by the store function that makes the change,
//! inside the same transaction, so a change and its record commit or roll back together.
//! Rows are only ever inserted.

use crate::org::{Scope, Subtree};
use crate::sql::{self, Where};
use crate::{Page, StoreError};
use chrono::{DateTime, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde_json::Value as Json;

/// Who made a change, and from where.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actor {
    /// The signed-in account (none until logins exist, or for the command line).
    pub account_id: Option<i64>,
    /// The person behind the account.
    pub person_id: Option<i64>,
    /// "web", "cli", "demo"…
    pub channel: &'static str,
    /// Client address for web requests.
    pub client_addr: Option<String>,
}

impl Actor {
    /// A change made through the web pages or API.
    pub fn web(client_addr: Option<String>) -> Self {
        Self {
            channel: "web",
            client_addr,
            ..Default::default()
        }
    }

    /// A change made by a command on the server.
    pub fn cli() -> Self {
        Self {
            channel: "cli",
            ..Default::default()
        }
    }

    /// A change made by the system itself (demo data, synthetic data).
    pub fn system(channel: &'static str) -> Self {
        Self {
            channel,
            ..Default::default()
        }
    }
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change {
    /// What was done.
    pub action: AuditAction,
    /// "org", "person", "file"…
    pub entity_type: &'static str,
    /// Id of the record changed.
    pub entity_id: Option<i64>,
    /// The unit the record belongs to.
    pub org_id: Option<OrgId>,
    /// Changed fields before.
    pub before: Json,
    /// Changed fields after.
    pub after: Json,
}

impl Change {
    /// A record made (or a change with nothing to compare): no `before`.
    pub fn created(
        action: AuditAction,
        entity_type: &'static str,
        entity_id: i64,
        org_id: Option<OrgId>,
        after: Json,
    ) -> Self {
        Change {
            action,
            entity_type,
            entity_id: Some(entity_id),
            org_id,
            before: Json::Null,
            after,
        }
    }
}

impl Change {
    /// A record changed: only the fields that differ between `before` and `after`.
    pub fn updated(
        action: AuditAction,
        entity_type: &'static str,
        entity_id: i64,
        org_id: Option<OrgId>,
        before: &Json,
        after: &Json,
    ) -> Self {
        let (before, after) = diff(before, after);
        Change {
            action,
            entity_type,
            entity_id: Some(entity_id),
            org_id,
            before,
            after,
        }
    }

    /// A record removed: what it was.
    pub fn removed(
        action: AuditAction,
        entity_type: &'static str,
        entity_id: i64,
        org_id: Option<OrgId>,
        before: Json,
    ) -> Self {
        Change {
            action,
            entity_type,
            entity_id: Some(entity_id),
            org_id,
            before,
            after: Json::Null,
        }
    }
}

/// Writes one audit row. Call it on the connection or transaction of the change.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    change: Change,
) -> Result<(), StoreError> {
    let now = Utc::now();
    let changes = serde_json::json!({ "before": change.before, "after": change.after }).to_string();
    sql::exec(
        conn,
        "INSERT INTO audit_log (actor_account_id, actor_person_id, actor_channel, client_addr, action, entity_type, \
         entity_id, org_id, changes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        vec![
            actor.account_id.into(),
            actor.person_id.into(),
            actor.channel.into(),
            actor.client_addr.clone().into(),
            change.action.code().into(),
            change.entity_type.into(),
            change.entity_id.into(),
            change.org_id.map(|o| o.0).into(),
            changes.into(),
            now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Only the fields whose values differ, as `(before, after)` objects.
pub fn diff(before: &Json, after: &Json) -> (Json, Json) {
    let (Json::Object(old), Json::Object(new)) = (before, after) else {
        return (before.clone(), after.clone());
    };
    let mut b = serde_json::Map::new();
    let mut a = serde_json::Map::new();
    for (key, value) in new {
        let previous = old.get(key).unwrap_or(&Json::Null);
        if previous != value {
            b.insert(key.clone(), previous.clone());
            a.insert(key.clone(), value.clone());
        }
    }
    (Json::Object(b), Json::Object(a))
}

/// A row of the log, with the unit's name.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Entry {
    /// Id.
    pub id: i64,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Account.
    pub actor_account_id: Option<i64>,
    /// Its username.
    pub actor_username: Option<String>,
    /// Channel.
    pub actor_channel: String,
    /// Client address.
    pub client_addr: Option<String>,
    /// Action code.
    pub action: String,
    /// Entity type.
    pub entity_type: String,
    /// Entity id.
    pub entity_id: Option<i64>,
    /// Unit id.
    pub org_id: Option<i64>,
    /// Unit name.
    pub org_name: Option<String>,
    /// JSON of the changes.
    pub changes: String,
}

impl Entry {
    /// The action's Vietnamese label.
    pub fn action_label(&self) -> &'static str {
        AuditAction::from_code(&self.action)
            .map(AuditAction::label)
            .unwrap_or("Khác")
    }
}

/// What the log is filtered on; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// Units the reader may see: rows of other units, and rows of no unit unless the scope
    /// is everything, are left out. The default is none.
    pub scope: Scope,
    /// Only this unit's subtree.
    pub within: Option<Subtree>,
    /// Only this record ("person", 42).
    pub entity: Option<(String, i64)>,
    /// Only changes by this account.
    pub account_id: Option<i64>,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// From this day (inclusive, UTC).
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub until: Option<DateTime<Utc>>,
}

fn log_where(filter: &LogFilter) -> Where {
    let mut w = Where::new();
    filter.scope.restrict(&mut w, "o.path");
    if let Some(range) = &filter.within {
        w.push(
            "o.path >= ? AND o.path < ?",
            vec![range.from.clone().into(), range.to.clone().into()],
        );
    }
    if let Some((kind, id)) = &filter.entity {
        w.push(
            "a.entity_type = ? AND a.entity_id = ?",
            vec![kind.clone().into(), (*id).into()],
        );
    }
    if let Some(account) = filter.account_id {
        w.push("a.actor_account_id = ?", vec![account.into()]);
    }
    if let Some(action) = filter.action {
        w.push("a.action = ?", vec![action.code().into()]);
    }
    if let Some(from) = filter.from {
        w.push("a.created_at >= ?", vec![from.into()]);
    }
    if let Some(until) = filter.until {
        w.push("a.created_at < ?", vec![until.into()]);
    }
    w
}

const LOG_SELECT: &str = "SELECT a.id, a.created_at, a.actor_account_id, ac.username AS actor_username, \
    a.actor_channel, a.client_addr, a.action, a.entity_type, a.entity_id, a.org_id, o.name AS org_name, a.changes \
    FROM audit_log a LEFT JOIN orgs o ON o.id = a.org_id LEFT JOIN accounts ac ON ac.id = a.actor_account_id";
const LOG_FROM: &str = "FROM audit_log a LEFT JOIN orgs o ON o.id = a.org_id";

/// One page of the log, newest first: two queries.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &LogFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<Entry>, StoreError> {
    Ok(sql::page(
        conn,
        LOG_SELECT,
        LOG_FROM,
        &log_where(filter),
        "a.id DESC",
        page,
        per_page,
    )
    .await?)
}

/// The rows of a filtered log older than `before_id`, newest first, in batches for exports
/// of any size.
pub async fn batch_before<C: ConnectionTrait>(
    conn: &C,
    filter: &LogFilter,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Entry>, StoreError> {
    let mut w = log_where(filter);
    if let Some(id) = before_id {
        w.push("a.id < ?", vec![id.into()]);
    }
    let n = w.values.len();
    let mut values = w.values.clone();
    values.push((limit as i64).into());
    Ok(sql::all(
        conn,
        &format!(
            "{LOG_SELECT}{} ORDER BY a.id DESC LIMIT ${}",
            w.sql(),
            n + 1
        ),
        values,
    )
    .await?)
}
