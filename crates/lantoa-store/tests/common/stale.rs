//! PostgreSQL test databases left by test processes that have ended (a test killed before
//! it could clean up, a run interrupted): each name carries its process id
//! (`lantoa_test_{pid}_…`, `lantoa_web_{pid}_…`), and those whose process is gone are
//! dropped once per test process, so that a developer's server does not fill up.

use sea_orm::{ConnectionTrait, Statement};
use std::sync::atomic::{AtomicBool, Ordering};

static DONE: AtomicBool = AtomicBool::new(false);

/// Drops the test databases of ended processes, through `admin`; failures are ignored (a
/// database another process drops at the same moment).
pub async fn drop_stale_databases(admin: &lantoa_store::Store) {
    // Without /proc there is no telling whether a process runs: keep everything.
    if DONE.swap(true, Ordering::SeqCst) || !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let db = admin.db();
    let Ok(rows) = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT datname FROM pg_database \
             WHERE datname LIKE 'lantoa\\_test\\_%' OR datname LIKE 'lantoa\\_web\\_%'",
        ))
        .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let pid = name.split('_').nth(2).unwrap_or_default();
        let ended = !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && !std::path::Path::new(&format!("/proc/{pid}")).exists();
        if ended {
            let _ = db
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}
