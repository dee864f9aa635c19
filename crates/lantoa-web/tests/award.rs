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
        let send_link =
            |id: i64| format!("href=\"/giai-thuong-sang-tac/{id}\">Xem thể lệ và gửi tác phẩm");
        assert!(list.contains(&send_link(open)), "{list}");
        assert!(
            !list.contains(&send_link(closed)),
            "a closed round takes no works"
        );

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
        let refused = citizen.post_multipart(&page, &body(&wrong, ""), None).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(refused.text().contains("Câu trả lời chưa đúng"));
        assert!(refused.text().contains("Cần cam đoan tác phẩm"));
        assert_eq!(admin.scalar(count).await, before);
        let sent = citizen
            .post_multipart(&page, &body(&answer, "1"), None)
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());
        assert!(sent.text().contains("Đã nhận tác phẩm"));
        let again = citizen
            .post_multipart(&page, &body(&answer, "1"), None)
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().contains("đã được gửi dự giải"));
        assert_eq!(admin.scalar(count).await, before + 1);
        // A closed round takes nothing from the public.
        let closed_page = format!("/giai-thuong-sang-tac/{closed}");
        let (answer, expires, token) = solve(&citizen.get(&page).await.text());
        let late = citizen
            .post_multipart(
                &closed_page,
                &format!(
                    "title=Mu%E1%BB%99n&field=van_hoc&genre=Th%C6%A1&authors=L%C3%AA+Mu%E1%BB%99n&author_kind=nguoi_dan\
                     &work_unit=X%C3%A3+Trung+An&email=muon%40example.vn&made_on=01/01/2024&original=1\
                     &answer={answer}&expires={expires}&token={token}"
                ),
                None,
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
            .post_multipart(
                &format!("{round}/tac-pham"),
                "title=%E1%BA%A2nh+khu+ph%E1%BB%91&field=nhiep_anh&genre=%E1%BA%A2nh+%C4%91%C6%A1n&authors=Ng%C3%B4+Ba\
                 &author_kind=hoi_vien&work_unit=Ph%C6%B0%E1%BB%9Dng+5&phone=0987654321&made_on=02/02/2026&original=1", Some(("Ảnh khu phố.png", &common::png_picture())))
            .await;
        assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.text());
        let text = staff.get(&round).await.text();
        assert!(text.contains("Ảnh khu phố.png"), "{text}");
        let file = admin
            .scalar("SELECT MAX(file_id) AS value FROM award_entry_files")
            .await;
        let served = staff.get(&format!("{round}/tep/{file}")).await;
        assert_eq!(common::served_picture(&served), (16, 16));
        // A text file named as a picture is refused next to the file field; nothing kept.
        let fake = staff
            .post_multipart(
                &format!("{round}/tac-pham"),
                "title=Kh%C3%A1c&field=nhiep_anh&genre=%E1%BA%A2nh&authors=Ng%C3%B4+Ba&author_kind=hoi_vien\
                 &work_unit=P5&phone=0987654321&made_on=02/02/2026&original=1",
                Some(("anh.png", b"not a picture")),
            )
            .await;
        assert_eq!(fake.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            fake.text().contains("không phải tệp .png thật"),
            "{}",
            fake.text()
        );
        assert!(
            text.contains("Hội viên") && text.contains("0987654321"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn judges_score_blind_a_conflict_leaves_them_out_and_confirmed_results_are_published() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = admin.org_id("DB-P5").await;
        let launched = staff
            .post_form(
                &format!("/quan-ly/giai-thuong?org={p5}"),
                "name=Gi%E1%BA%A3i+ph%C6%B0%E1%BB%9Dng&rules=Th%E1%BB%83+l%E1%BB%87&opens_on=01/01/2026&closes_on=31/12/2026&a=1&c=1",
            )
            .await;
        let round = launched.location();
        let id: i64 = round.rsplit('/').next().unwrap().parse().unwrap();
        for (title, author) in [
            ("Bai+mot", "T%C3%A1c+Gi%E1%BA%A3+%E1%BA%A8n+M%E1%BB%99t"),
            ("Bai+hai", "T%C3%A1c+Gi%E1%BA%A3+%E1%BA%A8n+Hai"),
            ("Bai+ba", "T%C3%A1c+Gi%E1%BA%A3+%E1%BA%A8n+Ba"),
        ] {
            let entered = staff
                .post_multipart(
                    &format!("{round}/tac-pham"),
                    &format!(
                        "title={title}&field=am_nhac&genre=Ca+kh%C3%BAc&authors={author}&author_kind=nguoi_dan\
                         &work_unit=Ph%C6%B0%E1%BB%9Dng+5&phone=0911111111&made_on=02/02/2026&original=1"
                    ), None)
                .await;
            assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.text());
        }
        // A judge from outside the ward, for music.
        let unknown = staff
            .post_form(
                &format!("{round}/giam-khao"),
                "username=khong.co&field=am_nhac",
            )
            .await;
        assert_eq!(
            unknown.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(unknown.text().contains("Không có tài khoản «khong.co»"));
        let assigned = staff
            .post_form(
                &format!("{round}/giam-khao"),
                "username=canbo.p1&field=am_nhac",
            )
            .await;
        assert_eq!(
            assigned.status,
            StatusCode::SEE_OTHER,
            "{}",
            assigned.text()
        );

        let judge = admin.signed_in_as("canbo.p1").await;
        assert!(
            judge
                .get("/quan-ly/cham-giai")
                .await
                .text()
                .contains("Giải phường")
        );
        let page = format!("/quan-ly/cham-giai/{id}");
        let sheet = judge.get(&page).await.text();
        assert!(sheet.contains("Bai mot"), "{sheet}");
        assert!(
            !sheet.contains("Tác Giả Ẩn"),
            "the judge does not see the authors"
        );
        assert!(!sheet.contains("0911111111"));
        // The judge still may not read the round's page itself.
        assert_eq!(judge.get(&round).await.status, StatusCode::NOT_FOUND);
        // Someone who is no judge of the round learns nothing.
        let member = admin.signed_in_as("dangvien.p5").await;
        assert_eq!(member.get(&page).await.status, StatusCode::NOT_FOUND);

        let entries = |title: &str| {
            format!(
                "SELECT id AS value FROM award_entries WHERE round_id = {id} AND title = '{title}'"
            )
        };
        let (one, two, three) = (
            admin.scalar(&entries("Bai mot")).await,
            admin.scalar(&entries("Bai hai")).await,
            admin.scalar(&entries("Bai ba")).await,
        );
        let refused = judge
            .post_form(&page, &format!("entry={one}&content=41&art=30&impact=15"))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("điểm nguyên từ 0 đến 40"));
        for (entry, points) in [
            (one, "content=38&art=36&impact=18"),
            (two, "content=30&art=25&impact=10"),
        ] {
            let scored = judge
                .post_form(&page, &format!("entry={entry}&{points}"))
                .await;
            assert_eq!(scored.status, StatusCode::SEE_OTHER, "{}", scored.text());
        }
        let conflict = judge
            .post_form(&page, &format!("entry={three}&conflict=1"))
            .await;
        assert_eq!(conflict.status, StatusCode::SEE_OTHER);
        // Correcting a score replaces it.
        judge
            .post_form(&page, &format!("entry={two}&content=30&art=26&impact=10"))
            .await;
        assert_eq!(
            admin
                .scalar(&format!(
                    "SELECT COUNT(*) AS value FROM award_scores WHERE entry_id = {two}"
                ))
                .await,
            1
        );

        // Closing the preliminary round: 92 and 66 go on; the conflicted entry has no score.
        let closed = staff
            .post_form(&format!("{round}/vong"), "stage=chung_khao")
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.text());
        assert_eq!(
            admin
                .scalar(&format!("SELECT COUNT(*) AS value FROM award_entries WHERE round_id = {id} AND finalist = true"))
                .await,
            2
        );
        let finals = judge.get(&page).await.text();
        assert!(!finals.contains("Bai ba"), "only finalists in the final");
        judge
            .post_form(&page, &format!("entry={one}&content=39&art=37&impact=19"))
            .await;
        judge
            .post_form(&page, &format!("entry={two}&content=28&art=24&impact=8"))
            .await;
        // No entry may be sent once judging is under way.
        let late = staff
            .post_multipart(
                &format!("{round}/tac-pham"),
                "title=Muon&field=am_nhac&genre=Ca+kh%C3%BAc&authors=Ai+%C4%90%C3%B3&author_kind=nguoi_dan\
                 &work_unit=P5&phone=0911111112&made_on=02/02/2026&original=1", None)
            .await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);

        let confirmed = staff
            .post_form(&format!("{round}/vong"), "stage=da_cong_bo")
            .await;
        assert_eq!(
            confirmed.status,
            StatusCode::SEE_OTHER,
            "{}",
            confirmed.text()
        );
        let public = admin
            .anonymous()
            .get(&format!("/giai-thuong-sang-tac/{id}"))
            .await
            .text();
        assert!(
            public.contains("<strong>Giải A</strong> — «Bai mot»"),
            "{public}"
        );
        assert!(
            public.contains("<strong>Giải C</strong> — «Bai hai»"),
            "{public}"
        );
        assert!(!public.contains("0911111111"));
        assert!(
            !public.contains("Gửi tác phẩm</button>"),
            "no entries after the results"
        );
    }
}

#[tokio::test]
async fn the_demo_publishes_the_past_rounds_results() {
    for admin in TestApp::each().await {
        let past = admin
            .scalar("SELECT MIN(id) AS value FROM award_rounds")
            .await;
        let public = admin.anonymous().get("/giai-thuong-sang-tac").await.text();
        assert!(public.contains("Kết quả các đợt giải"), "{public}");
        let page = admin
            .anonymous()
            .get(&format!("/giai-thuong-sang-tac/{past}"))
            .await
            .text();
        assert!(page.contains("Giải A"), "{page}");
        assert_eq!(
            admin
                .scalar(&format!("SELECT COUNT(*) AS value FROM award_entries WHERE round_id = {past} AND prize = 'a'"))
                .await,
            2
        );
    }
}
