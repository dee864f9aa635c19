//! Bulk loading of many generated rows into one table: PostgreSQL's `COPY … FROM STDIN`
//! (text format, sent in large blocks), SQLite's multi-row prepared inserts in one
//! transaction. Used where rows come by the hundred thousand (`lantoa generate --scale`);
//! ordinary writes go through the areas' own functions.

use crate::StoreError;
use crate::Writer as _;
use crate::sql;
use sea_orm::{DatabaseConnection, DbBackend, DbErr, Value};
use std::fmt::Write;

/// Writes `rows` (each with one value per column, in order) into `table` and returns how
/// many were written. The rows may carry their own ids: the caller then moves the table's
/// id sequence past them with [`advance_ids`].
pub async fn load(
    db: &DatabaseConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<u64, StoreError> {
    if rows.is_empty() {
        return Ok(0);
    }
    match db.get_database_backend() {
        DbBackend::Postgres => copy_in(db, table, columns, rows).await,
        _ => {
            let txn = db.begin_write().await?;
            let head = format!("INSERT INTO {table} ({}) VALUES", columns.join(", "));
            sql::insert_rows(&txn, &head, rows.to_vec()).await?;
            txn.commit().await?;
            Ok(rows.len() as u64)
        }
    }
}

/// The next id `table` would give without one: the rows a caller numbers itself start here.
pub async fn next_id(db: &DatabaseConnection, table: &str) -> Result<i64, StoreError> {
    Ok(sql::scalar(
        db,
        &format!("SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) AS value FROM {table}"),
        vec![],
    )
    .await?)
}

/// After rows were written with their own ids: PostgreSQL's sequence of `table` moves past
/// the largest (SQLite's AUTOINCREMENT follows the largest id by itself).
pub async fn advance_ids(db: &DatabaseConnection, table: &str) -> Result<(), StoreError> {
    if db.get_database_backend() == DbBackend::Postgres {
        sql::exec(
            db,
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            ),
            vec![],
        )
        .await?;
    }
    Ok(())
}

/// Drops the named indexes and returns the statements that create them again. A bulk load
/// drops the indexes whose keys arrive in random order (names, card numbers, phones): each
/// batch would touch most of their pages, so the load would slow down as they grow.
pub async fn drop_indexes(
    db: &DatabaseConnection,
    names: &[&str],
) -> Result<Vec<String>, StoreError> {
    #[derive(sea_orm::FromQueryResult)]
    struct Definition {
        definition: String,
    }
    let query = match db.get_database_backend() {
        DbBackend::Postgres => "SELECT indexdef AS definition FROM pg_indexes WHERE indexname = $1",
        _ => "SELECT sql AS definition FROM sqlite_master WHERE type = 'index' AND name = $1",
    };
    let mut creates = Vec::new();
    for name in names {
        if let Some(found) = sql::one::<Definition, _>(db, query, vec![(*name).into()]).await? {
            sql::exec(db, &format!("DROP INDEX {name}"), vec![]).await?;
            creates.push(found.definition);
        }
    }
    Ok(creates)
}

/// Creates indexes again from the statements [`drop_indexes`] returned.
pub async fn create_indexes(db: &DatabaseConnection, creates: &[String]) -> Result<(), StoreError> {
    for create in creates {
        sql::exec(db, create, vec![]).await?;
    }
    Ok(())
}

async fn copy_in(
    db: &DatabaseConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<u64, StoreError> {
    use sea_orm::sqlx::postgres::PgPoolCopyExt;
    let failed =
        |e: sea_orm::sqlx::Error| StoreError::Db(DbErr::Custom(format!("COPY {table}: {e}")));
    let pool = db.get_postgres_connection_pool();
    let mut copy = pool
        .copy_in_raw(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))
        .await
        .map_err(failed)?;
    let mut block = String::with_capacity(1 << 20);
    for row in rows {
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                block.push('\t');
            }
            copy_text(value, &mut block).map_err(StoreError::Db)?;
        }
        block.push('\n');
        if block.len() >= 1 << 20 {
            copy.send(block.as_bytes()).await.map_err(failed)?;
            block.clear();
        }
    }
    if !block.is_empty() {
        copy.send(block.as_bytes()).await.map_err(failed)?;
    }
    copy.finish().await.map_err(failed)
}

/// One value in COPY's text format: `\N` for NULL; backslash, tab, newline and carriage
/// return escaped.
fn copy_text(value: &Value, out: &mut String) -> Result<(), DbErr> {
    fn text(s: &str, out: &mut String) {
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
    }
    let written = match value {
        Value::Bool(Some(b)) => out.write_str(if *b { "t" } else { "f" }),
        Value::SmallInt(Some(n)) => write!(out, "{n}"),
        Value::Int(Some(n)) => write!(out, "{n}"),
        Value::BigInt(Some(n)) => write!(out, "{n}"),
        Value::String(Some(s)) => {
            text(s, out);
            Ok(())
        }
        Value::ChronoDate(Some(d)) => write!(out, "{}", d.format("%Y-%m-%d")),
        Value::ChronoDateTime(Some(t)) => write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.f")),
        Value::ChronoDateTimeUtc(Some(t)) => write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.f+00")),
        Value::Bool(None)
        | Value::SmallInt(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::String(None)
        | Value::ChronoDate(None)
        | Value::ChronoDateTime(None)
        | Value::ChronoDateTimeUtc(None) => out.write_str("\\N"),
        other => return Err(DbErr::Custom(format!("COPY cannot write {other:?}"))),
    };
    written.map_err(|e| DbErr::Custom(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_and_writes_null() {
        let mut out = String::new();
        for value in [
            Value::from("a\tb\\c\nd"),
            Value::String(None),
            Value::from(42_i64),
            Value::from(true),
            Value::from(chrono::NaiveDate::from_ymd_opt(2026, 3, 5)),
        ] {
            copy_text(&value, &mut out).unwrap();
            out.push('|');
        }
        assert_eq!(out, "a\\tb\\\\c\\nd|\\N|42|t|2026-03-05|");
    }
}
