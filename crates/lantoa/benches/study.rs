//! Study benchmark at city size: the demo city (≈9 000 people) with three campaign years of
//! sessions and attendance (2023 and 2024 complete, 2025 begun). Measures, warm, in-process
//! through the real router: the coverage page of the whole city with its per-unit table,
//! the personal-plan figures of the whole city with theirs, the model and exemplar figures,
//! the dashboard of the whole city (every area's figures, findings, charts), its year-end
//! report as a Word file, the public home, and saving the marks of a 2 000-person roster.
//! On a fresh SQLite file, and on PostgreSQL when LANTOA_BENCH_POSTGRES_URL is set. Prints
//! milliseconds; targets: pages < 50 ms, the dashboard < 100 ms, the report < 1 s, roster
//! save < 1 s.
//!
//! Run with `cargo bench -p lantoa --bench study` (release profile).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use lantoa_domain::PersonId;
use lantoa_domain::study::{AttendanceStatus, SessionInput};
use lantoa_store::Store;
use lantoa_store::audit::Actor;
use lantoa_web::AppState;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// A third year like 2024: a session in every unit under the city committee, every member
/// marked present.
async fn add_2023(store: &Store) -> anyhow::Result<()> {
    use lantoa_store::{campaign, study};
    let db = store.db();
    let actor = Actor::system("bench");
    let id = campaign::create_year(db, &actor, 2023, lantoa_store::demo::TERM_TOPIC).await?;
    campaign::add_topic(db, &actor, id, "Chuyên đề năm 2023", "").await?;
    let year = campaign::year(db, 2023).await?;
    let root = lantoa_store::org::get_by_code(db, lantoa_store::demo::ROOT_CODE)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo root"))?;
    for unit in lantoa_store::org::children(db, Some(root.id), false).await? {
        let draft = SessionInput {
            title: "Hội nghị quán triệt chuyên đề năm 2023".into(),
            kind: "hoi_nghi".into(),
            format: "truc_tiep".into(),
            date: "20/04/2023".into(),
            starts: "07:30".into(),
            ends: "11:00".into(),
            topics: vec![year.topics[0].id],
            ..Default::default()
        }
        .validate(2023)
        .map_err(|e| anyhow::anyhow!(e.joined()))?;
        let session_id = study::create_session(db, &actor, unit.org.id, &year, &draft).await?;
        let session = study::session(db, session_id).await?;
        study::mark_all_present(db, &actor, &session).await?;
    }
    Ok(())
}

async fn timed(
    app: &axum::Router,
    request: impl Fn() -> Request<Body>,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let response = app.clone().oneshot(request()).await?;
    let status = response.status();
    response.into_body().collect().await?;
    anyhow::ensure!(
        status == StatusCode::OK || status == StatusCode::SEE_OTHER,
        "status {status}"
    );
    Ok(started.elapsed())
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

async fn run(label: &str, store: Store) -> anyhow::Result<()> {
    store.migrate().await?;
    lantoa_store::demo::load(store.db(), lantoa_web::today()).await?;
    add_2023(&store).await?;
    if store.db().get_database_backend() == sea_orm::DbBackend::Postgres {
        // A live database is analysed by autovacuum; a freshly loaded one not yet.
        use sea_orm::ConnectionTrait;
        store.db().execute_unprepared("ANALYZE").await?;
    }
    let accounts = lantoa_store::demo::accounts(store.db()).await?;
    let db = store.db().clone();
    let admin = lantoa_store::accounts::find_for_login(&db, accounts[0].username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo admin"))?;
    let state = AppState::new(store);
    let (_, token) = lantoa_store::sessions::start(
        &db,
        &Actor::system("bench"),
        admin.id,
        None,
        state.auth.lifetimes,
        chrono::Utc::now(),
    )
    .await?;
    let cookie = format!("{}={token}", lantoa_web::auth::SESSION_COOKIE);
    let app = lantoa_web::build_router(state);
    let root = lantoa_store::org::get_by_code(&db, lantoa_store::demo::ROOT_CODE)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo root"))?;

    let city = |path: &str| format!("/quan-ly/{path}?org={}&year=2024", root.id);
    for (what, uri, target, signed_in) in [
        (
            "coverage page, whole city, 2024:",
            city("hoc-tap"),
            50,
            true,
        ),
        (
            "plan figures, whole city, 2024: ",
            city("ke-hoach"),
            50,
            true,
        ),
        (
            "model figures, whole city, 2024:",
            city("mo-hinh"),
            50,
            true,
        ),
        (
            "exemplars, whole city, 2024:    ",
            city("guong-dien-hinh"),
            50,
            true,
        ),
        (
            "dashboard, whole city, 2024:    ",
            format!("/quan-ly/tong-quan?org={}&ky=2024", root.id),
            100,
            true,
        ),
        (
            "report (Word), whole city, 2024:",
            format!("/quan-ly/bao-cao/bao-cao.docx?org={}&ky=2024", root.id),
            1000,
            true,
        ),
        (
            "public showcase home:           ",
            "/".to_owned(),
            20,
            false,
        ),
    ] {
        let page = || {
            let request = Request::get(uri.clone());
            let request = if signed_in {
                request.header(header::COOKIE, cookie.clone())
            } else {
                request
            };
            request.body(Body::empty()).unwrap()
        };
        timed(&app, page).await?;
        let mut times = Vec::new();
        for _ in 0..20 {
            times.push(timed(&app, page).await?);
        }
        println!(
            "{label:<10} {what} {:>7.1} ms (median of 20, target < {target})",
            median(times)
        );
    }

    // The city committee's 2024 session has the whole city's members on its roster.
    let year = lantoa_store::campaign::year(&db, 2024).await?;
    let session = lantoa_store::study::sessions(&db, &root.subtree(), &year, 1, 200)
        .await?
        .items
        .into_iter()
        .find(|s| s.org_id == root.id)
        .ok_or_else(|| anyhow::anyhow!("no city session"))?;
    let roster = lantoa_store::study::roster(&db, &session, "").await?;
    let marks: Vec<(PersonId, Option<AttendanceStatus>)> = roster
        .iter()
        .take(2000)
        .enumerate()
        .map(|(i, r)| {
            let status = if i % 17 == 0 {
                AttendanceStatus::Excused
            } else {
                AttendanceStatus::Present
            };
            (PersonId(r.person_id), Some(status))
        })
        .collect();
    anyhow::ensure!(marks.len() == 2000, "roster of {} people", roster.len());
    let form: String = marks
        .iter()
        .map(|(p, s)| {
            format!(
                "m_{}={}",
                p.0,
                s.map(lantoa_domain::ClosedList::code).unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let save = || {
        Request::post(format!("/quan-ly/hoc-tap/buoi/{}/diem-danh", session.id))
            .header(header::COOKIE, cookie.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.clone()))
            .unwrap()
    };
    let mut times = Vec::new();
    for _ in 0..5 {
        times.push(timed(&app, save).await?);
    }
    println!(
        "{label:<10} save 2 000 marks of a roster:      {:>7.1} ms (median of 5, target < 1 000)",
        median(times)
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = Store::connect(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await?;
    run("sqlite", store).await?;
    if let Ok(url) = std::env::var("LANTOA_BENCH_POSTGRES_URL") {
        use sea_orm::ConnectionTrait;
        let admin = Store::connect(&url).await?;
        let name = format!("lantoa_bench_study_{}", std::process::id());
        admin
            .db()
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        let base = url
            .rsplit_once('/')
            .map(|(b, _)| b.to_owned())
            .unwrap_or(url.clone());
        let store = Store::connect(&format!("{base}/{name}")).await?;
        let result = run("postgres", store).await;
        admin
            .db()
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
        result?;
    }
    Ok(())
}
