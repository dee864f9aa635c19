//! Settings: only system administrators change them, bad input saves nothing, and each
//! setting changes what the pages do — who approves plans, who must have one, the rating
//! bands and the cap on "xuất sắc".

mod common;

use axum::http::StatusCode;
use common::TestApp;
use lantoa_domain::people::{Categories, Category, PersonInput};
use lantoa_domain::settings::{PlanApprover, Settings};
use lantoa_store::audit::Actor;
use lantoa_store::campaign::Until;

#[tokio::test]
async fn only_system_administrators_change_settings_and_bad_input_saves_nothing() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let staff = admin.signed_in_as("canbo.p5").await;
        let member = admin.signed_in_as("dangvien.p5").await;
        assert_eq!(
            staff.get("/quan-ly/cai-dat").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            member.get("/quan-ly/cai-dat").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            staff
                .post_form("/quan-ly/cai-dat", "plan_approver=nghiep_vu")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let form = admin.get("/quan-ly/cai-dat").await.text();
        assert!(form.contains("value=\"366-QĐ/TW\""), "{form}");

        let bad = "plan_approver=chi_bo&regulation=366-Q%C4%90%2FTW&excellent=90&good=95&done=50&excellent_cap_percent=150&documents_max=nhi%E1%BB%81u&margin_left=2";
        let reply = admin.post_form("/quan-ly/cai-dat", bad).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        let html = reply.text();
        assert!(html.contains("Điểm sàn phải giảm dần"), "{html}");
        assert!(html.contains("Chọn ít nhất một đối tượng"));
        assert!(html.contains("Tỷ lệ là số nguyên từ 1 đến 100"));
        assert!(html.contains("Ghi một số nguyên từ 0 đến 100"));
        assert!(html.contains("Lề là số milimét nguyên từ 5 đến 60"));
        assert!(html.contains("value=\"95\""), "the typed value stays");
        assert_eq!(
            lantoa_store::settings::load(db).await.unwrap(),
            Settings::default()
        );

        let good = "plan_approver=nghiep_vu&plan_required=dang_vien&plan_required=cong_chuc\
            &regulation=366-Q%C4%90%2FTW&excellent=92%2C5&good=70&done=50&excellent_cap_percent=20\
            &documents_max=60&median_days_max=&margin_left=30&font=Liberation+Serif";
        let reply = admin.post_form("/quan-ly/cai-dat", good).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let saved = lantoa_store::settings::load(db).await.unwrap();
        assert_eq!(saved.plan_approver, PlanApprover::CellStaff);
        assert_eq!(
            saved.plan_required,
            Categories::from_iter([Category::PartyMember, Category::CivilServant])
        );
        assert_eq!(saved.bands.excellent, 925);
        assert_eq!(saved.excellent_cap_percent, Some(20));
        assert_eq!(saved.thresholds.documents_max, 60);
        assert_eq!(
            saved.thresholds.median_days_max, 30,
            "empty keeps the default"
        );
        let html = admin.get("/quan-ly/cai-dat?luu=1").await.text();
        assert!(html.contains("Đã lưu cài đặt") && html.contains("value=\"92,5\""));
        let log = admin
            .get("/quan-ly/nhat-ky?viec=settings_update")
            .await
            .text();
        assert!(log.contains("Sửa cài đặt"), "{log}");

        // The rating form states the bands in force.
        let someone = admin.someone_of("DB-P5-CB1").await;
        let rating = staff
            .get(&format!(
                "/quan-ly/xep-loai/danh-gia?person={someone}&year=2025"
            ))
            .await
            .text();
        assert!(rating.contains("từ 92,5 điểm: xuất sắc"), "{rating}");
    }
}

#[tokio::test]
async fn the_approver_setting_decides_who_approves_personal_plans() {
    for admin in TestApp::each().await {
        admin.open_year(2026).await;
        let member = admin.signed_in_as("dangvien.p5").await;
        let staff = admin.signed_in_as("canbo.p5").await;
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let plan = common::submitted_plan(&member, 2026).await;
        let approve = format!("{plan}/buoc");

        // By default a leader over the cell approves; with "staff only" they no longer do.
        assert!(leader.get(&plan).await.text().contains("value=\"duyet\""));
        let settings = Settings {
            plan_approver: PlanApprover::CellStaff,
            ..Default::default()
        };
        lantoa_store::settings::save(admin.state.store.db(), &Actor::cli(), &settings)
            .await
            .unwrap();
        assert_ne!(
            leader.post_form(&approve, "step=duyet").await.status,
            StatusCode::SEE_OTHER
        );
        let reply = staff.post_form(&approve, "step=duyet").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", admin.backend);
    }
}

#[tokio::test]
async fn the_people_who_must_have_a_plan_follow_the_setting() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let year = admin.open_year(2026).await;
        let cell =
            lantoa_store::org::get(db, lantoa_domain::OrgId(admin.org_id("DB-P5-CB1").await))
                .await
                .unwrap();
        // A civil servant who is not a party member, and an exempt member who is one.
        for (name, categories, status) in [
            ("Lê Văn Công Chức", "Công chức", ""),
            ("Phạm Thị Miễn", "Đảng viên, Công chức", "Miễn sinh hoạt"),
        ] {
            let draft = PersonInput {
                full_name: name.into(),
                categories: categories.into(),
                member_status: status.into(),
                party_joined_on: if status.is_empty() { "" } else { "01/01/1980" }.into(),
                org_code: "DB-P5-CB1".into(),
                ..Default::default()
            }
            .validate(lantoa_web::today())
            .unwrap();
            lantoa_store::people::create(db, &Actor::cli(), &draft)
                .await
                .unwrap();
        }
        let day = lantoa_domain::study::reference_day(2026, lantoa_web::today());
        let counted = |required| lantoa_store::plans::Counted {
            year: &year,
            day,
            required,
            until: Until::WHOLE_YEAR,
        };
        let members = Categories::from_iter([Category::PartyMember]);
        let wider = Categories::from_iter([Category::PartyMember, Category::CivilServant]);
        let before = lantoa_store::plans::coverage(db, &cell.subtree(), counted(members))
            .await
            .unwrap();
        let after = lantoa_store::plans::coverage(db, &cell.subtree(), counted(wider))
            .await
            .unwrap();
        let civil_servants: i64 = {
            let by = lantoa_store::plans::coverage_by_category(db, &cell.subtree(), counted(wider))
                .await
                .unwrap();
            assert_eq!(
                by[0].1, before,
                "the members' row is the members-only figure"
            );
            by[1].1.eligible
        };
        // Civil servants who are members were counted already; the new one is added, the
        // exempt one never.
        assert!(after.eligible > before.eligible);
        assert!(civil_servants >= after.eligible - before.eligible);
        let lacking = lantoa_store::plans::lacking(
            db,
            &cell.subtree(),
            counted(wider),
            lantoa_store::plans::Stage::Submitted,
            1,
            1000,
        )
        .await
        .unwrap();
        let names: Vec<&str> = lacking.items.iter().map(|m| m.full_name.as_str()).collect();
        assert!(names.contains(&"Lê Văn Công Chức"), "{names:?}");
        assert!(!names.contains(&"Phạm Thị Miễn"));

        // The page shows the figures by category once more than one is required.
        let settings = Settings {
            plan_required: wider,
            ..Default::default()
        };
        lantoa_store::settings::save(db, &Actor::cli(), &settings)
            .await
            .unwrap();
        let html = admin
            .get(&format!("/quan-ly/ke-hoach?org={}&year=2026", cell.id))
            .await
            .text();
        assert!(
            html.contains("Theo đối tượng") && html.contains("Công chức"),
            "{html}"
        );
        let list = admin
            .get(&format!(
                "/quan-ly/ke-hoach/chua?org={}&year=2026&buoc=nop&doi_tuong=cong_chuc",
                cell.id
            ))
            .await
            .text();
        assert!(list.contains("Lê Văn Công Chức"), "{list}");
    }
}
