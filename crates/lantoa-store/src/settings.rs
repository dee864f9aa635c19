//! Reading and changing the settings ([`lantoa_domain::settings`]): one query reads them
//! all, a change writes every setting in one transaction with one audit row of the
//! difference.

use crate::audit::{self, Actor, Change};
use crate::{StoreError, sql};
use chrono::Utc;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::settings::Settings;
use sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(FromQueryResult)]
struct Stored {
    name: String,
    value: String,
}

/// The settings in force: one query; defaults for anything never saved.
pub async fn load<C: ConnectionTrait>(conn: &C) -> Result<Settings, StoreError> {
    let rows: Vec<Stored> = sql::all(conn, "SELECT name, value FROM settings", vec![]).await?;
    Ok(Settings::from_stored(
        rows.iter().map(|r| (r.name.as_str(), r.value.as_str())),
    ))
}

fn as_json(settings: &Settings) -> serde_json::Value {
    serde_json::Value::Object(
        settings
            .to_stored()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
    )
}

/// Saves every setting, with an audit row of what changed.
pub async fn save<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    settings: &Settings,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let before = load(&txn).await?;
    let now = Utc::now();
    for (name, value) in settings.to_stored() {
        sql::exec(
            &txn,
            "INSERT INTO settings (name, value, updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
            vec![
                name.into(),
                value.to_string().into(),
                actor.account_id.into(),
                now.into(),
            ],
        )
        .await?;
    }
    let mut change = Change::updated(
        AuditAction::SettingsUpdate,
        "settings",
        0,
        None,
        &as_json(&before),
        &as_json(settings),
    );
    change.entity_id = None;
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(())
}

/// The server's key for signing public-form challenges, the same on every server sharing
/// the database: made on first use, kept as a setting no page shows.
pub async fn form_key<C: ConnectionTrait>(conn: &C) -> Result<String, StoreError> {
    const NAME: &str = "public_form_key";
    if let Some(key) = stored_value(conn, NAME).await? {
        return Ok(key);
    }
    let now = Utc::now();
    sql::exec(
        conn,
        "INSERT INTO settings (name, value, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT (name) DO NOTHING",
        vec![
            NAME.into(),
            serde_json::Value::from(crate::secret::new_token())
                .to_string()
                .into(),
            now.into(),
        ],
    )
    .await?;
    stored_value(conn, NAME).await?.ok_or(StoreError::NotFound)
}

async fn stored_value<C: ConnectionTrait>(
    conn: &C,
    name: &str,
) -> Result<Option<String>, StoreError> {
    let rows: Vec<Stored> = sql::all(
        conn,
        "SELECT name, value FROM settings WHERE name = $1",
        vec![name.into()],
    )
    .await?;
    Ok(rows.into_iter().next().map(|r| r.value))
}
