//! Sign-in sessions, API tokens and the failed attempts of client addresses.
//!
//! A session is a row (so it can be ended from anywhere) found by the digest of the random
//! token in the browser's cookie; it ends after an idle time or at its absolute lifetime.
//! An API token is the same kind of secret, named, shown once, revocable. Both act with the
//! account's grants as they are at each request.

use crate::StoreError;
use crate::audit::{self, Actor, Change};
use crate::{secret, sql};
use chrono::{DateTime, Duration, Utc};
use lantoa_domain::audit::AuditAction;
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A session found by its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// Id.
    pub id: i64,
    /// The account.
    pub account_id: i64,
}

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in whatever its use.
    pub absolute: Duration,
}

/// Starts a session after a successful sign-in: the account's failed attempts are cleared
/// and the sign-in is audited. Returns the session and the token for the cookie.
pub async fn start<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
    user_agent: Option<&str>,
    lifetimes: Lifetimes,
    now: DateTime<Utc>,
) -> Result<(Session, String), StoreError> {
    let txn = conn.begin_write().await?;
    let token = secret::new_token();
    let id = sql::scalar(
        &txn,
        "INSERT INTO sessions (account_id, token_hash, client_addr, user_agent, last_seen_at, expires_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $5, $5) RETURNING id AS value",
        vec![
            account_id.into(),
            secret::digest(&token).into(),
            actor.client_addr.clone().into(),
            user_agent.map(|u| u.chars().take(200).collect::<String>()).into(),
            now.into(),
            (now + lifetimes.absolute).into(),
        ],
    )
    .await?;
    sql::exec(
        &txn,
        "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1",
        vec![account_id.into()],
    )
    .await?;
    let mut actor = actor.clone();
    actor.account_id = Some(account_id);
    let change = Change {
        action: AuditAction::Login,
        entity_type: "account",
        entity_id: Some(account_id),
        org_id: crate::accounts::account_org(&txn, account_id).await?,
        before: serde_json::Value::Null,
        after: serde_json::json!({ "session": id }),
    };
    audit::record(&txn, &actor, change).await?;
    txn.commit().await?;
    Ok((Session { id, account_id }, token))
}

/// The live session of a token. An expired or idle session is deleted; the last use is
/// written at most once a minute, so reading pages does not write on every request.
pub async fn resolve<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    idle: Duration,
    now: DateTime<Utc>,
) -> Result<Option<Session>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        account_id: i64,
        last_seen_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    }
    let Some(row) = sql::one::<Row, C>(
        conn,
        "SELECT id, account_id, last_seen_at, expires_at FROM sessions WHERE token_hash = $1",
        vec![secret::digest(token).into()],
    )
    .await?
    else {
        return Ok(None);
    };
    if row.expires_at <= now || row.last_seen_at + idle <= now {
        sql::exec(
            conn,
            "DELETE FROM sessions WHERE id = $1",
            vec![row.id.into()],
        )
        .await?;
        return Ok(None);
    }
    if now - row.last_seen_at > Duration::minutes(1) {
        sql::exec(
            conn,
            "UPDATE sessions SET last_seen_at = $2 WHERE id = $1",
            vec![row.id.into(), now.into()],
        )
        .await?;
    }
    Ok(Some(Session {
        id: row.id,
        account_id: row.account_id,
    }))
}

/// Ends one session (sign-out), audited.
pub async fn end<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    session: Session,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    sql::exec(
        &txn,
        "DELETE FROM sessions WHERE id = $1",
        vec![session.id.into()],
    )
    .await?;
    let change = Change {
        action: AuditAction::Logout,
        entity_type: "account",
        entity_id: Some(session.account_id),
        org_id: crate::accounts::account_org(&txn, session.account_id).await?,
        before: serde_json::Value::Null,
        after: serde_json::json!({ "session": session.id }),
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every session of an account ("sign out everywhere"), audited. Returns how many.
pub async fn end_all<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
) -> Result<u64, StoreError> {
    let txn = conn.begin_write().await?;
    let ended = sql::exec(
        &txn,
        "DELETE FROM sessions WHERE account_id = $1",
        vec![account_id.into()],
    )
    .await?
    .rows_affected();
    let change = Change {
        action: AuditAction::SessionsEnd,
        entity_type: "account",
        entity_id: Some(account_id),
        org_id: crate::accounts::account_org(&txn, account_id).await?,
        before: serde_json::Value::Null,
        after: serde_json::json!({ "sessions": ended }),
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(ended)
}

/// A session as its owner sees it in the list of their devices.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SessionInfo {
    /// Id.
    pub id: i64,
    /// Address it signed in from.
    pub client_addr: Option<String>,
    /// Browser.
    pub user_agent: Option<String>,
    /// Signed in.
    pub created_at: DateTime<Utc>,
    /// Last used (to the minute).
    pub last_seen_at: DateTime<Utc>,
}

/// The live sessions of an account, most recent first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<SessionInfo>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT id, client_addr, user_agent, created_at, last_seen_at FROM sessions \
         WHERE account_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC",
        vec![account_id.into(), now.into()],
    )
    .await?)
}

/// Prefix of API tokens, so that one pasted in the wrong place is recognised.
pub const TOKEN_PREFIX: &str = "lantoa_";

/// Creates an API token for an account. Returns its id and the token, shown only now.
pub async fn create_token<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
    name: &str,
) -> Result<(i64, String), StoreError> {
    let name = lantoa_domain::text::clean(name);
    if name.is_empty() {
        return Err(StoreError::invalid(
            "name",
            "Đặt tên cho mã để nhận ra nó sau này",
        ));
    }
    let txn = conn.begin_write().await?;
    let token = format!("{TOKEN_PREFIX}{}", secret::new_token());
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO api_tokens (account_id, name, token_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id AS value",
        vec![
            account_id.into(),
            name.clone().into(),
            secret::digest(&token).into(),
            now.into(),
        ],
    )
    .await?;
    let change = Change {
        action: AuditAction::TokenCreate,
        entity_type: "account",
        entity_id: Some(account_id),
        org_id: crate::accounts::account_org(&txn, account_id).await?,
        before: serde_json::Value::Null,
        after: serde_json::json!({ "token": id, "name": name }),
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok((id, token))
}

/// The account of a live API token; its last use is written at most once a minute.
pub async fn resolve_token<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        account_id: i64,
        last_used_at: Option<DateTime<Utc>>,
    }
    let Some(row) = sql::one::<Row, C>(
        conn,
        "SELECT id, account_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        vec![secret::digest(token).into()],
    )
    .await?
    else {
        return Ok(None);
    };
    if row
        .last_used_at
        .is_none_or(|last| now - last > Duration::minutes(1))
    {
        sql::exec(
            conn,
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1",
            vec![row.id.into(), now.into()],
        )
        .await?;
    }
    Ok(Some(row.account_id))
}

/// An API token as listed to its owner.
#[derive(Debug, Clone, FromQueryResult)]
pub struct TokenInfo {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last used.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The live API tokens of an account.
pub async fn tokens<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
) -> Result<Vec<TokenInfo>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT id, name, created_at, last_used_at FROM api_tokens \
         WHERE account_id = $1 AND revoked_at IS NULL ORDER BY id",
        vec![account_id.into()],
    )
    .await?)
}

/// Revokes an account's API token; `NotFound` if the account has no such live token.
pub async fn revoke_token<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
    token_id: i64,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let revoked = sql::exec(
        &txn,
        "UPDATE api_tokens SET revoked_at = $3, updated_at = $3 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL",
        vec![token_id.into(), account_id.into(), Utc::now().into()],
    )
    .await?
    .rows_affected();
    if revoked == 0 {
        return Err(StoreError::NotFound);
    }
    let change = Change {
        action: AuditAction::TokenRevoke,
        entity_type: "account",
        entity_id: Some(account_id),
        org_id: crate::accounts::account_org(&txn, account_id).await?,
        before: serde_json::Value::Null,
        after: serde_json::json!({ "token": token_id }),
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct ThrottleRow {
    failures: i32,
    wait_until: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

/// Failures of an address older than this are forgotten.
const ADDRESS_WINDOW_HOURS: i64 = 1;

/// Until when a client address must wait before trying to sign in again, if it must.
pub async fn address_wait<C: ConnectionTrait>(
    conn: &C,
    client_addr: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let row: Option<ThrottleRow> = sql::one(
        conn,
        "SELECT failures, wait_until, updated_at FROM login_throttle WHERE client_addr = $1",
        vec![client_addr.into()],
    )
    .await?;
    Ok(row.and_then(|r| r.wait_until).filter(|until| *until > now))
}

/// Counts a failed attempt (wrong password, unknown account, wrong reset code) from a client
/// address; after many within an hour the address must wait, longer at each failure.
/// Returns until when.
pub async fn address_failed<C: crate::Writer>(
    conn: &C,
    client_addr: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    use lantoa_domain::accounts::{ADDRESS_FAILURES_BEFORE_WAIT, wait_after};
    let txn = conn.begin_write().await?;
    let row: Option<ThrottleRow> = sql::one(
        &txn,
        "SELECT failures, wait_until, updated_at FROM login_throttle WHERE client_addr = $1",
        vec![client_addr.into()],
    )
    .await?;
    let failures = match &row {
        Some(r) if now - r.updated_at < Duration::hours(ADDRESS_WINDOW_HOURS) => r.failures + 1,
        _ => 1,
    };
    let wait_until = wait_after(
        u32::try_from(failures).unwrap_or(u32::MAX),
        ADDRESS_FAILURES_BEFORE_WAIT - 1,
    )
    .map(|w| now + w);
    let sql = if row.is_some() {
        "UPDATE login_throttle SET failures = $2, wait_until = $3, updated_at = $4 WHERE client_addr = $1"
    } else {
        "INSERT INTO login_throttle (client_addr, failures, wait_until, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)"
    };
    sql::exec(
        &txn,
        sql,
        vec![
            client_addr.into(),
            failures.into(),
            wait_until.into(),
            now.into(),
        ],
    )
    .await?;
    txn.commit().await?;
    Ok(wait_until)
}
