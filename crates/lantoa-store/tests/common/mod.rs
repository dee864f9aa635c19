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
    let store = Store::connect(&format!("{base}/{name}"))
        .await
        .expect("PostgreSQL test database opens");
    store.migrate().await.expect("PostgreSQL migrates");
    TestDb {
        store,
        name: "postgres",
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

pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}
