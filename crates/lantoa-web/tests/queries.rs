//! Every list and figure page runs a fixed number of SQL statements whatever the number of
//! rows: each page without a record in its path is read, the city grows by new units full
//! of members, and each page is read again and must run exactly as many statements as
//! before. A query per row or per child unit (N+1) shows here as a difference. On both
//! databases. The first read, which also counts the dashboards' roll-ups for the first
//! time, is not compared.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use lantoa_domain::org::{OrgDraft, OrgKind, Sector};
use lantoa_store::audit::Actor;
use lantoa_store::synth::{PeopleMaker, Population};

/// New cells under `parent`, each with `members` party members: one transaction.
async fn grow(admin: &TestApp, parent: &str, cells: usize, members: usize, seed: u64) {
    let db = admin.state.store.db();
    let parent = lantoa_store::org::get_by_code(db, parent)
        .await
        .unwrap()
        .unwrap();
    let mut maker = PeopleMaker::new(seed, lantoa_web::today());
    let mut people = Vec::new();
    for i in 0..cells {
        let draft = OrgDraft {
            code: format!("{}-N{seed}-{i}", parent.code),
            name: format!("Chi bộ mới {seed}-{i}"),
            kind: OrgKind::Cell,
            sector: Sector::WardCommune,
        };
        let id = lantoa_store::org::create(db, &Actor::cli(), &draft, Some(parent.id))
            .await
            .unwrap();
        for _ in 0..members {
            people.push(lantoa_store::people::NewPerson {
                org_id: id,
                draft: maker.person(Population::ResidentMembers, &draft.code, None, false),
            });
        }
    }
    use sea_orm::TransactionTrait;
    let txn = db.begin().await.unwrap();
    lantoa_store::people::insert_many(&txn, &people)
        .await
        .unwrap();
    txn.commit().await.unwrap();
}

/// The statements each page without a record in its path runs, for a city-wide reader.
async fn statements_of_pages(admin: &TestApp, city: i64) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for path in lantoa_web::route_paths(&admin.state) {
        if path.contains('{') || path.starts_with("/dang-") || path == "/quan-ly/dang-xuat" {
            continue;
        }
        let uri = format!("{path}?org={city}");
        let (reply, statements) = admin.get_counting(&uri).await;
        // Pages that need more than a unit (a form's record, a file) answer otherwise.
        if reply.status == StatusCode::OK {
            out.push((uri, statements));
        }
    }
    out
}

#[tokio::test]
async fn list_and_figure_pages_run_a_fixed_number_of_statements() {
    for admin in TestApp::each().await {
        let city = admin.org_id("TU-MYTHO").await;
        // Once, so that what a first read sets up (the session's touch) is not counted.
        statements_of_pages(&admin, city).await;
        let before = statements_of_pages(&admin, city).await;
        assert!(before.len() > 40, "{}: {before:?}", admin.backend);

        grow(&admin, "TU-MYTHO", 6, 30, 9_001).await;
        grow(&admin, "DB-P5", 6, 30, 9_002).await;
        // The roll-ups of the new units are counted once, before the pages read them; what
        // that costs grows with the change, not with the page (tests/rollups.rs).
        lantoa_store::rollups::refresh(admin.state.store.db())
            .await
            .unwrap();
        let after = statements_of_pages(&admin, city).await;

        let changed: Vec<String> = before
            .iter()
            .filter_map(|(uri, n)| {
                let m = after.iter().find(|(u, _)| u == uri).map(|(_, m)| *m)?;
                (m != *n).then(|| format!("{uri}: {n} → {m}"))
            })
            .collect();
        assert!(
            changed.is_empty(),
            "{}: pages whose statements grew with the rows:\n{}",
            admin.backend,
            changed.join("\n")
        );
        assert_eq!(before.len(), after.len(), "{}", admin.backend);
    }
}

/// After a change, a dashboard counts the changed units again for every figure kept: one
/// own count per figure (a statement or two) and a few statements for all of them
/// together. Counting each figure on its own (its own rows, then each level above) cost
/// about ten statements per figure, some four hundred after a single save once a few
/// years' dashboards were kept (here 18 more figures cost 26 more statements).
#[tokio::test]
async fn a_change_is_counted_again_for_all_kept_figures_together() {
    for admin in TestApp::each().await {
        let city = admin.org_id("TU-MYTHO").await;
        let dashboard = |ky: &str| format!("/quan-ly/tong-quan?org={city}&ky={ky}");
        let kept = "SELECT CAST(COUNT(*) AS BIGINT) AS value FROM rollup_keys";
        // This year's figures (and last year's, compared) are counted and kept.
        assert_eq!(admin.get(&dashboard("2025")).await.status, StatusCode::OK);
        grow(&admin, "DB-P5", 1, 5, 9_101).await;
        let (reply, after_a_change) = admin.get_counting(&dashboard("2025")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", admin.backend);
        let keys = admin.scalar(kept).await;
        // The first six months' are kept too: more figures to count a change again for.
        assert_eq!(
            admin.get(&dashboard("2025-6t")).await.status,
            StatusCode::OK
        );
        let more = admin.scalar(kept).await - keys;
        assert!(more >= 10, "{}: {more} more figures", admin.backend);
        grow(&admin, "DB-P5", 1, 5, 9_102).await;
        let (reply, after_another) = admin.get_counting(&dashboard("2025")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", admin.backend);
        let extra = after_another as i64 - after_a_change as i64;
        assert!(
            extra < 2 * more,
            "{}: {extra} more statements for {more} more figures",
            admin.backend
        );
        admin.assert_counters_exact(keys as usize).await;
    }
}
