//! `lantoa restore FILE`: puts a backup made by `lantoa backup` into an empty database (or,
//! with `--force`, over one that holds data, the servers stopped) and its files place.

use super::DatabaseArgs;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The backup file (.tar.gz) made by `lantoa backup`.
    file: PathBuf,
    /// Replace a database that holds data. Stop every server on it first.
    #[arg(long)]
    force: bool,
}

pub async fn run(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let files = args.database.files()?;
    let started = std::time::Instant::now();
    let restored =
        lantoa_store::backup::restore(&args.file, &args.database.database_url, &files, args.force)
            .await;
    match restored {
        Ok(summary) => {
            println!(
                "Đã khôi phục bản sao lưu lúc {} ({} tệp đính kèm) vào {} ({:.1} giây).",
                lantoa_domain::format::moment(summary.manifest.made_at),
                lantoa_domain::format::number(summary.files as i64),
                files.location(),
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(lantoa_store::StoreError::Config(message)) => {
            eprintln!("Không khôi phục: {message}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}
