//! `lantoa export people --org CODE [--format xlsx|csv] -o FILE`.

use super::DatabaseArgs;
use clap::{Args, Subcommand};
use lantoa_web::people::{ExportFormat, export};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    /// People of a unit and all units below it.
    People {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Code of the unit.
        #[arg(long)]
        org: String,
        /// xlsx or csv (default: from the output's extension, else xlsx).
        #[arg(long)]
        format: Option<String>,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
    },
}

pub async fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let What::People {
        database,
        org,
        format,
        output,
    } = args.what;
    let format_text = format.unwrap_or_else(|| {
        output
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let Some(format) = ExportFormat::parse(&format_text) else {
        eprintln!("Định dạng phải là xlsx hoặc csv.");
        return Ok(ExitCode::from(2));
    };
    let store = database.open().await?;
    let Some(unit) = lantoa_store::org::get_by_code(store.db(), &org).await? else {
        eprintln!("Không có đơn vị mã «{org}».");
        return Ok(ExitCode::from(2));
    };
    let bytes = export(
        store.db(),
        &lantoa_store::audit::Actor::cli(),
        &unit,
        format,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&output, bytes)?;
    println!(
        "Đã xuất nhân sự của {} vào {}.",
        unit.name,
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}
