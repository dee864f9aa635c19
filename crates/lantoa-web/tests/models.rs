//! Typical models: the demo's 2024 figures and the lists behind them; registering a model,
//! its steps and who may take them; replication; photos and reports attached, the photos
//! shown publicly; bad input refused with nothing written.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use lantoa_domain::ClosedList;
use lantoa_store::campaign::Until;
use lantoa_store::models::{self, ModelFilter};

#[tokio::test]
async fn the_demo_has_132_models_of_69_grassroots_units_and_each_figure_leads_to_its_list() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let root = admin.org_id("TU-MYTHO").await;
        let city = lantoa_store::org::get(db, lantoa_domain::OrgId(root))
            .await
            .unwrap();
        let year = lantoa_store::campaign::year(db, 2024).await.unwrap();
        let figures = models::figures(db, &city.subtree(), &year, Until::WHOLE_YEAR)
            .await
            .unwrap();
        assert_eq!(figures.total, 132, "{}", admin.backend);
        assert_eq!(figures.grassroots_with_model, 69);
        assert_eq!(figures.grassroots, 70);
        assert!(
            figures.front_and_unions() * 3 > figures.total,
            "concentrated in MTTQ"
        );

        // Each figure by sector is the length of its list.
        for (sector, count) in &figures.by_sector {
            let filter = ModelFilter {
                sector: Some(*sector),
                ..Default::default()
            };
            let page = models::models(db, &city.subtree(), &year, &filter, 1, 1)
                .await
                .unwrap();
            assert_eq!(page.total, *count, "{}", sector.label());
        }
        for name in [
            "Lấy dân làm gốc",
            "Tuyến hẻm xanh gắn với du lịch",
            "Phụ nữ chung tay bảo vệ môi trường",
            "Hạn chế thanh toán bằng tiền mặt",
            "Xây dựng trường học hạnh phúc",
        ] {
            let filter = ModelFilter {
                q: name.into(),
                ..Default::default()
            };
            let found = models::models(db, &city.subtree(), &year, &filter, 1, 5)
                .await
                .unwrap();
            assert!(found.total >= 1, "{name}");
        }

        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let html = leader
            .get(&format!("/quan-ly/mo-hinh?org={root}&year=2024"))
            .await
            .text();
        assert!(html.contains(">132<") && html.contains(">69<"), "{html}");
        let without = leader
            .get(&format!("/quan-ly/mo-hinh/chua-co?org={root}&year=2024"))
            .await
            .text();
        assert!(
            without.contains("<strong>1</strong> cơ sở đảng"),
            "{without}"
        );
        // 2025: models carried on from 2024 are counted apart from new ones.
        let year = lantoa_store::campaign::year(db, 2025).await.unwrap();
        let f2025 = models::figures(db, &city.subtree(), &year, Until::WHOLE_YEAR)
            .await
            .unwrap();
        assert!(f2025.continued > 0 && f2025.built_new() > 0, "{f2025:?}");
    }
}

#[tokio::test]
async fn a_ward_registers_a_model_the_city_recognises_it_and_it_spreads() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let ward = admin.org_id("DB-P5").await;
        let new = format!("/quan-ly/mo-hinh/moi?org={ward}&year=2025");
        assert_eq!(staff.get(&new).await.status, StatusCode::OK);

        // Missing fields: each named, what was typed kept, nothing written.
        let reply = staff
            .post_form(
                &new,
                "name=Khu+ph%E1%BB%91+s%C3%A1ng&started_on=31%2F02%2F2025",
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        let html = reply.text();
        assert!(
            html.contains("Chọn nhóm mô hình") && html.contains("Khu phố sáng"),
            "{html}"
        );
        let good = "name=Khu+ph%E1%BB%91+s%C3%A1ng%2C+xanh%2C+s%E1%BA%A1ch&sector=phuong_xa&category=tuyen_truyen_van_dong\
            &description=V%E1%BA%ADn+%C4%91%E1%BB%99ng+c%C3%A1c+h%E1%BB%99+l%E1%BA%AFp+%C4%91%C3%A8n+v%C3%A0+tr%E1%BB%93ng+c%C3%A2y+xanh\
            &started_on=01%2F03%2F2025&goals=20+tuy%E1%BA%BFn+h%E1%BA%BBm+c%C3%B3+%C4%91%C3%A8n&is_public=1";
        let reply = staff.post_form(&new, good).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let page = reply.location();
        let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
        let step = format!("{page}/buoc");

        // Recognition needs an evaluation first; then only the committee above decides.
        let reply = staff.post_form(&step, "step=trien_khai").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let reply = staff
            .post_form(&step, "step=danh_gia&on=01%2F01%2F2099&results=")
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("Ghi kết quả đạt được"));
        let reply = staff
            .post_form(
                &step,
                "step=danh_gia&on=30%2F06%2F2025&results=12+tuy%E1%BA%BFn+h%E1%BA%BBm",
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(
            staff.post_form(&step, "step=cong_nhan").await.status,
            StatusCode::FORBIDDEN,
            "the ward does not recognise its own model"
        );
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let reply = leader.post_form(&step, "step=cong_nhan").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let db = admin.state.store.db();
        let model = models::model(db, id).await.unwrap();
        assert_eq!(model.state, lantoa_domain::models::ModelState::Recognised);

        // Replication: not into its own unit, not outside one's scope, once per unit.
        let replicate = format!("{page}/nhan-rong");
        let form = |code: &str| {
            format!("org_code={code}&adopted_on=01%2F09%2F2025&results=3+tuy%E1%BA%BFn+h%E1%BA%BBm")
        };
        let reply = staff.post_form(&replicate, &form("DB-P5")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("là đơn vị xây dựng mô hình"));
        let reply = staff.post_form(&replicate, &form("DB-P1")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("nằm ngoài phạm vi quản lý của bạn"));
        let reply = staff.post_form(&replicate, &form("DB-P5-CB2")).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let reply = staff.post_form(&replicate, &form("DB-P5-CB2")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(models::replications(db, id).await.unwrap().len(), 1);
        let shown = staff.get(&page).await.text();
        assert!(
            shown.contains("Đã nhân rộng") && shown.contains("3 tuyến hẻm"),
            "{shown}"
        );

        // Another ward does not see it; every change is in the audit log.
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(other.get(&page).await.status, StatusCode::NOT_FOUND);
        let log = admin.get("/quan-ly/nhat-ky?viec=model_step").await.text();
        assert!(log.contains("Cập nhật bước của mô hình"), "{log}");
        admin.assert_counters_exact(7).await;
    }
}

#[tokio::test]
async fn a_model_carries_on_only_an_earlier_model_of_its_own_lineage() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let staff = admin.signed_in_as("canbo.p5").await;
        let ward = admin.org_id("DB-P5").await;
        let year = lantoa_store::campaign::year(db, 2024).await.unwrap();
        let p1 = lantoa_store::org::get(db, lantoa_domain::OrgId(admin.org_id("DB-P1").await))
            .await
            .unwrap();
        let elsewhere = models::models(db, &p1.subtree(), &year, &ModelFilter::default(), 1, 1)
            .await
            .unwrap()
            .items[0]
            .id;
        let body = format!(
            "name=K%E1%BA%BF+th%E1%BB%ABa&sector=phuong_xa&category=khac\
             &description=M%C3%B4+t%E1%BA%A3+%C4%91%E1%BB%A7+d%C3%A0i+cho+m%C3%B4+h%C3%ACnh+n%C3%A0y\
             &started_on=01%2F03%2F2025&goals=M%E1%BB%A5c+ti%C3%AAu&continued_from={elsewhere}"
        );
        let before = models::figures(
            db,
            &lantoa_store::org::get(db, lantoa_domain::OrgId(ward))
                .await
                .unwrap()
                .subtree(),
            &lantoa_store::campaign::year(db, 2025).await.unwrap(),
            Until::WHOLE_YEAR,
        )
        .await
        .unwrap()
        .total;
        let reply = staff
            .post_form(&format!("/quan-ly/mo-hinh/moi?org={ward}&year=2025"), &body)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(reply.text().contains("không phải của Đảng bộ Phường 5"));
        let after = models::figures(
            db,
            &lantoa_store::org::get(db, lantoa_domain::OrgId(ward))
                .await
                .unwrap()
                .subtree(),
            &lantoa_store::campaign::year(db, 2025).await.unwrap(),
            Until::WHOLE_YEAR,
        )
        .await
        .unwrap()
        .total;
        assert_eq!(before, after, "nothing written");
        admin.assert_counters_exact(7).await;
    }
}

#[tokio::test]
async fn a_models_photos_show_publicly_and_its_reports_stay_with_staff() {
    let png = common::png_picture();
    for admin in TestApp::each().await {
        let public = admin
            .scalar(
                "SELECT MIN(id) AS value FROM models WHERE is_public = true AND state IN ('cong_nhan', 'nhan_rong')",
            )
            .await;
        let hidden = admin
            .scalar("SELECT MIN(id) AS value FROM models WHERE is_public = false")
            .await;
        let files = "SELECT COUNT(*) AS value FROM model_files";
        let attach = |id: i64, name: &str, bytes: &[u8]| {
            common::multipart_form(
                &format!("/quan-ly/mo-hinh/{id}/tep"),
                &[],
                Some((name, bytes)),
            )
        };
        // A renamed text file is refused next to the field, nothing kept.
        let reply = admin
            .send(attach(public, "anh.png", b"not a picture"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(
            reply.text().contains("không phải tệp .png thật"),
            "{}",
            reply.text()
        );
        // So is a picture that starts right but cannot be read.
        let broken = admin
            .send(attach(public, "anh.png", b"\x89PNG\r\n\x1a\n then nothing"))
            .await;
        assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            broken.text().contains("Không đọc được ảnh"),
            "{}",
            broken.text()
        );
        assert_eq!(admin.scalar(files).await, 0);
        for (id, name, bytes) in [
            (public, "Ra quân dọn hẻm.png", &png[..]),
            (public, "Báo cáo kết quả.pdf", &b"%PDF-1.4 ket qua"[..]),
            (hidden, "Ảnh.png", &png[..]),
        ] {
            let reply = admin.send(attach(id, name, bytes)).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        }
        let page = admin
            .get(&format!("/quan-ly/mo-hinh/{public}"))
            .await
            .text();
        assert!(page.contains("Ra quân dọn hẻm.png") && page.contains("Báo cáo kết quả.pdf"));
        let photo = admin
            .scalar(&format!(
                "SELECT f.id AS value FROM files f JOIN model_files m ON m.file_id = f.id \
                 WHERE m.model_id = {public} AND f.content_type = 'image/png'"
            ))
            .await;
        let report = admin
            .scalar(&format!(
                "SELECT f.id AS value FROM files f JOIN model_files m ON m.file_id = f.id \
                 WHERE m.model_id = {public} AND f.content_type = 'application/pdf'"
            ))
            .await;
        let hidden_photo = admin
            .scalar(&format!(
                "SELECT file_id AS value FROM model_files WHERE model_id = {hidden}"
            ))
            .await;

        // Citizens see the photo of the public model, not its report nor another's files.
        let citizen = admin.anonymous();
        let html = citizen
            .get(&format!("/mo-hinh-tieu-bieu/{public}"))
            .await
            .text();
        assert!(
            html.contains(&format!("/mo-hinh-tieu-bieu/{public}/anh/{photo}")),
            "{html}"
        );
        assert!(!html.contains("Báo cáo kết quả"));
        let got = citizen
            .get(&format!("/mo-hinh-tieu-bieu/{public}/anh/{photo}"))
            .await;
        assert_eq!(common::served_picture(&got), (16, 16));
        for path in [
            format!("/mo-hinh-tieu-bieu/{public}/anh/{report}"),
            format!("/mo-hinh-tieu-bieu/{public}/anh/{hidden_photo}"),
            format!("/mo-hinh-tieu-bieu/{hidden}/anh/{hidden_photo}"),
        ] {
            assert_eq!(
                citizen.get(&path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }

        // Staff of another ward neither read nor remove them; staff of the unit remove one.
        let unit = lantoa_store::models::model(admin.state.store.db(), public)
            .await
            .unwrap()
            .org_path;
        let outsider = if unit.contains(&format!("/{}/", admin.org_id("DB-P1").await)) {
            "canbo.p5"
        } else {
            "canbo.p1"
        };
        let other = admin.signed_in_as(outsider).await;
        let file_url = format!("/quan-ly/mo-hinh/{public}/tep/{report}");
        assert_eq!(other.get(&file_url).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.post_form(&format!("{file_url}/go"), "").await.status,
            StatusCode::NOT_FOUND
        );
        let reply = admin.post_form(&format!("{file_url}/go"), "").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(admin.scalar(files).await, 2);

        // The collective carrying out a recognised model is proposed for commendation,
        // once; a model not recognised cannot be.
        let propose = format!("/quan-ly/mo-hinh/{public}/de-nghi-khen");
        let reply = admin.post_form(&propose, "").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let form = admin.get(&reply.location()).await.text();
        let exemplar = admin
            .scalar(&format!(
                "SELECT exemplar_id AS value FROM model_exemplars WHERE model_id = {public}"
            ))
            .await;
        assert!(
            form.contains(&format!("value=\"{exemplar}\" checked")),
            "{form}"
        );
        let page = admin
            .get(&format!("/quan-ly/guong-dien-hinh/{exemplar}"))
            .await
            .text();
        assert!(
            page.contains("Đã xác minh") && page.contains(&format!("/quan-ly/mo-hinh/{public}\"")),
            "{page}"
        );
        let again = admin.post_form(&propose, "").await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().contains("đã được đề cử"));
        let registered = admin
            .scalar("SELECT MIN(id) AS value FROM models WHERE state = 'dang_ky'")
            .await;
        let reply = admin
            .post_form(&format!("/quan-ly/mo-hinh/{registered}/de-nghi-khen"), "")
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("Chỉ mô hình đã được công nhận"));
    }
}
