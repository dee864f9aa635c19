//! Inspection and supervision: a committee plans inspections of its units and leaders,
//! records the conclusion once, leaves recommendations that the responsible unit follows up
//! until closed; the figures count them, overdue ones show on the unit's page, and no one
//! outside reads any of it. On both databases.

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn a_ward_inspects_a_cell_and_its_secretary_and_follows_the_recommendation_to_its_close() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = admin.org_id("DB-P5").await;
        let cb1 = admin.org_id("DB-P5-CB1").await;
        let secretary = admin
            .scalar(&format!(
                "SELECT MIN(id) AS value FROM people WHERE org_id = {cb1} AND is_leader = true"
            ))
            .await;
        let count = "SELECT COUNT(*) AS value FROM inspections";
        let before = admin.scalar(count).await;
        let new = format!("/quan-ly/kiem-tra/moi?org={p5}&year=2025");
        assert_eq!(staff.get(&new).await.status, StatusCode::OK);

        // Nothing chosen: every error said at once, nothing written.
        let refused = staff
            .post_form(
                &new,
                "kind=&focus=&subject=&content=&team=&starts_on=31/02/2025&ends_on=",
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        for message in [
            "Chọn kiểm tra hay giám sát",
            "Chọn nội dung kiểm tra, giám sát",
            "Chọn tổ chức hoặc cán bộ được kiểm tra, giám sát",
            "Ghi trưởng đoàn và thành viên đoàn",
        ] {
            assert!(refused.text().contains(message), "{message}");
        }
        assert_eq!(admin.scalar(count).await, before);

        let plan = |subject: String, person: String| {
            format!(
                "kind=kiem_tra&focus=chuyen_de_nam&subject={subject}&person={person}\
                 &content=Vi%E1%BB%87c+th%E1%BB%B1c+hi%E1%BB%87n+chuy%C3%AAn+%C4%91%E1%BB%81\
                 &team=%C4%90%E1%BA%A3ng+%E1%BB%A7y+ph%C6%B0%E1%BB%9Dng&starts_on=10/03/2025&ends_on=20/03/2025"
            )
        };
        let of_unit = staff
            .post_form(&new, &plan(cb1.to_string(), String::new()))
            .await;
        assert_eq!(of_unit.status, StatusCode::SEE_OTHER, "{}", of_unit.text());
        let page = of_unit.location();
        let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
        // The secretary chosen: the inspection is of her, in her cell.
        let of_person = staff
            .post_form(&new, &plan(String::new(), secretary.to_string()))
            .await;
        assert_eq!(
            of_person.status,
            StatusCode::SEE_OTHER,
            "{}",
            of_person.text()
        );
        assert_eq!(
            admin
                .scalar(&format!(
                    "SELECT COUNT(*) AS value FROM inspections WHERE subject_person_id = {secretary} AND subject_org_id = {cb1}"
                ))
                .await,
            1
        );

        // Outsiders, and a member of the cell, learn nothing.
        for who in ["canbo.p1", "dangvien.p5"] {
            let outsider = admin.signed_in_as(who).await;
            assert_eq!(
                outsider.get(&page).await.status,
                StatusCode::NOT_FOUND,
                "{who}"
            );
        }

        // The conclusion: not in the future, then recorded once.
        let result = format!("{page}/ket-qua");
        let refused = staff
            .post_form(
                &result,
                "concluded_on=01/01/2099&conclusion=K%E1%BA%BFt+lu%E1%BA%ADn",
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("Ngày kết luận chưa tới"));
        let done = staff
            .post_form(
                &result,
                "concluded_on=25/03/2025&conclusion=Chi+b%E1%BB%99+th%E1%BB%B1c+hi%E1%BB%87n+t%E1%BB%91t&shortcomings=Tuy%C3%AAn+truy%E1%BB%81n+b%E1%BA%B1ng+v%C4%83n+b%E1%BA%A3n",
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
        let again = staff
            .post_form(
                &result,
                "concluded_on=26/03/2025&conclusion=L%E1%BA%A7n+hai",
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().contains("đã có kết luận"));

        // A recommendation: its deadline not before the conclusion.
        let recommend = format!("{page}/kien-nghi");
        let refused = staff
            .post_form(
                &recommend,
                &format!("responsible={cb1}&recommendation=B%E1%BB%95+sung&deadline=01/03/2025"),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("không được trước ngày kết luận"));
        let recommended = staff
            .post_form(
                &recommend,
                &format!(
                    "responsible={cb1}&recommendation=B%E1%BB%95+sung+k%E1%BA%BF+ho%E1%BA%A1ch+c%C3%A1+nh%C3%A2n&deadline=30/04/2025"
                ),
            )
            .await;
        assert_eq!(
            recommended.status,
            StatusCode::SEE_OTHER,
            "{}",
            recommended.text()
        );
        let rec = admin
            .scalar(&format!(
                "SELECT MIN(id) AS value FROM inspection_recommendations WHERE inspection_id = {id}"
            ))
            .await;
        // Overdue and open: on the cell's page.
        let cell = staff.get(&format!("/quan-ly/don-vi/{cb1}")).await.text();
        assert!(
            cell.contains("kiến nghị sau kiểm tra, giám sát quá hạn"),
            "{cell}"
        );

        // The follow-up says what was done; closing it takes it off the unit's page.
        let follow = format!("/quan-ly/kiem-tra/kien-nghi/{rec}");
        let refused = staff.post_form(&follow, "status=da_khac_phuc&note=").await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("Ghi việc đã làm để khắc phục"));
        let closed = staff
            .post_form(
                &follow,
                "status=da_khac_phuc&note=%C4%90%C3%A3+b%E1%BB%95+sung",
            )
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.text());
        let cell = staff.get(&format!("/quan-ly/don-vi/{cb1}")).await.text();
        assert!(!cell.contains("kiến nghị sau kiểm tra, giám sát quá hạn"));
        let outsider = admin.signed_in_as("canbo.p1").await;
        assert_eq!(
            outsider
                .post_form(&follow, "status=dang_khac_phuc&note=x")
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // The ward's figures: two planned, one done, one of a person, one recommendation closed.
        let list = staff
            .get(&format!("/quan-ly/kiem-tra?org={p5}&year=2025"))
            .await
            .text();
        assert!(
            list.contains("Đã thực hiện <strong>50,0%</strong> kế hoạch"),
            "{list}"
        );
        assert!(list.contains("1 đã khắc phục · 0 chưa xong"), "{list}");
        let filtered = staff
            .get(&format!(
                "/quan-ly/kiem-tra?org={p5}&year=2025&subject=ca-nhan"
            ))
            .await
            .text();
        assert!(filtered.contains("<strong>1</strong> cuộc"), "{filtered}");
        assert_eq!(
            admin
                .scalar(
                    "SELECT COUNT(*) AS value FROM audit_log WHERE action IN ('inspection_plan', 'inspection_result', 'recommendation_create', 'recommendation_follow_up') AND org_id IS NOT NULL AND actor_account_id IS NOT NULL"
                )
                .await,
            5
        );
    }
}

#[tokio::test]
async fn the_demo_city_shows_its_plan_done_and_the_recommendations_still_overdue() {
    for admin in TestApp::each().await {
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let list = leader.get("/quan-ly/kiem-tra?year=2025").await;
        assert_eq!(list.status, StatusCode::OK);
        let text = list.text();
        assert!(
            text.contains("Đã thực hiện <strong>83,3%</strong> kế hoạch"),
            "{text}"
        );
        let overdue_unit = admin
            .scalar(
                "SELECT MIN(org_id) AS value FROM inspection_recommendations WHERE status <> 'da_khac_phuc'",
            )
            .await;
        let unit = leader
            .get(&format!("/quan-ly/don-vi/{overdue_unit}"))
            .await
            .text();
        assert!(
            unit.contains("kiến nghị sau kiểm tra, giám sát quá hạn"),
            "{unit}"
        );
    }
}
