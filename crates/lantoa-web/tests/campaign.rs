//! Guiding documents: the seed's documents reach every member of the city for their year, a
//! ward's own plan reaches only the ward; staff add, change and delete documents with their
//! PDF or DOCX, every refusal explained and nothing half-written. On SQLite, and on
//! PostgreSQL when `LANTOA_TEST_POSTGRES_URL` is set.

mod common;

use axum::http::{StatusCode, header};
use common::{TestApp, multipart_form};

fn id_from(location: &str) -> i64 {
    location.rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn members_read_the_documents_of_their_year() {
    for admin in TestApp::each().await {
        let member = admin.signed_in_as("dangvien.p5").await;
        let list = member.get("/quan-ly/van-ban?year=2024").await;
        assert_eq!(list.status, StatusCode::OK, "{}", admin.backend);
        let html = list.text();
        for symbol in ["01-KL/TW", "46-KH/TU", "09-KH/ĐU"] {
            assert!(html.contains(symbol), "{symbol} for a member of Phường 5");
        }
        assert!(!html.contains("21-KL/TW"), "21-KL/TW guides 2025 only");
        assert!(html.contains("<strong>3</strong> văn bản"), "{html}");
        let y2025 = member.get("/quan-ly/van-ban?year=2025").await.text();
        assert!(y2025.contains("21-KL/TW") && !y2025.contains("09-KH/ĐU"));

        // Another ward reads the city's documents, not Phường 5's own plan.
        let other = admin.signed_in_as("canbo.p1").await;
        let html = other.get("/quan-ly/van-ban?year=2024").await.text();
        assert!(html.contains("46-KH/TU") && !html.contains("09-KH/ĐU"));

        // The topic names the documents guiding it.
        let years = admin.get("/quan-ly/nam-hoc-tap").await.text();
        assert!(years.contains("Kế hoạch 46-KH/TU"), "{years}");
    }
}

#[tokio::test]
async fn staff_add_change_and_delete_a_document_with_its_file() {
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let staff = admin.signed_in_as("canbo.p5").await;
        let ward = admin.org_id("DB-P5").await.to_string();
        let topic = lantoa_store::campaign::year(db, 2024).await.unwrap().topics[0]
            .id
            .to_string();
        let fields = |symbol: &'static str, kind: &'static str| {
            vec![
                ("org", ward.clone()),
                ("symbol", symbol.to_owned()),
                ("kind", kind.to_owned()),
                ("issuer", "Ban Thường vụ Đảng ủy Phường 5".to_owned()),
                ("issued_on", "05/03/2024".to_owned()),
                ("title", "Hướng dẫn sinh hoạt chuyên đề năm 2024".to_owned()),
                ("years", "2024".to_owned()),
                ("topics", topic.clone()),
            ]
        };
        let send = |fields: Vec<(&'static str, String)>, file: Option<(&'static str, Vec<u8>)>| {
            let staff = staff.clone();
            async move {
                let refs: Vec<(&str, &str)> =
                    fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
                staff
                    .send(multipart_form(
                        "/quan-ly/van-ban/moi",
                        &refs,
                        file.as_ref().map(|(n, b)| (*n, b.as_slice())),
                    ))
                    .await
            }
        };
        let count = || async {
            lantoa_store::campaign::documents(
                db,
                &lantoa_store::campaign::DocumentFilter {
                    reach: lantoa_store::campaign::Reach {
                        below: lantoa_store::org::Scope::All,
                        ..Default::default()
                    },
                    ..Default::default()
                },
                1,
                1,
            )
            .await
            .unwrap()
            .total
        };
        let before = count().await;

        // Refusals: a kind the symbol contradicts, a program named .pdf, no year.
        let mut bad = fields("12-HD/ĐU", "ket_luan");
        bad.retain(|(n, _)| *n != "years");
        let reply = send(bad, Some(("Hướng dẫn.pdf", b"MZ\x90\x00".to_vec()))).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        let html = reply.text();
        assert!(
            html.contains("Ký hiệu «12-HD/ĐU» là hướng dẫn (HD), không phải kết luận"),
            "{html}"
        );
        assert!(html.contains("không phải tệp .pdf thật"), "{html}");
        assert!(html.contains("Chọn ít nhất một năm áp dụng"), "{html}");
        assert!(
            html.contains("Hướng dẫn sinh hoạt chuyên đề năm 2024"),
            "typed values stay"
        );
        assert_eq!(count().await, before, "nothing written");

        // A unit outside the staff's scope is refused.
        let mut elsewhere = fields("12-HD/ĐU", "");
        elsewhere[0].1 = admin.org_id("DB-P1").await.to_string();
        let reply = send(elsewhere, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(count().await, before);

        // Stored, with its PDF under its Vietnamese name.
        let pdf = b"%PDF-1.4\n% Lan Toa test\n".to_vec();
        let reply = send(
            fields("12-HD/ĐU", ""),
            Some(("Hướng dẫn 12.pdf", pdf.clone())),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let id = id_from(&reply.location());
        let page = staff.get(&format!("/quan-ly/van-ban/{id}")).await.text();
        assert!(
            page.contains("Hướng dẫn số 12-HD/ĐU") && page.contains("Hướng dẫn 12.pdf"),
            "{page}"
        );
        let file = staff.get(&format!("/quan-ly/van-ban/{id}/tep")).await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.body, pdf);
        assert_eq!(file.headers[header::CONTENT_TYPE], "application/pdf");
        let disposition = file.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            disposition.starts_with("inline; filename=\"Huong dan 12.pdf\"")
                && disposition.contains("filename*=UTF-8''H%C6%B0%E1%BB%9Bng"),
            "{disposition}"
        );
        // The same symbol twice in a year is refused.
        let again = send(fields("12-HD/ĐU", ""), None).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            again
                .text()
                .contains("Đơn vị đã có văn bản 12-HD/ĐU ngày 05/03/2024")
        );

        // Members of the ward read it; another ward's staff do not even learn it exists.
        let member = admin.signed_in_as("dangvien.p5").await;
        assert_eq!(
            member.get(&format!("/quan-ly/van-ban/{id}/tep")).await.body,
            pdf
        );
        assert!(
            member
                .get(&format!("/quan-ly/van-ban/{id}"))
                .await
                .text()
                .contains("12-HD/ĐU")
        );
        assert_eq!(
            member
                .get(&format!("/quan-ly/van-ban/{id}/sua"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let other = admin.signed_in_as("canbo.p1").await;
        for path in ["", "/tep", "/sua", "/xoa"] {
            assert_eq!(
                other
                    .get(&format!("/quan-ly/van-ban/{id}{path}"))
                    .await
                    .status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }

        // Edited: a new title, the file taken off; the log keeps what changed.
        let mut edited: Vec<(&str, String)> = fields("12-HD/ĐU", "huong_dan");
        edited[5].1 = "Hướng dẫn sinh hoạt chuyên đề (sửa đổi)".into();
        edited.push(("remove_file", "1".into()));
        let refs: Vec<(&str, &str)> = edited.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let reply = staff
            .send(multipart_form(
                &format!("/quan-ly/van-ban/{id}/sua"),
                &refs,
                None,
            ))
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let page = staff.get(&format!("/quan-ly/van-ban/{id}")).await.text();
        assert!(page.contains("(sửa đổi)") && page.contains("Chưa đính kèm tệp"));
        assert_eq!(
            staff
                .get(&format!("/quan-ly/van-ban/{id}/tep"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let log = admin
            .get("/quan-ly/nhat-ky?viec=document_update")
            .await
            .text();
        assert!(log.contains("Sửa văn bản"), "{log}");

        // Deleted after the confirmation page.
        assert!(
            staff
                .get(&format!("/quan-ly/van-ban/{id}/xoa"))
                .await
                .text()
                .contains("Xóa văn bản 12-HD/ĐU?")
        );
        let reply = staff
            .post_form(&format!("/quan-ly/van-ban/{id}/xoa"), "")
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(
            staff.get(&format!("/quan-ly/van-ban/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(count().await, before);
    }
}
