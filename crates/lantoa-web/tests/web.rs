//! The web application in-process, on a fresh database per test: SQLite always, and
//! PostgreSQL too when `LANTOA_TEST_POSTGRES_URL` is set (then it must be reachable).
//! Requests are made as the demo's system administrator unless a test says otherwise.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TestApp, multipart};

#[tokio::test]
async fn browse_the_demo_tree_and_search_people() {
    for app in TestApp::each().await {
        let health = app.get("/healthz").await;
        assert_eq!(health.status, StatusCode::OK);
        let root = app.org_id("TU-MYTHO").await;
        let page = app.get(&format!("/quan-ly/don-vi/{root}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", app.backend);
        let html = page.text();
        assert!(html.contains("Đảng bộ thành phố Mỹ Tho"));
        assert!(html.contains("Đảng bộ Phường 5"), "children are listed");
        let total = lantoa_store::people::search(
            app.state.store.db(),
            &lantoa_store::people::PeopleFilter {
                scope: lantoa_store::org::Scope::All,
                ..Default::default()
            },
            1,
            1,
        )
        .await
        .unwrap()
        .total;
        assert!(
            html.contains(&format!("{} người", lantoa_domain::format::number(total))),
            "the count comes from the database"
        );

        let found = app.get("/quan-ly/nhan-su?q=nguyen+van+duc").await.text();
        assert!(
            found.contains("Nguyễn Văn Đức") && found.contains("Trưởng Ban Tuyên giáo Thành ủy"),
            "{}",
            app.backend
        );
        let dang = app.get("/quan-ly/nhan-su?q=dang").await.text();
        assert!(dang.contains("Đặng "), "«dang» finds Đặng");

        let ward = app.org_id("DB-P5").await;
        let members = app
            .get(&format!(
                "/quan-ly/nhan-su?org={ward}&category=dang_vien&status=chinh_thuc&page=2"
            ))
            .await;
        assert_eq!(members.status, StatusCode::OK);
        let members = members.text();
        assert!(
            members.contains("aria-current=\"page\">2<"),
            "page 2 is marked current"
        );
        // The first page's "next" link reads from after its last person: the same page 2.
        let first = app
            .get(&format!(
                "/quan-ly/nhan-su?org={ward}&category=dang_vien&status=chinh_thuc"
            ))
            .await
            .text();
        let after: String = first
            .split("sau=")
            .nth(1)
            .expect("a next-page link carries the last person")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let next = app
            .get(&format!(
                "/quan-ly/nhan-su?org={ward}&category=dang_vien&status=chinh_thuc&page=2&sau={after}"
            ))
            .await
            .text();
        let table = |html: &str| html[html.find("<tbody>").unwrap()..].to_owned();
        assert_eq!(table(&next), table(&members), "{}", app.backend);
        assert_eq!(
            app.get("/quan-ly/don-vi/999999").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn unit_forms_validate_and_save() {
    for app in TestApp::each().await {
        let root = app.org_id("TU-MYTHO").await;
        let bad = app
            .post_form(
                "/quan-ly/don-vi/moi",
                &format!("parent={root}&code=a+b&name=&kind=&sector=khac"),
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let html = bad.text();
        assert!(
            html.contains("Chưa nhập tên đơn vị") && html.contains("Chưa chọn loại đơn vị"),
            "{html}"
        );
        assert!(html.contains("value=\"a b\""), "typed values are kept");

        let taken = app
            .post_form(
                "/quan-ly/don-vi/moi",
                &format!("parent={root}&code=BTG&name=X&kind=co_quan&sector=khac"),
            )
            .await;
        assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(taken.text().contains("đã được dùng"));

        let created = app.post_form("/quan-ly/don-vi/moi", &format!("parent={root}&code=CB-MOI&name=Chi+b%E1%BB%99+m%E1%BB%9Bi&kind=chi_bo_co_so&sector=khac")).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER);
        let id = app.org_id("CB-MOI").await;
        assert_eq!(created.location(), format!("/quan-ly/don-vi/{id}"));

        let ward = app.org_id("DB-P5").await;
        let into_self = app
            .post_form(&format!("/quan-ly/don-vi/{ward}/chuyen"), "code=DB-P5-CB1")
            .await;
        assert_eq!(into_self.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(into_self.text().contains("đơn vị cấp dưới"));
        let moved = app
            .post_form(&format!("/quan-ly/don-vi/{id}/chuyen"), "code=DB-P5")
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER);
        let unit = lantoa_store::org::get(app.state.store.db(), lantoa_domain::OrgId(id))
            .await
            .unwrap();
        assert_eq!(unit.parent_id, Some(lantoa_domain::OrgId(ward)));

        assert_eq!(
            app.post_form(&format!("/quan-ly/don-vi/{ward}/luu-tru"), "")
                .await
                .status,
            StatusCode::CONFLICT,
            "a unit with active sub-units is not archived"
        );
        assert_eq!(
            app.post_form(&format!("/quan-ly/don-vi/{id}/luu-tru"), "")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert!(
            app.get(&format!("/quan-ly/don-vi/{id}"))
                .await
                .text()
                .contains("Đã lưu trữ")
        );
    }
}

#[tokio::test]
async fn person_forms_validate_and_keep_history() {
    for app in TestApp::each().await {
        let bad = app
            .post_form(
                "/quan-ly/nhan-su/moi",
                "full_name=&org_code=NOPE&birth_date=31%2F02%2F1980&categories=dang_vien",
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let html = bad.text();
        assert!(
            html.contains("Chưa nhập họ và tên")
                && html.contains("không tồn tại")
                && html.contains("Đảng viên phải có tình trạng"),
            "{html}"
        );

        let form = "full_name=Tr%E1%BA%A7n+Th%E1%BB%8B+M%E1%BB%9Bi&org_code=BTG&gender=nu&birth_date=02%2F03%2F1990&categories=dang_vien&categories=cong_chuc&member_status=chinh_thuc&party_card_no=99000001";
        let created = app.post_form("/quan-ly/nhan-su/moi", form).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
        let person_url = created.location();
        let page = app.get(&person_url).await.text();
        assert!(
            page.contains("Trần Thị Mới")
                && page.contains("Đảng viên, Công chức")
                && page.contains("02/03/1990")
        );

        let moved = app
            .post_form(
                &format!("{person_url}/sua"),
                &form.replace("org_code=BTG", "org_code=PYT"),
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER);
        let page = app.get(&person_url).await.text();
        assert!(
            page.contains("Chi bộ Phòng Y tế") && page.contains("Ban Tuyên giáo Thành ủy"),
            "history shows both units"
        );

        let duplicate = app
            .post_form(
                "/quan-ly/nhan-su/moi",
                &form.replace("M%E1%BB%9Bi", "Kh%C3%A1c"),
            )
            .await;
        assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(duplicate.text().contains("đã thuộc về Trần Thị Mới"));
    }
}

#[tokio::test]
async fn import_job_reports_rows_and_export_reads_back() {
    for app in TestApp::each().await {
        let csv = "DANH SÁCH ĐẢNG VIÊN\n\nHọ tên;Năm sinh;Chi bộ;Đối tượng;Tình trạng\nLê Văn Nhập;01/01/1980;BTG;Đảng viên;Chính thức\n;31/02/1980;NOPE;;\n";
        let queued = app
            .send(multipart("people", "ds.csv", csv.as_bytes(), &[]))
            .await;
        assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", app.backend);
        let job_url = queued.location();
        assert!(app.get(&job_url).await.text().contains("Đang chờ"));
        assert_eq!(lantoa_web::jobs::run_pending(&app.state).await.unwrap(), 1);
        let page = app.get(&job_url).await.text();
        assert!(
            page.contains("Chưa ghi dòng nào") && page.contains("<td class=\"num\">5</td>"),
            "{page}"
        );
        let rejected = app.get(&format!("{job_url}/tep")).await;
        assert_eq!(rejected.status, StatusCode::OK);
        let table = lantoa_office::Table::read("loi.xlsx", &rejected.body).unwrap();
        assert_eq!(table.rows[0].1[..2], ["Dòng".to_owned(), "Lỗi".to_owned()]);
        assert!(table.rows[1].1[1].contains("NOPE"));

        let queued = app
            .send(multipart(
                "people",
                "ds.csv",
                csv.as_bytes(),
                &["skip_invalid"],
            ))
            .await;
        lantoa_web::jobs::run_pending(&app.state).await.unwrap();
        assert!(
            app.get(&queued.location())
                .await
                .text()
                .contains("Đã ghi vào cơ sở dữ liệu")
        );

        let btg = app.org_id("BTG").await;
        let export = app
            .get(&format!("/quan-ly/don-vi/{btg}/xuat-nhan-su?format=xlsx"))
            .await;
        assert_eq!(export.status, StatusCode::OK);
        let rows = lantoa_office::people_rows(
            &lantoa_office::Table::read("x.xlsx", &export.body).unwrap(),
        )
        .unwrap();
        assert_eq!(rows.len(), 10, "9 demo staff and the imported one");
        assert!(rows.iter().any(|r| r.input.full_name == "Lê Văn Nhập"));

        let not_a_sheet = app.send(multipart("people", "ds.pdf", b"%PDF", &[])).await;
        assert_eq!(not_a_sheet.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(not_a_sheet.text().contains("Chỉ nhận tệp"));
    }
}

#[tokio::test]
async fn api_returns_the_same_data_and_is_documented() {
    for app in TestApp::each().await {
        let roots: serde_json::Value =
            serde_json::from_slice(&app.get("/api/v1/orgs").await.body).unwrap();
        assert_eq!(roots[0]["code"], "TU-MYTHO", "{}", app.backend);
        let id = roots[0]["id"].as_i64().unwrap();
        let detail: serde_json::Value =
            serde_json::from_slice(&app.get(&format!("/api/v1/orgs/{id}")).await.body).unwrap();
        assert!(detail["children"].as_array().unwrap().len() > 70);
        let people: serde_json::Value =
            serde_json::from_slice(&app.get("/api/v1/people?q=nguyen+van+duc").await.body).unwrap();
        assert!(
            people["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["full_name"] == "Nguyễn Văn Đức")
        );
        let missing = app.get("/api/v1/orgs/999999").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.text().contains("Không tìm thấy"));
        let doc: serde_json::Value =
            serde_json::from_slice(&app.get("/api/openapi.json").await.body).unwrap();
        for path in ["/api/v1/orgs", "/api/v1/orgs/{id}", "/api/v1/people"] {
            assert!(doc["paths"][path].is_object(), "{path} documented");
        }
        assert_eq!(app.get("/api/docs/").await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn changes_and_exports_show_in_the_audit_log_and_pages_carry_security_headers() {
    for app in TestApp::each().await {
        let btg = app.org_id("BTG").await;
        let renamed = app
            .post_form(&format!("/quan-ly/don-vi/{btg}/sua"), "code=BTG&name=Ban+Tuy%C3%AAn+gi%C3%A1o+v%C3%A0+D%C3%A2n+v%E1%BA%ADn&kind=co_quan&sector=co_quan_hanh_chinh")
            .await;
        assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", app.backend);
        let export = app
            .get(&format!("/quan-ly/don-vi/{btg}/xuat-nhan-su?format=csv"))
            .await;
        assert_eq!(export.status, StatusCode::OK);
        let log = app.get(&format!("/quan-ly/nhat-ky?org={btg}")).await;
        assert_eq!(log.status, StatusCode::OK);
        let page_html = log.text();
        // The rows, after the filter form (whose list of actions names them all).
        let html = &page_html[page_html.find("<tbody>").unwrap()..];
        assert!(
            html.contains("Sửa đơn vị") && html.contains("Ban Tuyên giáo và Dân vận"),
            "{html}"
        );
        assert!(
            html.contains("Xuất danh sách nhân sự") && html.contains("Số người: 9"),
            "exports of personal data are logged"
        );
        let row_order = (html.find("Xuất danh sách"), html.find("Sửa đơn vị"));
        assert!(row_order.0 < row_order.1, "newest first");

        let page = app.get("/quan-ly/don-vi").await;
        let csp = page
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(
            page.headers.get("x-content-type-options").unwrap(),
            "nosniff"
        );
        assert_eq!(page.headers.get("x-frame-options").unwrap(), "DENY");

        // A cross-site form post is refused before it changes anything.
        let forged = app
            .send(
                Request::post(format!("/quan-ly/don-vi/{btg}/luu-tru"))
                    .header("sec-fetch-site", "cross-site")
                    .header("origin", "https://evil.example")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(
            lantoa_store::org::get(app.state.store.db(), lantoa_domain::OrgId(btg))
                .await
                .unwrap()
                .is_active()
        );
    }
}
