//! Static assets compiled into the binary: our own small stylesheet.

use axum::http::header;
use axum::routing::get;

const APP_CSS: &str = include_str!("../static/app.css");

pub fn routes() -> crate::Routes {
    crate::Routes::new().public(
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
