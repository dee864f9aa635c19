//! Persistence of Lan Tỏa on SQLite (the default, one file) or PostgreSQL (to scale out).
//!
//! One connection type is chosen from the URL at run time and every query is written once in
//! portable SQL with `$1` placeholders, which both backends accept. One module per area holds
//! that area's queries; [`migration`] holds the single schema history of both backends.

pub mod accounts;
pub mod audit;
pub mod award;
pub mod backup;
pub mod bulk;
pub mod campaign;
pub mod commendations;
pub mod coverage;
pub mod demo;
pub mod error;
pub mod exemplars;
pub mod files;
pub mod imports;
pub mod inspections;
pub mod jobs;
pub mod judging;
pub mod migration;
pub mod models;
pub mod org;
pub mod people;
pub mod plans;
pub mod propaganda;
pub mod proposals;
pub mod ratings;
pub mod reminders;
pub mod report;
pub mod rollups;
pub mod scale;
pub mod secret;
pub mod sessions;
pub mod settings;
mod sql;
pub mod study;
pub mod synth;
pub mod tasks;
pub mod teaching;

pub use error::StoreError;
pub use sea_orm::{DatabaseConnection, DatabaseTransaction, DbBackend, TransactionTrait};

use sea_orm::{ConnectOptions, ConnectionTrait, Database};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// A connection or a transaction that changes can be written on: each change opens its own
/// transaction on it with [`Writer::begin_write`] (a savepoint inside an outer transaction)
/// so that the change and its audit row commit or roll back together.
pub trait Writer:
    sea_orm::ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>
{
    /// Opens a transaction that will write. On SQLite it takes the write lock at `BEGIN`
    /// (`BEGIN IMMEDIATE`): a transaction that read first and wrote after another
    /// connection's write would fail at once with "database is locked" instead of waiting
    /// its turn, as two staff saving at the same moment would see.
    fn begin_write(
        &self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<DatabaseTransaction, sea_orm::DbErr>>
                + Send
                + '_,
        >,
    > {
        Box::pin(async move {
            let _waiting = WaitingWriter::new();
            self.begin_with_options(sea_orm::TransactionOptions {
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
        })
    }
}

/// This process's writers waiting for their transaction to begin. A long job working in
/// short steps (a figure's first count) lets them go before its next step: SQLite's
/// waiting writers poll for its one write lock at growing intervals, and would otherwise
/// find it taken by the job's next step again and again.
static WAITING_WRITERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// One writer waiting, for as long as it lives (a request given up while waiting too).
struct WaitingWriter;

impl WaitingWriter {
    fn new() -> Self {
        WAITING_WRITERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        WaitingWriter
    }
}

impl Drop for WaitingWriter {
    fn drop(&mut self) {
        WAITING_WRITERS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Waits until no writer of this process waits for its transaction to begin, a second at
/// most: what a job working in steps does between two steps.
pub(crate) async fn let_writers_first() {
    let until = std::time::Instant::now() + Duration::from_secs(1);
    while WAITING_WRITERS.load(std::sync::atomic::Ordering::SeqCst) > 0
        && std::time::Instant::now() < until
    {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

impl<T: sea_orm::ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>> Writer
    for T
{
}

/// Where lists that may hold millions of rows (people of the nation) stop counting: past it
/// a page says "more than 10 000" instead of reading every matching row to count them.
pub const COUNT_CAP: i64 = 10_000;

/// How many people a name search finds at most, to sort by name and page through (as
/// large search sites do): past it the page says "more than 1 000" and asks for more of
/// the name or a smaller unit.
pub const NAME_MATCHES: i64 = 1_000;

/// One page of a list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows matching in all pages; with `capped`, the rows counted before counting stopped.
    pub total: i64,
    /// Counting stopped at `total` ([`COUNT_CAP`], [`NAME_MATCHES`]): more rows match, and
    /// only the pages up to it are reachable.
    pub capped: bool,
    /// This page, from 1.
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
}

impl<T> Page<T> {
    /// The same page with each row converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            capped: self.capped,
            page: self.page,
            per_page: self.per_page,
        }
    }

    /// Number of pages (at least 1).
    pub fn pages(&self) -> u64 {
        (self.total.max(0) as u64)
            .div_ceil(self.per_page.max(1))
            .max(1)
    }
}

/// The default database: a SQLite file next to where the server runs.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./lantoa-data/lantoa.db";

/// Where files go when the database is not a SQLite file (PostgreSQL, in memory).
pub const DEFAULT_FILES_DIR: &str = "./lantoa-data/files";

/// How many SQL statements a store has run since it started counting (see
/// [`Store::counting_statements`]).
#[derive(Debug, Clone, Default)]
pub struct StatementCount(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl StatementCount {
    /// Statements run so far.
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A handle on the database and the files directory, cheap to clone and share between
/// requests.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    files: files::Files,
    replica: Option<DatabaseConnection>,
}

impl Store {
    /// Connects to a `sqlite://` or `postgres://` URL. A SQLite file and its folder are
    /// created when missing. Files go to `files/` beside a SQLite file, else to
    /// [`DEFAULT_FILES_DIR`]; [`Store::with_files`] chooses another place.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let files = files::Files::at(default_files_dir(url));
        let url = prepare_url(url)?;
        let mut options = ConnectOptions::new(url.clone());
        options
            .max_connections(if url.starts_with("sqlite:") { 8 } else { 16 })
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        let db = Database::connect(options).await?;
        if db.get_database_backend() == DbBackend::Sqlite {
            // WAL lets pages read while an import writes; the setting lives in the file.
            db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
        }
        Ok(Self {
            db,
            files,
            replica: None,
        })
    }

    /// The same store reading the dashboards' figures from a read replica at `url` when
    /// it has caught up (`report::figures_preferring_replica`): a PostgreSQL hot standby
    /// of the database. Its connections are read-only whatever the server allows; a SQLite
    /// URL opens the same file read-only, which is how the tests run it on both databases.
    pub async fn with_replica(self, url: &str) -> Result<Self, StoreError> {
        let url = replica_url(url);
        let mut options = ConnectOptions::new(url);
        options
            .max_connections(16)
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        let replica = Database::connect(options).await?;
        Ok(Self {
            replica: Some(replica),
            ..self
        })
    }

    /// The read replica's connection, when the store has one.
    pub fn replica(&self) -> Option<&DatabaseConnection> {
        self.replica.as_ref()
    }

    /// The same store with its files in `files`.
    pub fn with_files(self, files: files::Files) -> Self {
        Self { files, ..self }
    }

    /// Where file contents live.
    pub fn files(&self) -> &files::Files {
        &self.files
    }

    /// The connection, for queries and transactions.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Counts every SQL statement the store runs from now on, in transactions too: how the
    /// tests prove that a page runs a fixed number of queries whatever the number of rows.
    pub fn counting_statements(mut self) -> (Self, StatementCount) {
        let count = StatementCount::default();
        for conn in self.connections() {
            let counter = count.0.clone();
            conn.set_metric_callback(move |_| {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            });
        }
        (self, count)
    }

    /// Logs (as a `tracing` warning) every statement that takes at least `threshold`, with
    /// its SQL: how an operator finds what makes a page slow (`LANTOA_SLOW_SQL_MS`).
    pub fn logging_slow_statements(mut self, threshold: Duration) -> Self {
        for conn in self.connections() {
            conn.set_metric_callback(move |info| {
                if info.elapsed >= threshold {
                    tracing::warn!(
                        elapsed_ms = info.elapsed.as_secs_f64() * 1000.0,
                        sql = %info.statement.sql,
                        "slow statement"
                    );
                }
            });
        }
        self
    }

    /// The primary's connection and the replica's, if any.
    fn connections(&mut self) -> impl Iterator<Item = &mut DatabaseConnection> {
        std::iter::once(&mut self.db).chain(self.replica.as_mut())
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migration::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Names of the applied migrations, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        let applied = migration::Migrator::get_applied_migrations(&self.db).await?;
        Ok(applied.iter().map(|m| m.name().to_owned()).collect())
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    /// Whether the database holds no unit yet (the demo loads only into such a database).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(org::count(&self.db).await? == 0)
    }
}

/// The file a SQLite URL names, or `None` for PostgreSQL or an in-memory database.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

/// `files/` beside a SQLite database file, else [`DEFAULT_FILES_DIR`].
pub fn default_files_dir(url: &str) -> std::path::PathBuf {
    match sqlite_path(url)
        .as_deref()
        .and_then(std::path::Path::parent)
    {
        Some(dir) => dir.join("files"),
        None => std::path::PathBuf::from(DEFAULT_FILES_DIR),
    }
}

/// Makes a SQLite URL create its file (and folder) when missing.
fn prepare_url(url: &str) -> Result<String, StoreError> {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(postgres_url(url));
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Config(format!("không tạo được thư mục {}: {e}", dir.display()))
        })?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// A replica's URL, read-only: PostgreSQL's transactions default to read-only (as a hot
/// standby's are), a SQLite file opens with `mode=ro`.
fn replica_url(url: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    if url.starts_with("sqlite:") {
        return format!("{url}{separator}mode=ro");
    }
    if url.contains("options=") {
        return url.to_owned();
    }
    format!("{url}{separator}options=-c%20jit%3Doff%20-c%20default_transaction_read_only%3Don")
}

/// PostgreSQL without JIT compilation unless the URL sets `options`: our queries are short,
/// and the planner's estimate of a grouped coverage query made PostgreSQL spend 48 ms
/// compiling it to run it in 10.
fn postgres_url(url: &str) -> String {
    if !url.starts_with("postgres") || url.contains("options=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20jit%3Doff")
}
