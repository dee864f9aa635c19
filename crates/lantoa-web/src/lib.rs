//! The Lan Tỏa web application: staff pages under `/quan-ly`, the JSON API under `/api`,
//! and the worker that runs background jobs.
//!
//! One module per area (`org`, `people`, `imports`, `accounts`…), each with its handlers
//! and a `routes()`; they are merged in [`build_router`]. Pages are rendered on the server
//! and work without JavaScript. Everything under `/quan-ly` and `/api/v1` needs a signed-in
//! account ([`auth`]); each handler checks the viewer's role over the record's unit.

mod accounts;
pub mod api;
mod assets;
mod audit;
pub mod auth;
mod award;
mod campaign;
mod charts;
mod commendations;
pub mod error;
mod exemplars;
pub mod imports;
mod inspections;
pub mod jobs;
pub mod mail;
mod models;
pub mod org;
pub mod people;
mod plans;
mod propaganda;
mod proposals;
mod public;
mod ratings;
pub mod report;
mod settings;
pub mod study;
mod tasks;
mod teaching;
mod views;

use axum::Router;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{MethodRouter, get};
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
    /// Session settings.
    pub auth: auth::AuthSettings,
    /// The SMTP server reminders are e-mailed through, if one is configured.
    pub mailer: Option<mail::Mailer>,
    /// Dashboards whose figures are being counted in the background, by unit and period:
    /// a page reloaded while it waits shows the count's progress instead of starting it
    /// again.
    pub dashboards_counting: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// How long a dashboard waits for its figures before it shows how far their count has
    /// gone instead (3 s; a figure read for the first time after a bulk load is counted
    /// for every unit, minutes at national size).
    pub dashboard_wait: std::time::Duration,
    /// How long a running job's worker may be silent before the job counts as interrupted
    /// (its server stopped) and another worker runs it again (2 minutes; a worker signals
    /// every quarter of it).
    pub job_takeover: std::time::Duration,
}

impl AppState {
    /// State over a store, with the default session settings.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            jobs_queued: Arc::new(Notify::new()),
            auth: auth::AuthSettings::default(),
            mailer: None,
            dashboards_counting: Arc::default(),
            dashboard_wait: std::time::Duration::from_secs(3),
            job_takeover: std::time::Duration::from_secs(120),
        }
    }
}

/// A router that remembers the paths it serves, so that a test can call every route of the
/// application (see the permission test); areas build theirs with it, never with a bare
/// `Router`.
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    /// No routes.
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    /// A route anyone may call (sign-in pages, assets); pages of an area under `/quan-ly`
    /// or `/api/v1` are behind the sign-in check whatever they are declared with.
    pub fn public(self, path: &str, route: MethodRouter<AppState>) -> Self {
        self.route(path, route)
    }

    /// A route of a signed-in area; its handler must check the viewer's role.
    pub fn route(mut self, path: &str, route: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, route);
        self.paths.push(path.to_owned());
        self
    }

    /// Adds a finished router serving these paths (Swagger UI).
    pub fn merge_router(mut self, router: Router<AppState>, paths: &[&str]) -> Self {
        self.router = self.router.merge(router);
        self.paths.extend(paths.iter().map(|p| (*p).to_owned()));
        self
    }

    /// Adds another area's routes.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// Puts another area's routes under a prefix.
    fn nest(mut self, prefix: &str, other: Routes) -> Self {
        self.router = self.router.nest(prefix, other.router);
        self.paths.extend(
            other
                .paths
                .iter()
                .map(|p| format!("{prefix}{}", if p == "/" { "" } else { p })),
        );
        self
    }

    /// Puts a layer on the routes added so far.
    fn route_layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower::Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Response: IntoResponse + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Error:
            Into<std::convert::Infallible> + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.router = self.router.route_layer(layer);
        self
    }
}

/// Today's date where the server runs (dates of transfers, checks that a date is past).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The author of a change made on a public page (signing in, a reset code): the client
/// address. Signed-in handlers take [`auth::Viewer`] instead.
pub struct RequestActor(pub lantoa_store::audit::Actor);

impl axum::extract::FromRequestParts<AppState> for RequestActor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let addr = auth::client_addr(&state.auth, parts);
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

/// Every route of the application, with the paths it serves.
pub fn routes(state: &AppState) -> Routes {
    let sign_in = || axum::middleware::from_fn_with_state(state.clone(), auth::require_sign_in);
    let staff = Routes::new()
        .route(
            "/",
            get(|viewer: auth::Viewer| async move { Redirect::to(&viewer.home()) }),
        )
        .merge(org::routes())
        .merge(people::routes())
        .merge(imports::routes())
        .merge(campaign::routes())
        .merge(study::routes())
        .merge(plans::routes())
        .merge(ratings::routes())
        .merge(models::routes())
        .merge(exemplars::routes())
        .merge(commendations::routes())
        .merge(proposals::routes())
        .merge(tasks::routes())
        .merge(inspections::routes())
        .merge(propaganda::routes())
        .merge(teaching::routes())
        .merge(award::routes())
        .merge(report::routes())
        .merge(settings::routes())
        .merge(accounts::routes())
        .merge(audit::routes())
        .route_layer(sign_in());
    let api = api::routes().route_layer(sign_in());
    Routes::new()
        .merge(public::routes())
        .merge(award::public_routes())
        .public("/healthz", get(healthz))
        .merge(auth::routes())
        .nest(STAFF, staff)
        .merge(api)
        .merge(api::docs())
        .merge(assets::routes())
}

/// The paths the application serves (for the permission test).
pub fn route_paths(state: &AppState) -> Vec<String> {
    routes(state).paths
}

/// The whole application. Serve it with [`serve`], or call it in-process in tests.
pub fn build_router(state: AppState) -> Router {
    routes(&state)
        .router
        .fallback(|uri: axum::http::Uri| async move {
            if uri.path().starts_with("/api/") {
                api::not_found()
            } else {
                AppError::NotFound.into_response()
            }
        })
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
/// worker running beside it, and the top dashboards' figures counted in the background.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let worker = tokio::spawn(jobs::run_worker(state.clone()));
    let refresher = tokio::spawn(report::keep_figures_current(state.clone()));
    let warming = state.clone();
    tokio::spawn(async move {
        if let Err(e) = report::warm_top_dashboards(&warming).await {
            tracing::warn!(error = ?e, "counting the top dashboards' figures failed");
        }
    });
    let app = build_router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    worker.abort();
    refresher.abort();
    Ok(())
}
