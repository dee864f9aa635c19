//! The store's error type: database failures apart from the user's mistakes.

use lantoa_domain::validation::FieldErrors;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or could not be reached: never the user's fault.
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// The record asked for does not exist.
    #[error("không tìm thấy")]
    NotFound,
    /// The input breaks a rule that needs the database to check (a code already used, a
    /// move into its own subtree…), reported at the fields concerned.
    #[error("dữ liệu không hợp lệ: {}", .0.joined())]
    Invalid(FieldErrors),
    /// The files directory could not be written or read.
    #[error("lỗi lưu trữ tệp: {0}")]
    Files(String),
    /// The database URL or location is unusable.
    #[error("cấu hình không hợp lệ: {0}")]
    Config(String),
    /// A read replica has not yet caught up with what a page must count (a figure not
    /// yet counted or brought up to date there): the page reads the primary instead.
    #[error("bản sao chỉ đọc chưa cập nhật kịp")]
    ReplicaBehind,
}

impl StoreError {
    /// A single field error.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(FieldErrors::single(field, message))
    }
}
