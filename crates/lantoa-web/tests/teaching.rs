//! Teaching the campaign's content: a unit's staff record a course (bad input said next to
//! each field, nothing written), the figures by audience count it, and the courses of one
//! unit stay with those who read it. On both databases.

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn a_ward_records_a_course_and_the_city_counts_the_centres_and_schools_by_audience() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = admin.org_id("DB-P5").await;
        let page = format!("/quan-ly/giang-day?org={p5}&year=2025");
        let count = "SELECT COUNT(*) AS value FROM teaching_courses";
        let before = admin.scalar(count).await;
        let refused = staff
            .post_form(&page, "name=L%E1%BB%9Bp&audience=&classes=3&learners=2&hours=0&starts_on=01/01/2024&ends_on=")
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        for message in [
            "Chọn đối tượng học",
            "Số học viên không ít hơn số lớp",
            "Số tiết là số nguyên từ 1",
            "Ngày bắt đầu phải trong năm 2025",
        ] {
            assert!(refused.text().contains(message), "{message}");
        }
        assert_eq!(admin.scalar(count).await, before);
        let saved = staff
            .post_form(
                &page,
                "name=L%E1%BB%9Bp+c%E1%BA%A3m+t%C3%ACnh+%C4%90%E1%BA%A3ng&audience=cam_tinh_dang&content=B%C3%A0i+1\
                 &classes=1&learners=45&hours=4&starts_on=10/06/2025&ends_on=12/06/2025",
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let text = staff.get(&page).await.text();
        assert!(
            text.contains("Quần chúng ưu tú (lớp cảm tình Đảng)"),
            "{text}"
        );
        assert_eq!(
            admin.signed_in_as("canbo.p1").await.get(&page).await.status,
            StatusCode::NOT_FOUND
        );

        // The city: the political centre's and the education office's courses, by audience.
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let city = leader.get("/quan-ly/giang-day?year=2025").await.text();
        let learners = admin
            .scalar("SELECT CAST(SUM(learners) AS BIGINT) AS value FROM teaching_courses c JOIN campaign_years y ON y.id = c.year_id WHERE y.year = 2025")
            .await;
        assert!(
            city.contains(&lantoa_domain::format::number(learners)),
            "{city}"
        );
        assert!(city.contains("Học sinh tiểu học"));
        let primary = leader
            .get("/quan-ly/giang-day?year=2025&audience=tieu_hoc")
            .await
            .text();
        assert!(primary.contains("<strong>1</strong> khóa"), "{primary}");
    }
}
