//! Small helpers to run portable SQL with `$1` placeholders on either backend.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, FromQueryResult, Statement, Value};

pub(crate) fn stmt<C: ConnectionTrait>(conn: &C, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(conn.get_database_backend(), sql, values)
}

pub(crate) async fn all<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<T>, DbErr> {
    T::find_by_statement(stmt(conn, sql, values))
        .all(conn)
        .await
}

pub(crate) async fn one<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<T>, DbErr> {
    T::find_by_statement(stmt(conn, sql, values))
        .one(conn)
        .await
}

pub(crate) async fn exec<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<ExecResult, DbErr> {
    conn.execute_raw(stmt(conn, sql, values)).await
}

/// Runs a query whose `IN ({list})` takes `values`, in chunks small enough for either
/// backend, and returns the rows of all chunks.
pub(crate) async fn all_in<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    query: &str,
    values: Vec<Value>,
) -> Result<Vec<T>, DbErr> {
    let mut out = Vec::with_capacity(values.len());
    for chunk in values.chunks(MAX_BIND) {
        let list = placeholders(conn.get_database_backend(), 1, chunk.len());
        out.extend(all::<T, C>(conn, &query.replace("{list}", &list), chunk.to_vec()).await?);
    }
    Ok(out)
}

/// A single integer (a count, an id).
#[derive(FromQueryResult)]
pub(crate) struct Scalar {
    pub value: i64,
}

pub(crate) async fn scalar<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<i64, DbErr> {
    Ok(one::<Scalar, C>(conn, sql, values)
        .await?
        .map(|s| s.value)
        .unwrap_or(0))
}

/// `count` placeholders for values bound in order, for statements whose every parameter is
/// written by this function (large `IN (…)` lists and multi-row inserts).
///
/// PostgreSQL gets `$first, $first+1, …`. SQLite gets anonymous `?`: SQLite looks a named
/// parameter up by a linear scan, so binding n named parameters costs n², which made a
/// 1 000-row insert take 0,4 s instead of a few milliseconds.
pub(crate) fn placeholders(backend: DbBackend, first: usize, count: usize) -> String {
    match backend {
        DbBackend::Sqlite => vec!["?"; count].join(", "),
        _ => (first..first + count)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Largest number of values bound in one statement (SQLite allows 32 766, PostgreSQL 65 535).
pub(crate) const MAX_BIND: usize = 30_000;
