//! The Lan Tỏa web application: staff pages under `/quan-ly`, the JSON API under `/api`,
//! and the worker that runs background jobs.
//!
//! One module per area (`org`, `people`, `imports`), each with its handlers and a
//! `router()`; routers are merged in [`build_router`]. Pages are rendered on the server and
//! work without JavaScript.

pub mod api;
mod assets;
mod audit;
pub mod error;
pub mod imports;
pub mod jobs;
pub mod org;
pub mod people;
mod views;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use chrono::NaiveDate;
use lantoa_store::Store;
use std::sync::Arc;
use tokio::sync::Notify;

pub use error::AppError;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Wakes the job worker when a job is queued.
    pub jobs_queued: Arc<Notify>,
}

impl AppState {
    /// State over a store.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            jobs_queued: Arc::new(Notify::new()),
        }
    }
}

/// Today's date where the server runs (dates of transfers, checks that a date is past).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The author of a change made by a request: the client address now, the signed-in
/// account once logins exist.
pub struct RequestActor(pub lantoa_store::audit::Actor);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestActor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        Ok(RequestActor(lantoa_store::audit::Actor::web(addr)))
    }
}

/// Prefix of the staff pages.
pub const STAFF: &str = "/quan-ly";

/// 200 "ok" when the database answers, 503 when it does not (for load balancers).
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unreachable",
            )
        }
    }
}

/// Content Security Policy of our pages: nothing inline, nothing from elsewhere.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
    frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
/// Swagger UI's page sets styles inline; it still runs no inline script.
const CSP_API_DOCS: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'";

/// Adds the security headers to every response.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let csp = if request.uri().path().starts_with("/api/docs") {
        CSP_API_DOCS
    } else {
        CSP
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// The whole application. Serve it with [`serve`], or call it in-process in tests.
pub fn build_router(state: AppState) -> Router {
    let staff = Router::new()
        .route(
            "/",
            get(|| async { Redirect::to(&format!("{STAFF}/don-vi")) }),
        )
        .merge(org::router())
        .merge(people::router())
        .merge(imports::router())
        .merge(audit::router());
    Router::new()
        .route("/", get(|| async { Redirect::to(STAFF) }))
        .route("/healthz", get(healthz))
        .nest(STAFF, staff)
        .merge(api::router())
        .merge(assets::router())
        .fallback(|| async { AppError::NotFound })
        .layer(tower_http::csrf::CsrfLayer::new())
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::extract::DefaultBodyLimit::max(
            imports::MAX_UPLOAD_BYTES,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the application on a bound listener until `shutdown` resolves, with the job
/// worker running beside it.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let worker = tokio::spawn(jobs::run_worker(state.clone()));
    let app = build_router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    worker.abort();
    Ok(())
}
