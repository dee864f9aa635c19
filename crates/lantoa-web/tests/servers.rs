//! Several servers on one database behave as one: a session started on one server is valid
//! on another and ends on both when signed out; queued jobs run exactly once however many
//! servers' workers race for them. On both databases (PostgreSQL is how several servers
//! are deployed; on SQLite the same holds for processes sharing the file).

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn a_session_started_on_one_server_is_valid_on_another() {
    for admin in TestApp::each().await {
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let elsewhere = leader.other_server().await;
        let page = elsewhere.get("/quan-ly/tong-quan?ky=2024").await;
        assert_eq!(page.status, StatusCode::OK, "{}", admin.backend);
        assert!(page.text().contains("Tổng quan năm 2024"));

        // Signed out on the first server, the session is gone on the second.
        let out = leader.post_form("/dang-xuat", "").await;
        assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.text());
        let after = elsewhere.get("/quan-ly/tong-quan?ky=2024").await;
        assert_eq!(after.status, StatusCode::SEE_OTHER, "{}", admin.backend);
        assert!(after.location().starts_with("/dang-nhap"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_workers_of_two_servers_run_each_job_once() {
    const JOBS: i64 = 6;
    for admin in TestApp::each().await {
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        for _ in 0..JOBS {
            let queued = leader
                .post_form("/quan-ly/bao-cao/lap?ky=2024", "tep=xlsx")
                .await;
            assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", queued.text());
        }
        let other = admin.other_server().await;
        let (a, b) = (admin.state.clone(), other.state.clone());
        let first = tokio::spawn(async move { lantoa_web::jobs::run_pending(&a).await });
        let second = tokio::spawn(async move { lantoa_web::jobs::run_pending(&b).await });
        let ran = first.await.unwrap().unwrap() + second.await.unwrap().unwrap();
        assert_eq!(ran as i64, JOBS, "{}", admin.backend);
        assert_eq!(
            admin
                .scalar(
                    "SELECT COUNT(*) AS value FROM jobs WHERE kind = 'report' AND state = 'done'"
                )
                .await,
            JOBS
        );
        // Each job wrote its file once: one generation audited per job.
        assert_eq!(
            admin
                .scalar("SELECT COUNT(*) AS value FROM audit_log WHERE action = 'report_generate'")
                .await,
            JOBS
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_saving_one_roster_at_once_both_succeed() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let elsewhere = staff.other_server().await;
        let db = admin.state.store.db();
        let (_, _, session) = admin.ward_session().await;
        let roster = lantoa_store::study::roster(db, &session, "").await.unwrap();
        let form: String = roster
            .iter()
            .take(30)
            .map(|r| format!("m_{}=vang", r.person_id))
            .collect::<Vec<_>>()
            .join("&");
        let path = format!("/quan-ly/hoc-tap/buoi/{}/diem-danh", session.id);
        // Two secretaries on two servers save the same 30 marks, ten times each, at once.
        let mut saves = Vec::new();
        for server in [staff.clone(), elsewhere.clone()] {
            let (path, form) = (path.clone(), form.clone());
            saves.push(tokio::spawn(async move {
                let mut statuses = Vec::new();
                for _ in 0..10 {
                    statuses.push(server.post_form(&path, &form).await.status);
                }
                statuses
            }));
        }
        for save in saves {
            for status in save.await.unwrap() {
                assert_eq!(status, StatusCode::SEE_OTHER, "{}", admin.backend);
            }
        }
        let absent = admin
            .scalar(&format!(
                "SELECT COUNT(*) AS value FROM attendance WHERE session_id = {} AND status = 'vang'",
                session.id
            ))
            .await;
        assert_eq!(absent, 30, "{}", admin.backend);
    }
}
