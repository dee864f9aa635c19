//! The creative-works award: a committee launches a round; authors send works on the public
//! site while it is open (the question answered, contacts never shown publicly), staff
//! enter works brought on paper; the same work is one entry; the figures by field and by
//! author kind; contacts only for the round's staff. On both databases.

mod common;

use axum::http::StatusCode;
use common::{TestApp, solve};

#[tokio::test]
async fn authors_send_works_to_an_open_round_once_and_only_its_staff_read_their_contacts() {
    for admin in TestApp::each().await {
        let citizen = admin.anonymous();
        let open = admin
            .scalar("SELECT MAX(id) AS value FROM award_rounds")
            .await;
        let closed = admin
            .scalar("SELECT MIN(id) AS value FROM award_rounds")
            .await;
        let list = citizen.get("/giai-thuong-sang-tac").await.text();
        assert!(list.contains("giai đoạn 2026–2028"), "{list}");
        assert!(!list.contains("giai đoạn 2023–2025"));

        let page = format!("/giai-thuong-sang-tac/{open}");
        let form = citizen.get(&page).await.text();
        let (answer, expires, token) = solve(&form);
        let body = |answer: &str, original: &str| {
            format!(
                "title=H%C3%A1t+v%E1%BB%81+B%C3%A1c&field=am_nhac&genre=Ca+kh%C3%BAc&authors=Tr%E1%BA%A7n+V%C4%83n+Ca\
                 &author_kind=doan_vien&work_unit=Ph%C6%B0%E1%BB%9Dng+5&phone=0912345678&made_on=19/05/2026\
                 &original={original}&answer={answer}&expires={expires}&token={token}"
            )
        };
        let count = "SELECT COUNT(*) AS value FROM award_entries";
        let before = admin.scalar(count).await;
        let wrong = (answer.parse::<i64>().unwrap() + 1).to_string();
        let refused = citizen.post_form(&page, &body(&wrong, "")).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(refused.text().contains("Câu trả lời chưa đúng"));
        assert!(refused.text().contains("Cần cam đoan tác phẩm"));
        assert_eq!(admin.scalar(count).await, before);
        let sent = citizen.post_form(&page, &body(&answer, "1")).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());
        assert!(sent.text().contains("Đã nhận tác phẩm"));
        let again = citizen.post_form(&page, &body(&answer, "1")).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().contains("đã được gửi dự giải"));
        assert_eq!(admin.scalar(count).await, before + 1);
        // A closed round takes nothing from the public.
        let closed_page = format!("/giai-thuong-sang-tac/{closed}");
        let (answer, expires, token) = solve(&citizen.get(&page).await.text());
        let late = citizen
            .post_form(
                &closed_page,
                &format!(
                    "title=Mu%E1%BB%99n&field=van_hoc&genre=Th%C6%A1&authors=L%C3%AA+Mu%E1%BB%99n&author_kind=nguoi_dan\
                     &work_unit=X%C3%A3+Trung+An&email=muon%40example.vn&made_on=01/01/2024&original=1\
                     &answer={answer}&expires={expires}&token={token}"
                ),
            )
            .await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(late.text().contains("nhận tác phẩm từ"));
        // The public page never shows a contact.
        assert!(!citizen.get(&page).await.text().contains("0912345678"));

        // Staff of the city read contacts; a leader reads the entries without them.
        let round = format!("/quan-ly/giai-thuong/{open}");
        let staff_page = admin.get(&round).await.text();
        assert!(staff_page.contains("0912345678"), "{staff_page}");
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let leader_page = leader.get(&round).await.text();
        assert!(leader_page.contains("Hát về Bác"));
        assert!(!leader_page.contains("0912345678"));
        assert_eq!(
            admin
                .signed_in_as("canbo.p5")
                .await
                .get(&round)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // The past round's figures by field and author kind lead to their entries.
        let past = leader
            .get(&format!("/quan-ly/giai-thuong/{closed}?kind=doan_vien"))
            .await
            .text();
        let union_members = admin
            .scalar(&format!(
                "SELECT COUNT(*) AS value FROM award_entries WHERE round_id = {closed} AND author_kind = 'doan_vien'"
            ))
            .await;
        assert!(
            past.contains(&format!("<strong>{union_members}</strong> tác phẩm")),
            "{past}"
        );
        assert!(past.contains("Theo lĩnh vực"));
    }
}

#[tokio::test]
async fn a_committee_launches_a_round_with_its_prizes_and_enters_a_work_brought_on_paper() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = admin.org_id("DB-P5").await;
        let launch = format!("/quan-ly/giai-thuong?org={p5}");
        let refused = staff
            .post_form(
                &launch,
                "name=Gi%E1%BA%A3i&rules=&opens_on=01/06/2026&closes_on=01/01/2026",
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        for message in [
            "Ghi thể lệ",
            "Hạn nhận tác phẩm phải sau",
            "Ghi số giải của ít nhất một hạng",
        ] {
            assert!(refused.text().contains(message), "{message}");
        }
        let launched = staff
            .post_form(
                &launch,
                "name=Gi%E1%BA%A3i+ph%C6%B0%E1%BB%9Dng+5&rules=Th%E1%BB%83+l%E1%BB%87&opens_on=01/01/2026&closes_on=31/12/2026&a=1&b=2",
            )
            .await;
        assert_eq!(
            launched.status,
            StatusCode::SEE_OTHER,
            "{}",
            launched.text()
        );
        let round = launched.location();
        assert!(
            staff
                .get(&round)
                .await
                .text()
                .contains("Giải A: 1; Giải B: 2")
        );
        let entered = staff
            .post_form(
                &format!("{round}/tac-pham"),
                "title=%E1%BA%A2nh+khu+ph%E1%BB%91&field=nhiep_anh&genre=%E1%BA%A2nh+%C4%91%C6%A1n&authors=Ng%C3%B4+Ba\
                 &author_kind=hoi_vien&work_unit=Ph%C6%B0%E1%BB%9Dng+5&phone=0987654321&made_on=02/02/2026&original=1",
            )
            .await;
        assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.text());
        let text = staff.get(&round).await.text();
        assert!(
            text.contains("Hội viên") && text.contains("0987654321"),
            "{text}"
        );
    }
}
