//! Key tasks: a committee sets numbered tasks led by a unit of its subtree, the assigned
//! units report progress, the task takes the latest report, and overdue ones are known.
//! The store layer and the pages, on both databases.

mod common;

use axum::http::StatusCode;
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
        let year = lantoa_store::campaign::year(db, 2024).await.unwrap();
        let draft = KeyTaskInput {
            number: "1".into(),
            content: "Tổ chức sinh hoạt chuyên đề năm 2024 ở tất cả chi bộ".into(),
            documents: "Kế hoạch 46-KH/TU".into(),
            deadline: "30/06/2024".into(),
            target: "100% chi bộ sinh hoạt chuyên đề".into(),
        }
        .validate(2024)
        .unwrap();
        let audited = "SELECT COUNT(*) AS value FROM audit_log WHERE action IN ('key_task_create', 'key_task_progress')";
        let audited_before = admin.scalar(audited).await;
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
                .scalar(&format!(
                    "SELECT COUNT(*) AS value FROM key_tasks WHERE year_id = {}",
                    year.id
                ))
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
        let refused = tasks::report(db, &Actor::cli(), id, p2.id, &progress, None).await;
        assert!(matches!(refused, Err(StoreError::Invalid(e)) if e.get("unit").is_some()));
        tasks::report(db, &Actor::cli(), id, p1.id, &progress, None)
            .await
            .unwrap();
        let task = tasks::task(db, id).await.unwrap();
        assert_eq!((task.status, task.percent), (TaskStatus::InProgress, 60));
        let today = chrono::NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        assert!(task.overdue(today));
        let done = ProgressInput {
            status: "hoan_thanh".into(),
            percent: "100".into(),
            narrative: "40/40 chi bộ đã sinh hoạt chuyên đề".into(),
        }
        .validate()
        .unwrap();
        tasks::report(db, &Actor::cli(), id, p5.id, &done, None)
            .await
            .unwrap();
        let listed = tasks::tasks(db, city.id, &year).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(!listed[0].overdue(today));
        let reports = tasks::reports(db, id).await.unwrap();
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0].status_label(), "Hoàn thành");
        assert_eq!(admin.scalar(audited).await - audited_before, 3);
    }
}

#[tokio::test]
async fn a_ward_sets_a_task_for_its_cells_which_report_with_evidence_and_outsiders_see_nothing() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = admin.org_id("DB-P5").await;
        let (cb1, cb2) = (
            admin.org_id("DB-P5-CB1").await,
            admin.org_id("DB-P5-CB2").await,
        );
        let p1 = admin.org_id("DB-P1").await;
        // The ward sees the city's tasks it coordinates.
        let list = staff
            .get(&format!("/quan-ly/nhiem-vu?org={p5}&year=2025"))
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", admin.backend);
        assert!(list.text().contains("Nhiệm vụ cấp trên giao"));
        assert!(
            list.text()
                .contains("Xây dựng kế hoạch học tập và làm theo Bác")
        );

        // Missing content and a lead outside the ward: both said, next to their fields.
        let new = format!("/quan-ly/nhiem-vu/moi?org={p5}&year=2025");
        let count = "SELECT COUNT(*) AS value FROM key_tasks";
        let before = admin.scalar(count).await;
        let refused = staff
            .post_form(
                &new,
                &format!(
                    "number=1&content=&lead={p1}&deadline=31/12/2025&target=100%25+chi+b%E1%BB%99"
                ),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("Ghi nội dung nhiệm vụ"));
        assert!(refused.text().contains("không thuộc Đảng bộ Phường 5"));
        assert_eq!(admin.scalar(count).await, before);
        let created = staff
            .post_form(
                &new,
                &format!(
                    "number=1&content=Sinh+ho%E1%BA%A1t+chuy%C3%AAn+%C4%91%E1%BB%81&lead={cb1}&coordinating={cb2}\
                     &deadline=31/01/2025&target=100%25+%C4%91%E1%BA%A3ng+vi%C3%AAn+d%E1%BB%B1"
                ),
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
        let page = created.location();
        let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();

        // Another ward's staff do not learn it exists.
        let outsider = admin.signed_in_as("canbo.p1").await;
        assert_eq!(outsider.get(&page).await.status, StatusCode::NOT_FOUND);
        let report = format!("{page}/tien-do");
        let form = |unit: &str, status: &str, percent: &str| {
            vec![
                ("unit", unit.to_owned()),
                ("status", status.to_owned()),
                ("percent", percent.to_owned()),
                ("narrative", "12/14 chi bộ đã sinh hoạt".to_owned()),
            ]
        };
        let request = |fields: Vec<(&'static str, String)>, file: Option<(&str, &[u8])>| {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
            common::multipart_form(&report, &fields, file)
        };
        assert_eq!(
            outsider
                .send(request(form("", "dang_thuc_hien", "50"), None))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // The ward's staff report for either cell: which one must be said, and done is 100%.
        let refused = staff
            .send(request(form("", "hoan_thanh", "90"), None))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("Chọn đơn vị báo cáo"));
        assert!(refused.text().contains("«Hoàn thành» đi cùng 100%"));
        let reported = staff
            .send(request(
                form(&cb1.to_string(), "dang_thuc_hien", "85"),
                Some(("Biên bản sinh hoạt.pdf", b"%PDF-1.4 bien ban")),
            ))
            .await;
        assert_eq!(
            reported.status,
            StatusCode::SEE_OTHER,
            "{}",
            reported.text()
        );
        let shown = staff.get(&page).await.text();
        assert!(shown.contains("Đang thực hiện, 85% — quá hạn"), "{shown}");
        assert!(shown.contains("Biên bản sinh hoạt.pdf"));
        let file = admin
            .scalar(&format!(
                "SELECT MIN(file_id) AS value FROM key_task_files WHERE key_task_id = {id}"
            ))
            .await;
        let download = staff.get(&format!("{page}/tep/{file}")).await;
        assert_eq!(download.status, StatusCode::OK);
        assert_eq!(
            outsider.get(&format!("{page}/tep/{file}")).await.status,
            StatusCode::NOT_FOUND
        );

        // Overdue: flagged on the ward's page and on the lead cell's, and the city's late
        // inspection task on the city's.
        let ward = staff.get(&format!("/quan-ly/don-vi/{p5}")).await.text();
        assert!(ward.contains("nhiệm vụ trọng tâm quá hạn"), "{ward}");
        assert!(ward.contains(&format!("/quan-ly/nhiem-vu/{id}")));
        let cell = staff.get(&format!("/quan-ly/don-vi/{cb1}")).await.text();
        assert!(cell.contains(&format!("/quan-ly/nhiem-vu/{id}")));
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let city = admin.org_id("TU-MYTHO").await;
        let city_page = leader.get(&format!("/quan-ly/don-vi/{city}")).await.text();
        assert!(city_page.contains("Nhiệm vụ 7 năm 2025"), "{city_page}");

        // The year's list for printing, with where each task stands.
        let docx = leader
            .get(&format!(
                "/quan-ly/nhiem-vu/danh-sach.docx?org={city}&year=2025"
            ))
            .await;
        assert_eq!(docx.status, StatusCode::OK);
        let xml = docx.docx_xml();
        for expected in [
            "DANH MỤC",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Chậm, 80% — quá hạn",
            "Hoàn thành, 100%",
            "Ủy ban Kiểm tra Thành ủy",
        ] {
            assert!(xml.contains(expected), "{expected}");
        }
        // Printing the ward's list is for those who read the ward.
        assert_eq!(
            outsider
                .get(&format!(
                    "/quan-ly/nhiem-vu/danh-sach.docx?org={p5}&year=2025"
                ))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}
