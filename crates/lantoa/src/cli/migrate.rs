//! `lantoa migrate`: apply pending migrations.

use super::DatabaseArgs;
use std::process::ExitCode;

pub async fn run(args: DatabaseArgs) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    println!(
        "Đã cập nhật cơ sở dữ liệu: {} bước di chuyển.",
        store.applied_migrations().await?.len()
    );
    Ok(ExitCode::SUCCESS)
}
