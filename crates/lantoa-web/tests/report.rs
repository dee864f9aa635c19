//! The dashboard and the year-end report: the demo city's 2024 report carries the seed's
//! figures and weaknesses, figures are live and lead to their lists, a period without data
//! or spanning years works, and nobody reads a unit outside their grants. On both databases.

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn the_city_report_of_2024_says_what_the_newspaper_said() {
    for admin in TestApp::each().await {
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let reply = leader.get("/quan-ly/bao-cao/bao-cao.docx?ky=2024").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", admin.backend);
        let xml = reply.docx_xml();
        for figure in [
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "BÁO CÁO",
            "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, QUÁN TRIỆT",
            "Kế hoạch số 46-KH/TU ngày 13-8-2021",
            "đã được quán triệt đến 99,7% đảng viên",
            "hơn 16.700 lượt người dân",
            "132 mô hình tiêu biểu được 69 cơ sở đảng đăng ký thực hiện",
            "100% cán bộ, đảng viên thuộc diện phải xây dựng kế hoạch cá nhân",
            "III. HẠN CHẾ VÀ NGUYÊN NHÂN",
            "chủ yếu là lồng ghép, ban hành văn bản",
            "chưa thường xuyên",
            "tập trung ở Mặt trận Tổ quốc và các tổ chức chính trị - xã hội",
            "chưa mở rộng đến đoàn viên, hội viên và nhân dân",
            "chưa kịp thời",
            "IV. NHIỆM VỤ TRỌNG TÂM NĂM 2025",
            "Nơi nhận",
        ] {
            assert!(xml.contains(figure), "{}: {figure}", admin.backend);
        }
        // The figures are the database's: the 99,7% is studied / eligible members.
        let logged = admin
            .scalar("SELECT COUNT(*) AS value FROM audit_log WHERE action = 'report_generate'")
            .await;
        assert_eq!(logged, 1);

        // The print view is the same document.
        let print = leader.get("/quan-ly/bao-cao/ban-in?ky=2024").await.text();
        assert!(print.contains("hơn 16.700 lượt người dân"));
        assert!(print.contains("bao-cao.docx"));
    }
}

#[tokio::test]
async fn the_dashboard_is_live_compares_and_links_to_its_lists() {
    for admin in TestApp::each().await {
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let city = admin.org_id("TU-MYTHO").await;
        let page = leader.get("/quan-ly/tong-quan?ky=2024").await;
        assert_eq!(page.status, StatusCode::OK);
        let text = page.text();
        let citizens = admin
            .scalar(
                "SELECT CAST(SUM(k.count) AS BIGINT) AS value FROM counted_attendance k \
                 JOIN study_sessions s ON s.id = k.session_id JOIN campaign_years y ON y.id = s.year_id \
                 WHERE y.year = 2024 AND k.audience = 'nguoi_dan'",
            )
            .await;
        let shown = lantoa_domain::format::number(citizens);
        assert!(text.contains(&shown), "{shown}");
        assert!(text.contains("99,7%"));
        assert!(text.contains(&format!("/quan-ly/hoc-tap?org={city}&#38;year=2024")));
        assert!(text.contains("Tuyên truyền chủ yếu bằng văn bản"));
        assert!(text.contains("<svg class=\"chart\""));
        // 2025 compares with 2024.
        let later = leader.get("/quan-ly/tong-quan?ky=2025").await.text();
        assert!(later.contains("so với năm 2024"), "{later}");

        // Live: one more activity in 2025 shows at once.
        let before = leader.get("/quan-ly/tong-quan?ky=2025").await.text();
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = admin.org_id("DB-P5").await;
        let saved = staff
            .post_form(
                &format!("/quan-ly/tuyen-truyen/moi?org={p5}&year=2025"),
                "held_on=15/11/2025&channel=truc_quan&topic=&title=Pano+m%E1%BB%9Bi&quantity=2&reach=&link=",
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let activities = admin
            .scalar(
                "SELECT COUNT(*) AS value FROM propaganda_activities a JOIN campaign_years y ON y.id = a.year_id WHERE y.year = 2025",
            )
            .await;
        let after = leader.get("/quan-ly/tong-quan?ky=2025").await.text();
        let tile = |n: i64| {
            format!(
                ">{}</a></p><p class=\"tile-detail\">",
                lantoa_domain::format::number(n)
            )
        };
        assert!(after.contains(&tile(activities)), "{activities}");
        assert!(!before.contains(&tile(activities)));

        // Sorting the child units by study puts the lowest first.
        let sorted = leader
            .get("/quan-ly/tong-quan?ky=2024&xep=hoc-tap")
            .await
            .text();
        let first = sorted.find("Chi bộ Trường THCS Phan Châu Trinh").unwrap();
        let full = sorted.find("Ban Tuyên giáo Thành ủy").unwrap();
        assert!(first < full);
    }
}

#[tokio::test]
async fn empty_and_multi_year_periods_work_and_scope_is_kept() {
    for admin in TestApp::each().await {
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let empty = leader.get("/quan-ly/bao-cao/bao-cao.docx?ky=2019").await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(
            empty
                .docx_xml()
                .contains("chưa có số liệu nào được ghi nhận")
        );
        let term = leader.get("/quan-ly/tong-quan?ky=2024-2025").await;
        assert_eq!(term.status, StatusCode::OK);
        assert!(term.text().contains("giai đoạn 2024 – 2025"));
        let term_report = leader
            .get("/quan-ly/bao-cao/ban-in?ky=2024-2025")
            .await
            .text();
        assert!(term_report.contains("giai đoạn 2024 – 2025"));
        assert_eq!(
            leader.get("/quan-ly/tong-quan?ky=hai-nam").await.status,
            StatusCode::BAD_REQUEST
        );

        // Another ward's staff and a member read nothing of Phường 5: it is not theirs.
        let p5 = admin.org_id("DB-P5").await;
        for who in ["canbo.p1", "dangvien.p5"] {
            let other = admin.signed_in_as(who).await;
            for path in [
                format!("/quan-ly/tong-quan?org={p5}"),
                format!("/quan-ly/bao-cao?org={p5}"),
                format!("/quan-ly/bao-cao/ban-in?org={p5}"),
                format!("/quan-ly/bao-cao/bao-cao.docx?org={p5}"),
                format!("/quan-ly/bao-cao/so-lieu.xlsx?org={p5}"),
            ] {
                assert_eq!(
                    other.get(&path).await.status,
                    StatusCode::NOT_FOUND,
                    "{who} {path}"
                );
            }
        }
        // Phường 5's own staff read Phường 5 by default.
        let own = admin.signed_in_as("canbo.p5").await;
        let text = own.get("/quan-ly/tong-quan?ky=2024").await.text();
        assert!(text.contains("Đảng bộ Phường 5"));
    }
}

#[tokio::test]
async fn staff_edit_issue_and_reissue_and_an_issued_report_never_changes() {
    for admin in TestApp::each().await {
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = admin.org_id("DB-P5").await;
        let page = format!("/quan-ly/bao-cao?org={p5}&ky=2024");
        let count = "SELECT COUNT(*) AS value FROM reports";

        // The drafted prose is on the form; an empty main section is refused, nothing kept.
        let form = staff.get(&page).await.text();
        assert!(form.contains("Lưu dự thảo") && form.contains("Ban hành báo cáo"));
        let refused = staff
            .post_form(
                &page,
                "viec=luu&leadership=&limitations=Kh%C3%B4ng&next_year=Ti%E1%BA%BFp",
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            admin.backend
        );
        assert!(
            refused
                .text()
                .contains("Ghi công tác lãnh đạo, chỉ đạo, quán triệt")
        );
        assert!(refused.text().contains("Tiếp"), "the typed text stays");
        assert_eq!(admin.scalar(count).await, 0);

        let prose = "leadership=%C4%90%E1%BA%A3ng+%E1%BB%A7y+%C4%91%C3%A3+qu%C3%A1n+tri%E1%BB%87t+s%C3%A2u+r%E1%BB%99ng.\
            &limitations=Tuy%C3%AAn+truy%E1%BB%81n+c%C3%B2n+%C3%ADt.&causes=&next_year=1.+Ti%E1%BA%BFp+t%E1%BB%A5c.&proposals=";
        let saved = staff.post_form(&page, &format!("viec=luu&{prose}")).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        assert!(
            staff
                .get(&page)
                .await
                .text()
                .contains("Đảng ủy đã quán triệt sâu rộng.")
        );

        // Issuing needs a day not in the future and a signer.
        let future = staff
            .post_form(
                &page,
                &format!("viec=ban_hanh&{prose}&issued_on=01/01/2099&signer_name="),
            )
            .await;
        assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            future
                .text()
                .contains("Ngày ban hành không được sau hôm nay")
        );
        assert!(future.text().contains("Ghi họ tên người ký"));
        let issued = staff
            .post_form(
                &page,
                &format!("viec=ban_hanh&{prose}&issued_on=15/12/2024&signer_name=Nguy%E1%BB%85n+V%C4%83n+An&signer_post=B%C3%AD+th%C6%B0"),
            )
            .await;
        assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.text());
        let first = issued.location();
        let text = staff.get(&first).await.text();
        assert!(text.contains("Số 1-BC/ĐU"), "{text}");
        assert!(text.contains("Nguyễn Văn An") && text.contains("Đảng ủy đã quán triệt sâu rộng."));
        assert_eq!(
            admin
                .scalar("SELECT COUNT(*) AS value FROM reports WHERE state = 'nhap'")
                .await,
            0,
            "the draft went into the issued report"
        );
        let docx = staff.get(&format!("{first}/bao-cao.docx")).await;
        assert!(docx.docx_xml().contains("1-BC/ĐU"));
        let xlsx = staff.get(&format!("{first}/so-lieu.xlsx")).await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.body.starts_with(b"PK"));

        // Later data never changes the issued report; the draft follows the data.
        let activities = |text: &str| {
            text.split("Đã tổ chức ")
                .nth(1)
                .and_then(|t| t.split(' ').next())
                .unwrap_or_default()
                .to_owned()
        };
        let before = activities(&text);
        let added = staff
            .post_form(
                &format!("/quan-ly/tuyen-truyen/moi?org={p5}&year=2024"),
                "held_on=20/12/2024&channel=hoi_nghi&topic=&title=H%E1%BB%99i+ngh%E1%BB%8B+cu%E1%BB%91i+n%C4%83m&quantity=1&reach=80&link=",
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
        assert_eq!(activities(&staff.get(&first).await.text()), before);
        let live = staff
            .get(&format!("/quan-ly/bao-cao/ban-in?org={p5}&ky=2024"))
            .await
            .text();
        assert_ne!(activities(&live), before);

        // A new version takes a new number and says what it replaces.
        let again = staff
            .post_form(
                &page,
                &format!("viec=ban_hanh&{prose}&issued_on=20/12/2024&signer_name=Nguy%E1%BB%85n+V%C4%83n+An&signer_post="),
            )
            .await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.text());
        let second = staff.get(&again.location()).await.text();
        assert!(second.contains("Số 2-BC/ĐU") && second.contains("thay thế Báo cáo số 1-BC/ĐU"));
        let history = staff.get(&page).await.text();
        assert!(history.contains("2-BC/ĐU") && history.contains("1-BC/ĐU"));
        assert_eq!(
            admin
                .scalar("SELECT COUNT(*) AS value FROM audit_log WHERE action = 'report_issue'")
                .await,
            2
        );

        // The city's leader reads it but may not issue; another ward reads nothing.
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        assert_eq!(leader.get(&first).await.status, StatusCode::OK);
        assert_eq!(
            leader
                .post_form(&page, &format!("viec=luu&{prose}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(other.get(&first).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.get(&format!("{first}/so-lieu.xlsx")).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_report_file_is_written_by_a_background_job_with_its_progress() {
    for admin in TestApp::each().await {
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let queued = leader
            .post_form("/quan-ly/bao-cao/lap?ky=2024", "tep=xlsx")
            .await;
        assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", queued.text());
        let job = queued.location();
        assert!(job.starts_with("/quan-ly/bao-cao/viec/"), "{job}");
        let waiting = leader.get(&job).await.text();
        assert!(waiting.contains("<progress") && waiting.contains("http-equiv=\"refresh\""));
        // Nobody else follows it.
        let other = admin.signed_in_as("canbo.p1").await;
        assert_eq!(other.get(&job).await.status, StatusCode::NOT_FOUND);

        lantoa_web::jobs::run_pending(&admin.state).await.unwrap();
        let done = leader.get(&job).await.text();
        assert!(done.contains(&format!("{job}/tep")), "{done}");
        let file = leader.get(&format!("{job}/tep")).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(file.body.starts_with(b"PK"));
        assert_eq!(
            admin
                .scalar("SELECT COUNT(*) AS value FROM audit_log WHERE action = 'report_generate'")
                .await,
            1
        );
        assert_eq!(
            leader
                .post_form("/quan-ly/bao-cao/lap?ky=2024", "tep=pdf")
                .await
                .status,
            StatusCode::BAD_REQUEST
        );
    }
}

/// LibreOffice's command, if installed; CI sets `LANTOA_TEST_LIBREOFFICE` so that its
/// absence fails instead of skipping.
fn libreoffice() -> Option<&'static str> {
    let found = ["soffice", "libreoffice"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() && std::env::var_os("LANTOA_TEST_LIBREOFFICE").is_some() {
        panic!("LANTOA_TEST_LIBREOFFICE is set but LibreOffice (soffice) is not installed");
    }
    found
}

/// Converts a file with LibreOffice and returns the converted text; fails on any error
/// LibreOffice reports.
fn convert(office: &str, dir: &std::path::Path, name: &str, bytes: &[u8], to: &str) -> String {
    let input = dir.join(name);
    std::fs::write(&input, bytes).unwrap();
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.display());
    let out = std::process::Command::new(office)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            to,
            "--outdir",
        ])
        .arg(dir)
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}: {stderr}");
    assert!(!stderr.to_lowercase().contains("error"), "{name}: {stderr}");
    let extension = to.split(':').next().unwrap();
    let converted = input.with_extension(extension);
    String::from_utf8_lossy(
        &std::fs::read(&converted)
            .unwrap_or_else(|e| panic!("{name}: LibreOffice wrote no {extension}: {e}; {stderr}")),
    )
    .into_owned()
}

#[tokio::test]
async fn libreoffice_opens_the_report_and_its_workbook() {
    let Some(office) = libreoffice() else {
        eprintln!("LibreOffice is not installed: the conversion check is skipped");
        return;
    };
    let admin = TestApp::each().await.into_iter().next().unwrap();
    let leader = admin.signed_in_as("lanhdao.thanhuy").await;
    let dir = tempfile::tempdir().unwrap();
    let docx = leader.get("/quan-ly/bao-cao/bao-cao.docx?ky=2024").await;
    let text = convert(office, dir.path(), "bao-cao.docx", &docx.body, "txt:Text");
    assert!(text.contains("ĐẢNG CỘNG SẢN VIỆT NAM"), "{text}");
    assert!(text.contains("đã được quán triệt đến 99,7% đảng viên"));
    assert!(text.contains("hơn 16.700 lượt người dân"));
    let xlsx = leader.get("/quan-ly/bao-cao/so-lieu.xlsx?ky=2024").await;
    let csv = convert(
        office,
        dir.path(),
        "so-lieu.xlsx",
        &xlsx.body,
        "csv:Text - txt - csv (StarCalc):44,34,76",
    );
    let citizens = admin
        .scalar(
            "SELECT CAST(SUM(k.count) AS BIGINT) AS value FROM counted_attendance k \
             JOIN study_sessions s ON s.id = k.session_id JOIN campaign_years y ON y.id = s.year_id \
             WHERE y.year = 2024 AND k.audience = 'nguoi_dan'",
        )
        .await;
    assert!(csv.contains(&format!("Lượt người dân,{citizens}")), "{csv}");
}

/// Runs a statement with bound values on the test's database.
async fn execute(admin: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    use sea_orm::ConnectionTrait;
    let db = admin.state.store.db();
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn the_six_month_report_counts_what_happened_by_30_june() {
    use lantoa_domain::report::Period;
    let moment = |y, m, d| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
            .and_utc()
    };
    for admin in TestApp::each().await {
        let db = admin.state.store.db();
        let city = lantoa_store::org::get_by_code(db, "TU-MYTHO")
            .await
            .unwrap()
            .unwrap();
        let today = lantoa_web::today();
        let figures = |period| lantoa_store::report::figures(db, &city, period, today);
        // The demo's sessions were all held in spring: one moves to September.
        let september = chrono::NaiveDate::from_ymd_opt(2024, 9, 10)
            .unwrap()
            .and_hms_opt(7, 30, 0)
            .unwrap();
        execute(
            &admin,
            "UPDATE study_sessions SET starts_at = $1 WHERE id = (SELECT MIN(k.session_id) FROM counted_attendance k \
             WHERE k.audience = 'nguoi_dan' AND k.count > 0)",
            vec![september.into()],
        )
        .await;
        let half = figures(Period::half_year(2024)).await.unwrap();
        let year = figures(Period::year(2024)).await.unwrap();

        // Activity is counted by its own date: sessions, propaganda.
        let citizens = |cut: &str| {
            format!(
                "SELECT CAST(COALESCE(SUM(k.count), 0) AS BIGINT) AS value FROM counted_attendance k \
                 JOIN study_sessions s ON s.id = k.session_id JOIN campaign_years y ON y.id = s.year_id \
                 WHERE y.year = 2024 AND k.audience = 'nguoi_dan'{cut}"
            )
        };
        let h1_citizens = admin
            .scalar(&citizens(" AND s.starts_at < '2024-07-01'"))
            .await;
        assert_eq!(half.study.citizens, h1_citizens, "{}", admin.backend);
        assert_eq!(year.study.citizens, admin.scalar(&citizens("")).await);
        assert!(0 < half.study.citizens && half.study.citizens < year.study.citizens);
        assert!(half.study.sessions < year.study.sessions);
        assert!(half.study.studied <= year.study.studied);
        let h1_activities = admin
            .scalar(
                "SELECT COUNT(*) AS value FROM propaganda_activities a JOIN campaign_years y ON y.id = a.year_id \
                 WHERE y.year = 2024 AND a.held_on <= '2024-06-30'",
            )
            .await;
        assert_eq!(half.propaganda.activities, h1_activities);
        assert!(half.propaganda.activities < year.propaganda.activities);
        assert!(half.propaganda.by_month[6..].iter().all(|n| *n == 0));

        // A plan approved in August counts for the year, not for its first six months.
        let plan = admin
            .scalar(
                "SELECT MIN(pl.id) AS value FROM plans pl JOIN campaign_years y ON y.id = pl.year_id \
                 JOIN people p ON p.id = pl.person_id WHERE y.year = 2024 AND p.member_status = 'chinh_thuc'",
            )
            .await;
        execute(
            &admin,
            "UPDATE plans SET approved_at = $1 WHERE id = $2",
            vec![moment(2024, 8, 1).into(), plan.into()],
        )
        .await;
        let later = figures(Period::half_year(2024)).await.unwrap();
        assert_eq!(later.plans.approved, half.plans.approved - 1);
        assert_eq!(later.plans.submitted, half.plans.submitted);
        let whole = figures(Period::year(2024)).await.unwrap();
        assert_eq!(whole.plans.approved, year.plans.approved);

        // A nomination decided in September was still open on 30 June.
        execute(
            &admin,
            "UPDATE exemplars SET nominated_at = $1, decided_at = $2 WHERE id = \
             (SELECT MIN(x.id) FROM exemplars x JOIN campaign_years y ON y.id = x.year_id \
              WHERE y.year = 2024 AND x.state = 'bieu_duong')",
            vec![moment(2024, 3, 1).into(), moment(2024, 9, 1).into()],
        )
        .await;
        let later = figures(Period::half_year(2024)).await.unwrap();
        let whole = figures(Period::year(2024)).await.unwrap();
        assert_eq!(whole.exemplars.commended, year.exemplars.commended);
        assert!(later.exemplars.commended < whole.exemplars.commended);

        // The pages and the document say which period they are.
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let page = leader.get("/quan-ly/tong-quan?ky=2024-6t").await;
        assert_eq!(page.status, StatusCode::OK);
        let text = page.text();
        assert!(text.contains("Tổng quan 6 tháng đầu năm 2024"), "{text}");
        assert!(text.contains(&lantoa_domain::format::number(h1_citizens)));
        let xml = leader
            .get("/quan-ly/bao-cao/bao-cao.docx?ky=2024-6t")
            .await
            .docx_xml();
        for said in [
            "6 tháng đầu năm 2024",
            "IV. NHIỆM VỤ TRỌNG TÂM 6 THÁNG CUỐI NĂM 2024",
            &format!(
                "{} lượt người dân",
                lantoa_domain::report::more_than(h1_citizens)
            ),
        ] {
            assert!(xml.contains(said), "{}: {said}", admin.backend);
        }

        // Its draft, number and history are its own, apart from the year-end report's.
        let staff = admin.signed_in_as("canbo.p5").await;
        let p5 = admin.org_id("DB-P5").await;
        let prose = "leadership=%C4%90%C3%A3+qu%C3%A1n+tri%E1%BB%87t.&limitations=Kh%C3%B4ng.&causes=\
            &next_year=1.+Ti%E1%BA%BFp+t%E1%BB%A5c.&proposals=&signer_name=Nguy%E1%BB%85n+V%C4%83n+An&signer_post=";
        let mut issued = Vec::new();
        for (ky, day) in [("2024-6t", "10/07/2024"), ("2024", "15/12/2024")] {
            let reply = staff
                .post_form(
                    &format!("/quan-ly/bao-cao?org={p5}&ky={ky}"),
                    &format!("viec=ban_hanh&{prose}&issued_on={day}"),
                )
                .await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
            issued.push(staff.get(&reply.location()).await.text());
        }
        assert!(issued[0].contains("Số 1-BC/ĐU") && issued[0].contains("6 tháng đầu năm 2024"));
        assert!(issued[1].contains("Số 2-BC/ĐU"));
        assert!(
            !issued[1].contains("thay thế Báo cáo số"),
            "the year-end report replaces no six-month report"
        );
        let history = staff
            .get(&format!("/quan-ly/bao-cao?org={p5}&ky=2024"))
            .await
            .text();
        assert!(history.contains("6 tháng đầu năm 2024") && history.contains("1-BC/ĐU"));
        assert!(history.contains("2-BC/ĐU"));
        assert_eq!(
            admin
                .scalar(
                    "SELECT COUNT(*) AS value FROM reports WHERE half_year = true AND version = 1"
                )
                .await,
            1
        );
    }
}

#[tokio::test]
async fn a_dashboard_counted_for_the_first_time_shows_its_progress_and_then_its_figures() {
    use sea_orm::ConnectionTrait;
    for admin in TestApp::each().await {
        // What a bulk load or an upgrade leaves: no figure counted.
        for table in ["rollup_pending", "rollups", "rollup_keys"] {
            admin
                .state
                .store
                .db()
                .execute_unprepared(&format!("DELETE FROM {table}"))
                .await
                .unwrap();
        }
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        // A server that does not wait: the count goes on in the background.
        let impatient = leader.with_state(lantoa_web::AppState {
            dashboard_wait: std::time::Duration::ZERO,
            ..leader.state.clone()
        });
        let waiting = impatient.get("/quan-ly/tong-quan?ky=2024").await;
        assert_eq!(waiting.status, StatusCode::OK, "{}", admin.backend);
        let text = waiting.text();
        assert!(
            text.contains("đang tính số liệu tổng hợp")
                && text.contains(r#"<meta http-equiv="refresh" content="5">"#),
            "{text}"
        );
        assert!(!text.contains("99,7%"));
        // A reload while it counts shows the progress again and starts nothing new.
        let again = impatient.get("/quan-ly/tong-quan?ky=2024").await.text();
        assert!(again.contains("đang tính số liệu tổng hợp"));
        let started = std::time::Instant::now();
        while !leader.state.dashboards_counting.lock().unwrap().is_empty() {
            assert!(started.elapsed().as_secs() < 300, "the count never ended");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            lantoa_store::rollups::first_counts(admin.state.store.db())
                .await
                .unwrap()
                .is_empty()
        );
        // The figures were counted in the background: the page shows them.
        let ready = leader.get("/quan-ly/tong-quan?ky=2024").await.text();
        assert!(ready.contains("99,7%"), "{ready}");
        admin.assert_counters_exact(1).await;
    }
}
