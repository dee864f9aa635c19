//! Propaganda: activities recorded on a form and imported from a file (every bad row
//! reported, nothing written unless asked, never duplicated on a second run), the figures
//! by channel and month, each unit's regularity, and the station's columns whose items tell
//! of exemplars and models. On both databases.

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn a_ward_records_and_imports_its_activities_once_and_its_figures_count_them() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = admin.org_id("DB-P5").await;
        let count = "SELECT COUNT(*) AS value FROM propaganda_activities";
        let before = admin.scalar(count).await;
        let new = format!("/quan-ly/tuyen-truyen/moi?org={p5}&year=2025");
        let refused = staff
            .post_form(
                &new,
                "held_on=01/01/2099&channel=th%C6%B0+tay&title=&quantity=0",
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        for message in [
            "Ngày này chưa tới",
            "Chọn hình thức tuyên truyền trong danh sách",
            "Ghi tên hoạt động",
            "Số lượng là số nguyên từ 1 trở lên",
        ] {
            assert!(refused.text().contains(message), "{message}");
        }
        let form = "held_on=12/03/2025&channel=hoi_nghi&title=H%E1%BB%99i+ngh%E1%BB%8B+qu%C3%A1n+tri%E1%BB%87t&quantity=1&reach=250";
        let recorded = staff.post_form(&new, form).await;
        assert_eq!(
            recorded.status,
            StatusCode::SEE_OTHER,
            "{}",
            recorded.text()
        );
        let twice = staff.post_form(&new, form).await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(twice.text().contains("đã ghi hoạt động này"));
        assert_eq!(admin.scalar(count).await, before + 1);

        // A file: a good row, an unknown unit, a unit outside the ward, a bad date.
        let csv = |reach: &str| {
            format!(
                "Mã đơn vị;Ngày;Hình thức;Tên hoạt động;Số lượng;Số lượt người\n\
                 DB-P5-CB1;20/05/2025;Trang Facebook của chi bộ;Bài viết gương người tốt;1;{reach}\n\
                 KHONG-CO;20/05/2025;Văn bản;Hướng dẫn;1;\n\
                 DB-P1;21/05/2025;Văn bản;Hướng dẫn;1;\n\
                 DB-P5-CB2;31/13/2025;Loa;Phát thanh;2;\n"
            )
        };
        let upload = |reach: &str, options: &'static [&'static str]| {
            common::multipart(
                "propaganda",
                "tuyen-truyen.csv",
                csv(reach).as_bytes(),
                options,
            )
        };
        let queued = staff.send(upload("1.200", &[])).await;
        assert_eq!(queued.status, StatusCode::SEE_OTHER);
        lantoa_web::jobs::run_pending(&admin.state).await.unwrap();
        let job = staff.get(&queued.location()).await.text();
        assert!(job.contains("Chưa ghi dòng nào"), "{job}");
        for reason in [
            "Không có đơn vị mã «KHONG-CO»",
            "Đơn vị «DB-P1» nằm ngoài phạm vi quản lý của bạn",
        ] {
            assert!(job.contains(reason), "{reason}: {job}");
        }
        for row in [3, 4, 5] {
            assert!(
                job.contains(&format!("<td class=\"num\">{row}</td>")),
                "row {row}"
            );
        }
        assert_eq!(admin.scalar(count).await, before + 1);
        // Skipping bad rows writes the good one; running it again changes nothing; a
        // corrected figure updates it.
        for (reach, label) in [
            ("1.200", "Tạo mới"),
            ("1.200", "Không đổi"),
            ("1.500", "Cập nhật"),
        ] {
            let queued = staff.send(upload(reach, &["skip_invalid"])).await;
            lantoa_web::jobs::run_pending(&admin.state).await.unwrap();
            let job = staff.get(&queued.location()).await.text();
            assert!(
                job.contains(&format!("{label}</dt><dd>1<")),
                "{label}: {job}"
            );
        }
        assert_eq!(admin.scalar(count).await, before + 2);
        assert_eq!(
            admin
                .scalar("SELECT MAX(reach) AS value FROM propaganda_activities WHERE channel = 'mang_xa_hoi' AND title = 'Bài viết gương người tốt'")
                .await,
            1500
        );

        // The ward's figures: by channel, and its cells' regularity.
        let page = staff
            .get(&format!("/quan-ly/tuyen-truyen?org={p5}&year=2025"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let text = page.text();
        assert!(text.contains("Tính thường xuyên của các đơn vị trực thuộc"));
        let filtered = staff
            .get(&format!(
                "/quan-ly/tuyen-truyen?org={p5}&year=2025&channel=mang_xa_hoi"
            ))
            .await
            .text();
        assert!(filtered.contains("Bài viết gương người tốt"), "{filtered}");
        assert!(!filtered.contains("Hội nghị quán triệt"), "{filtered}");
        // Another ward's staff do not see the ward's figures.
        let outsider = admin.signed_in_as("canbo.p1").await;
        assert_eq!(
            outsider
                .get(&format!("/quan-ly/tuyen-truyen?org={p5}&year=2025"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        admin.assert_counters_exact(5).await;
    }
}

#[tokio::test]
async fn the_demo_city_sees_documents_dominate_and_silent_units_and_the_station_tells_of_models() {
    for admin in TestApp::each().await {
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let text = leader.get("/quan-ly/tuyen-truyen?year=2025").await.text();
        let documents = admin
            .scalar("SELECT COUNT(*) AS value FROM propaganda_activities WHERE channel = 'van_ban'")
            .await;
        let all = admin
            .scalar("SELECT COUNT(*) AS value FROM propaganda_activities")
            .await;
        assert!(documents * 2 > all, "documents dominate: {documents}/{all}");
        assert!(
            text.contains(&lantoa_domain::format::percent(documents, all)),
            "{text}"
        );
        assert!(
            text.contains("class=\"num silent\""),
            "silent months are marked"
        );

        // The station's television column tells of recognised models, shown on their page.
        let model = admin
            .scalar("SELECT MIN(model_id) AS value FROM media_items WHERE model_id IS NOT NULL")
            .await;
        let page = admin.get(&format!("/quan-ly/mo-hinh/{model}")).await.text();
        assert!(
            page.contains("Báo chí, truyền thông đã giới thiệu"),
            "{page}"
        );
        let column = admin
            .scalar("SELECT MIN(id) AS value FROM media_columns")
            .await;
        let station = admin.get(&format!("/quan-ly/chuyen-muc/{column}")).await;
        assert_eq!(station.status, StatusCode::OK);
        assert!(station.text().contains("Thời sự tối"));
        // An item must air after its column began.
        let refused = admin
            .post_form(
                &format!("/quan-ly/chuyen-muc/{column}/tin-bai"),
                "aired_on=01/01/2010&title=Tin+c%C5%A9",
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("Chuyên mục bắt đầu từ"));
    }
}
