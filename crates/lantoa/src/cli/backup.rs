//! `lantoa backup -o FILE`: a consistent backup of the database and its files while the
//! servers keep running (see `lantoa_store::backup`).

use super::DatabaseArgs;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The backup file to write (.tar.gz); an existing file is replaced only when the new
    /// backup is complete.
    #[arg(short, long)]
    output: PathBuf,
}

pub async fn run(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    let started = std::time::Instant::now();
    println!(
        "Đang sao lưu cơ sở dữ liệu và các tệp đính kèm ({})…",
        store.files().location()
    );
    let made =
        lantoa_store::backup::write(&store, &args.database.database_url, &args.output).await?;
    println!(
        "Đã sao lưu vào {}: {} tệp đính kèm, {} ({:.1} giây).",
        args.output.display(),
        lantoa_domain::format::number(made.files as i64),
        lantoa_domain::format::file_size(made.archive_bytes),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
