//! Accounts and their grants, the [`Principal`] a signed-in account acts as, failed-login
//! locks, password changes and one-time reset codes.
//!
//! Passwords are stored as Argon2id PHC strings only; hashing is CPU work, so async callers
//! run [`hash_password`] and [`verify_password`] on a blocking thread. Reset codes are
//! stored as their SHA-256 only. Every change writes its audit row in the same transaction.

use crate::StoreError;
use crate::audit::{self, Actor, Change};
use crate::org::{Scope, Subtree};
use crate::sql;
use crate::sql::Where;
use crate::{Page, secret};
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use chrono::DateTime;
use chrono::Utc;
use lantoa_domain::accounts::Role;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::{ClosedList, OrgId, PersonId};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use std::collections::HashMap;
use std::sync::{Condvar, Mutex, PoisonError};

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

/// Whether a password matches a stored hash (a malformed hash never matches). The hash is
/// computed again in reused working memory ([`with_work_memory`]) and compared in
/// constant time.
pub fn verify_password(hash: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let version = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::new(parsed.algorithm.as_str()),
        version,
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let mut computed = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let hasher = Argon2::new(algorithm, version, params);
    with_work_memory(blocks, |memory| {
        hasher.hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, memory)
    })
    .is_ok()
        && Output::new(&computed).is_ok_and(|computed| &computed == expected)
}

/// Argon2's working memory for checking passwords (19 MiB each with the default
/// parameters), kept for the next check, and the number of checks running. Allocated
/// and freed at every sign-in, glibc kept it by the hundred megabytes: a soak held
/// 295 MB, 104 MB with the memory kept and reused.
static WORK_MEMORY: Mutex<(usize, Vec<Vec<Block>>)> = Mutex::new((0, Vec::new()));
/// Signalled when a check gives its working memory back.
static WORK_MEMORY_RETURNED: Condvar = Condvar::new();

/// Runs `hash` with `blocks` of kept working memory. As many checks run at once as the
/// machine has cores (they are CPU work); more wait their turn, so a burst of sign-ins
/// neither allocates nor holds more than a core's share each.
fn with_work_memory<R>(blocks: usize, hash: impl FnOnce(&mut [Block]) -> R) -> R {
    let at_once = std::thread::available_parallelism().map_or(2, |n| n.get());
    let lock = || WORK_MEMORY.lock().unwrap_or_else(PoisonError::into_inner);
    let mut memory = {
        let mut state = lock();
        while state.0 >= at_once {
            state = WORK_MEMORY_RETURNED
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.0 += 1;
        state.1.pop().unwrap_or_default()
    };
    memory.resize(blocks, Block::default());
    let result = hash(&mut memory);
    {
        let mut state = lock();
        state.0 -= 1;
        state.1.push(memory);
    }
    WORK_MEMORY_RETURNED.notify_one();
    result
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
    let txn = conn.begin_write().await?;
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

/// A grant with the unit it covers, as a signed-in account holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedGrant {
    /// Id of the grant row.
    pub id: i64,
    /// The role.
    pub role: Role,
    /// The unit; `None` for the whole system.
    pub org_id: Option<OrgId>,
    /// The unit's name.
    pub org_name: Option<String>,
    /// The unit's path; `None` for the whole system.
    pub path: Option<String>,
}

impl ScopedGrant {
    /// Whether the grant covers a unit with this path.
    pub fn covers(&self, path: &str) -> bool {
        match &self.path {
            None => true,
            Some(root) => Subtree::of_path(root).contains(path),
        }
    }
}

/// An active account as it acts on the system: who, and the subtrees its roles cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Account id.
    pub account_id: i64,
    /// Username.
    pub username: String,
    /// The person behind the account.
    pub person_id: Option<PersonId>,
    /// Their name, for the page header.
    pub person_name: Option<String>,
    /// The path of the unit the person belongs to.
    pub person_unit_path: Option<String>,
    /// The grants.
    pub grants: Vec<ScopedGrant>,
}

impl Principal {
    /// The highest role any grant gives over a unit with this path.
    pub fn role_at(&self, path: &str) -> Option<Role> {
        self.grants
            .iter()
            .filter(|g| g.covers(path))
            .map(|g| g.role)
            .max()
    }

    /// Paths of the units the account stands in: its person's unit and the units of its
    /// grants (guidance issued above any of them reaches the account).
    pub fn unit_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .grants
            .iter()
            .filter_map(|g| g.path.clone())
            .chain(self.person_unit_path.clone())
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    /// The highest role of any grant.
    pub fn highest_role(&self) -> Option<Role> {
        self.grants.iter().map(|g| g.role).max()
    }

    /// Whether the account administers the whole system.
    pub fn is_system_admin(&self) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::SystemAdmin && g.path.is_none())
    }

    /// The units where the account holds at least `role`.
    pub fn scope(&self, role: Role) -> Scope {
        let grants: Vec<&ScopedGrant> = self.grants.iter().filter(|g| g.role >= role).collect();
        if grants.iter().any(|g| g.path.is_none()) {
            return Scope::All;
        }
        let paths: Vec<&str> = grants.iter().filter_map(|g| g.path.as_deref()).collect();
        // A subtree inside another adds nothing to the query.
        let tops = paths
            .iter()
            .filter(|p| {
                !paths
                    .iter()
                    .any(|other| other != *p && Subtree::of_path(other).contains(p))
            })
            .map(|p| Subtree::of_path(p));
        let mut trees: Vec<Subtree> = tops.collect();
        trees.dedup();
        Scope::Subtrees(trees)
    }

    /// The units at the top of the scope where the account holds at least `role` (for
    /// "my units"), none for a system administrator.
    pub fn top_units(&self, role: Role) -> Vec<OrgId> {
        let scope = self.scope(role);
        let mut ids: Vec<OrgId> = self
            .grants
            .iter()
            .filter(|g| g.role >= role)
            .filter(|g| match (&scope, &g.path) {
                (Scope::Subtrees(trees), Some(path)) => trees.iter().any(|t| &t.from == path),
                _ => false,
            })
            .filter_map(|g| g.org_id)
            .collect();
        ids.sort_by_key(|id| id.0);
        ids.dedup();
        ids
    }

    /// Whether the account may give `role` on a unit with this path: system administrators
    /// anything; unit administrators roles below theirs in their subtree, and unit
    /// administration only on units strictly below their own.
    pub fn may_grant(&self, role: Role, path: Option<&str>) -> bool {
        if self.is_system_admin() {
            return true;
        }
        let Some(path) = path else { return false };
        if role < Role::UnitAdmin {
            return self.role_at(path) >= Some(Role::UnitAdmin);
        }
        role == Role::UnitAdmin
            && self.grants.iter().any(|g| {
                g.role >= Role::UnitAdmin
                    && g.path
                        .as_deref()
                        .is_some_and(|own| own != path && g.covers(path))
            })
    }
}

/// The principal of an active account, or `None` for a disabled or missing one: two
/// queries.
pub async fn principal<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
) -> Result<Option<Principal>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        username: String,
        person_id: Option<i64>,
        full_name: Option<String>,
        person_unit_path: Option<String>,
    }
    let Some(row) = sql::one::<Row, C>(
        conn,
        "SELECT a.id, a.username, a.person_id, p.full_name, po.path AS person_unit_path FROM accounts a \
         LEFT JOIN people p ON p.id = a.person_id LEFT JOIN orgs po ON po.id = p.org_id \
         WHERE a.id = $1 AND a.is_active = $2",
        vec![account_id.into(), true.into()],
    )
    .await?
    else {
        return Ok(None);
    };
    let grants = grants_of(conn, &[row.id])
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(Some(Principal {
        account_id: row.id,
        username: row.username,
        person_id: row.person_id.map(PersonId),
        person_name: row.full_name,
        person_unit_path: row.person_unit_path,
        grants,
    }))
}

/// The grants of these accounts with their units: one query.
async fn grants_of<C: ConnectionTrait>(
    conn: &C,
    accounts: &[i64],
) -> Result<HashMap<i64, Vec<ScopedGrant>>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        account_id: i64,
        role: String,
        org_id: Option<i64>,
        org_name: Option<String>,
        path: Option<String>,
    }
    let values = accounts.iter().map(|id| Value::from(*id)).collect();
    let rows: Vec<Row> = sql::all_in(
        conn,
        "SELECT g.id, g.account_id, g.role, g.org_id, o.name AS org_name, o.path FROM grants g \
         LEFT JOIN orgs o ON o.id = g.org_id WHERE g.account_id IN ({list}) ORDER BY g.id",
        values,
    )
    .await?;
    let mut out: HashMap<i64, Vec<ScopedGrant>> = HashMap::new();
    for row in rows {
        if let Some(role) = Role::from_code(&row.role) {
            out.entry(row.account_id).or_default().push(ScopedGrant {
                id: row.id,
                role,
                org_id: row.org_id.map(OrgId),
                org_name: row.org_name,
                path: row.path,
            });
        }
    }
    Ok(out)
}

/// An account as the sign-in form needs it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct LoginAccount {
    /// Id.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Argon2id hash (empty until a password is set).
    pub password_hash: String,
    /// Whether it may sign in.
    pub is_active: bool,
    /// Failed attempts in a row.
    pub failed_logins: i32,
    /// Locked until then after failed attempts.
    pub locked_until: Option<DateTime<Utc>>,
}

/// The account someone signs in as: by username, or by the phone or email of the person it
/// belongs to when exactly one account has it.
pub async fn find_for_login<C: ConnectionTrait>(
    conn: &C,
    identifier: &str,
) -> Result<Option<LoginAccount>, StoreError> {
    const COLUMNS: &str =
        "a.id, a.username, a.password_hash, a.is_active, a.failed_logins, a.locked_until";
    let identifier = identifier.trim();
    let (condition, value) = if identifier.contains('@') {
        let Ok(email) = lantoa_domain::validation::email(identifier) else {
            return Ok(None);
        };
        ("p.email = $1", email)
    } else if let Ok(phone) = lantoa_domain::validation::phone(identifier) {
        ("p.phone = $1", phone)
    } else {
        let rows: Option<LoginAccount> = sql::one(
            conn,
            &format!("SELECT {COLUMNS} FROM accounts a WHERE a.username = $1"),
            vec![identifier.to_lowercase().into()],
        )
        .await?;
        return Ok(rows);
    };
    let mut rows: Vec<LoginAccount> = sql::all(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM accounts a JOIN people p ON p.id = a.person_id WHERE {condition} LIMIT 2"
        ),
        vec![value.into()],
    )
    .await?;
    Ok(if rows.len() == 1 { rows.pop() } else { None })
}

/// Records a failed sign-in of an account; from the fifth in a row the account is locked
/// for a time that doubles with each further failure. Returns the end of the lock.
pub async fn login_failed<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    use lantoa_domain::accounts::{ACCOUNT_FAILURES_BEFORE_LOCK, wait_after};
    let txn = conn.begin_write().await?;
    let failures = sql::scalar(
        &txn,
        "UPDATE accounts SET failed_logins = failed_logins + 1, updated_at = $2 WHERE id = $1 \
         RETURNING CAST(failed_logins AS BIGINT) AS value",
        vec![account_id.into(), now.into()],
    )
    .await?;
    let failures = u32::try_from(failures).unwrap_or(u32::MAX);
    let locked_until = wait_after(failures, ACCOUNT_FAILURES_BEFORE_LOCK - 1).map(|w| now + w);
    let org_id = account_org(&txn, account_id).await?;
    let account_change = |action| Change {
        action,
        entity_type: "account",
        entity_id: Some(account_id),
        org_id,
        before: serde_json::Value::Null,
        after: serde_json::json!({ "failed_logins": failures }),
    };
    audit::record(&txn, actor, account_change(AuditAction::LoginFailed)).await?;
    if let Some(until) = locked_until {
        sql::exec(
            &txn,
            "UPDATE accounts SET locked_until = $2 WHERE id = $1",
            vec![account_id.into(), until.into()],
        )
        .await?;
        let mut change = account_change(AuditAction::AccountLock);
        change.after =
            serde_json::json!({ "failed_logins": failures, "locked_until": until.to_rfc3339() });
        audit::record(&txn, actor, change).await?;
    }
    txn.commit().await?;
    Ok(locked_until)
}

/// A listed account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    /// Id.
    pub id: i64,
    /// Username.
    pub username: String,
    /// The person.
    pub person_id: Option<PersonId>,
    /// Their name.
    pub person_name: Option<String>,
    /// Path of the person's unit.
    pub person_org_path: Option<String>,
    /// Whether it may sign in.
    pub is_active: bool,
    /// Locked after failed attempts until then.
    pub locked_until: Option<DateTime<Utc>>,
    /// Whether a password has been set.
    pub has_password: bool,
    /// Grants.
    pub grants: Vec<ScopedGrant>,
}

impl AccountSummary {
    /// Whether an administrator with this scope may manage the account: every grant of it
    /// lies in the scope (and no grant is on the whole system), or, with no grant, the
    /// person's unit does.
    pub fn managed_within(&self, scope: &Scope) -> bool {
        if self.grants.is_empty() {
            return matches!(scope, Scope::All)
                || self
                    .person_org_path
                    .as_deref()
                    .is_some_and(|p| scope.contains(p));
        }
        self.grants.iter().all(|g| match &g.path {
            Some(path) => scope.contains(path),
            None => matches!(scope, Scope::All),
        })
    }
}

#[derive(FromQueryResult)]
struct SummaryRow {
    id: i64,
    username: String,
    person_id: Option<i64>,
    full_name: Option<String>,
    person_org_path: Option<String>,
    is_active: bool,
    locked_until: Option<DateTime<Utc>>,
    has_password: bool,
}

const SUMMARY_SELECT: &str = "SELECT a.id, a.username, a.person_id, p.full_name, po.path AS person_org_path, \
    a.is_active, a.locked_until, a.password_hash <> '' AS has_password \
    FROM accounts a LEFT JOIN people p ON p.id = a.person_id LEFT JOIN orgs po ON po.id = p.org_id";

async fn with_grants<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<SummaryRow>,
) -> Result<Vec<AccountSummary>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut grants = grants_of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| AccountSummary {
            grants: grants.remove(&r.id).unwrap_or_default(),
            id: r.id,
            username: r.username,
            person_id: r.person_id.map(PersonId),
            person_name: r.full_name,
            person_org_path: r.person_org_path,
            is_active: r.is_active,
            locked_until: r.locked_until,
            has_password: r.has_password,
        })
        .collect())
}

/// Accounts that have a grant in the scope, or whose person is in it, filtered by username
/// or name: three queries.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    query: &str,
    page: u64,
    per_page: u64,
) -> Result<Page<AccountSummary>, StoreError> {
    let mut w = Where::new();
    if let Some((in_scope, values)) = scope.condition("o.path") {
        let person_in_scope = in_scope.replace("o.path", "po.path");
        let mut both = values.clone();
        both.extend(values);
        w.push(
            &format!(
                "(EXISTS (SELECT 1 FROM grants g JOIN orgs o ON o.id = g.org_id \
                 WHERE g.account_id = a.id AND {in_scope}) OR {person_in_scope})"
            ),
            both,
        );
    }
    let query = lantoa_domain::text::fold(query);
    if !query.is_empty() {
        w.push(
            "(a.username LIKE ? OR p.name_folded LIKE ?)",
            vec![format!("%{query}%").into(), format!("%{query}%").into()],
        );
    }
    let rows: Page<SummaryRow> = sql::page(
        conn,
        SUMMARY_SELECT,
        "FROM accounts a LEFT JOIN people p ON p.id = a.person_id LEFT JOIN orgs po ON po.id = p.org_id",
        &w,
        "a.username",
        page,
        per_page,
    )
    .await?;
    let Page {
        items,
        total,
        capped,
        page,
        per_page,
    } = rows;
    Ok(Page {
        items: with_grants(conn, items).await?,
        total,
        capped,
        page,
        per_page,
    })
}

/// One account with its grants.
pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<AccountSummary, StoreError> {
    let rows: Vec<SummaryRow> = sql::all(
        conn,
        &format!("{SUMMARY_SELECT} WHERE a.id = $1"),
        vec![id.into()],
    )
    .await?;
    with_grants(conn, rows)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

fn grants_json(grants: &[ScopedGrant]) -> serde_json::Value {
    serde_json::Value::Array(
        grants
            .iter()
            .map(|g| {
                serde_json::json!({
                    "role": g.role.code(),
                    "org_id": g.org_id.map(|o| o.0),
                    "org": g.org_name,
                })
            })
            .collect(),
    )
}

/// Gives an account a role on a unit (or on the whole system), unless it already has it.
pub async fn add_grant<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
    grant: Grant,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let before = get(&txn, account_id).await?;
    if before
        .grants
        .iter()
        .any(|g| g.role == grant.role && g.org_id == grant.org_id)
    {
        return Ok(());
    }
    sql::exec(
        &txn,
        "INSERT INTO grants (account_id, org_id, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        vec![
            account_id.into(),
            grant.org_id.map(|o| o.0).into(),
            grant.role.code().into(),
            Utc::now().into(),
        ],
    )
    .await?;
    let after = get(&txn, account_id).await?;
    record_grants(&txn, actor, account_id, grant.org_id, &before, &after).await?;
    txn.commit().await?;
    Ok(())
}

/// Takes a grant away from an account.
pub async fn remove_grant<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
    grant_id: i64,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let before = get(&txn, account_id).await?;
    let Some(removed) = before.grants.iter().find(|g| g.id == grant_id) else {
        return Err(StoreError::NotFound);
    };
    sql::exec(
        &txn,
        "DELETE FROM grants WHERE id = $1 AND account_id = $2",
        vec![grant_id.into(), account_id.into()],
    )
    .await?;
    let after = get(&txn, account_id).await?;
    record_grants(&txn, actor, account_id, removed.org_id, &before, &after).await?;
    txn.commit().await?;
    Ok(())
}

async fn record_grants<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
    org_id: Option<OrgId>,
    before: &AccountSummary,
    after: &AccountSummary,
) -> Result<(), StoreError> {
    let change = Change {
        action: AuditAction::GrantChange,
        entity_type: "account",
        entity_id: Some(account_id),
        org_id,
        before: serde_json::json!({ "grants": grants_json(&before.grants) }),
        after: serde_json::json!({ "grants": grants_json(&after.grants) }),
    };
    audit::record(conn, actor, change).await
}

/// The unit an account's audit rows are filed under (so that the administrators of its unit
/// see its sign-ins and changes): its first grant's, else its person's.
pub(crate) async fn account_org<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
) -> Result<Option<OrgId>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        org_id: Option<i64>,
    }
    let row: Option<Row> = sql::one(
        conn,
        "SELECT COALESCE((SELECT MIN(g.org_id) FROM grants g WHERE g.account_id = a.id), p.org_id) AS org_id \
         FROM accounts a LEFT JOIN people p ON p.id = a.person_id WHERE a.id = $1",
        vec![account_id.into()],
    )
    .await?;
    Ok(row.and_then(|r| r.org_id).map(OrgId))
}

/// Enables or disables an account. A disabled account's sessions end and its API tokens
/// stop working at once.
pub async fn set_active<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
    active: bool,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let changed = sql::exec(
        &txn,
        "UPDATE accounts SET is_active = $2, failed_logins = 0, locked_until = NULL, updated_at = $3 \
         WHERE id = $1 AND is_active <> $2",
        vec![account_id.into(), active.into(), Utc::now().into()],
    )
    .await?
    .rows_affected();
    if changed == 0 {
        get(&txn, account_id).await?;
        return Ok(());
    }
    if !active {
        sql::exec(
            &txn,
            "DELETE FROM sessions WHERE account_id = $1",
            vec![account_id.into()],
        )
        .await?;
    }
    let change = Change {
        action: if active {
            AuditAction::AccountEnable
        } else {
            AuditAction::AccountDisable
        },
        entity_type: "account",
        entity_id: Some(account_id),
        org_id: account_org(&txn, account_id).await?,
        before: serde_json::json!({ "active": !active }),
        after: serde_json::json!({ "active": active }),
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a new password hash; every session of the account ends except `keep` (the one that
/// made the change), and a lock from failed attempts is lifted.
pub async fn set_password<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
    password_hash: &str,
    keep: Option<i64>,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    store_password(&txn, account_id, password_hash, keep).await?;
    let change = Change {
        action: AuditAction::PasswordChange,
        entity_type: "account",
        entity_id: Some(account_id),
        org_id: account_org(&txn, account_id).await?,
        before: serde_json::Value::Null,
        after: serde_json::Value::Null,
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(())
}

async fn store_password<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    password_hash: &str,
    keep: Option<i64>,
) -> Result<(), StoreError> {
    let changed = sql::exec(
        conn,
        "UPDATE accounts SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = $3 WHERE id = $1",
        vec![account_id.into(), password_hash.into(), Utc::now().into()],
    )
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    sql::exec(
        conn,
        "DELETE FROM sessions WHERE account_id = $1 AND id <> $2",
        vec![account_id.into(), keep.unwrap_or(0).into()],
    )
    .await?;
    Ok(())
}

/// How long a reset code stays valid.
pub const RESET_CODE_HOURS: i64 = 24;

/// Issues a one-time code with which the account's owner sets a new password, valid for
/// [`RESET_CODE_HOURS`]; earlier unused codes stop working. The code is returned once and
/// stored only as its digest.
pub async fn issue_reset_code<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let txn = conn.begin_write().await?;
    get(&txn, account_id).await?;
    let code = secret::new_code();
    sql::exec(
        &txn,
        "DELETE FROM password_resets WHERE account_id = $1 AND used_at IS NULL",
        vec![account_id.into()],
    )
    .await?;
    let expires = now + chrono::Duration::hours(RESET_CODE_HOURS);
    sql::exec(
        &txn,
        "INSERT INTO password_resets (account_id, code_hash, expires_at, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
        vec![
            account_id.into(),
            secret::digest(&secret::normalise_code(&code)).into(),
            expires.into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?;
    let change = Change {
        action: AuditAction::PasswordReset,
        entity_type: "account",
        entity_id: Some(account_id),
        org_id: account_org(&txn, account_id).await?,
        before: serde_json::Value::Null,
        after: serde_json::json!({ "expires_at": expires.to_rfc3339() }),
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(code)
}

/// The account a valid, unused reset code belongs to.
pub async fn reset_code_account<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<AccountSummary>, StoreError> {
    let account: Option<sql::Scalar> = sql::one(
        conn,
        "SELECT account_id AS value FROM password_resets WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
        vec![secret::digest(&secret::normalise_code(code)).into(), now.into()],
    )
    .await?;
    match account {
        Some(id) => Ok(Some(get(conn, id.value).await?)),
        None => Ok(None),
    }
}

/// Sets a password with a reset code: the code is used up, every session ends, a lock is
/// lifted. `NotFound` when the code is wrong, used or expired.
pub async fn redeem_reset_code<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    code: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let Some(sql::Scalar { value: account }) = sql::one(
        &txn,
        "UPDATE password_resets SET used_at = $2, updated_at = $2 \
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING account_id AS value",
        vec![secret::digest(&secret::normalise_code(code)).into(), now.into()],
    )
    .await?
    else {
        return Err(StoreError::NotFound);
    };
    store_password(&txn, account, password_hash, None).await?;
    let change = Change {
        action: AuditAction::PasswordResetUsed,
        entity_type: "account",
        entity_id: Some(account),
        org_id: account_org(&txn, account).await?,
        before: serde_json::Value::Null,
        after: serde_json::Value::Null,
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_checked_in_kept_memory_however_many_at_once() {
        let hash = hash_password("Sen hồng Đồng Tháp").unwrap();
        // A hash made with other settings (Argon2i, version 0x10, 64 KiB) is checked with
        // its own algorithm, version and parameters.
        let foreign = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(64, 2, 1, None).unwrap(),
        )
        .hash_password(b"password")
        .unwrap()
        .to_string();
        let checks: Vec<_> = (0..6)
            .map(|i| {
                let (hash, foreign) = (hash.clone(), foreign.clone());
                std::thread::spawn(move || {
                    let typed = if i % 2 == 0 {
                        "Sen hồng Đồng Tháp"
                    } else {
                        "sen hồng đồng tháp"
                    };
                    (
                        verify_password(&hash, typed),
                        verify_password(&foreign, "password"),
                        verify_password(&foreign, "Password"),
                    )
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|check| check.join().unwrap())
            .collect();
        for (i, (own, foreign_right, foreign_wrong)) in checks.into_iter().enumerate() {
            assert_eq!(own, i % 2 == 0, "check {i}");
            assert!(foreign_right && !foreign_wrong, "check {i}");
        }
        assert!(!verify_password("không phải mã băm", "Sen hồng Đồng Tháp"));
        assert!(!verify_password(
            &hash[..hash.len() - 4],
            "Sen hồng Đồng Tháp"
        ));
        let state = WORK_MEMORY.lock().unwrap();
        assert_eq!(state.0, 0, "no check left counted as running");
        assert!(state.1.len() <= std::thread::available_parallelism().map_or(2, |n| n.get()));
    }

    fn grant(role: Role, path: Option<&str>) -> ScopedGrant {
        ScopedGrant {
            id: 0,
            role,
            org_id: path.map(|_| OrgId(1)),
            org_name: None,
            path: path.map(str::to_owned),
        }
    }

    fn principal(grants: Vec<ScopedGrant>) -> Principal {
        Principal {
            account_id: 1,
            username: "x".into(),
            person_id: None,
            person_name: None,
            person_unit_path: None,
            grants,
        }
    }

    #[test]
    fn a_grant_covers_its_subtree_only() {
        let p = principal(vec![
            grant(Role::Staff, Some("/1/5/")),
            grant(Role::Leader, Some("/1/")),
        ]);
        assert_eq!(p.role_at("/1/5/66/"), Some(Role::Staff));
        assert_eq!(
            p.role_at("/1/50/"),
            Some(Role::Leader),
            "/1/50/ is not under /1/5/"
        );
        assert_eq!(p.role_at("/2/"), None);
        assert_eq!(
            p.scope(Role::Leader),
            Scope::Subtrees(vec![Subtree::of_path("/1/")]),
            "a subtree inside another adds nothing"
        );
        assert!(p.scope(Role::UnitAdmin).is_empty());
        assert_eq!(p.top_units(Role::Staff), vec![OrgId(1)]);
    }

    #[test]
    fn unit_admins_grant_below_themselves() {
        let admin = principal(vec![grant(Role::UnitAdmin, Some("/1/5/"))]);
        assert!(admin.may_grant(Role::Staff, Some("/1/5/")));
        assert!(admin.may_grant(Role::Member, Some("/1/5/66/")));
        assert!(
            !admin.may_grant(Role::UnitAdmin, Some("/1/5/")),
            "not at their own level"
        );
        assert!(admin.may_grant(Role::UnitAdmin, Some("/1/5/66/")));
        assert!(!admin.may_grant(Role::Staff, Some("/1/6/")));
        assert!(!admin.may_grant(Role::SystemAdmin, None));
        let system = principal(vec![grant(Role::SystemAdmin, None)]);
        assert!(system.is_system_admin() && system.may_grant(Role::SystemAdmin, None));
        assert_eq!(system.scope(Role::Member), Scope::All);
    }
}
