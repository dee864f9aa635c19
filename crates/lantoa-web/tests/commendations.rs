//! Commendation decisions: the demo's city decision and its figures, issuing within the
//! issuer's powers with numbers allocated per issuer and year, and the decision as DOCX.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use lantoa_domain::exemplars::{ExemplarState, SubjectCategory};
use lantoa_store::audit::Actor;

#[tokio::test]
async fn the_city_decision_commends_mostly_party_members_and_prints_in_the_party_layout() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let root = admin.org_id("TU-MYTHO").await;
        let city = lantoa_store::org::get(db, lantoa_domain::OrgId(root))
            .await
            .unwrap();
        let year = lantoa_store::campaign::year(db, 2024).await.unwrap();
        let f = lantoa_store::commendations::figures(db, &city.subtree(), &year)
            .await
            .unwrap();
        assert_eq!(f.decisions, 1, "{}", admin.backend);
        let commended = admin
            .scalar("SELECT COUNT(*) AS value FROM exemplars WHERE state = 'da_khen'")
            .await;
        assert_eq!(f.individuals(), commended);
        let of = |c| {
            f.individuals_by_category
                .iter()
                .find(|(k, _)| *k == c)
                .map_or(0, |(_, n)| *n)
        };
        assert!(of(SubjectCategory::PartyMember) > of(SubjectCategory::Citizen) * 3);

        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let html = leader
            .get(&format!("/quan-ly/khen-thuong?org={root}&year=2024"))
            .await
            .text();
        assert!(
            html.contains("1-QĐ/TU") && html.contains("Giấy khen"),
            "{html}"
        );
        // The party members' figure leads to exactly that many people.
        let members = of(SubjectCategory::PartyMember);
        let list = leader
            .get(&format!(
                "/quan-ly/khen-thuong/duoc-khen?org={root}&year=2024&category=dang_vien"
            ))
            .await
            .text();
        assert!(
            list.contains(&format!("<strong>{members}</strong> tập thể, cá nhân")),
            "{list}"
        );
        let id = admin
            .scalar("SELECT MIN(id) AS value FROM commendation_decisions")
            .await;
        let docx = leader
            .get(&format!("/quan-ly/khen-thuong/{id}/quyet-dinh.docx"))
            .await;
        assert_eq!(docx.status, StatusCode::OK);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx.body)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("word/document.xml").unwrap(),
            &mut text,
        )
        .unwrap();
        for expected in [
            "Số 1-QĐ/TU",
            "QUYẾT ĐỊNH",
            "tặng giấy khen",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Nơi nhận:",
            "Nguyễn Văn Thành",
        ] {
            assert!(text.contains(expected), "{expected}");
        }
    }
}

#[tokio::test]
async fn a_ward_decides_within_its_powers_and_numbers_follow_on() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let ward = lantoa_store::org::get(db, lantoa_domain::OrgId(admin.org_id("DB-P5").await))
            .await
            .unwrap();
        let year = lantoa_store::campaign::year(db, 2025).await.unwrap();
        let mut verified = Vec::new();
        for name in ["Ông Ba", "Bà Tư"] {
            let draft = lantoa_domain::exemplars::ExemplarInput {
                kind: "ca_nhan".into(),
                name: name.into(),
                field: "cong_dong".into(),
                achievement: "Vận động bà con làm đường bê tông cho cả xóm".into(),
                ..Default::default()
            }
            .validate()
            .unwrap();
            let id = lantoa_store::exemplars::nominate(
                db,
                &Actor::cli(),
                &ward,
                &year,
                &draft,
                &Default::default(),
            )
            .await
            .unwrap();
            lantoa_store::exemplars::take_step(
                db,
                &Actor::cli(),
                id,
                lantoa_domain::exemplars::ExemplarStep::Verify,
            )
            .await
            .unwrap();
            verified.push(id);
        }
        let staff = admin.signed_in_as("canbo.p5").await;
        let new = format!("/quan-ly/khen-thuong/moi?org={}&year=2025", ward.id);
        let form = staff.get(&new).await.text();
        assert!(
            form.contains("Ông Ba") && !form.contains("Bằng khen"),
            "{form}"
        );
        let body = |form: &str, number: &str, ids: &[i64]| {
            let mut b = format!(
                "form={form}&signed_on=20%2F11%2F2026&number={number}&signer_name=L%C3%AA+V%C4%83n+B%C3%AD&signer_post=B%C3%AD+th%C6%B0\
                 &reason=C%C3%B3+th%C3%A0nh+t%C3%ADch+ti%C3%AAu+bi%E1%BB%83u"
            );
            for id in ids {
                b.push_str(&format!("&recipient={id}"));
            }
            b
        };
        let reply = staff
            .post_form(&new, &body("bang_khen", "", &verified))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(reply.text().contains("không có thẩm quyền"));
        let reply = staff.post_form(&new, &body("giay_khen", "", &[])).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("Chọn ít nhất một"));

        let reply = staff
            .post_form(&new, &body("giay_khen", "", &verified[..1]))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let page = staff.get(&reply.location()).await.text();
        assert!(
            page.contains("1-QĐ/ĐU") && page.contains("Ông Ba"),
            "{page}"
        );
        let x = lantoa_store::exemplars::exemplar(db, verified[0])
            .await
            .unwrap();
        assert_eq!(x.state, ExemplarState::Commended);

        // A paper decision's number already used: refused; the next number follows on.
        let reply = staff
            .post_form(&new, &body("giay_khen", "1", &verified[1..]))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("Số 1-QĐ/ĐU năm 2026 đã dùng"));
        let reply = staff
            .post_form(&new, &body("giay_khen", "", &verified[1..]))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert!(
            staff
                .get(&reply.location())
                .await
                .text()
                .contains("2-QĐ/ĐU")
        );
        // Another ward sees neither.
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(
            other.get(&reply.location()).await.status,
            StatusCode::NOT_FOUND
        );
    }
}
