//! `lantoa report --org CODE --year 2024 [--format docx|xlsx|txt] -o FILE`: the year-end
//! report of a unit's subtree, as the web drafts it (figures, findings, drafted prose), in
//! the Party's layout. `--year` takes the first six months of a year ("2024-6t", the sơ kết)
//! or a term ("2021-2025") too.

use super::DatabaseArgs;
use clap::Args;
use lantoa_domain::report::Period;
use lantoa_web::report::ReportFile;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Code of the unit.
    #[arg(long)]
    org: String,
    /// A year (2024), its first six months (2024-6t) or a term (2021-2025).
    #[arg(long)]
    year: String,
    /// docx (the default), xlsx (the report's tables) or txt (the document's text).
    #[arg(long, default_value = "docx")]
    format: String,
    /// Output file.
    #[arg(short, long)]
    output: PathBuf,
}

pub async fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let Some(period) = Period::parse(&args.year) else {
        eprintln!(
            "Kỳ báo cáo ghi một năm (2024), 6 tháng đầu năm (2024-6t) hoặc một giai đoạn (2021-2025)."
        );
        return Ok(ExitCode::from(2));
    };
    if !matches!(args.format.as_str(), "docx" | "xlsx" | "txt") {
        eprintln!("Định dạng phải là docx, xlsx hoặc txt.");
        return Ok(ExitCode::from(2));
    }
    let store = args.database.open().await?;
    let db = store.db();
    let Some(unit) = lantoa_store::org::get_by_code(db, &args.org).await? else {
        eprintln!("Không có đơn vị mã «{}».", args.org);
        return Ok(ExitCode::from(2));
    };
    let today = chrono::Local::now().date_naive();
    let draft = lantoa_web::report::draft(db, &unit, period, today)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let doc = draft.document(today);
    let file = match args.format.as_str() {
        "docx" => Some(ReportFile::Docx),
        "xlsx" => Some(ReportFile::Xlsx),
        _ => None,
    };
    let bytes = match file {
        Some(file) => file
            .write(&doc, &draft.figures, &draft.findings)
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        None => lantoa_office::party_doc::plain_text(&doc).into_bytes(),
    };
    std::fs::write(&args.output, bytes)?;
    lantoa_store::report::log_generated(
        db,
        &lantoa_store::audit::Actor::cli(),
        &unit,
        period,
        &args.format,
    )
    .await?;
    println!(
        "Đã lập báo cáo {} của {} vào {}.",
        period.label(),
        unit.name,
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
