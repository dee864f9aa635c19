//! Commendation: the demo's city decision and its figures, issuing within the issuer's
//! powers with numbers allocated per issuer and year, the decision as DOCX, and proposals
//! reviewed level by level before a decision.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use lantoa_domain::exemplars::{ExemplarState, SubjectCategory};
use lantoa_store::audit::Actor;
use lantoa_store::campaign::Until;

/// Nominations of a unit for 2025, verified.
async fn verified_nominations(admin: &TestApp, unit: &str, names: &[&str]) -> Vec<i64> {
    let db = admin.state.store.db();
    let unit = lantoa_store::org::get(db, lantoa_domain::OrgId(admin.org_id(unit).await))
        .await
        .unwrap();
    let year = lantoa_store::campaign::year(db, 2025).await.unwrap();
    let mut verified = Vec::new();
    for name in names {
        let draft = lantoa_domain::exemplars::ExemplarInput {
            kind: "ca_nhan".into(),
            name: (*name).into(),
            field: "cong_dong".into(),
            achievement: "Vận động bà con làm đường bê tông cho cả xóm".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let id = lantoa_store::exemplars::nominate(
            db,
            &Actor::cli(),
            &unit,
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
    verified
}

#[tokio::test]
async fn the_city_decision_commends_mostly_party_members_and_prints_in_the_party_layout() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let root = admin.org_id("TU-MYTHO").await;
        let city = lantoa_store::org::get(db, lantoa_domain::OrgId(root))
            .await
            .unwrap();
        let year = lantoa_store::campaign::year(db, 2024).await.unwrap();
        let f = lantoa_store::commendations::figures(db, &city.subtree(), &year, Until::WHOLE_YEAR)
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
        let text = docx.docx_xml();
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

        // The certificates: one landscape page for each person commended.
        let reply = leader
            .get(&format!("/quan-ly/khen-thuong/{id}/giay-khen.docx"))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let text = reply.docx_xml();
        let recipients = lantoa_store::commendations::recipients(db, id)
            .await
            .unwrap();
        assert_eq!(text.matches(">GIẤY KHEN<").count(), recipients.len());
        assert_eq!(
            text.matches("w:type=\"page\"").count(),
            recipients.len() - 1
        );
        assert!(
            text.contains("landscape") && text.contains("Quyết định số 1-QĐ/TU ngày 20/12/2024")
        );
        assert!(text.contains(&recipients[0].name));
        // Another ward's staff get neither paper.
        let other = admin.signed_in_as("canbo.p1").await;
        let paper = other
            .get(&format!("/quan-ly/khen-thuong/{id}/giay-khen.docx"))
            .await;
        assert_eq!(paper.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_ward_decides_within_its_powers_and_numbers_follow_on() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let ward = lantoa_store::org::get(db, lantoa_domain::OrgId(admin.org_id("DB-P5").await))
            .await
            .unwrap();
        let verified = verified_nominations(&admin, "DB-P5", &["Ông Ba", "Bà Tư"]).await;
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
        // The city's figures say who decided: the ward, for both; its list leads to them.
        let root = admin.org_id("TU-MYTHO").await;
        let city = lantoa_store::org::get(db, lantoa_domain::OrgId(root))
            .await
            .unwrap();
        let y2025 = lantoa_store::campaign::year(db, 2025).await.unwrap();
        let issuers =
            lantoa_store::commendations::issuers(db, &city.subtree(), &y2025, Until::WHOLE_YEAR)
                .await
                .unwrap();
        assert_eq!(issuers, vec![(ward.id, ward.name.clone(), 0, 2)]);
        let f =
            lantoa_store::commendations::figures(db, &city.subtree(), &y2025, Until::WHOLE_YEAR)
                .await
                .unwrap();
        assert_eq!((f.decisions, f.individuals(), f.collectives()), (2, 2, 0));
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let list = leader
            .get(&format!(
                "/quan-ly/khen-thuong/duoc-khen?org={root}&year=2025&issuer={}",
                ward.id
            ))
            .await
            .text();
        assert!(
            list.contains("<strong>2</strong>") && list.contains("Bà Tư"),
            "{list}"
        );
        // Another ward sees neither.
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(
            other.get(&reply.location()).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_cell_proposes_its_review_sends_one_up_and_the_ward_commends_what_it_approved() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let ids =
            verified_nominations(&admin, "DB-P5-CB1", &["Cô Năm", "Chú Sáu", "Anh Bảy"]).await;
        let (a, b, c) = (ids[0], ids[1], ids[2]);
        let cell = admin.org_id("DB-P5-CB1").await;
        let ward = admin.org_id("DB-P5").await;
        let staff = admin.signed_in_as("canbo.p5").await;
        let new = format!("/quan-ly/khen-thuong/de-nghi/moi?org={cell}&year=2025");
        let form = staff.get(&format!("{new}&chon={a}")).await.text();
        // Each form goes to the nearest organisation that may decide it; none may give a
        // bằng khen by default below the province.
        assert!(
            form.contains("gửi Đảng bộ Phường 5") || form.contains("gửi Đảng bộ phường 5"),
            "{form}"
        );
        assert!(!form.contains("Bằng khen"), "{form}");
        assert!(form.contains(&format!("value=\"{a}\" checked")), "{form}");

        // Bad input: every error at once, nothing written.
        let reply = staff.post_form(&new, "form=&reason=").await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        let text = reply.text();
        assert!(text.contains("Chọn hình thức khen thưởng đề nghị") && text.contains("Ghi lý do"));
        let count = "SELECT COUNT(*) AS value FROM commendation_proposals";
        let before = admin.scalar(count).await;
        let reply = staff.post_form(&new, "form=giay_khen&reason=X").await;
        assert!(
            reply.text().contains("Chọn ít nhất một"),
            "{}",
            reply.text()
        );
        assert_eq!(admin.scalar(count).await, before);

        let reply = staff
            .post_form(
                &new,
                &format!("form=bieu_duong&reason=G%C6%B0%C6%A1ng+s%C3%A1ng+khu+ph%E1%BB%91&recipient={a}&recipient={b}&recipient={c}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let first = reply.location();
        let x = lantoa_store::exemplars::exemplar(db, a).await.unwrap();
        assert_eq!(x.state, ExemplarState::Proposed);
        // Waiting for the review, a nomination is not closed by hand.
        let page = staff
            .get(&format!("/quan-ly/guong-dien-hinh/{c}"))
            .await
            .text();
        assert!(
            !page.contains("Kết luận không đạt") && page.contains("chờ bình xét"),
            "{page}"
        );

        // The review must conclude on everyone, with a reason for "không đạt" and a
        // higher form for those sent up.
        let review = format!("{first}/binh-xet");
        let reply = staff
            .post_form(
                &review,
                &format!("outcome_{a}=dat&outcome_{b}=khen_cao&outcome_{c}=khong_dat"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = reply.text();
        assert!(
            text.contains("Ghi lý do không đạt")
                && text.contains("Chọn hình thức đề nghị cấp trên"),
            "{text}"
        );
        assert!(
            text.contains("value=\"khen_cao\" checked"),
            "the typed review is kept"
        );
        assert_eq!(admin.scalar(count).await, before + 1);

        let reply = staff
            .post_form(
                &review,
                &format!("outcome_{a}=dat&outcome_{b}=khen_cao&outcome_{c}=khong_dat&comment_{c}=Ch%C6%B0a+%C4%91%E1%BB%A7+c%C4%83n+c%E1%BB%A9&higher_form=giay_khen"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let up = reply.location();
        assert_ne!(up, first);
        let rejected = lantoa_store::exemplars::exemplar(db, c).await.unwrap();
        assert_eq!(rejected.state, ExemplarState::Rejected);
        assert!(rejected.decided_at.is_some());
        // Reviewed once only.
        let again = staff
            .post_form(
                &review,
                &format!("outcome_{a}=dat&outcome_{b}=dat&outcome_{c}=dat"),
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

        // The one sent up waits in the ward's queue; a member sees no proposals.
        let queue = staff
            .get(&format!(
                "/quan-ly/khen-thuong/de-nghi?org={ward}&year=2025"
            ))
            .await
            .text();
        assert!(
            queue.contains("1 chờ bình xét") && queue.contains("Giấy khen"),
            "{queue}"
        );
        let member = admin.signed_in_as("dangvien.p5").await;
        assert_ne!(member.get(&up).await.status, StatusCode::OK);
        let reply = staff
            .post_form(&format!("{up}/binh-xet"), &format!("outcome_{b}=dat"))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());

        // The ward's decision may commend whom it approved, not whom the cell approved.
        let decide = format!("/quan-ly/khen-thuong/moi?org={ward}&year=2025");
        let form = staff.get(&decide).await.text();
        assert!(
            form.contains("Chú Sáu") && !form.contains("Cô Năm"),
            "{form}"
        );
        let cell_form = staff
            .get(&format!("/quan-ly/khen-thuong/moi?org={cell}&year=2025"))
            .await
            .text();
        assert!(
            cell_form.contains("Cô Năm") && !cell_form.contains("Chú Sáu"),
            "{cell_form}"
        );
        let reply = staff
            .post_form(
                &decide,
                &format!("form=giay_khen&signed_on=20%2F11%2F2026&signer_name=L%C3%AA+V%C4%83n+B%C3%AD&signer_post=B%C3%AD+th%C6%B0&reason=Th%C3%A0nh+t%C3%ADch&recipient={b}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let page = staff.get(&up).await.text();
        assert!(page.contains("Quyết định số 1-QĐ/ĐU"), "{page}");
        assert_eq!(
            lantoa_store::exemplars::exemplar(db, b)
                .await
                .unwrap()
                .state,
            ExemplarState::Commended
        );

        // Powers are a setting: once the city may give bằng khen, the ward's proposal of
        // one goes to the city.
        let ward_new = format!("/quan-ly/khen-thuong/de-nghi/moi?org={ward}&year=2025");
        let reply = staff.post_form(&ward_new, "form=bang_khen&reason=X").await;
        assert!(
            reply
                .text()
                .contains("có thẩm quyền quyết định «Bằng khen»"),
            "{}",
            reply.text()
        );
        let mut settings = lantoa_store::settings::load(db).await.unwrap();
        let mut codes = settings.powers.codes();
        codes.push("dang_bo_huyen:bang_khen".into());
        settings.powers = lantoa_domain::commendations::Powers::from_codes(&codes).unwrap();
        lantoa_store::settings::save(db, &Actor::cli(), &settings)
            .await
            .unwrap();
        let form = staff.get(&ward_new).await.text();
        assert!(
            form.contains("Bằng khen <span class=\"muted\">— gửi Đảng bộ thành phố Mỹ Tho"),
            "{form}"
        );
    }
}
