//! Test databases: every store test runs on a fresh SQLite file, and on a fresh PostgreSQL
//! database when `LANTOA_TEST_POSTGRES_URL` is set. When it is set and the server cannot be
//! reached, the test fails instead of skipping.

#![allow(dead_code)]

use lantoa_store::Store;
use std::sync::atomic::{AtomicU64, Ordering};

mod stale;

/// A fresh, migrated database; the SQLite folder lives as long as this value.
pub struct TestDb {
    pub store: Store,
    pub name: &'static str,
    /// Where it is, for a second connection (a read replica's, in a test).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = Store::connect(&url).await.expect("SQLite opens");
    store.migrate().await.expect("SQLite migrates");
    TestDb {
        store,
        name: "sqlite",
        url,
        _dir: Some(dir),
    }
}

async fn postgres(admin_url: &str) -> TestDb {
    use sea_orm::ConnectionTrait;
    let admin = Store::connect(admin_url).await.unwrap_or_else(|e| {
        panic!("LANTOA_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached: {e}")
    });
    stale::drop_stale_databases(&admin).await;
    let name = format!(
        "lantoa_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    admin
        .db()
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    let url = format!("{base}/{name}");
    let store = Store::connect(&url)
        .await
        .expect("PostgreSQL test database opens");
    store.migrate().await.expect("PostgreSQL migrates");
    TestDb {
        store,
        name: "postgres",
        url,
        _dir: None,
    }
}

/// The databases to run a test on: SQLite always, PostgreSQL when configured.
pub async fn databases() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    if let Ok(url) = std::env::var("LANTOA_TEST_POSTGRES_URL")
        && !url.is_empty()
    {
        dbs.push(postgres(&url).await);
    }
    dbs
}

/// Where a read replica of `db` is: on PostgreSQL the same database on the streaming
/// standby named by `LANTOA_TEST_POSTGRES_REPLICA_URL` (`.ci/run` starts one), waiting
/// until the standby has it; else a second, read-only connection to the same database.
pub async fn replica_url(db: &TestDb) -> String {
    let standby = std::env::var("LANTOA_TEST_POSTGRES_REPLICA_URL").unwrap_or_default();
    if db.name != "postgres" || standby.is_empty() {
        return db.url.clone();
    }
    let name = db.url.rsplit('/').next().unwrap_or_default();
    let base = standby
        .rsplit_once('/')
        .map_or(standby.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    for _ in 0..100 {
        if Store::connect(&url).await.is_ok() {
            return url;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the standby at {standby} does not have {name} after 10 s");
}

pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

/// A second database beside `db`, empty and not migrated, on the same backend: where a
/// test restores a backup. PostgreSQL's is named like the test databases, so the clean-up
/// of stale databases drops it if the test dies.
pub async fn empty_database_beside(db: &TestDb) -> String {
    use sea_orm::ConnectionTrait;
    let (base, name) = db.url.rsplit_once('/').expect("a database URL");
    if db.name != "postgres" {
        return format!("{base}/restored.db");
    }
    let admin = Store::connect(&format!("{base}/postgres")).await.unwrap();
    let restored = format!("{name}_r");
    admin
        .db()
        .execute_unprepared(&format!("CREATE DATABASE {restored}"))
        .await
        .unwrap();
    format!("{base}/{restored}")
}
