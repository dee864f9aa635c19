//! The study figures of the seed report, live from the demo: 99,7% of members and more than
//! 16.700 lượt of citizens in 2024, each number leading to its list; sessions, attendance
//! and their refusals. On SQLite, and on PostgreSQL when `LANTOA_TEST_POSTGRES_URL` is set.

mod common;

use axum::http::StatusCode;
use common::{TestApp, multipart_to};

#[tokio::test]
async fn the_city_reads_99_7_percent_and_the_missing_are_listed() {
    for app in TestApp::each().await {
        let root = app.org_id("TU-MYTHO").await;
        let page = app
            .get(&format!("/quan-ly/hoc-tap?org={root}&year=2024"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", app.backend);
        let html = page.text();
        assert!(html.contains("99,7%"), "{html}");
        assert!(html.contains("Người dân: 16.742 lượt"), "{html}");
        assert!(html.contains("Đảng bộ Phường 5"), "the per-unit table");

        let stats: serde_json::Value = serde_json::from_slice(
            &app.get(&format!("/api/v1/stats/study?org={root}&year=2024"))
                .await
                .body,
        )
        .unwrap();
        assert_eq!(stats["percent"], "99,7%");
        assert_eq!(stats["counted"]["nguoi_dan"], 16_742);
        let (eligible, studied) = (
            stats["eligible"].as_i64().unwrap(),
            stats["studied"].as_i64().unwrap(),
        );
        let children: i64 = stats["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["eligible"].as_i64().unwrap())
            .sum();
        assert!(
            children <= eligible && children > eligible * 9 / 10,
            "children add up: {children} of {eligible}"
        );

        let missing = app
            .get(&format!("/quan-ly/hoc-tap/chua-hoc?org={root}&year=2024"))
            .await
            .text();
        assert!(
            missing.contains(&format!(
                "<strong>{}</strong> đảng viên chưa có mặt",
                lantoa_domain::format::number(eligible - studied)
            )),
            "{missing}"
        );
        let export = app
            .get(&format!(
                "/quan-ly/hoc-tap/chua-hoc?org={root}&year=2024&format=xlsx"
            ))
            .await;
        assert_eq!(export.status, StatusCode::OK);
        let table = lantoa_office::Table::read("x.xlsx", &export.body).unwrap();
        assert_eq!(
            table.rows.len() as i64,
            eligible - studied + 1,
            "header and one row per missing member"
        );

        // 2025 has begun: sessions held, no attendance yet.
        let y2025 = app
            .get(&format!("/quan-ly/hoc-tap?org={root}&year=2025"))
            .await
            .text();
        assert!(y2025.contains(">0%<"), "{y2025}");
    }
}

#[tokio::test]
async fn staff_record_a_session_and_mark_attendance_within_their_unit() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = admin.org_id("DB-P5").await;
        let bad = staff
            .post_form(
                &format!("/quan-ly/hoc-tap/buoi/moi?org={p5}&year=2025"),
                "title=Sinh+ho%E1%BA%A1t&kind=hoi_nghi&format=truc_tiep&date=01%2F02%2F2024&starts=07%3A30&ends=07%3A00",
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        let html = bad.text();
        assert!(
            html.contains("không thuộc năm 2025")
                && html.contains("Chọn ít nhất một chuyên đề")
                && html.contains("phải sau giờ bắt đầu"),
            "{html}"
        );

        let year = lantoa_store::campaign::year(admin.state.store.db(), 2025)
            .await
            .unwrap();
        let created = staff
            .post_form(
                &format!("/quan-ly/hoc-tap/buoi/moi?org={p5}&year=2025"),
                &format!("title=Sinh+ho%E1%BA%A1t+chuy%C3%AAn+%C4%91%E1%BB%81&kind=sinh_hoat_chuyen_de&format=ket_hop&date=12%2F04%2F2025&starts=14%3A00&ends=16%3A30&topics={}", year.topics[0].id),
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER);
        let url = created.location();
        let roster = staff.get(&url).await.text();
        let first = roster
            .split("name=\"m_")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let saved = staff
            .post_form(&format!("{url}/diem-danh"), &format!("m_{first}=co_mat"))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);

        // Someone of another ward cannot be marked here: nothing is written.
        let outsider = admin.someone_of("DB-P1").await;
        let refused = staff
            .post_form(
                &format!("{url}/diem-danh"),
                &format!("m_{first}=vang&m_{outsider}=co_mat"),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("không thuộc Đảng bộ Phường 5"));
        let page = staff.get(&url).await.text();
        assert!(
            page.contains("<dt>Đảng viên có mặt</dt><dd>1</dd>"),
            "the first mark stands"
        );

        let all = staff.post_form(&format!("{url}/co-mat-tat-ca"), "").await;
        assert_eq!(all.status, StatusCode::SEE_OTHER);
        let counted = staff
            .post_form(&format!("{url}/luot"), "n_nguoi_dan=1.250&n_doan_vien=-3")
            .await;
        assert_eq!(counted.status, StatusCode::UNPROCESSABLE_ENTITY);
        let counted = staff
            .post_form(&format!("{url}/luot"), "n_nguoi_dan=1.250")
            .await;
        assert_eq!(counted.status, StatusCode::SEE_OTHER);
        assert!(
            staff
                .get(&url)
                .await
                .text()
                .contains("<dt>Lượt khác</dt><dd>1.250</dd>")
        );

        // A leader reads the session but cannot mark.
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        assert_eq!(leader.get(&url).await.status, StatusCode::OK);
        assert_eq!(
            leader
                .post_form(&format!("{url}/diem-danh"), &format!("m_{first}=vang"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        admin.assert_counters_exact(5).await;
    }
}

#[tokio::test]
async fn members_check_in_with_the_code_while_the_session_is_open() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let actor = lantoa_store::audit::Actor::cli();
        let year = admin.open_year(2026).await;
        let now = chrono::Local::now().naive_local();
        let open_session = |code: &'static str| {
            let year = year.clone();
            let actor = actor.clone();
            async move {
                let unit = lantoa_store::org::get_by_code(db, code)
                    .await
                    .unwrap()
                    .unwrap();
                let draft = lantoa_domain::study::SessionDraft {
                    title: format!("Sinh hoạt {code}"),
                    kind: lantoa_domain::study::SessionKind::ThematicMeeting,
                    format: lantoa_domain::study::SessionFormat::InPerson,
                    starts_at: now - chrono::Duration::minutes(10),
                    ends_at: now + chrono::Duration::minutes(60),
                    place: None,
                    speaker: None,
                    notes: None,
                    topics: vec![year.topics[0].id],
                    units: vec![],
                };
                let id = lantoa_store::study::create_session(db, &actor, unit.id, &year, &draft)
                    .await
                    .unwrap();
                lantoa_store::study::session(db, id).await.unwrap()
            }
        };
        let p5 = open_session("DB-P5").await;
        let p1 = open_session("DB-P1").await;
        let member = admin.signed_in_as("dangvien.p5").await;

        let wrong = member.post_form("/quan-ly/diem-danh", "ma=ZZZZZZ").await;
        assert_eq!(
            wrong.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(wrong.text().contains("không đúng"));
        let elsewhere = member
            .post_form("/quan-ly/diem-danh", &format!("ma={}", p1.checkin_code))
            .await;
        assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            elsewhere
                .text()
                .contains("Bạn không thuộc Đảng bộ Phường 1"),
            "{}",
            elsewhere.text()
        );
        let old = lantoa_store::study::sessions(
            db,
            &lantoa_store::org::get(db, p5.org_id)
                .await
                .unwrap()
                .subtree(),
            &lantoa_store::campaign::year(db, 2024).await.unwrap(),
            1,
            1,
        )
        .await
        .unwrap()
        .items[0]
            .checkin_code
            .clone();
        let closed = member
            .post_form("/quan-ly/diem-danh", &format!("ma={old}"))
            .await;
        assert!(
            closed.text().contains("chỉ nhận điểm danh từ"),
            "{}",
            closed.text()
        );

        let typed = p5.checkin_code.to_lowercase();
        let done = member
            .post_form("/quan-ly/diem-danh", &format!("ma={typed}"))
            .await;
        assert_eq!(done.status, StatusCode::OK);
        assert!(done.text().contains("Đã ghi nhận bạn có mặt"));
        assert_eq!(
            lantoa_store::study::session(db, p5.id)
                .await
                .unwrap()
                .present,
            1
        );

        let staff = admin.signed_in_as("canbo.p5").await;
        let qr = staff
            .get(&format!("/quan-ly/hoc-tap/buoi/{}/ma-qr.svg", p5.id))
            .await;
        assert_eq!(qr.status, StatusCode::OK);
        assert!(qr.text().contains("<svg"));
        assert_eq!(
            member
                .get(&format!("/quan-ly/hoc-tap/buoi/{}/ma-qr.svg", p5.id))
                .await
                .status,
            StatusCode::NOT_FOUND,
            "the code is for the organiser to show"
        );
    }
}

#[tokio::test]
async fn attendance_imports_from_a_file_all_or_nothing() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = lantoa_store::org::get_by_code(db, "DB-P5")
            .await
            .unwrap()
            .unwrap();
        let y2025 = lantoa_store::campaign::year(db, 2025).await.unwrap();
        let session = lantoa_store::study::sessions(db, &p5.subtree(), &y2025, 1, 1)
            .await
            .unwrap()
            .items[0]
            .clone();
        assert_eq!(session.present, 0);
        let url = format!("/quan-ly/hoc-tap/buoi/{}", session.id);

        // The roster to fill in, with the import's headers.
        let template = staff.get(&format!("{url}/mau.xlsx")).await;
        assert_eq!(template.status, StatusCode::OK, "{}", admin.backend);
        let table = lantoa_office::Table::read("mau.xlsx", &template.body).unwrap();
        let rows = lantoa_office::columns::attendance_rows(&table).unwrap();
        let roster = lantoa_store::study::roster(db, &session, "").await.unwrap();
        assert_eq!(rows.len(), roster.len());

        let (a, b) = (&roster[0], &roster[1]);
        let csv = format!(
            "Họ và tên;Số thẻ đảng viên;Mã đơn vị;Điểm danh\n{};;{};Có mặt\n{};{};;x\nKhông Có Ai;;{};Có mặt\n{};;{};???\n{};;{};Vắng\n",
            a.full_name,
            a.org_code,
            b.full_name,
            b.party_card_no.clone().unwrap_or_default(),
            a.org_code,
            b.full_name,
            b.org_code,
            a.full_name,
            a.org_code,
        );
        let upload = |options: &'static [&'static str]| {
            common::multipart_to(
                &format!("{url}/nhap"),
                "",
                "diem-danh.csv",
                csv.as_bytes(),
                options,
            )
        };
        let refused = staff.send(upload(&[])).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        assert!(
            html.contains("3 dòng của tệp bị lỗi, chưa lưu gì"),
            "{html}"
        );
        assert!(html.contains("Dòng 4: Không có «Không Có Ai»"), "{html}");
        assert!(html.contains("không rõ"), "{html}");
        assert!(html.contains("đã được điểm danh ở dòng 2"), "{html}");
        assert_eq!(
            lantoa_store::study::session(db, session.id)
                .await
                .unwrap()
                .present,
            0,
            "nothing written"
        );

        let skipped = staff.send(upload(&["skip_invalid"])).await;
        assert!(
            skipped.text().contains("Đã lưu điểm danh từ tệp: 2 mới"),
            "{}",
            skipped.text()
        );
        assert_eq!(
            lantoa_store::study::session(db, session.id)
                .await
                .unwrap()
                .present,
            2
        );
        let again = staff.send(upload(&["skip_invalid"])).await;
        assert!(
            again.text().contains("0 mới, 0 thay đổi, 2 không đổi"),
            "re-importing changes nothing"
        );
        admin.assert_counters_exact(5).await;
    }
}

#[tokio::test]
async fn a_session_is_narrowed_to_units_edited_given_files_and_deleted() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let staff = admin.signed_in_as("canbo.p5").await;
        let (ward, cell, other_ward) = (
            admin.org_id("DB-P5").await,
            admin.org_id("DB-P5-CB1").await,
            admin.org_id("DB-P1").await,
        );
        let topic = lantoa_store::campaign::year(db, 2024).await.unwrap().topics[0].id;
        let form = |units: &str| {
            format!(
                "title=Sinh+ho%E1%BA%A1t+chi+b%E1%BB%99&kind=sinh_hoat_chuyen_de&format=truc_tiep&date=10/06/2024\
                 &starts=19:00&ends=21:00&topics={topic}{units}"
            )
        };
        let new = format!("/quan-ly/hoc-tap/buoi/moi?org={ward}&year=2024");

        // A unit outside the organiser's subtree is refused, nothing written.
        let reply = staff
            .post_form(&new, &form(&format!("&units={other_ward}")))
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
                .contains("Chỉ chọn được các đơn vị thuộc Đảng bộ Phường 5")
        );

        // Narrowed to one cell: the roster holds that cell's members only.
        let reply = staff
            .post_form(&new, &form(&format!("&units={cell}")))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let id: i64 = reply
            .location()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let session = lantoa_store::study::session(db, id).await.unwrap();
        assert_eq!(session.roster_units.len(), 1);
        let roster = lantoa_store::study::roster(db, &session, "").await.unwrap();
        assert!(!roster.is_empty() && roster.iter().all(|r| r.org_code.starts_with("DB-P5-CB1")));
        let page = staff
            .get(&format!("/quan-ly/hoc-tap/buoi/{id}"))
            .await
            .text();
        assert!(
            page.contains(&format!("Đảng viên của {}", session.roster_units[0].name)),
            "{page}"
        );
        let whole = lantoa_store::study::Session {
            roster_units: vec![],
            ..session.clone()
        };
        let outsider = lantoa_store::study::roster(db, &whole, "")
            .await
            .unwrap()
            .into_iter()
            .find(|r| !r.org_code.starts_with("DB-P5-CB1"))
            .unwrap();
        let reply = staff
            .post_form(
                &format!("/quan-ly/hoc-tap/buoi/{id}/diem-danh"),
                &format!("m_{}=co_mat", outsider.person_id),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("không thuộc"), "{}", reply.text());

        // Edited: the whole ward again, a new title; the log has the change.
        let edit = staff
            .get(&format!("/quan-ly/hoc-tap/buoi/{id}/sua"))
            .await
            .text();
        assert!(
            edit.contains("value=\"10/06/2024\"") && edit.contains("checked"),
            "{edit}"
        );
        let reply = staff
            .post_form(
                &format!("/quan-ly/hoc-tap/buoi/{id}/sua"),
                &form("").replace("chi+b%E1%BB%99", "to%C3%A0n+ph%C6%B0%E1%BB%9Dng"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let session = lantoa_store::study::session(db, id).await.unwrap();
        assert!(session.roster_units.is_empty() && session.title == "Sinh hoạt toàn phường");
        assert!(
            admin
                .get("/quan-ly/nhat-ky?viec=session_update")
                .await
                .text()
                .contains("Sửa buổi học tập")
        );

        // Files: a photo is kept and served back; a renamed program is refused.
        let png = common::png_picture();
        let reply = staff
            .send(multipart_to(
                &format!("/quan-ly/hoc-tap/buoi/{id}/tep"),
                "",
                "Ảnh hội nghị.png",
                &png,
                &[],
            ))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let files = lantoa_store::study::SESSION_FILES
            .list(db, id)
            .await
            .unwrap();
        assert_eq!(files.len(), 1);
        let served = staff
            .get(&format!("/quan-ly/hoc-tap/buoi/{id}/tep/{}", files[0].id))
            .await;
        assert_eq!(common::served_picture(&served), (16, 16));
        let reply = staff
            .send(multipart_to(
                &format!("/quan-ly/hoc-tap/buoi/{id}/tep"),
                "",
                "bien-ban.pdf",
                b"MZ\x90\x00",
                &[],
            ))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("không phải tệp .pdf thật"));
        assert_eq!(
            lantoa_store::study::SESSION_FILES
                .list(db, id)
                .await
                .unwrap()
                .len(),
            1
        );
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(
            other
                .get(&format!("/quan-ly/hoc-tap/buoi/{id}/tep/{}", files[0].id))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Deleted, marks and files with it, after a page that says what goes.
        staff
            .post_form(&format!("/quan-ly/hoc-tap/buoi/{id}/co-mat-tat-ca"), "")
            .await;
        let confirm = staff
            .get(&format!("/quan-ly/hoc-tap/buoi/{id}/xoa"))
            .await
            .text();
        assert!(confirm.contains("1 tệp đính kèm"), "{confirm}");
        let reply = staff
            .post_form(&format!("/quan-ly/hoc-tap/buoi/{id}/xoa"), "")
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(
            staff
                .get(&format!("/quan-ly/hoc-tap/buoi/{id}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert!(
            lantoa_store::study::SESSION_FILES
                .list(db, id)
                .await
                .unwrap()
                .is_empty()
        );
        admin.assert_counters_exact(5).await;
    }
}
