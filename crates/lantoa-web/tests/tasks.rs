//! Key tasks: a committee sets numbered tasks led by a unit of its subtree, the assigned
//! units report progress, the task takes the latest report, and overdue ones are known.
//! The store layer, on both databases; the pages come with the rest of the issue.

mod common;

use common::TestApp;
use lantoa_domain::OrgId;
use lantoa_domain::tasks::{KeyTaskInput, ProgressInput, TaskStatus};
use lantoa_store::StoreError;
use lantoa_store::audit::Actor;
use lantoa_store::tasks;

#[tokio::test]
async fn the_city_sets_a_task_its_units_report_and_an_unfinished_one_is_overdue() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let unit = |code: &'static str| {
            let admin = &admin;
            async move {
                lantoa_store::org::get(db, OrgId(admin.org_id(code).await))
                    .await
                    .unwrap()
            }
        };
        let (city, p5, p1, p2) = (
            unit("TU-MYTHO").await,
            unit("DB-P5").await,
            unit("DB-P1").await,
            unit("DB-P2").await,
        );
        let year = lantoa_store::campaign::year(db, 2025).await.unwrap();
        let draft = KeyTaskInput {
            number: "1".into(),
            content: "Tổ chức sinh hoạt chuyên đề năm 2025 ở tất cả chi bộ".into(),
            documents: "Kế hoạch 46-KH/TU".into(),
            deadline: "30/06/2025".into(),
            target: "100% chi bộ sinh hoạt chuyên đề".into(),
        }
        .validate(2025)
        .unwrap();
        let id = tasks::create(
            db,
            &Actor::cli(),
            &city,
            &year,
            &draft,
            &p5,
            &[p1.clone(), p5.clone()],
        )
        .await
        .unwrap();
        // The same number again, or a lead outside the committee: refused, nothing written.
        let again = tasks::create(db, &Actor::cli(), &city, &year, &draft, &p5, &[]).await;
        assert!(matches!(again, Err(StoreError::Invalid(e)) if e.get("number").is_some()));
        let outside = tasks::create(db, &Actor::cli(), &p5, &year, &draft, &p1, &[]).await;
        assert!(matches!(outside, Err(StoreError::Invalid(e)) if e.get("lead").is_some()));
        assert_eq!(
            admin
                .scalar("SELECT COUNT(*) AS value FROM key_tasks")
                .await,
            1,
            "{}",
            admin.backend
        );
        // The lead is not listed again among the coordinating units.
        assert_eq!(
            tasks::coordinating(db, id).await.unwrap(),
            vec![(p1.id, p1.name.clone())]
        );

        let progress = ProgressInput {
            status: "dang_thuc_hien".into(),
            percent: "60%".into(),
            narrative: "Đã tổ chức ở 24 trên 40 chi bộ".into(),
        }
        .validate()
        .unwrap();
        let refused = tasks::report(db, &Actor::cli(), id, p2.id, &progress).await;
        assert!(matches!(refused, Err(StoreError::Invalid(e)) if e.get("unit").is_some()));
        tasks::report(db, &Actor::cli(), id, p1.id, &progress)
            .await
            .unwrap();
        let task = tasks::task(db, id).await.unwrap();
        assert_eq!((task.status, task.percent), (TaskStatus::InProgress, 60));
        let today = chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert!(task.overdue(today));
        let done = ProgressInput {
            status: "hoan_thanh".into(),
            percent: "100".into(),
            narrative: "40/40 chi bộ đã sinh hoạt chuyên đề".into(),
        }
        .validate()
        .unwrap();
        tasks::report(db, &Actor::cli(), id, p5.id, &done)
            .await
            .unwrap();
        let listed = tasks::tasks(db, city.id, &year).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(!listed[0].overdue(today));
        let reports = tasks::reports(db, id).await.unwrap();
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0].status_label(), "Hoàn thành");
        assert_eq!(
            admin
                .scalar("SELECT COUNT(*) AS value FROM audit_log WHERE action IN ('key_task_create', 'key_task_progress')")
                .await,
            3
        );
    }
}
