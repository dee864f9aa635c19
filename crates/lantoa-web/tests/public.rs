//! The public site: only reviewed, public-flagged models and exemplars, never evidence or
//! contacts; the public nomination form with its question, its throttle, and its
//! nominations held for review.

mod common;

use axum::http::{StatusCode, header};
use common::{TestApp, solve};
use lantoa_domain::exemplars::{ExemplarState, NominationSource};

#[tokio::test]
async fn citizens_see_the_reviewed_models_and_exemplars_and_nothing_private() {
    for admin in TestApp::each_anonymous().await {
        let home = admin.get("/").await;
        assert_eq!(home.status, StatusCode::OK, "{}", admin.backend);
        assert_eq!(
            home.headers.get(header::CACHE_CONTROL).unwrap(),
            "public, max-age=60"
        );
        let html = home.text();
        assert!(html.contains("Gương điển hình tháng 12/2024"), "{html}");
        assert!(html.contains("/mo-hinh-tieu-bieu/"));
        let list = admin.get("/mo-hinh-tieu-bieu").await.text();
        assert!(list.contains("mô hình"), "{list}");
        // Filtered by a ward and a year: the count is that ward's public models.
        let with_models = admin
            .scalar(
                "SELECT m.org_id AS value FROM models m JOIN orgs o ON o.id = m.org_id \
                 WHERE m.is_public = true AND o.kind IN ('dang_bo_co_so', 'chi_bo_co_so') ORDER BY m.id LIMIT 1",
            )
            .await;
        let ward =
            lantoa_store::org::get(admin.state.store.db(), lantoa_domain::OrgId(with_models))
                .await
                .unwrap();
        let all = lantoa_store::models::public_models(
            admin.state.store.db(),
            None,
            None,
            Some(2024),
            1,
            1,
        )
        .await
        .unwrap()
        .total;
        let in_ward = lantoa_store::models::public_models(
            admin.state.store.db(),
            Some(&ward.subtree()),
            None,
            Some(2024),
            1,
            1,
        )
        .await
        .unwrap()
        .total;
        assert!(in_ward > 0 && in_ward < all, "{in_ward} of {all}");
        let filtered = admin
            .get(&format!("/mo-hinh-tieu-bieu?unit={}&year=2024", ward.id))
            .await
            .text();
        assert!(
            filtered.contains(&format!("<strong>{in_ward}</strong> mô hình")),
            "{filtered}"
        );

        // A model not recognised, an exemplar not public: not found.
        let db = admin.state.store.db();
        let hidden_model: i64 = admin
            .scalar("SELECT id AS value FROM models WHERE state = 'khong_dat' ORDER BY id LIMIT 1")
            .await;
        assert_eq!(
            admin
                .get(&format!("/mo-hinh-tieu-bieu/{hidden_model}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let hidden_exemplar: i64 = admin
            .scalar("SELECT id AS value FROM exemplars WHERE is_public = false ORDER BY id LIMIT 1")
            .await;
        assert_eq!(
            admin
                .get(&format!("/guong-sang/{hidden_exemplar}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let shown: i64 = admin
            .scalar("SELECT id AS value FROM exemplars WHERE is_public = true ORDER BY id LIMIT 1")
            .await;
        let x = lantoa_store::exemplars::exemplar(db, shown).await.unwrap();
        let page = admin.get(&format!("/guong-sang/{shown}")).await.text();
        assert!(page.contains(&x.name) && !page.contains("Căn cứ"), "{page}");
    }
}

#[tokio::test]
async fn a_citizen_nominates_once_the_question_is_answered_and_not_too_often() {
    for admin in TestApp::each_anonymous().await {
        let db = admin.state.store.db();
        let citizen = admin.calling_from("203.0.113.9");
        let unit = admin.org_id("DB-P5").await;
        let form = citizen.get("/de-cu").await.text();
        assert!(form.contains("Đảng bộ Phường 5"), "{form}");
        let unit_text = unit.to_string();
        // The form as a browser sends it (multipart, for the optional photo).
        let send = |from: &TestApp,
                    answer: &str,
                    expires: &str,
                    token: &str,
                    photo: Option<(&str, &[u8])>| {
            let fields = [
                ("kind", "ca_nhan"),
                ("name", "Chị Tám bán vé số"),
                ("unit", unit_text.as_str()),
                ("field", "nhan_dao_tu_thien"),
                (
                    "achievement",
                    "Nhặt được tấm vé trúng thưởng và trả lại cho khách",
                ),
                ("nominator_name", "Trần Văn Bình"),
                ("nominator_contact", "0901 234 567"),
                ("answer", answer),
                ("expires", expires),
                ("token", token),
            ];
            let from = from.clone();
            let request = common::multipart_form("/de-cu", &fields, photo);
            async move { from.send(request).await }
        };
        let count =
            || admin.scalar("SELECT COUNT(*) AS value FROM exemplars WHERE source = 'nguoi_dan'");
        let before = count().await;

        // A wrong answer: refused, nothing written.
        let (answer, expires, token) = solve(&form);
        let wrong = (answer.parse::<i64>().unwrap() + 1).to_string();
        let reply = send(&citizen, &wrong, &expires, &token, None).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(reply.text().contains("Câu trả lời chưa đúng"));
        assert_eq!(count().await, before);

        // A photo that is not one, or too large: refused next to the field, nothing written.
        let reply = send(
            &citizen,
            &answer,
            &expires,
            &token,
            Some(("anh.jpg", b"MZ program")),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            reply.text().contains("không phải tệp .jpg thật"),
            "{}",
            reply.text()
        );
        let mut big = vec![0xFF, 0xD8, 0xFF];
        big.resize(5 * 1024 * 1024 + 10, 0);
        let reply = send(&citizen, &answer, &expires, &token, Some(("anh.jpg", &big))).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            reply.text().contains("Tệp lớn quá 5 MB"),
            "{}",
            reply.text()
        );
        assert_eq!(count().await, before);

        // Right: held for review with its photo, not public, the contact kept for staff
        // only.
        let photo = common::phone_photo();
        let reply = send(
            &citizen,
            &answer,
            &expires,
            &token,
            Some(("Vé số.jpg", &photo)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert!(reply.text().contains("Đã nhận đề cử"));
        let id: i64 = admin
            .scalar("SELECT MAX(id) AS value FROM exemplars WHERE source = 'nguoi_dan'")
            .await;
        let x = lantoa_store::exemplars::exemplar(db, id).await.unwrap();
        assert_eq!(x.state, ExemplarState::Nominated);
        assert_eq!(x.source, NominationSource::Public);
        assert!(!x.is_public);
        assert_eq!(x.nominator_contact.as_deref(), Some("0901 234 567"));
        assert_eq!(
            admin.get(&format!("/guong-sang/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        let staff = admin.signed_in_as("canbo.p5").await;
        let page = staff
            .get(&format!("/quan-ly/guong-dien-hinh/{id}"))
            .await
            .text();
        assert!(
            page.contains("0901 234 567") && page.contains("Vé số.jpg"),
            "{page}"
        );
        let file = admin
            .scalar(&format!(
                "SELECT file_id AS value FROM exemplar_files WHERE exemplar_id = {id}"
            ))
            .await;
        let got = staff
            .get(&format!("/quan-ly/guong-dien-hinh/{id}/tep/{file}"))
            .await;
        // Written anew: the place the phone recorded is gone.
        assert_eq!(common::served_picture(&got), (64, 48));
        // Once verified and flagged, it is public, without its nominator.
        let step = format!("/quan-ly/guong-dien-hinh/{id}/buoc");
        staff.post_form(&step, "step=xac_minh").await;
        let reply = staff
            .post_form(
                &format!("/quan-ly/guong-dien-hinh/{id}/cong-khai"),
                "public=1",
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let public = admin.get(&format!("/guong-sang/{id}")).await.text();
        assert!(
            public.contains("Chị Tám bán vé số") && !public.contains("0901"),
            "{public}"
        );

        // Three from one address in an hour; the fourth waits.
        for _ in 0..2 {
            let (answer, expires, token) = solve(&citizen.get("/de-cu").await.text());
            let reply = send(&citizen, &answer, &expires, &token, None).await;
            assert_eq!(reply.status, StatusCode::OK);
        }
        let (answer, expires, token) = solve(&citizen.get("/de-cu").await.text());
        let reply = send(&citizen, &answer, &expires, &token, None).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(count().await, before + 3);
        // Another address is not held back.
        let neighbour = admin.calling_from("203.0.113.10");
        let (answer, expires, token) = solve(&neighbour.get("/de-cu").await.text());
        let reply = send(&neighbour, &answer, &expires, &token, None).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn the_years_commended_are_listed_as_staff_chose_to_show_them() {
    for admin in TestApp::each_anonymous().await {
        let shown = admin
            .scalar(
                "SELECT COUNT(*) AS value FROM decision_recipients r JOIN exemplars x ON x.id = r.exemplar_id \
                 WHERE x.is_public = true",
            )
            .await;
        assert!(shown > 0, "{}", admin.backend);
        // Without a year, the latest year with anyone shown: 2024 in the demo.
        let html = admin.get("/duoc-khen-thuong").await.text();
        assert!(html.contains("Được khen thưởng năm 2024"), "{html}");
        assert!(
            html.contains(&format!("<strong>{shown}</strong> tập thể, cá nhân")),
            "{html}"
        );
        assert!(html.contains("Số 1-QĐ/TU ngày 20/12/2024 của Đảng bộ thành phố Mỹ Tho"));
        // The first one taken off the public site is gone from the list; no other year
        // holds any.
        let hidden = admin
            .scalar(
                "SELECT x.id AS value FROM decision_recipients r JOIN exemplars x ON x.id = r.exemplar_id \
                 WHERE x.is_public = true ORDER BY x.name_folded, x.id LIMIT 1",
            )
            .await;
        let name = lantoa_store::exemplars::exemplar(admin.state.store.db(), hidden)
            .await
            .unwrap()
            .name;
        assert!(html.contains(&format!(">{name}</a>")));
        sea_orm::ConnectionTrait::execute_unprepared(
            admin.state.store.db(),
            &format!("UPDATE exemplars SET is_public = false WHERE id = {hidden}"),
        )
        .await
        .unwrap();
        let html = admin.get("/duoc-khen-thuong?year=2024").await.text();
        assert!(!html.contains(&format!(">{name}</a>")), "{name}");
        let other = admin.get("/duoc-khen-thuong?year=2025").await.text();
        assert!(other.contains("<strong>0</strong>"), "{other}");
    }
}
