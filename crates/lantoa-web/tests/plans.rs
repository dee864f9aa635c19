//! Personal plans through their year: the seed's "100% … xây dựng kế hoạch cá nhân" for
//! 2024 and the lists behind 2025's figures; a member writes, submits, is returned, fixes,
//! is approved, reviews at mid-year and year end, and the cell assesses and locks — with
//! every refusal explained and nothing written. On SQLite, and on PostgreSQL when
//! `LANTOA_TEST_POSTGRES_URL` is set.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use lantoa_store::campaign::Until;

#[tokio::test]
async fn every_member_had_a_plan_in_2024_and_2025_lists_who_has_not() {
    for admin in TestApp::each().await {
        let root = admin.org_id("TU-MYTHO").await;
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let page = leader
            .get(&format!("/quan-ly/ke-hoach?org={root}&year=2024"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", admin.backend);
        let html = page.text();
        assert_eq!(html.matches("tile-value\">100%<").count(), 4, "{html}");
        assert!(html.contains("3.425/3.425 đảng viên"), "{html}");

        // 2025: the number of members without a plan is the length of the list behind it.
        let ward = admin.org_id("DB-P5").await;
        let html = leader
            .get(&format!("/quan-ly/ke-hoach?org={ward}&year=2025"))
            .await
            .text();
        let lacking: i64 = html
            .split("buoc=nop\">")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.replace('.', "").parse().ok())
            .unwrap_or_else(|| panic!("no drill-down link: {html}"));
        assert!(lacking > 0);
        let list = leader
            .get(&format!(
                "/quan-ly/ke-hoach/chua?org={ward}&year=2025&buoc=nop"
            ))
            .await
            .text();
        assert!(
            list.contains(&format!("<strong>{lacking}</strong> đảng viên")),
            "{list}"
        );
        assert_eq!(
            list.matches("<tr><td><a href=\"/quan-ly/nhan-su/").count() as i64,
            lacking.min(50)
        );

        // Leaders and heads with their plans (locked in 2024; heads who are not members, or
        // exempt, have none).
        let leaders = leader
            .get(&format!("/quan-ly/ke-hoach/lanh-dao?org={root}&year=2024"))
            .await
            .text();
        assert!(
            leaders.contains("Đã khóa") && leaders.contains("Bí thư Chi bộ"),
            "{leaders}"
        );

        // Another ward's staff do not see this ward's figures.
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(
            other
                .get(&format!("/quan-ly/ke-hoach?org={ward}&year=2025"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_plan_goes_from_draft_to_locked_with_its_reviews() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        admin.open_year(2026).await;
        let member = admin.signed_in_as("dangvien.p5").await;
        let staff = admin.signed_in_as("canbo.p5").await;

        let start = member
            .get("/quan-ly/ke-hoach-cua-toi?year=2026")
            .await
            .text();
        assert!(start.contains("Lập kế hoạch năm 2026"), "{start}");
        let reply = member
            .post_form("/quan-ly/ke-hoach-cua-toi", "year=2026")
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", admin.backend);
        let edit = reply.location();
        let id: i64 = edit.split('/').nth(3).unwrap().parse().unwrap();
        let plan = format!("/quan-ly/ke-hoach/{id}");

        // An empty plan cannot be submitted; a vague commitment is refused at its row.
        let reply = member.post_form(&format!("{plan}/buoc"), "step=nop").await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("chưa có việc làm cụ thể nào"));
        let vague = "area_0=neu_guong&action_0=Th%E1%BB%B1c+hi%E1%BB%87n+t%E1%BB%91t&measure_0=&deadline_0=&then=luu";
        let reply = member.post_form(&edit, vague).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = reply.text();
        assert!(html.contains("Việc 1: việc làm cần cụ thể"), "{html}");
        assert!(html.contains("Thực hiện tốt"), "the typed text stays");
        assert!(
            lantoa_store::plans::commitments(db, id)
                .await
                .unwrap()
                .is_empty()
        );

        let good = "party_post=%C4%90%E1%BA%A3ng+vi%C3%AAn\
            &area_0=neu_guong&action_0=%C4%90i+%C4%91%E1%BA%A7u+v%E1%BA%ADn+%C4%91%E1%BB%99ng+gia+%C4%91%C3%ACnh+ph%C3%A2n+lo%E1%BA%A1i+r%C3%A1c&measure_0=C%E1%BA%A3+n%C4%83m&deadline_0=30%2F06%2F2026\
            &area_1=nhiem_vu&action_1=Ho%C3%A0n+th%C3%A0nh+b%C3%A1o+c%C3%A1o+qu%C3%BD+%C4%91%C3%BAng+h%E1%BA%A1n&measure_1=4+b%C3%A1o+c%C3%A1o&deadline_1=&then=nop";
        let reply = member.post_form(&edit, good).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let stored = lantoa_store::plans::plan(db, id).await.unwrap();
        assert_eq!(stored.state, lantoa_domain::plans::PlanState::Submitted);
        assert_eq!(
            lantoa_store::plans::commitments(db, id)
                .await
                .unwrap()
                .len(),
            2
        );

        // The member cannot approve their own plan; another ward cannot see it.
        assert_eq!(
            member
                .post_form(&format!("{plan}/buoc"), "step=duyet")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(other.get(&plan).await.status, StatusCode::NOT_FOUND);

        // Returned: a comment is required and shown to the member.
        let reply = staff
            .post_form(&format!("{plan}/buoc"), "step=tra_lai&comment=")
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("Ghi rõ cần sửa gì"));
        let reply = staff
            .post_form(
                &format!("{plan}/buoc"),
                "step=tra_lai&comment=Ghi+r%C3%B5+s%E1%BB%91+bu%E1%BB%95i",
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let html = member.get(&plan).await.text();
        assert!(
            html.contains("↺ Ghi rõ số buổi") && html.contains("Trả lại để sửa"),
            "{html}"
        );
        let reply = member.post_form(&edit, good).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let reply = staff.post_form(&format!("{plan}/buoc"), "step=duyet").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);

        // Approved plans are no longer edited.
        assert_eq!(member.get(&edit).await.status, StatusCode::CONFLICT);
        assert_eq!(
            member.post_form(&edit, good).await.status,
            StatusCode::CONFLICT
        );

        // Mid-year: every commitment gets a progress; "not done" needs a reason.
        let ids: Vec<i64> = lantoa_store::plans::commitments(db, id)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        let review = format!("{plan}/danh-gia-viec");
        let reply = member
            .post_form(
                &review,
                &format!(
                    "step=so_ket&progress_{}=chua_thuc_hien&evidence_{}=",
                    ids[0], ids[0]
                ),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = reply.text();
        assert!(
            html.contains("Việc 1: chưa thực hiện thì ghi lý do")
                && html.contains("Việc 2: chọn mức thực hiện"),
            "{html}"
        );
        let progress = format!(
            "progress_{a}=dang_thuc_hien&evidence_{a}=%C4%90%C3%A3+v%E1%BA%ADn+%C4%91%E1%BB%99ng+3+h%E1%BB%99&progress_{b}=da_thuc_hien&evidence_{b}=",
            a = ids[0],
            b = ids[1]
        );
        let reply = member
            .post_form(&review, &format!("step=so_ket&{progress}"))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        // Year end: the self-assessment needs its text.
        let reply = member
            .post_form(&review, &format!("step=tu_danh_gia&{progress}&comment="))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let reply = member
            .post_form(
                &review,
                &format!(
                    "step=tu_danh_gia&{progress}&comment=Ho%C3%A0n+th%C3%A0nh+c%C6%A1+b%E1%BA%A3n"
                ),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let reply = staff
            .post_form(
                &format!("{plan}/buoc"),
                "step=danh_gia&comment=Ho%C3%A0n+th%C3%A0nh+t%E1%BB%91t",
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let reply = staff.post_form(&format!("{plan}/buoc"), "step=khoa").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let stored = lantoa_store::plans::plan(db, id).await.unwrap();
        assert_eq!(stored.state, lantoa_domain::plans::PlanState::Locked);
        let reply = staff
            .post_form(&format!("{plan}/buoc"), "step=danh_gia&comment=x")
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("Kế hoạch đã khóa"));
        let html = member.get(&plan).await.text();
        assert!(
            html.contains("Đang thực hiện</strong> — Đã vận động 3 hộ")
                && html.contains("Hoàn thành tốt"),
            "{html}"
        );
        let events = lantoa_store::plans::events(db, id).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.step.as_str()).collect::<Vec<_>>(),
            [
                "nop",
                "tra_lai",
                "nop",
                "duyet",
                "so_ket",
                "tu_danh_gia",
                "danh_gia",
                "khoa"
            ]
        );
        // Printed and as Word in the Party's layout; the date of birth only for who may see it.
        let print = member.get(&format!("{plan}/in")).await.text();
        for expected in [
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "CHI BỘ KHU PHỐ 1, PHƯỜNG 5",
            "Mỹ Tho, ngày",
            "KẾ HOẠCH CÁ NHÂN",
            "Ngày sinh",
            "XÁC NHẬN CỦA CHI BỘ",
            "Đã thực hiện",
        ] {
            assert!(print.contains(expected), "{expected}: {print}");
        }
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let printed_for_leader = leader.get(&format!("{plan}/in")).await.text();
        assert!(
            printed_for_leader.contains("KẾ HOẠCH CÁ NHÂN")
                && !printed_for_leader.contains("Ngày sinh")
        );
        let word = member.get(&format!("{plan}/ke-hoach.docx")).await;
        assert_eq!(word.status, StatusCode::OK);
        assert!(word.body.starts_with(b"PK\x03\x04"));
        let log = admin.get("/quan-ly/nhat-ky?viec=plan_approve").await.text();
        assert!(log.contains("Duyệt kế hoạch"), "{log}");
        admin.assert_counters_exact(5).await;
    }
}

#[tokio::test]
async fn staff_enter_plans_only_for_people_without_accounts() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let staff = admin.signed_in_as("canbo.p5").await;
        // A member of Phường 5 without a 2025 plan and without an account.
        let ward = lantoa_store::org::get(db, lantoa_domain::OrgId(admin.org_id("DB-P5").await))
            .await
            .unwrap();
        let year = lantoa_store::campaign::year(db, 2025).await.unwrap();
        let lacking = lantoa_store::plans::lacking(
            db,
            &ward.subtree(),
            lantoa_store::plans::Counted {
                year: &year,
                day: lantoa_domain::study::reference_day(2025, lantoa_web::today()),
                required: lantoa_domain::people::Categories::from_iter([
                    lantoa_domain::people::Category::PartyMember,
                ]),
                until: Until::WHOLE_YEAR,
            },
            lantoa_store::plans::Stage::Submitted,
            1,
            50,
        )
        .await
        .unwrap();
        let mut without_account = None;
        for m in &lacking.items {
            if !lantoa_store::plans::has_account(db, lantoa_domain::PersonId(m.person_id))
                .await
                .unwrap()
            {
                without_account = Some(m.person_id);
                break;
            }
        }
        let person = without_account.expect("someone without a plan and an account");
        let reply = staff
            .post_form(
                "/quan-ly/ke-hoach/lap-ho",
                &format!("person={person}&year=2025"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", admin.backend);
        let id: i64 = reply.location().split('/').nth(3).unwrap().parse().unwrap();
        let html = staff.get(&format!("/quan-ly/ke-hoach/{id}")).await.text();
        assert!(html.contains("Cán bộ nhập hộ từ bản giấy"), "{html}");
        // A second one is refused; so is entering for someone with an account.
        let again = staff
            .post_form(
                "/quan-ly/ke-hoach/lap-ho",
                &format!("person={person}&year=2025"),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let member = lantoa_store::accounts::find_for_login(db, "dangvien.p5")
            .await
            .unwrap()
            .unwrap();
        let member_person = lantoa_store::accounts::get(db, member.id).await.unwrap();
        let reply = staff
            .post_form(
                "/quan-ly/ke-hoach/lap-ho",
                &format!("person={}&year=2025", member_person.person_id.unwrap().0),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT);
        assert!(reply.text().contains("có tài khoản"));
        // Staff of another ward cannot.
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(
            other
                .post_form(
                    "/quan-ly/ke-hoach/lap-ho",
                    &format!("person={person}&year=2025")
                )
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn staff_remind_who_has_no_plan_and_they_see_it_at_home() {
    for admin in TestApp::each().await {
        admin.open_year(2026).await;
        let staff = admin.signed_in_as("canbo.p5").await;
        let ward = admin.org_id("DB-P5").await;
        let list = format!("/quan-ly/ke-hoach/chua?org={ward}&year=2026&buoc=nop");
        let html = staff.get(&list).await.text();
        assert!(html.contains("Nhắc tất cả"), "{html}");
        let remind = format!("/quan-ly/ke-hoach/nhac?org={ward}&year=2026&buoc=nop");

        // Refused, nothing written: no text; someone of another ward.
        let reply = staff.post_form(&remind, "all=1&message=").await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(reply.text().contains("Chưa có nội dung nhắc nhở"));
        let stranger = admin.someone_of("DB-P1").await;
        let reply = staff
            .post_form(
                &remind,
                &format!("person={}&message=Nh%E1%BA%AFc", stranger.0),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            reply
                .text()
                .contains("Chỉ nhắc được người thuộc Đảng bộ Phường 5")
        );

        // Everyone behind the figure is reminded; the member sees it on their page.
        let reply = staff
            .post_form(
                &remind,
                "all=1&message=%C4%90%E1%BB%81+ngh%E1%BB%8B+n%E1%BB%99p+k%E1%BA%BF+ho%E1%BA%A1ch+tr%C6%B0%E1%BB%9Bc+30%2F3",
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let back = staff.get(&reply.location()).await.text();
        assert!(back.contains("Đã gửi nhắc nhở cho"), "{back}");
        let member = admin.signed_in_as("dangvien.p5").await;
        let home = member.get("/quan-ly").await.location();
        let page = member.get(&home).await.text();
        assert!(page.contains("Đề nghị nộp kế hoạch trước 30/3"), "{page}");
        let id: i64 = page
            .split("/quan-ly/nhac-nho/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        // Only the person marks it seen.
        assert_eq!(
            staff
                .post_form(&format!("/quan-ly/nhac-nho/{id}/da-xem"), "")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let reply = member
            .post_form(&format!("/quan-ly/nhac-nho/{id}/da-xem"), "")
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert!(
            !member
                .get(&home)
                .await
                .text()
                .contains("Đề nghị nộp kế hoạch")
        );
        let log = admin
            .get("/quan-ly/nhat-ky?viec=reminder_send")
            .await
            .text();
        assert!(log.contains("Gửi nhắc nhở"), "{log}");
    }
}

#[tokio::test]
async fn a_unit_writes_its_collective_plan_and_the_committee_above_approves_it() {
    for admin in TestApp::each().await {
        admin.open_year(2026).await;
        let ward = admin.org_id("DB-P5").await;
        let cell = admin.org_id("DB-P5-CB1").await;
        let staff = admin.signed_in_as("canbo.p5").await;
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;

        // The ward's staff review the cells' plans, so they do not write one for a cell.
        let reply = staff
            .post_form(
                "/quan-ly/ke-hoach/tap-the",
                &format!("org={cell}&year=2026"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{}", admin.backend);

        let reply = staff
            .post_form(
                "/quan-ly/ke-hoach/tap-the",
                &format!("org={ward}&year=2026"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let edit = reply.location();
        let plan = edit.trim_end_matches("/sua").to_owned();
        let commitments = "area_0=nhiem_vu&action_0=T%E1%BB%95+ch%E1%BB%A9c+h%E1%BB%8Dc+t%E1%BA%ADp+chuy%C3%AAn+%C4%91%E1%BB%81+cho+100%25+%C4%91%E1%BA%A3ng+vi%C3%AAn&measure_0=S%E1%BB%91+bu%E1%BB%95i&deadline_0=&then=nop";
        let reply = staff.post_form(&edit, commitments).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        // Starting again goes to the same plan.
        let again = staff
            .post_form(
                "/quan-ly/ke-hoach/tap-the",
                &format!("org={ward}&year=2026"),
            )
            .await;
        assert_eq!(again.location(), plan);

        // The city committee approves; it does not write the ward's plan.
        assert_eq!(leader.get(&edit).await.status, StatusCode::FORBIDDEN);
        let reply = leader
            .post_form(&format!("{plan}/buoc"), "step=duyet")
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(
            staff
                .post_form(&format!("{plan}/buoc"), "step=duyet")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let print = staff.get(&format!("{plan}/in")).await.text();
        assert!(
            print.contains("T/M ĐẢNG BỘ PHƯỜNG 5")
                && print.contains("XÁC NHẬN CỦA CẤP ỦY CẤP TRÊN"),
            "{print}"
        );
        let figures = leader
            .get(&format!("/quan-ly/ke-hoach?org={ward}&year=2026"))
            .await
            .text();
        assert!(
            figures.contains("Kế hoạch của tập thể Đảng bộ Phường 5"),
            "{figures}"
        );
        // Another ward's staff see nothing of it.
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(other.get(&plan).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn staff_import_paper_plans_all_or_nothing_and_a_second_run_changes_nothing() {
    use lantoa_store::plans::{self, Counted, Stage};
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let year = admin.open_year(2026).await;
        let staff = admin.signed_in_as("canbo.p5").await;
        let ward = lantoa_store::org::get(db, lantoa_domain::OrgId(admin.org_id("DB-P5").await))
            .await
            .unwrap();
        let counted = Counted {
            year: &year,
            day: lantoa_domain::study::reference_day(2026, lantoa_web::today()),
            required: lantoa_domain::people::Categories::from_iter([
                lantoa_domain::people::Category::PartyMember,
            ]),
            until: Until::WHOLE_YEAR,
        };
        let lacking = plans::lacking(db, &ward.subtree(), counted, Stage::Submitted, 1, 500)
            .await
            .unwrap();
        // Two members without an account, each the only one of their name in their unit.
        let mut paper = Vec::new();
        for m in &lacking.items {
            let alone = lacking
                .items
                .iter()
                .filter(|o| o.full_name == m.full_name && o.org_code == m.org_code)
                .count()
                == 1;
            if alone
                && !plans::has_account(db, lantoa_domain::PersonId(m.person_id))
                    .await
                    .unwrap()
            {
                paper.push(m.clone());
            }
            if paper.len() == 2 {
                break;
            }
        }
        let (a, b) = (&paper[0], &paper[1]);
        let with_account = lantoa_store::accounts::get(db, admin.account_id("dangvien.p5").await)
            .await
            .unwrap();
        let member = with_account.person_name.unwrap();
        let csv = format!(
            "KẾ HOẠCH CÁ NHÂN NĂM 2026\n\
             Năm;Họ và tên;Mã đơn vị;Chức vụ Đảng;Lĩnh vực;Việc làm cụ thể;Cách đo kết quả;Thời hạn\n\
             2026;{an};{ac};Đảng viên;Nêu gương;Đi đầu vận động các hộ phân loại rác;30 hộ phân loại;30/06/2026\n\
             2026;{an};{ac};;Tư tưởng chính trị;Đọc và ghi chép chuyên đề năm;Sổ ghi chép;\n\
             2026;{bn};{bc};;Đạo đức;Giúp đỡ hai hộ khó khăn trong khu phố;2 hộ;31/12/2026\n\
             2026;{bn};{bc};;Học tập;Làm tốt;;\n\
             2026;{member};DB-P5-CB1;;Nêu gương;Đi đầu vận động các hộ phân loại rác;30 hộ;\n\
             2031;{an};{ac};;Nêu gương;Đi đầu vận động các hộ phân loại rác;30 hộ;\n\
             2026;Không Có Ai;DB-P5-CB1;;Nêu gương;Đi đầu vận động các hộ phân loại rác;30 hộ;\n",
            an = a.full_name,
            ac = a.org_code,
            bn = b.full_name,
            bc = b.org_code,
        );
        let upload = |options: &'static [&'static str]| {
            common::multipart("plans", "ke-hoach.csv", csv.as_bytes(), options)
        };

        // Bad rows: every reason reported by row, nothing written.
        let queued = staff.send(upload(&[])).await;
        assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", admin.backend);
        lantoa_web::jobs::run_pending(&admin.state).await.unwrap();
        let job = staff.get(&queued.location()).await.text();
        assert!(job.contains("Chưa ghi dòng nào"), "{job}");
        for reason in [
            "Lĩnh vực «Học tập» không có trong danh sách",
            "việc làm cần cụ thể",
            &format!("Kế hoạch của {} có dòng lỗi (6)", b.full_name),
            "có tài khoản Lan Tỏa",
            "Năm 2031 chưa được mở",
            "Không có «Không Có Ai» trong phạm vi quản lý của bạn",
        ] {
            assert!(job.contains(reason), "{reason}: {job}");
        }
        let a_id = lantoa_domain::PersonId(a.person_id);
        assert!(plans::plan_of(db, a_id, year.id).await.unwrap().is_none());

        // Skipping bad rows: A's plan of two commitments, submitted, marked as entered by
        // staff; B's plan is not written in part.
        let skipping = staff.send(upload(&["skip_invalid"])).await;
        lantoa_web::jobs::run_pending(&admin.state).await.unwrap();
        let job = staff.get(&skipping.location()).await.text();
        assert!(job.contains("Đã ghi vào cơ sở dữ liệu"), "{job}");
        let plan = plans::plan_of(db, a_id, year.id).await.unwrap().unwrap();
        assert_eq!(plan.state, lantoa_domain::plans::PlanState::Submitted);
        assert!(plan.entered_by_staff);
        assert_eq!(plan.party_post.as_deref(), Some("Đảng viên"));
        let commitments = plans::commitments(db, plan.id).await.unwrap();
        assert_eq!(commitments.len(), 2);
        assert_eq!(
            lantoa_domain::dates::display(commitments[1].deadline),
            "31/12/2026"
        );
        let b_id = lantoa_domain::PersonId(b.person_id);
        assert!(plans::plan_of(db, b_id, year.id).await.unwrap().is_none());

        // Again: nothing created, nothing duplicated.
        let again = staff.send(upload(&["skip_invalid"])).await;
        lantoa_web::jobs::run_pending(&admin.state).await.unwrap();
        let job = staff.get(&again.location()).await.text();
        assert!(job.contains("Không đổi</dt><dd>1<"), "{job}");
        assert_eq!(
            plans::commitments(db, plan.id).await.unwrap().len(),
            2,
            "no commitment added twice"
        );
        let log = admin.get("/quan-ly/nhat-ky?viec=import_plans").await.text();
        assert!(log.contains("Nhập kế hoạch cá nhân từ tệp"), "{log}");
        admin.assert_counters_exact(5).await;
    }
}

/// A minimal SMTP server on loopback that accepts every message and keeps, for each, its
/// recipients and data.
async fn smtp_peer() -> (
    u16,
    std::sync::Arc<std::sync::Mutex<Vec<(Vec<String>, String)>>>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 peer ESMTP\r\n").await.unwrap();
                let (mut to, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            kept.lock()
                                .unwrap()
                                .push((std::mem::take(&mut to), std::mem::take(&mut data)));
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 peer\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().to_owned());
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if upper.starts_with("QUIT") {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn reminders_are_e_mailed_when_a_server_is_configured() {
    use sea_orm::ConnectionTrait;
    for mut admin in TestApp::each().await {
        let (port, received) = smtp_peer().await;
        admin.state.mailer = Some(
            lantoa_web::mail::Mailer::new(&lantoa_web::mail::MailSettings {
                host: "127.0.0.1".into(),
                port,
                security: lantoa_web::mail::Security::None,
                credentials: None,
                from: "Đảng ủy Phường 5 <dangbo.p5@example.vn>".into(),
            })
            .unwrap(),
        );
        admin.open_year(2026).await;
        let db = admin.state.store.db();
        let staff = admin.signed_in_as("canbo.p5").await;
        let ward = admin.org_id("DB-P5").await;
        let (with_address, without) = (
            admin.someone_of("DB-P5-CB1").await,
            admin.someone_of("DB-P5-CB2").await,
        );
        let set_email = |id: i64, email: Option<&str>| {
            db.execute_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                "UPDATE people SET email = $1 WHERE id = $2",
                vec![email.map(str::to_owned).into(), id.into()],
            ))
        };
        set_email(with_address.0, Some("dangvien@example.vn"))
            .await
            .unwrap();
        set_email(without.0, None).await.unwrap();

        let reply = staff
            .post_form(
                &format!("/quan-ly/ke-hoach/nhac?org={ward}&year=2026&buoc=nop"),
                &format!(
                    "person={}&person={}&message=N%E1%BB%99p+k%E1%BA%BF+ho%E1%BA%A1ch+tr%C6%B0%E1%BB%9Bc+30%2F3",
                    with_address.0, without.0
                ),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        assert_eq!(
            lantoa_web::jobs::run_pending(&admin.state).await.unwrap(),
            1
        );

        let mails = received.lock().unwrap().clone();
        assert_eq!(mails.len(), 1, "{}: {mails:?}", admin.backend);
        assert_eq!(mails[0].0, ["<dangvien@example.vn>"]);
        assert!(mails[0].1.contains("Subject:"), "{}", mails[0].1);
        let outcome = |id: i64| {
            let db = db.clone();
            async move {
                let row = db
                    .query_one_raw(sea_orm::Statement::from_sql_and_values(
                        db.get_database_backend(),
                        "SELECT CASE WHEN emailed_at IS NULL THEN 0 ELSE 1 END AS sent, email_error \
                         FROM reminders WHERE person_id = $1",
                        vec![id.into()],
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                let sent: i32 = row.try_get("", "sent").unwrap();
                let error: Option<String> = row.try_get("", "email_error").unwrap();
                (sent, error)
            }
        };
        assert_eq!(outcome(with_address.0).await, (1, None));
        assert_eq!(
            outcome(without.0).await,
            (0, Some("Người nhận chưa có địa chỉ email".to_owned()))
        );
    }
}
