//! Accounts and their grants. Passwords are stored as Argon2id PHC strings only; hashing is
//! CPU work, so async callers run [`hash_password`] and [`verify_password`] on a blocking
//! thread.

use crate::StoreError;
use crate::audit::{self, Actor, Change};
use crate::sql;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::Utc;
use lantoa_domain::accounts::Role;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A role on a unit's subtree; no unit means the whole system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// The unit whose subtree the role covers.
    pub org_id: Option<OrgId>,
    /// The role.
    pub role: Role,
}

/// A stored account with its grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Id.
    pub id: i64,
    /// Username, lowercase.
    pub username: String,
    /// The person the account belongs to.
    pub person_id: Option<i64>,
    /// Whether the account may sign in.
    pub is_active: bool,
    /// Its grants.
    pub grants: Vec<Grant>,
}

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Config(format!("không băm được mật khẩu: {e}")))
}

/// Whether a password matches a stored hash (a malformed hash never matches).
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Number of accounts.
pub async fn count<C: ConnectionTrait>(conn: &C) -> Result<i64, StoreError> {
    Ok(sql::scalar(conn, "SELECT COUNT(*) AS value FROM accounts", vec![]).await?)
}

#[derive(FromQueryResult)]
struct AccountRow {
    id: i64,
    username: String,
    person_id: Option<i64>,
    is_active: bool,
}

#[derive(FromQueryResult)]
struct GrantRow {
    org_id: Option<i64>,
    role: String,
}

/// The account with this username, with its grants and password hash.
pub async fn get_by_username<C: ConnectionTrait>(
    conn: &C,
    username: &str,
) -> Result<Option<(Account, String)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Hash {
        password_hash: String,
    }
    let username = username.trim().to_lowercase();
    let Some(row) = sql::one::<AccountRow, C>(
        conn,
        "SELECT id, username, person_id, is_active FROM accounts WHERE username = $1",
        vec![username.clone().into()],
    )
    .await?
    else {
        return Ok(None);
    };
    let hash: Option<Hash> = sql::one(
        conn,
        "SELECT password_hash FROM accounts WHERE id = $1",
        vec![row.id.into()],
    )
    .await?;
    let grants: Vec<GrantRow> = sql::all(
        conn,
        "SELECT org_id, role FROM grants WHERE account_id = $1 ORDER BY id",
        vec![row.id.into()],
    )
    .await?;
    let account = Account {
        id: row.id,
        username: row.username,
        person_id: row.person_id,
        is_active: row.is_active,
        grants: grants
            .into_iter()
            .filter_map(|g| {
                Role::from_code(&g.role).map(|role| Grant {
                    org_id: g.org_id.map(OrgId),
                    role,
                })
            })
            .collect(),
    };
    Ok(Some((
        account,
        hash.map(|h| h.password_hash).unwrap_or_default(),
    )))
}

/// Creates an account with its grants. The username must be free; the password hash comes
/// from [`hash_password`]. The audit row records the username and grants, never the hash.
pub async fn create<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    username: &str,
    password_hash: &str,
    person_id: Option<i64>,
    grants: &[Grant],
) -> Result<i64, StoreError> {
    let txn = conn.begin().await?;
    if get_by_username(&txn, username).await?.is_some() {
        return Err(StoreError::invalid(
            "username",
            format!("Tên đăng nhập «{username}» đã có người dùng"),
        ));
    }
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO accounts (username, person_id, password_hash, is_active, failed_logins, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id AS value",
        vec![username.into(), person_id.into(), password_hash.into(), true.into(), now.into()],
    )
    .await?;
    for grant in grants {
        sql::exec(
            &txn,
            "INSERT INTO grants (account_id, org_id, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
            vec![id.into(), grant.org_id.map(|o| o.0).into(), grant.role.code().into(), now.into()],
        )
        .await?;
    }
    let after = serde_json::json!({
        "username": username,
        "person_id": person_id,
        "grants": grants.iter().map(|g| serde_json::json!({ "org_id": g.org_id.map(|o| o.0), "role": g.role.code() })).collect::<Vec<_>>(),
    });
    let change = Change {
        action: AuditAction::AccountCreate,
        entity_type: "account",
        entity_id: Some(id),
        org_id: grants.iter().find_map(|g| g.org_id),
        before: serde_json::Value::Null,
        after,
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(id)
}
