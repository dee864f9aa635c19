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

/// Inserts rows of values in multi-row statements: `head` is the statement up to and
/// including `VALUES`, every row has the same number of values.
pub(crate) async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    head: &str,
    rows: Vec<Vec<Value>>,
) -> Result<(), DbErr> {
    let Some(per_row) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    let backend = conn.get_database_backend();
    for chunk in rows.chunks((MAX_BIND / per_row.max(1)).min(1000)) {
        let mut values = Vec::with_capacity(chunk.len() * per_row);
        let mut tuples = Vec::with_capacity(chunk.len());
        for row in chunk {
            tuples.push(format!(
                "({})",
                placeholders(backend, values.len() + 1, per_row)
            ));
            values.extend(row.iter().cloned());
        }
        exec(conn, &format!("{head} {}", tuples.join(", ")), values).await?;
    }
    Ok(())
}

/// Largest number of values bound in one statement (SQLite allows 32 766, PostgreSQL 65 535).
pub(crate) const MAX_BIND: usize = 30_000;

/// The WHERE clause of a filtered list, built clause by clause with numbered placeholders.
#[derive(Clone)]
pub(crate) struct Where {
    clauses: Vec<String>,
    pub(crate) values: Vec<Value>,
}

impl Where {
    pub(crate) fn new() -> Self {
        Self {
            clauses: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Adds a clause whose `?` placeholders take the given values, numbered in order.
    pub(crate) fn push(&mut self, clause: &str, values: Vec<Value>) {
        let mut out = String::with_capacity(clause.len() + 4);
        let mut values = values.into_iter();
        for ch in clause.chars() {
            if ch == '?' {
                self.values.push(values.next().unwrap_or(Value::Int(None)));
                out.push_str(&format!("${}", self.values.len()));
            } else {
                out.push(ch);
            }
        }
        self.clauses.push(out);
    }

    /// Rows of year `year_id` (column `year_column`) whose unit `o` lies in a subtree.
    pub(crate) fn year_in_subtree(
        &mut self,
        year_column: &str,
        year_id: i64,
        within: &crate::org::Subtree,
    ) {
        self.push(
            &format!("{year_column} = ? AND o.path >= ? AND o.path < ?"),
            vec![
                year_id.into(),
                within.from.clone().into(),
                within.to.clone().into(),
            ],
        );
    }

    /// Binds a list of values used outside the clauses (an `IN (…)`) and returns their
    /// placeholders.
    pub(crate) fn bind_list(&mut self, values: Vec<Value>) -> String {
        values
            .into_iter()
            .map(|v| self.bind(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Binds a value used outside the clauses (in a join, a select list) and returns its
    /// placeholder.
    pub(crate) fn bind(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// Whether no clause was pushed.
    pub(crate) fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// " WHERE a AND b", or nothing.
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// One page of a filtered list: the count over `from`, then the rows of `select` (which
/// ends with the same FROM) in `order`. Two queries.
pub(crate) async fn page<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    select: &str,
    from: &str,
    filter: &Where,
    order: &str,
    page: u64,
    per_page: u64,
) -> Result<crate::Page<T>, DbErr> {
    let total = scalar(
        conn,
        &format!("SELECT COUNT(*) AS value {from}{}", filter.sql()),
        filter.values.clone(),
    )
    .await?;
    page_of(conn, select, filter, order, (total, false), page, per_page).await
}

/// [`page`] for lists that may hold millions of rows: counting stops after
/// [`crate::COUNT_CAP`] rows, so a page of the nation's people costs what a page of a
/// province's does. With `after` (a clause choosing the rows after the previous page's
/// last one: a keyset link), the page's rows are read from there instead of skipping every
/// earlier page's rows, so that page 150 costs what page 2 does. Two queries.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn capped_page<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    select: &str,
    from: &str,
    filter: &Where,
    after: Option<(&str, Vec<Value>)>,
    order: &str,
    page: u64,
    per_page: u64,
) -> Result<crate::Page<T>, DbErr> {
    let count = capped_count(
        conn,
        &format!("SELECT 1 {from}{}", filter.sql()),
        filter.values.clone(),
        crate::COUNT_CAP,
    )
    .await?;
    let Some((clause, values)) = after else {
        return page_of(conn, select, filter, order, count, page, per_page).await;
    };
    let mut rest = filter.clone();
    rest.push(clause, values);
    Ok(crate::Page {
        items: rows(conn, select, &rest, order, per_page, 0).await?,
        total: count.0,
        capped: count.1,
        page: page.max(1),
        per_page,
    })
}

/// How many rows `rows` (a SELECT) gives, counting at most `cap` of them: the count, and
/// whether more rows are left.
pub(crate) async fn capped_count<C: ConnectionTrait>(
    conn: &C,
    rows: &str,
    mut values: Vec<Value>,
    cap: i64,
) -> Result<(i64, bool), DbErr> {
    values.push((cap + 1).into());
    let n = scalar(
        conn,
        &format!(
            "SELECT COUNT(*) AS value FROM ({rows} LIMIT ${}) counted",
            values.len()
        ),
        values,
    )
    .await?;
    Ok((n.min(cap), n > cap))
}

/// The page `page` of a list whose count is known (from the roll-ups, or capped): one query.
pub(crate) async fn page_of<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    select: &str,
    filter: &Where,
    order: &str,
    (total, capped): (i64, bool),
    page: u64,
    per_page: u64,
) -> Result<crate::Page<T>, DbErr> {
    let page = page.max(1);
    let items = rows(conn, select, filter, order, per_page, (page - 1) * per_page).await?;
    Ok(crate::Page {
        items,
        total,
        capped,
        page,
        per_page,
    })
}

/// `limit` rows of a filtered list in order, from `offset`, without counting them all: what
/// a page of a list shows, and all that a page showing only the newest few needs.
pub(crate) async fn rows<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    select: &str,
    filter: &Where,
    order: &str,
    limit: u64,
    offset: u64,
) -> Result<Vec<T>, DbErr> {
    let mut values = filter.values.clone();
    let n = values.len();
    values.push((limit as i64).into());
    values.push((offset as i64).into());
    all(
        conn,
        &format!(
            "{select}{} ORDER BY {order} LIMIT ${} OFFSET ${}",
            filter.sql(),
            n + 1,
            n + 2
        ),
        values,
    )
    .await
}

/// Makes the rows of a link table (`owner_column`, `other_column`) for one owner exactly
/// `others`: deletes the owner's rows, then inserts one per id. Run it in the change's
/// transaction. Table and column names are ours, never user input.
pub(crate) async fn set_links<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    (owner_column, owner): (&str, i64),
    other_column: &str,
    others: &[i64],
) -> Result<(), DbErr> {
    exec(
        conn,
        &format!("DELETE FROM {table} WHERE {owner_column} = $1"),
        vec![owner.into()],
    )
    .await?;
    let now = chrono::Utc::now();
    for other in others {
        exec(
            conn,
            &format!(
                "INSERT INTO {table} ({owner_column}, {other_column}, created_at, updated_at) VALUES ($1, $2, $3, $3)"
            ),
            vec![owner.into(), (*other).into(), now.into()],
        )
        .await?;
    }
    Ok(())
}
