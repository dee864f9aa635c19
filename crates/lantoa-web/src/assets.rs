//! Static assets compiled into the binary: our own small stylesheet.

use axum::Router;
use axum::http::header;
use axum::routing::get;

const APP_CSS: &str = include_str!("../static/app.css");

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route(
        "/static/app.css",
        get(|| async {
            (
                [
                    (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                    (header::CACHE_CONTROL, "public, max-age=3600"),
                ],
                APP_CSS,
            )
        }),
    )
}
