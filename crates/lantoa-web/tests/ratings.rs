//! Quality ratings: the 2024 spread per level with the list behind each number, a member
//! rated with the level checked against the score and the plan's result beside it, the
//! cap on "xuất sắc" warning before saving. On SQLite, and on PostgreSQL when
//! `LANTOA_TEST_POSTGRES_URL` is set.

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn ratings_are_counted_by_level_and_listed() {
    for admin in TestApp::each().await {
        let root = admin.org_id("TU-MYTHO").await;
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let page = leader
            .get(&format!("/quan-ly/xep-loai?org={root}&year=2024"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", admin.backend);
        let html = page.text();
        assert!(html.contains("3.425 đảng viên đã xếp loại"), "{html}");
        // The "không hoàn thành" tile's number is the length of its list.
        let shown: i64 = html
            .split("muc=khong_hoan_thanh\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .and_then(|n| n.replace('.', "").parse().ok())
            .unwrap();
        assert!(shown > 0);
        let list = leader
            .get(&format!(
                "/quan-ly/xep-loai/danh-sach?org={root}&year=2024&muc=khong_hoan_thanh"
            ))
            .await
            .text();
        assert!(
            list.contains(&format!("<strong>{shown}</strong> đảng viên")),
            "{list}"
        );
        assert!(list.contains("Đã khóa"), "the plan beside the rating");
        let export = leader
            .get(&format!(
                "/quan-ly/xep-loai/danh-sach?org={root}&year=2024&muc=khong_hoan_thanh&format=xlsx"
            ))
            .await;
        assert_eq!(export.status, StatusCode::OK);
        assert!(export.body.starts_with(b"PK"));
        // Leaders read; only staff rate.
        let someone = admin.someone_of("DB-P5").await;
        assert_eq!(
            leader
                .get(&format!(
                    "/quan-ly/xep-loai/danh-gia?person={someone}&year=2024"
                ))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn a_member_is_rated_with_the_level_of_the_score() {
    for admin in TestApp::each().await {
        let capped = lantoa_domain::settings::Settings {
            excellent_cap_percent: Some(20),
            ..Default::default()
        };
        lantoa_store::settings::save(
            admin.state.store.db(),
            &lantoa_store::audit::Actor::cli(),
            &capped,
        )
        .await
        .unwrap();
        admin.open_year(2026).await;
        let db = admin.state.store.db();
        let staff = admin.signed_in_as("canbo.p5").await;
        let someone = admin.someone_of("DB-P5-CB1").await;
        let url = format!("/quan-ly/xep-loai/danh-gia?person={someone}&year=2026");
        let form = staff.get(&url).await.text();
        assert!(form.contains("Chưa lập kế hoạch năm 2026"), "{form}");

        // A level that is not the score's, a score out of range: refused, nothing written.
        let reply = staff
            .post_form(&url, "period=nam&score=85&level=xuat_sac&step=tu_danh_gia")
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(
            reply
                .text()
                .contains("Điểm 85 ứng với mức «Hoàn thành tốt nhiệm vụ»")
        );
        let reply = staff
            .post_form(&url, "period=nam&score=101&step=tu_danh_gia")
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("Điểm phải từ 0 đến 100"));

        // Saved with the score's level; saved again, updated (one rating per year).
        let reply = staff
            .post_form(&url, "period=nam&score=85%2C5&step=tu_danh_gia")
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let reply = staff
            .post_form(&url, "period=nam&score=88&step=tham_dinh")
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let year = lantoa_store::campaign::year(db, 2026).await.unwrap();
        let person = lantoa_store::people::get(db, someone).await.unwrap();
        let rating = lantoa_store::ratings::of(
            db,
            lantoa_store::ratings::Subject::Member(&person),
            &year,
            lantoa_domain::ratings::RatingPeriod::Year,
            "",
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            (rating.score, rating.level.as_str(), rating.step.as_str()),
            (880, "tot", "tham_dinh")
        );
        assert_eq!(rating.regulation, "366-QĐ/TW");

        // "Xuất sắc" past the cap (20% of "tốt": none yet allowed with one "tốt") warns
        // first, then saves when confirmed.
        let reply = staff
            .post_form(&url, "period=nam&score=95&step=quyet_dinh")
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("vượt tỷ lệ 20%") && reply.text().contains("Vẫn lưu"));
        let reply = staff
            .post_form(&url, "period=nam&score=95&step=quyet_dinh&confirm=1")
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let log = admin.get("/quan-ly/nhat-ky?viec=rating_save").await.text();
        assert!(log.contains("Ghi xếp loại chất lượng"), "{log}");

        // Another ward's staff cannot rate this member.
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(other.get(&url).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_committee_above_rates_an_organisation() {
    for admin in TestApp::each().await {
        let ward = admin.org_id("DB-P5").await;
        let cell = admin.org_id("DB-P5-CB1").await;
        let staff = admin.signed_in_as("canbo.p5").await;
        let url = format!("/quan-ly/xep-loai/danh-gia?unit={cell}&year=2024");
        assert_eq!(
            staff.get(&url).await.status,
            StatusCode::OK,
            "{}",
            admin.backend
        );
        let reply = staff
            .post_form(&url, "period=nam&score=92&step=quyet_dinh")
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let counts = staff
            .get(&format!("/quan-ly/xep-loai?org={ward}&year=2024"))
            .await
            .text();
        assert!(
            counts.contains("Xếp loại tổ chức đảng trực thuộc")
                && counts.contains("Hoàn thành xuất sắc nhiệm vụ</td>"),
            "{counts}"
        );
        // A ward does not rate itself: its committee above does.
        assert_eq!(
            staff
                .get(&format!("/quan-ly/xep-loai/danh-gia?unit={ward}&year=2024"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // The unit ratings do not count among the members'.
        assert!(counts.contains("đảng viên đã xếp loại"));
    }
}
