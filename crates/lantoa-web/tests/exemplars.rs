//! Exemplars: the demo's 2024 figures (mostly party members commended), nominating by staff
//! and by members, the steps to commendation, the exemplar of the month, and bad input.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use lantoa_domain::exemplars::{ExemplarState, SubjectCategory};
use lantoa_store::campaign::Until;
use lantoa_store::exemplars::{self, ExemplarFilter};

#[tokio::test]
async fn the_demo_commends_mostly_party_members_and_features_an_exemplar_each_month() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let root = admin.org_id("TU-MYTHO").await;
        let city = lantoa_store::org::get(db, lantoa_domain::OrgId(root))
            .await
            .unwrap();
        let year = lantoa_store::campaign::year(db, 2024).await.unwrap();
        let f = exemplars::figures(db, &city.subtree(), &year, Until::WHOLE_YEAR)
            .await
            .unwrap();
        let of = |c: SubjectCategory| {
            f.commended_by_category
                .iter()
                .find(|(k, _)| *k == c)
                .map_or(0, |(_, n)| *n)
        };
        assert!(f.commended > 20, "{}: {f:?}", admin.backend);
        assert!(of(SubjectCategory::PartyMember) > 3 * of(SubjectCategory::Citizen));
        assert!(f.median_days.is_some_and(|d| d >= 20.0));
        // The count of commended party members is the length of their list.
        let filter = ExemplarFilter {
            state: Some(ExemplarState::Commended),
            category: Some(SubjectCategory::PartyMember),
            ..Default::default()
        };
        let listed = exemplars::exemplars(db, &city.subtree(), &year, &filter, 1, 1)
            .await
            .unwrap()
            .total;
        assert_eq!(listed, of(SubjectCategory::PartyMember));
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let html = leader
            .get(&format!("/quan-ly/guong-dien-hinh?org={root}&year=2024"))
            .await
            .text();
        assert!(
            html.contains("Tháng 09/2024") && html.contains("Tháng 12/2024"),
            "{html}"
        );
    }
}

#[tokio::test]
async fn staff_nominate_verify_and_commend_and_pick_the_exemplar_of_the_month() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let staff = admin.signed_in_as("canbo.p5").await;
        let ward = admin.org_id("DB-P5").await;
        let new = format!("/quan-ly/guong-dien-hinh/moi?org={ward}&year=2025");

        let reply = staff
            .post_form(&new, "kind=ca_nhan&name=&achievement=T%E1%BB%91t")
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        let html = reply.text();
        assert!(
            html.contains("Ghi họ tên") && html.contains("Kể rõ việc tốt"),
            "{html}"
        );
        // A party member of another ward, named by card: refused at the card.
        let stranger = lantoa_store::people::get(db, admin.someone_of("DB-P1").await)
            .await
            .unwrap();
        let card = stranger.details.party_card_no.clone().unwrap();
        let deed = "achievement=Nhi%E1%BB%81u+n%C4%83m+n%E1%BA%A5u+c%C6%A1m+mi%E1%BB%85n+ph%C3%AD+cho+b%E1%BB%87nh+nh%C3%A2n+ngh%C3%A8o&field=nhan_dao_tu_thien";
        let reply = staff
            .post_form(&new, &format!("kind=ca_nhan&card={card}&{deed}"))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("không thuộc Đảng bộ Phường 5"));

        let reply = staff
            .post_form(
                &new,
                &format!("kind=ca_nhan&name=B%C3%A0+Nguy%E1%BB%85n+Th%E1%BB%8B+Hai&{deed}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let page = reply.location();
        let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
        let step = format!("{page}/buoc");
        let reply = staff.post_form(&step, "step=da_khen").await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("Cần xác minh trước"));
        assert_eq!(
            staff.post_form(&step, "step=xac_minh").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            staff.post_form(&step, "step=da_khen").await.status,
            StatusCode::SEE_OTHER
        );
        let x = exemplars::exemplar(db, id).await.unwrap();
        assert_eq!(x.state, ExemplarState::Commended);
        assert_eq!(x.category, SubjectCategory::Citizen);
        assert_eq!(x.days_to_decision(), Some(0));

        let month = format!("{page}/thang");
        let reply = staff.post_form(&month, "month=13%2F2025").await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text().contains("mm/yyyy"));
        assert_eq!(
            staff.post_form(&month, "month=9%2F2025").await.status,
            StatusCode::SEE_OTHER
        );
        let list = staff
            .get(&format!("/quan-ly/guong-dien-hinh?org={ward}&year=2025"))
            .await
            .text();
        assert!(
            list.contains("Tháng 09/2025") && list.contains("Bà Nguyễn Thị Hai"),
            "{list}"
        );
        // The ward's exemplar of the month shows on its public list once made public.
        let public_list = format!("/guong-sang?unit={ward}");
        let featured = "Gương điển hình tháng 09/2025 của đơn vị";
        assert!(
            !admin
                .anonymous()
                .get(&public_list)
                .await
                .text()
                .contains(featured)
        );
        staff
            .post_form(&format!("{page}/cong-khai"), "public=1")
            .await;
        let html = admin.anonymous().get(&public_list).await.text();
        assert!(
            html.contains(featured) && html.contains("Bà Nguyễn Thị Hai"),
            "{html}"
        );
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(other.get(&page).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_member_nominates_for_their_cell_and_sees_no_list() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let member = admin.signed_in_as("dangvien.p5").await;
        assert_eq!(
            member.get("/quan-ly/guong-dien-hinh/moi").await.status,
            StatusCode::OK
        );
        let reply = member
            .post_form(
                "/quan-ly/guong-dien-hinh/moi",
                "kind=tap_the&name=H%E1%BB%99i+Ph%E1%BB%A5+n%E1%BB%AF+khu+ph%E1%BB%91+1&field=moi_truong\
                 &achievement=M%E1%BB%97i+s%C3%A1ng+ch%E1%BB%A7+nh%E1%BA%ADt+d%E1%BB%8Dn+s%E1%BA%A1ch+b%E1%BB%9D+k%C3%AAnh+khu+ph%E1%BB%91",
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", admin.backend);
        assert!(reply.text().contains("Đã gửi đề cử"));
        let cell =
            lantoa_store::org::get(db, lantoa_domain::OrgId(admin.org_id("DB-P5-CB1").await))
                .await
                .unwrap();
        let year = lantoa_store::campaign::year(db, 2025).await.unwrap();
        let found = exemplars::exemplars(
            db,
            &cell.subtree(),
            &year,
            &ExemplarFilter {
                q: "Hội Phụ nữ khu phố 1".into(),
                ..Default::default()
            },
            1,
            5,
        )
        .await
        .unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(
            found.items[0].source,
            lantoa_domain::exemplars::NominationSource::Member
        );
        assert_eq!(found.items[0].category, SubjectCategory::Collective);
        assert_eq!(
            member.get("/quan-ly/guong-dien-hinh").await.status,
            StatusCode::NOT_FOUND
        );
    }
}
