//! `lantoa demo`: load the demo city into an empty database.

use super::DatabaseArgs;
use lantoa_store::Store;
use std::process::ExitCode;

/// Loads the demo when the database is empty; says so when it is not.
pub async fn load_if_empty(store: &Store) -> anyhow::Result<bool> {
    if !store.is_empty().await? {
        return Ok(false);
    }
    let summary = lantoa_store::demo::load(store.db(), lantoa_web::today()).await?;
    println!(
        "Đã nạp dữ liệu mẫu: {} đơn vị, {} người.",
        summary.orgs, summary.people
    );
    Ok(true)
}

pub async fn run(args: DatabaseArgs) -> anyhow::Result<ExitCode> {
    let store = args.open().await?;
    if load_if_empty(&store).await? {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("Cơ sở dữ liệu đã có dữ liệu: không nạp dữ liệu mẫu.");
        Ok(ExitCode::from(1))
    }
}
