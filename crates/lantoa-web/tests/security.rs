//! Who may see and do what: every route of the router called as anonymous, as a member and
//! as staff of an unrelated unit; sign-in throttling and locks; session revocation; API
//! token scope. On SQLite, and on PostgreSQL when `LANTOA_TEST_POSTGRES_URL` is set.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::TestApp;
use lantoa_domain::people::PersonInput;
use lantoa_store::audit::Actor;
use sea_orm::ConnectionTrait;

/// Routes anyone may call.
const PUBLIC: &[&str] = &[
    "/",
    "/healthz",
    "/dang-nhap",
    "/dang-xuat",
    "/dat-mat-khau",
    "/static/app.css",
    "/api/docs/",
    "/api/openapi.json",
    "/mo-hinh-tieu-bieu",
    "/mo-hinh-tieu-bieu/{id}",
    "/mo-hinh-tieu-bieu/{id}/anh/{file}",
    "/guong-sang",
    "/guong-sang/{id}",
    "/duoc-khen-thuong",
    "/giai-thuong-sang-tac",
    "/giai-thuong-sang-tac/{id}",
    "/de-cu",
];

/// What must never reach the callers of this test: a person of Phường 2, their personal
/// data, and the unit itself.
/// Personal data first, then the unit's name.
const SECRETS: &[&str] = &["Bí Mật", "0912345678", "079123456789", "Đảng bộ Phường 2"];

struct Samples {
    unit: i64,
    task: i64,
    inspection: i64,
    recommendation: i64,
    column: i64,
    round: i64,
    report: i64,
    decision: i64,
    proposal: i64,
    model: i64,
    exemplar: i64,
    reminder: i64,
    plan: i64,
    session: i64,
    session_file: i64,
    document: i64,
    year: i64,
    person: i64,
    job: i64,
    account: i64,
    grant: i64,
    token: i64,
}

async fn samples(app: &TestApp) -> Samples {
    let db = app.state.store.db();
    let unit = app.org_id("DB-P2").await;
    let draft = PersonInput {
        full_name: "Trần Thị Bí Mật".into(),
        birth_date: "02/09/1985".into(),
        categories: "Đảng viên".into(),
        member_status: "Chính thức".into(),
        org_code: "DB-P2".into(),
        citizen_id: "079123456789".into(),
        phone: "0912345678".into(),
        ..Default::default()
    }
    .validate(lantoa_web::today())
    .unwrap();
    let person = lantoa_store::people::create(db, &Actor::cli(), &draft)
        .await
        .unwrap()
        .0;
    let account = lantoa_store::accounts::create(
        db,
        &Actor::cli(),
        "canbo.p2",
        "",
        Some(person),
        &[lantoa_store::accounts::Grant {
            org_id: Some(lantoa_domain::OrgId(unit)),
            role: lantoa_domain::accounts::Role::Staff,
        }],
    )
    .await
    .unwrap();
    let grant = lantoa_store::accounts::get(db, account)
        .await
        .unwrap()
        .grants[0]
        .id;
    let job = lantoa_store::jobs::enqueue(
        db,
        lantoa_store::jobs::NewJob {
            kind: "import_people".into(),
            params: "{}".into(),
            input_name: Some("Bí Mật.csv".into()),
            input: Some(b"x".to_vec()),
            org_id: None,
            account_id: Some(account),
        },
    )
    .await
    .unwrap()
    .0;
    let (token, _) = lantoa_store::sessions::create_token(db, &Actor::cli(), account, "Bí Mật")
        .await
        .unwrap();
    let year = lantoa_store::campaign::year(db, 2024).await.unwrap();
    let session = lantoa_store::study::sessions(
        db,
        &lantoa_store::org::Subtree::of_path(
            &lantoa_store::org::get(db, lantoa_domain::OrgId(unit))
                .await
                .unwrap()
                .path,
        ),
        &year,
        1,
        1,
    )
    .await
    .unwrap()
    .items[0]
        .id;
    let document = lantoa_store::campaign::create_document(
        db,
        &Actor::cli(),
        lantoa_domain::OrgId(unit),
        &lantoa_domain::campaign::DocumentInput {
            symbol: "07-KH/ĐU".into(),
            issuer: "Đảng ủy".into(),
            issued_on: "01/02/2024".into(),
            title: "Kế hoạch Bí Mật".into(),
            years: vec![2024],
            ..Default::default()
        }
        .validate(lantoa_web::today())
        .unwrap(),
        Some((
            app.state.store.files(),
            &lantoa_store::files::NewFile {
                name: "Bí Mật.pdf".into(),
                kind: lantoa_domain::files::FileKind::Pdf,
                bytes: b"%PDF-1.4 Bi Mat".to_vec(),
            },
        )),
    )
    .await
    .unwrap();
    let session_file = lantoa_store::study::SESSION_FILES
        .attach(
            db,
            app.state.store.files(),
            &Actor::cli(),
            lantoa_store::study::session(db, session)
                .await
                .unwrap()
                .owner(),
            &lantoa_store::files::NewFile {
                name: "Biên bản Bí Mật.pdf".into(),
                kind: lantoa_domain::files::FileKind::Pdf,
                bytes: b"%PDF-1.4 Bien ban".to_vec(),
            },
        )
        .await
        .unwrap();
    let plan = lantoa_store::plans::start(
        db,
        &Actor::cli(),
        &lantoa_store::people::get(db, lantoa_domain::PersonId(person))
            .await
            .unwrap(),
        &year,
        true,
    )
    .await
    .unwrap();
    let p2 = lantoa_store::org::get(db, lantoa_domain::OrgId(unit))
        .await
        .unwrap();
    lantoa_store::reminders::send(
        db,
        &Actor::cli(),
        &lantoa_store::reminders::NewReminders {
            unit: &p2,
            year_id: Some(year.id),
            subject: "ke_hoach:nop",
            message: "Nhắc Bí Mật",
            by_email: false,
        },
        &[lantoa_domain::PersonId(person)],
    )
    .await
    .unwrap();
    let model = lantoa_store::models::create(
        db,
        &Actor::cli(),
        &p2,
        &year,
        &lantoa_domain::models::ModelInput {
            name: "Mô hình Bí Mật".into(),
            sector: "phuong_xa".into(),
            category: "khac".into(),
            description: "Mô tả đủ dài của mô hình Bí Mật".into(),
            started_on: "01/02/2025".into(),
            goals: "Mục tiêu".into(),
            ..Default::default()
        }
        .validate(lantoa_web::today())
        .unwrap(),
    )
    .await
    .unwrap();
    let exemplar = lantoa_store::exemplars::nominate(
        db,
        &Actor::cli(),
        &p2,
        &year,
        &lantoa_domain::exemplars::ExemplarInput {
            kind: "ca_nhan".into(),
            name: "Người Tốt Bí Mật".into(),
            field: "khac".into(),
            achievement: "Một việc tốt được kể đủ dài để qua kiểm tra".into(),
            ..Default::default()
        }
        .validate()
        .unwrap(),
        &lantoa_store::exemplars::Nominator {
            source: None,
            name: Some("Người gửi".into()),
            contact: Some("0912 000 111".into()),
        },
    )
    .await
    .unwrap();
    lantoa_store::exemplars::take_step(
        db,
        &Actor::cli(),
        exemplar,
        lantoa_domain::exemplars::ExemplarStep::Verify,
    )
    .await
    .unwrap();
    let decision = lantoa_store::commendations::issue(
        db,
        &Actor::cli(),
        &p2,
        &year,
        &lantoa_domain::commendations::DecisionDraft {
            form: lantoa_domain::commendations::CommendationForm::Certificate,
            signed_on: chrono::NaiveDate::from_ymd_opt(2024, 12, 1).unwrap(),
            number: None,
            signer_name: "Người Ký Bí Mật".into(),
            signer_post: "Bí thư".into(),
            reason: "Thành tích".into(),
        },
        &[exemplar],
    )
    .await
    .unwrap();
    let second = lantoa_store::exemplars::nominate(
        db,
        &Actor::cli(),
        &p2,
        &year,
        &lantoa_domain::exemplars::ExemplarInput {
            kind: "ca_nhan".into(),
            name: "Người Đề Nghị Bí Mật".into(),
            field: "khac".into(),
            achievement: "Một việc tốt được kể đủ dài để qua kiểm tra".into(),
            ..Default::default()
        }
        .validate()
        .unwrap(),
        &Default::default(),
    )
    .await
    .unwrap();
    lantoa_store::exemplars::take_step(
        db,
        &Actor::cli(),
        second,
        lantoa_domain::exemplars::ExemplarStep::Verify,
    )
    .await
    .unwrap();
    let proposal = lantoa_store::proposals::propose(
        db,
        &Actor::cli(),
        &p2,
        &p2,
        &year,
        &lantoa_domain::commendations::ProposalDraft {
            form: lantoa_domain::commendations::CommendationForm::Praise,
            reason: "Lý do Bí Mật".into(),
        },
        &[second],
    )
    .await
    .unwrap();
    let task = lantoa_store::tasks::create(
        db,
        &Actor::cli(),
        &p2,
        &year,
        &lantoa_domain::tasks::KeyTaskInput {
            number: "1".into(),
            content: "Nhiệm vụ Bí Mật".into(),
            deadline: "31/12/2024".into(),
            target: "Chỉ tiêu".into(),
            ..Default::default()
        }
        .validate(year.year)
        .unwrap(),
        &p2,
        &[],
    )
    .await
    .unwrap();
    // The demo city inspected the ward and left it a recommendation.
    let inspection = app
        .scalar(&format!(
            "SELECT MIN(id) AS value FROM inspections WHERE subject_org_id = {unit}"
        ))
        .await;
    let recommendation = app
        .scalar(&format!(
            "SELECT MIN(id) AS value FROM inspection_recommendations WHERE inspection_id = {inspection}"
        ))
        .await;
    let column = lantoa_store::propaganda::create_column(
        db,
        &Actor::cli(),
        &p2,
        &lantoa_domain::propaganda::ColumnInput {
            name: "Chuyên mục Bí Mật".into(),
            kind: "phat_thanh".into(),
            schedule: "Hằng tháng".into(),
            started_on: "01/01/2024".into(),
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap();
    let round = lantoa_store::award::create_round(
        db,
        &Actor::cli(),
        &p2,
        &lantoa_domain::award::RoundInput {
            name: "Giải thưởng của phường".into(),
            rules: "Thể lệ".into(),
            opens_on: "01/01/2020".into(),
            closes_on: "31/12/2020".into(),
            prizes: ["0".into(), "1".into(), "".into(), "".into(), "".into()],
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap();
    let report = lantoa_store::report::issue(
        db,
        &Actor::cli(),
        &p2,
        lantoa_domain::report::Period::year(2024),
        lantoa_store::report::Issuing {
            figures: &lantoa_domain::report::Figures::default(),
            prose: &lantoa_domain::report::Prose {
                leadership: "Báo cáo Bí Mật".into(),
                ..Default::default()
            },
            issue: &lantoa_domain::report::Issue {
                issued_on: chrono::NaiveDate::from_ymd_opt(2024, 12, 15).unwrap(),
                signer_name: "Người ký Bí Mật".into(),
                signer_post: None,
            },
            superior: "",
            place: "Mỹ Tho",
        },
    )
    .await
    .unwrap()
    .id;
    let reminder = lantoa_store::reminders::for_person(db, lantoa_domain::PersonId(person), true)
        .await
        .unwrap()[0]
        .id;
    Samples {
        unit,
        task,
        inspection,
        recommendation,
        column,
        round,
        report,
        decision,
        proposal,
        model,
        exemplar,
        reminder,
        plan,
        session,
        session_file,
        document,
        year: year.id,
        person,
        job,
        account,
        grant,
        token,
    }
}

/// The route with its parameters set to the samples; panics on a parameter this test does
/// not know, so that a new kind of route gets a sample (and a thought about its checks).
fn concrete(path: &str, s: &Samples) -> String {
    let id = if path.starts_with("/quan-ly/don-vi/") {
        s.unit
    } else if path.starts_with("/quan-ly/nhan-su/") {
        s.person
    } else if path.starts_with("/quan-ly/viec/") {
        s.job
    } else if path.starts_with("/quan-ly/tai-khoan-cua-toi/ma-api/") {
        s.token
    } else if path.starts_with("/quan-ly/tai-khoan/") {
        s.account
    } else if path.starts_with("/api/v1/orgs/") {
        s.unit
    } else if path.starts_with("/quan-ly/hoc-tap/buoi/") {
        s.session
    } else if path.starts_with("/quan-ly/nam-hoc-tap/") {
        s.year
    } else if path.starts_with("/quan-ly/van-ban/") {
        s.document
    } else if path.starts_with("/quan-ly/ke-hoach/") {
        s.plan
    } else if path.starts_with("/quan-ly/nhac-nho/") {
        s.reminder
    } else if path.starts_with("/quan-ly/mo-hinh/") || path.starts_with("/mo-hinh-tieu-bieu/") {
        s.model
    } else if path.starts_with("/quan-ly/guong-dien-hinh/") || path.starts_with("/guong-sang/") {
        s.exemplar
    } else if path.starts_with("/quan-ly/giai-thuong/")
        || path.starts_with("/quan-ly/cham-giai/")
        || path.starts_with("/giai-thuong-sang-tac/")
    {
        s.round
    } else if path.starts_with("/quan-ly/chuyen-muc/") {
        s.column
    } else if path.starts_with("/quan-ly/bao-cao/viec/") {
        s.job
    } else if path.starts_with("/quan-ly/bao-cao/") {
        s.report
    } else if path.starts_with("/quan-ly/kiem-tra/kien-nghi/") {
        s.recommendation
    } else if path.starts_with("/quan-ly/kiem-tra/") {
        s.inspection
    } else if path.starts_with("/quan-ly/nhiem-vu/") {
        s.task
    } else if path.starts_with("/quan-ly/khen-thuong/de-nghi/") {
        s.proposal
    } else if path.starts_with("/quan-ly/khen-thuong/") {
        s.decision
    } else {
        0
    };
    let concrete = path
        .replace("{id}", &id.to_string())
        .replace("{grant}", &s.grant.to_string())
        .replace("{file}", &s.session_file.to_string())
        .replace("{kind}", "people");
    assert!(
        !concrete.contains('{') && (id != 0 || !path.contains("{id}")),
        "the permission test has no sample for {path}: add one"
    );
    concrete
}

#[tokio::test]
async fn every_route_refuses_what_the_caller_may_not_see() {
    for admin in TestApp::each().await {
        let s = samples(&admin).await;
        let anonymous = admin.anonymous();
        let member = admin.signed_in_as("dangvien.p5").await;
        let unrelated_staff = admin.signed_in_as("canbo.p1").await;
        let paths = lantoa_web::route_paths(&admin.state);
        assert!(paths.len() > 30, "{paths:?}");
        let query = format!(
            "org={u}&person={p}&parent={u}&q=bi+mat&ai=canbo.p2",
            u = s.unit,
            p = s.person
        );
        for path in &paths {
            let uri = concrete(path, &s);
            let public = PUBLIC.contains(&path.as_str());
            // An award round's rules and entry form are for everyone: no record to refuse.
            let record = path.contains("{id}")
                && !path.starts_with("/quan-ly/tai-khoan-cua-toi")
                && path != "/giai-thuong-sang-tac/{id}";
            for method in [Method::GET, Method::POST] {
                // Signing out acts only on the caller's own sessions (tested below).
                if method == Method::POST
                    && (path == "/dang-xuat" || path.ends_with("/dang-xuat-tat-ca"))
                {
                    continue;
                }
                for (who, caller) in [
                    ("anonymous", &anonymous),
                    ("member", &member),
                    ("unrelated staff", &unrelated_staff),
                ] {
                    let request = Request::builder()
                        .method(method.clone())
                        .uri(format!("{uri}?{query}"))
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from(format!(
                            "code=DB-P2&unit_code=DB-P2&role=quan_tri_don_vi&org_code=DB-P2&full_name=X&{query}"
                        )))
                        .unwrap();
                    let reply = caller.send(request).await;
                    let context = format!(
                        "{method} {uri} as {who} on {}: {}",
                        admin.backend, reply.status
                    );
                    let body = reply.text();
                    // The public site names units (where a model is, where to nominate);
                    // it never shows personal data.
                    let secrets = if public { &SECRETS[..3] } else { SECRETS };
                    for secret in secrets {
                        assert!(!body.contains(secret), "{context} shows «{secret}»");
                    }
                    if who == "anonymous" && !public {
                        if path.starts_with("/api/") {
                            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{context}");
                        } else {
                            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{context}");
                            assert!(reply.location().starts_with("/dang-nhap"), "{context}");
                        }
                    } else if record && who != "anonymous" {
                        assert!(
                            !reply.status.is_success() && !reply.status.is_redirection(),
                            "{context}: a record out of scope must be refused"
                        );
                    }
                }
            }
        }
        // Nothing was changed by any of those calls.
        let db = admin.state.store.db();
        let document = lantoa_store::campaign::document(db, s.document)
            .await
            .unwrap();
        assert!(document.title == "Kế hoạch Bí Mật" && document.file.is_some());
        assert_eq!(
            lantoa_store::reminders::for_person(db, lantoa_domain::PersonId(s.person), true)
                .await
                .unwrap()
                .len(),
            1,
            "the reminder is still unseen"
        );
        let plan = lantoa_store::plans::plan(db, s.plan).await.unwrap();
        assert_eq!(plan.state, lantoa_domain::plans::PlanState::Draft);
        assert!(
            lantoa_store::plans::commitments(db, s.plan)
                .await
                .unwrap()
                .is_empty()
        );
        let session = lantoa_store::study::session(db, s.session).await.unwrap();
        assert_eq!(
            lantoa_store::study::SESSION_FILES
                .list(db, session.id)
                .await
                .unwrap()
                .len(),
            1
        );
        let unit = lantoa_store::org::get(db, lantoa_domain::OrgId(s.unit))
            .await
            .unwrap();
        assert!(unit.is_active() && unit.name == "Đảng bộ Phường 2");
        let account = lantoa_store::accounts::get(db, s.account).await.unwrap();
        assert!(
            account.is_active && account.grants.len() == 1,
            "{account:?}"
        );
        assert_eq!(
            lantoa_store::sessions::tokens(db, s.account)
                .await
                .unwrap()
                .len(),
            1
        );
        let person = lantoa_store::people::get(db, lantoa_domain::PersonId(s.person))
            .await
            .unwrap();
        assert_eq!(person.details.full_name, "Trần Thị Bí Mật");
    }
}

#[tokio::test]
async fn personal_data_is_for_staff_in_scope_and_the_person() {
    for admin in TestApp::each().await {
        let s = samples(&admin).await;
        let url = format!("/quan-ly/nhan-su/{}", s.person);
        let staff = admin.signed_in_as("canbo.p2").await;
        let own = staff.get(&url).await.text();
        assert!(
            own.contains("079123456789") && own.contains("0912345678"),
            "{}",
            admin.backend
        );
        let leader = admin.signed_in_as("lanhdao.thanhuy").await;
        let page = leader.get(&url).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(
            html.contains("Trần Thị Bí Mật")
                && !html.contains("079123456789")
                && !html.contains("0912345678")
        );
        assert!(!html.contains("/sua\""), "a leader gets no edit button");
        let refused = leader
            .post_form(&format!("{url}/sua"), "full_name=X&org_code=DB-P2")
            .await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "leaders read, they do not change"
        );
        let export = leader
            .get(&format!(
                "/quan-ly/don-vi/{}/xuat-nhan-su?format=csv",
                s.unit
            ))
            .await;
        assert_eq!(export.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn sign_in_is_throttled_and_locks_the_account() {
    for app in TestApp::each_anonymous().await {
        let from_a = app.calling_from("10.0.0.1");
        let password = app.password("canbo.p5");
        let attempt = |who: &'static str, password: String| {
            let app = from_a.clone();
            async move {
                app.post_form(
                    "/dang-nhap",
                    &format!("ten={who}&mat_khau={password}&tiep=/quan-ly/nhan-su"),
                )
                .await
            }
        };
        for n in 1..=4 {
            let reply = attempt("canbo.p5", format!("sai{n}sai{n}sai{n}")).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                app.backend
            );
            assert!(reply.text().contains("không đúng"));
        }
        let fifth = attempt("canbo.p5", "sai5sai5sai5".into()).await;
        assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            fifth.text().contains("Tài khoản tạm khóa đến"),
            "{}",
            fifth.text()
        );
        let right_but_locked = attempt("canbo.p5", password.clone()).await;
        assert_eq!(right_but_locked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(right_but_locked.session_cookie().is_none());

        // Another account from the same address still signs in, by username…
        let ok = attempt("canbo.p1", app.password("canbo.p1")).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(ok.location(), "/quan-ly/nhan-su");
        let cookie = ok
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let signed_in = app.with_cookie(ok.session_cookie());
        assert_eq!(
            signed_in.get("/quan-ly/nhan-su").await.status,
            StatusCode::OK
        );

        // …and by the phone of the person the account belongs to.
        let db = app.state.store.db();
        let member = app.account_id("dangvien.p5").await;
        db.execute_unprepared(&format!(
            "UPDATE people SET phone = '0987654321' WHERE id = (SELECT person_id FROM accounts WHERE id = {member})"
        ))
        .await
        .unwrap();
        let by_phone = attempt("0987+654+321", app.password("dangvien.p5")).await;
        assert_eq!(
            by_phone.status,
            StatusCode::SEE_OTHER,
            "{}",
            by_phone.text()
        );

        // Unknown accounts from one address: after 20 failures the address waits, even for
        // a right password.
        let from_b = app.calling_from("10.0.0.2");
        for n in 0..20 {
            let reply = from_b
                .post_form(
                    "/dang-nhap",
                    &format!("ten=khong.co.{n}&mat_khau=abcdefghijk"),
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "attempt {n}"
            );
        }
        let waiting = from_b
            .post_form(
                "/dang-nhap",
                &format!("ten=canbo.p1&mat_khau={}", app.password("canbo.p1")),
            )
            .await;
        assert_eq!(waiting.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(waiting.text().contains("quá nhiều lần"));

        // Each failure and the lock are in the audit log.
        let log = lantoa_store::audit::list(
            db,
            &lantoa_store::audit::LogFilter {
                scope: lantoa_store::org::Scope::All,
                entity: Some(("account".into(), app.account_id("canbo.p5").await)),
                ..Default::default()
            },
            1,
            50,
        )
        .await
        .unwrap();
        let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "login_failed").count(), 5);
        assert!(actions.contains(&"account_lock"), "{actions:?}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_waits_for_its_own_mistakes() {
    for app in TestApp::each_anonymous().await {
        let mut state = app.state.clone();
        state.auth.trusted_proxies =
            lantoa_web::auth::TrustedProxies::parse("10.9.0.0/24, 10.9.1.7").unwrap();
        let app = app.with_state(state);
        let sign_in = |peer: &str, forwarded_for: &str, who: &str, password: &str| {
            let app = app.calling_from(peer);
            let request = Request::post("/dang-nhap")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("x-forwarded-for", forwarded_for)
                .body(Body::from(format!("ten={who}&mat_khau={password}")))
                .unwrap();
            async move { app.send(request).await }
        };
        // Through the load balancer, one client mistypes twenty times: it waits…
        for n in 0..20 {
            let reply = sign_in(
                "10.9.0.2",
                "203.0.113.7",
                &format!("khong.co.{n}"),
                "abcdefghijk",
            )
            .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                app.backend
            );
        }
        let password = app.password("canbo.p1");
        let waiting = sign_in("10.9.0.2", "203.0.113.7", "canbo.p1", &password).await;
        assert_eq!(waiting.status, StatusCode::TOO_MANY_REQUESTS);
        // …the others, through the same balancer, do not, even behind a second proxy…
        let other = sign_in("10.9.0.2", "203.0.113.8, 10.9.1.7", "canbo.p1", &password).await;
        assert_eq!(other.status, StatusCode::SEE_OTHER, "{}", other.text());
        // …and writing another address in front of the balancer's changes nothing.
        let spoofed = sign_in(
            "10.9.0.2",
            "198.51.100.1, 203.0.113.7",
            "canbo.p1",
            &password,
        )
        .await;
        assert_eq!(spoofed.status, StatusCode::TOO_MANY_REQUESTS);

        // From a peer that is not trusted the header is ignored: a guesser cannot name a
        // new address at each attempt.
        for n in 0..20 {
            let forged = format!("192.0.2.{n}");
            let reply = sign_in(
                "10.0.0.50",
                &forged,
                &format!("khong.co.{n}"),
                "abcdefghijk",
            )
            .await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let forged = sign_in("10.0.0.50", "192.0.2.200", "canbo.p1", &password).await;
        assert_eq!(forged.status, StatusCode::TOO_MANY_REQUESTS);

        // The audit log names the client, not the balancer.
        let log = lantoa_store::audit::list(
            app.state.store.db(),
            &lantoa_store::audit::LogFilter {
                scope: lantoa_store::org::Scope::All,
                entity: Some(("account".into(), app.account_id("canbo.p1").await)),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        let login = log
            .items
            .iter()
            .find(|e| e.action.as_str() == "login")
            .unwrap();
        assert_eq!(login.client_addr.as_deref(), Some("203.0.113.8"));
    }
}

#[tokio::test]
async fn sessions_end_on_password_change_sign_out_everywhere_and_idle() {
    for app in TestApp::each_anonymous().await {
        let first = app.signed_in_as("canbo.p5").await;
        let second = app.signed_in_as("canbo.p5").await;
        assert_eq!(second.get("/quan-ly/don-vi").await.status, StatusCode::OK);
        let weak = first
            .post_form(
                "/quan-ly/tai-khoan-cua-toi/mat-khau",
                &format!(
                    "hien_tai={}&mat_khau=123&nhap_lai=123",
                    app.password("canbo.p5")
                ),
            )
            .await;
        assert_eq!(
            weak.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        assert!(weak.text().contains("ít nhất 10 ký tự"));
        let changed = first
            .post_form(
                "/quan-ly/tai-khoan-cua-toi/mat-khau",
                &format!(
                    "hien_tai={}&mat_khau=Song+Tien+chay+mai&nhap_lai=Song+Tien+chay+mai",
                    app.password("canbo.p5")
                ),
            )
            .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER);
        assert_eq!(first.get("/quan-ly/don-vi").await.status, StatusCode::OK);
        let ended = second.get("/quan-ly/don-vi").await;
        assert_eq!(
            ended.status,
            StatusCode::SEE_OTHER,
            "the other device is signed out"
        );

        let everywhere = first
            .post_form("/quan-ly/tai-khoan-cua-toi/dang-xuat-tat-ca", "")
            .await;
        assert_eq!(everywhere.status, StatusCode::SEE_OTHER);
        assert_eq!(
            first.get("/quan-ly/don-vi").await.status,
            StatusCode::SEE_OTHER
        );

        // An idle session ends.
        let idle = app.signed_in_as("canbo.p5").await;
        app.state
            .store
            .db()
            .execute_unprepared(
                "UPDATE sessions SET last_seen_at = last_seen_at - INTERVAL '3 hours'"
                    .replace(
                        "last_seen_at - INTERVAL '3 hours'",
                        if app.backend == "sqlite" {
                            "datetime(last_seen_at, '-3 hours')"
                        } else {
                            "last_seen_at - INTERVAL '3 hours'"
                        },
                    )
                    .as_str(),
            )
            .await
            .unwrap();
        assert_eq!(
            idle.get("/quan-ly/don-vi").await.status,
            StatusCode::SEE_OTHER
        );

        // A disabled account is signed out at once; a unit admin gives a reset code that
        // sets a new password and can be used once.
        let admin = app.signed_in_as("quantri.p5").await;
        let staff = app.signed_in_as("canbo.p5").await;
        let account = app.account_id("canbo.p5").await;
        let disabled = admin
            .post_form(&format!("/quan-ly/tai-khoan/{account}/khoa"), "")
            .await;
        assert_eq!(disabled.status, StatusCode::SEE_OTHER);
        assert_eq!(
            staff.get("/quan-ly/don-vi").await.status,
            StatusCode::SEE_OTHER
        );
        admin
            .post_form(&format!("/quan-ly/tai-khoan/{account}/mo-khoa"), "")
            .await;
        let page = admin
            .post_form(
                &format!("/quan-ly/tai-khoan/{account}/dat-lai-mat-khau"),
                "",
            )
            .await
            .text();
        let code = page
            .split("class=\"secret\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_owned();
        let form = format!("ma={code}&mat_khau=Ben+Tre+xu+dua+2026&nhap_lai=Ben+Tre+xu+dua+2026");
        let used = app.post_form("/dat-mat-khau", &form).await;
        assert_eq!(used.status, StatusCode::SEE_OTHER);
        let again = app.post_form("/dat-mat-khau", &form).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        let signed = app
            .post_form("/dang-nhap", "ten=canbo.p5&mat_khau=Ben+Tre+xu+dua+2026")
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER);
        assert!(signed.session_cookie().is_some());
    }
}

#[tokio::test]
async fn api_tokens_carry_their_accounts_scope() {
    for app in TestApp::each_anonymous().await {
        let db = app.state.store.db();
        let account = app.account_id("canbo.p1").await;
        let (token_id, token) =
            lantoa_store::sessions::create_token(db, &Actor::cli(), account, "báo cáo")
                .await
                .unwrap();
        let api = app.with_token(&token);
        let orgs: serde_json::Value =
            serde_json::from_slice(&api.get("/api/v1/orgs").await.body).unwrap();
        let codes: Vec<&str> = orgs
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["DB-P1"], "{}", app.backend);
        let p5 = app.org_id("DB-P5").await;
        assert_eq!(
            api.get(&format!("/api/v1/orgs/{p5}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            api.get(&format!("/api/v1/people?org={p5}")).await.status,
            StatusCode::NOT_FOUND
        );
        let people: serde_json::Value =
            serde_json::from_slice(&api.get("/api/v1/people").await.body).unwrap();
        assert!(people["total"].as_i64().unwrap() > 0);
        for person in people["items"].as_array().unwrap() {
            let code = person["org_code"].as_str().unwrap();
            assert!(
                code == "DB-P1" || code.starts_with("P1-") || code.starts_with("DB-P1-"),
                "{code}"
            );
            assert!(person.get("phone").is_none() && person.get("citizen_id").is_none());
        }
        let anonymous = app.get("/api/v1/people").await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert!(anonymous.text().contains("Bearer"));
        lantoa_store::sessions::revoke_token(db, &Actor::cli(), account, token_id)
            .await
            .unwrap();
        assert_eq!(
            api.get("/api/v1/orgs").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn first_start_without_accounts_explains_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        lantoa_store::Store::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap();
    store.migrate().await.unwrap();
    let app = lantoa_web::build_router(lantoa_web::AppState::new(store));
    use tower::ServiceExt;
    let reply = app
        .oneshot(Request::get("/dang-nhap").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    let body = http_body_util::BodyExt::collect(reply.into_body())
        .await
        .unwrap()
        .to_bytes();
    let html = String::from_utf8_lossy(&body);
    assert!(
        html.contains("lantoa user create --username quantri --admin"),
        "{html}"
    );
    assert!(!html.contains("type=\"password\""));
}
