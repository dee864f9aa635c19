//! The main forms as the real router decodes and checks them: a fuzzed urlencoded body
//! posted, as the demo's administrator, to the person, study session, model, nomination,
//! year-end report and roster forms of an in-process server on a SQLite copy of the demo.
//! Any answer but a 5xx is fine (a form re-rendered with its errors, a redirect after a
//! save); a 5xx or a panic is a bug.
#![no_main]

use axum::body::Body;
use axum::http::{Request, header};
use std::sync::LazyLock;
use tower::ServiceExt;

/// The forms, by the first byte of the input.
const FORMS: &[&str] = &[
    "/quan-ly/nhan-su/moi",
    "/quan-ly/hoc-tap/buoi/moi",
    "/quan-ly/mo-hinh/moi",
    "/quan-ly/guong-dien-hinh/moi",
    "/quan-ly/bao-cao?ky=2024",
    "/quan-ly/hoc-tap/buoi/1/diem-danh",
];

struct Server {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    cookie: String,
    _dir: tempfile::TempDir,
}

/// The demo loaded once per fuzzing process, and a session of its administrator.
static SERVER: LazyLock<Server> = LazyLock::new(|| {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = tempfile::tempdir().expect("a folder");
    let (router, cookie) = runtime.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("fuzz.db").display());
        let store = lantoa_store::Store::connect(&url)
            .await
            .expect("the database")
            .with_files(lantoa_store::files::Files::at(dir.path().join("files")));
        store.migrate().await.expect("migrations");
        lantoa_store::demo::load(store.db(), lantoa_web::today())
            .await
            .expect("the demo");
        lantoa_store::demo::accounts(store.db())
            .await
            .expect("the demo's accounts");
        let admin = lantoa_store::accounts::find_for_login(store.db(), "quantri")
            .await
            .expect("accounts")
            .expect("the demo's administrator");
        let state = lantoa_web::AppState::new(store);
        let (_, cookie) = lantoa_store::sessions::start(
            state.store.db(),
            &lantoa_store::audit::Actor::system("fuzz"),
            admin.id,
            Some("fuzz"),
            state.auth.lifetimes,
            chrono::Utc::now(),
        )
        .await
        .expect("a session");
        (lantoa_web::build_router(state), cookie)
    });
    Server {
        runtime,
        router,
        cookie,
        _dir: dir,
    }
});

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    let Some((&which, body)) = input.split_first() else {
        return;
    };
    let server = &*SERVER;
    let path = FORMS[usize::from(which) % FORMS.len()];
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::COOKIE,
            format!("{}={}", lantoa_web::auth::SESSION_COOKIE, server.cookie),
        )
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body.to_vec()))
        .expect("a request");
    let status = server.runtime.block_on(async {
        server
            .router
            .clone()
            .oneshot(request)
            .await
            .map(|r| r.status())
    });
    let status = status.expect("the router answers");
    assert!(
        !status.is_server_error(),
        "{path} answered {status} to {:?}",
        String::from_utf8_lossy(body)
    );
});
