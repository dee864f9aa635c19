//! The web layer's one error type: each case becomes the right status and a Vietnamese page.
//! A database failure is never reported as the user's fault.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use lantoa_store::StoreError;

/// What a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 404.
    #[error("không tìm thấy")]
    NotFound,
    /// 401 (API) or the sign-in page: nobody is signed in.
    #[error("cần đăng nhập")]
    SignInRequired,
    /// 403: the viewer may read the record but not do this.
    #[error("không có quyền")]
    Forbidden,
    /// 400: a request no page of ours sends (a bad id in a link typed by hand).
    #[error("yêu cầu không hợp lệ: {0}")]
    BadRequest(String),
    /// 409: the change conflicts with the data (explained in Vietnamese).
    #[error("{0}")]
    Conflict(String),
    /// 500: logged with its cause, shown as a generic page.
    #[error("lỗi hệ thống: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Invalid(errors) => AppError::Conflict(errors.joined()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<lantoa_office::export::ExportError> for AppError {
    fn from(e: lantoa_office::export::ExportError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    /// Status and the message shown to the user.
    pub fn status_and_message(&self) -> (StatusCode, String) {
        match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Không tìm thấy trang hoặc bản ghi này.".to_owned(),
            ),
            AppError::SignInRequired => (
                StatusCode::UNAUTHORIZED,
                "Bạn cần đăng nhập để xem trang này.".to_owned(),
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Bạn không có quyền thực hiện việc này. Nếu cần, hãy đề nghị quản trị đơn vị cấp quyền.".to_owned(),
            ),
            AppError::BadRequest(m) => (
                StatusCode::BAD_REQUEST,
                format!("Yêu cầu không hợp lệ: {m}"),
            ),
            AppError::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
            AppError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Hệ thống đang gặp sự cố, dữ liệu của bạn chưa bị thay đổi. Vui lòng thử lại sau ít phút.".to_owned(),
                )
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if matches!(self, AppError::SignInRequired) {
            return axum::response::Redirect::to(crate::auth::LOGIN).into_response();
        }
        let (status, message) = self.status_and_message();
        let page = crate::views::ErrorPage::new(status.as_u16(), message);
        let body = askama::Template::render(&page).unwrap_or_else(|_| {
            format!(
                "<!doctype html><meta charset=utf-8><p>{}</p>",
                status.as_u16()
            )
        });
        (status, Html(body)).into_response()
    }
}
