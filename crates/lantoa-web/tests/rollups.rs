//! The dashboards read roll-ups (per-unit counts kept by triggers and refreshed before a
//! read), so they must follow every write at once and always equal a recount of the base
//! rows — on both databases, and with two servers writing and reading at once.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use lantoa_store::campaign::{CampaignYear, Until};
use lantoa_store::org::Org;
use lantoa_store::study::Session;
use sea_orm::ConnectionTrait;

/// Phường 5, its year 2024, the day its figures count, and one of its own 2024 sessions.
async fn ward_and_session(app: &TestApp) -> (Org, CampaignYear, chrono::NaiveDate, Session) {
    let (ward, year, session) = app.ward_session().await;
    let day = lantoa_domain::study::reference_day(2024, lantoa_web::today());
    (ward, year, day, session)
}

/// (eligible, studied) of the ward from its roll-ups, and from a count of its members.
async fn both_ways(
    app: &TestApp,
    ward: &Org,
    year: &CampaignYear,
    day: chrono::NaiveDate,
) -> ((i64, i64), (i64, i64)) {
    let db = app.state.store.db();
    let (rolled, _) =
        lantoa_store::study::coverage_with_children(db, ward.id, year, day, Until::WHOLE_YEAR)
            .await
            .unwrap();
    let counted = lantoa_store::study::coverage(db, &ward.subtree(), year, day)
        .await
        .unwrap();
    (
        (rolled.eligible, rolled.studied),
        (counted.eligible, counted.studied),
    )
}

#[tokio::test]
async fn the_dashboard_follows_each_write_and_equals_a_recount() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let (ward, year, day, session) = ward_and_session(&admin).await;
        let page = staff
            .get(&format!("/quan-ly/tong-quan?org={}&ky=2024", ward.id.0))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", admin.backend);
        let (before, counted) = both_ways(&admin, &ward, &year, day).await;
        assert_eq!(before, counted, "{}", admin.backend);
        assert!(
            before.1 > 0,
            "{}: the demo ward has studied members",
            admin.backend
        );

        // A member whose only presence in 2024 was this session is marked absent there:
        // one fewer studied, at once.
        let only_here = admin
            .scalar(&format!(
                "SELECT MIN(a.person_id) AS value FROM attendance a JOIN study_sessions s ON s.id = a.session_id \
                 WHERE s.year_id = {} AND a.status = 'co_mat' AND a.person_id IN ( \
                 SELECT a2.person_id FROM attendance a2 WHERE a2.session_id = {} AND a2.status = 'co_mat') \
                 AND a.person_id NOT IN (SELECT a3.person_id FROM attendance a3 JOIN study_sessions s3 ON s3.id = a3.session_id \
                 WHERE s3.year_id = {} AND a3.status = 'co_mat' AND a3.session_id <> {})",
                year.id, session.id, year.id, session.id
            ))
            .await;
        assert!(
            only_here > 0,
            "{}: a member who studied only once",
            admin.backend
        );
        let saved = staff
            .post_form(
                &format!("/quan-ly/hoc-tap/buoi/{}/diem-danh", session.id),
                &format!("m_{only_here}=vang"),
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let (after, counted) = both_ways(&admin, &ward, &year, day).await;
        assert_eq!(after, counted, "{}", admin.backend);
        assert_eq!(after, (before.0, before.1 - 1), "{}", admin.backend);

        // Marked present again, and a member leaving the party: back, then one fewer eligible.
        staff
            .post_form(
                &format!("/quan-ly/hoc-tap/buoi/{}/diem-danh", session.id),
                &format!("m_{only_here}=co_mat"),
            )
            .await;
        let db = admin.state.store.db();
        db.execute_unprepared(&format!(
            "UPDATE people SET member_status = 'mien_sinh_hoat' WHERE id = {only_here}"
        ))
        .await
        .unwrap();
        let (last, counted) = both_ways(&admin, &ward, &year, day).await;
        assert_eq!(last, counted, "{}", admin.backend);
        assert_eq!(last, (before.0 - 1, before.1 - 1), "{}", admin.backend);

        admin.assert_counters_exact(4).await;
    }
}

#[tokio::test]
async fn a_counter_that_differs_from_the_recount_is_reported() {
    for admin in TestApp::each().await {
        let page = admin.get("/quan-ly/tong-quan?ky=2024").await;
        assert_eq!(page.status, StatusCode::OK, "{}", admin.backend);
        admin.assert_counters_exact(4).await;
        let db = admin.state.store.db();
        let org = admin
            .scalar("SELECT MIN(org_id) AS value FROM rollups WHERE scope = 'tree' AND code = 'eligible'")
            .await;
        db.execute_unprepared(&format!(
            "UPDATE rollups SET n = n + 7 WHERE scope = 'tree' AND code = 'eligible' AND org_id = {org}"
        ))
        .await
        .unwrap();
        let (_, differences) = lantoa_store::rollups::check(db).await.unwrap();
        assert!(!differences.is_empty(), "{}", admin.backend);
        assert!(
            differences
                .iter()
                .all(|d| d.org_id == org && d.scope == "tree" && d.stored == d.counted + 7),
            "{}: {differences:?}",
            admin.backend
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_stay_exact_when_two_servers_write_and_read_at_once() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let elsewhere = staff.other_server().await;
        let (ward, year, day, session) = ward_and_session(&admin).await;
        let roster = lantoa_store::study::roster(admin.state.store.db(), &session, "")
            .await
            .unwrap();
        let people: Vec<i64> = roster.iter().take(40).map(|r| r.person_id).collect();
        let path = format!("/quan-ly/hoc-tap/buoi/{}/diem-danh", session.id);
        let dashboard = format!("/quan-ly/tong-quan?org={}&ky=2024", ward.id.0);
        // Each server saves marks over half of the roster and reads the dashboard, twelve
        // times, turning its half present and absent; the halves overlap by ten people.
        let mut runs = Vec::new();
        for (server, half) in [
            (staff.clone(), &people[..25]),
            (elsewhere.clone(), &people[15..]),
        ] {
            let (path, dashboard, half) = (path.clone(), dashboard.clone(), half.to_vec());
            runs.push(tokio::spawn(async move {
                let mut statuses = Vec::new();
                for round in 0..12 {
                    let status = if round % 2 == 0 { "co_mat" } else { "vang" };
                    let form: String = half
                        .iter()
                        .map(|p| format!("m_{p}={status}"))
                        .collect::<Vec<_>>()
                        .join("&");
                    statuses.push(server.post_form(&path, &form).await.status);
                    statuses.push(server.get(&dashboard).await.status);
                }
                statuses
            }));
        }
        for run in runs {
            let statuses = run.await.unwrap();
            assert!(
                statuses
                    .iter()
                    .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::OK),
                "{}: {statuses:?}",
                admin.backend
            );
        }
        let (rolled, counted) = both_ways(&admin, &ward, &year, day).await;
        assert_eq!(rolled, counted, "{}", admin.backend);
        admin.assert_counters_exact(4).await;
    }
}
