//! Reminders: who reminded whom of what, when the person saw it, and whether it was
//! e-mailed too.
//!
//! Sending checks that every person belongs to the sender's unit subtree and writes all
//! rows in one statement per thousand people, with one audit row for the batch.

use crate::audit::{self, Actor, Change};
use crate::org::Org;
use crate::{StoreError, sql};
use chrono::{DateTime, Utc};
use lantoa_domain::PersonId;
use lantoa_domain::audit::AuditAction;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

/// A reminder as its recipient sees it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Reminder {
    /// Id.
    pub id: i64,
    /// What it is about ("ke_hoach:nop").
    pub subject: String,
    /// The text.
    pub message: String,
    /// The unit that sent it.
    pub org_name: String,
    /// Who sent it: their name, else the username.
    pub sender: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When the person marked it seen.
    pub seen_at: Option<DateTime<Utc>>,
}

/// What a batch of reminders says.
#[derive(Debug, Clone)]
pub struct NewReminders<'a> {
    /// The unit sending (its subtree holds every recipient).
    pub unit: &'a Org,
    /// The campaign year concerned.
    pub year_id: Option<i64>,
    /// What it is about.
    pub subject: &'a str,
    /// The text.
    pub message: &'a str,
    /// Also by e-mail (when an SMTP server is configured): the reminders wait for the
    /// mail job, which sends those whose person has an address.
    pub by_email: bool,
}

/// Sends a reminder to each person; refused (nothing written) if one is outside the unit's
/// subtree. Returns how many were sent.
pub async fn send<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    batch: &NewReminders<'_>,
    people: &[PersonId],
) -> Result<usize, StoreError> {
    let message = lantoa_domain::text::clean(batch.message);
    if message.is_empty() {
        return Err(StoreError::invalid("message", "Chưa có nội dung nhắc nhở"));
    }
    if people.is_empty() {
        return Err(StoreError::invalid("people", "Chưa chọn người nào để nhắc"));
    }
    let mut people = people.to_vec();
    people.sort_by_key(|p| p.0);
    people.dedup();
    #[derive(FromQueryResult)]
    struct Found {
        path: String,
    }
    let found: Vec<Found> = sql::all_in(
        conn,
        "SELECT o.path FROM people p JOIN orgs o ON o.id = p.org_id WHERE p.id IN ({list})",
        people.iter().map(|p| Value::from(p.0)).collect(),
    )
    .await?;
    let within = batch.unit.subtree();
    if found.len() != people.len() || found.iter().any(|f| !within.contains(&f.path)) {
        return Err(StoreError::invalid(
            "people",
            format!("Chỉ nhắc được người thuộc {}", batch.unit.name),
        ));
    }
    let txn = conn.begin_write().await?;
    let backend = txn.get_database_backend();
    let now = Utc::now();
    const PER_ROW: usize = 9;
    for chunk in people.chunks(1000) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * PER_ROW);
        let mut tuples = Vec::with_capacity(chunk.len());
        for person in chunk {
            tuples.push(format!(
                "({})",
                sql::placeholders(backend, values.len() + 1, PER_ROW)
            ));
            values.extend([
                person.0.into(),
                batch.unit.id.0.into(),
                batch.year_id.into(),
                batch.subject.into(),
                message.clone().into(),
                actor.account_id.into(),
                batch.by_email.into(),
                now.into(),
                now.into(),
            ]);
        }
        sql::exec(
            &txn,
            &format!(
                "INSERT INTO reminders (person_id, org_id, year_id, subject, message, sent_by, email_pending, created_at, updated_at) VALUES {}",
                tuples.join(", ")
            ),
            values,
        )
        .await?;
    }
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::ReminderSend,
            "org",
            batch.unit.id.0,
            Some(batch.unit.id),
            serde_json::json!({
                "subject": batch.subject,
                "people": people.len(),
                "message": message,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(people.len())
}

/// A person's reminders, newest first (the unseen ones, or the last 20 of all).
pub async fn for_person<C: ConnectionTrait>(
    conn: &C,
    person: PersonId,
    unseen_only: bool,
) -> Result<Vec<Reminder>, StoreError> {
    let filter = if unseen_only {
        " AND r.seen_at IS NULL"
    } else {
        ""
    };
    Ok(sql::all(
        conn,
        &format!(
            "SELECT r.id, r.subject, r.message, o.name AS org_name, COALESCE(sp.full_name, a.username) AS sender, \
             r.created_at, r.seen_at FROM reminders r JOIN orgs o ON o.id = r.org_id \
             LEFT JOIN accounts a ON a.id = r.sent_by LEFT JOIN people sp ON sp.id = a.person_id \
             WHERE r.person_id = $1{filter} ORDER BY r.created_at DESC, r.id DESC LIMIT 20"
        ),
        vec![person.0.into()],
    )
    .await?)
}

/// Marks a person's reminder seen (only their own).
pub async fn mark_seen<C: ConnectionTrait>(
    conn: &C,
    person: PersonId,
    id: i64,
) -> Result<(), StoreError> {
    let changed = sql::exec(
        conn,
        "UPDATE reminders SET seen_at = $3, updated_at = $3 WHERE id = $1 AND person_id = $2 AND seen_at IS NULL",
        vec![id.into(), person.0.into(), Utc::now().into()],
    )
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A reminder waiting to be e-mailed, with its person's address (if any).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct PendingEmail {
    /// Reminder id.
    pub id: i64,
    /// The person's name.
    pub full_name: String,
    /// Their address.
    pub email: Option<String>,
    /// The text.
    pub message: String,
    /// The unit that sent it.
    pub org_name: String,
}

/// Up to `limit` reminders waiting to be e-mailed, oldest first: one query.
pub async fn pending_emails<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<PendingEmail>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT r.id, p.full_name, p.email, r.message, o.name AS org_name FROM reminders r \
         JOIN people p ON p.id = r.person_id JOIN orgs o ON o.id = r.org_id \
         WHERE r.email_pending = $1 ORDER BY r.id LIMIT $2",
        vec![true.into(), (limit as i64).into()],
    )
    .await?)
}

/// Records how e-mailing a reminder went: sent now, or the reason it was not.
pub async fn mark_emailed<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    outcome: Result<(), String>,
) -> Result<(), StoreError> {
    let now = Utc::now();
    let (sent_at, error) = match outcome {
        Ok(()) => (Some(now), None),
        Err(reason) => (None, Some(reason)),
    };
    sql::exec(
        conn,
        "UPDATE reminders SET email_pending = $2, emailed_at = $3, email_error = $4, updated_at = $5 WHERE id = $1",
        vec![id.into(), false.into(), sent_at.into(), error.into(), now.into()],
    )
    .await?;
    Ok(())
}
