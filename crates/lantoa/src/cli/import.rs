//! `lantoa import orgs|people|plans FILE` and `lantoa import template people|orgs|plans -o FILE`.
//!
//! Exit code 0 when no row was invalid, 1 when some were, 2 when the file is unusable.

use super::DatabaseArgs;
use clap::{Args, Subcommand};
use lantoa_domain::format::number;
use lantoa_domain::import::ImportOptions;
use lantoa_web::imports::{ImportError, ImportFile, ImportKind, run_import};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    /// Import units.
    Orgs(FileArgs),
    /// Import people.
    People(FileArgs),
    /// Import personal plans (one row per commitment) of people without an account.
    Plans(FileArgs),
    /// Write the template file with the official headers.
    Template {
        /// people, orgs or plans
        kind: String,
        /// Where to write the .xlsx.
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Debug, Args)]
struct FileArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// .xlsx, .xls, .ods or .csv
    file: PathBuf,
    /// Validate only; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Import the valid rows and report the others.
    #[arg(long)]
    skip_invalid: bool,
    /// Write the rejected rows to this .xlsx with a column "Lỗi".
    #[arg(long)]
    errors: Option<PathBuf>,
}

pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    match args.what {
        What::Orgs(file) => import(ImportKind::Orgs, file).await,
        What::People(file) => import(ImportKind::People, file).await,
        What::Plans(file) => import(ImportKind::Plans, file).await,
        What::Template { kind, output } => {
            let Some(kind) = ImportKind::parse(&kind) else {
                eprintln!("Loại mẫu phải là people, orgs hoặc plans.");
                return Ok(ExitCode::from(2));
            };
            std::fs::write(&output, kind.template()?)?;
            println!("Đã ghi mẫu nhập {} vào {}.", kind.label(), output.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn import(kind: ImportKind, args: FileArgs) -> anyhow::Result<ExitCode> {
    let bytes = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("Không đọc được tệp {}: {e}", args.file.display());
            return Ok(ExitCode::from(2));
        }
    };
    let store = args.database.open().await?;
    let options = ImportOptions {
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
    };
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let progress = |stage: &'static str, done: u64, total: u64| {
        if total > 0 {
            eprint!(
                "\r{stage}: {}/{}      ",
                number(done as i64),
                number(total as i64)
            );
        }
    };
    let outcome = match run_import(
        store.db(),
        &lantoa_store::audit::Actor::cli(),
        // The server's operator may write anywhere.
        &lantoa_store::org::Scope::All,
        ImportFile {
            kind,
            name: &name,
            bytes: &bytes,
            options,
        },
        lantoa_web::today(),
        &progress,
    )
    .await
    {
        Ok(outcome) => outcome,
        Err(ImportError::File(e)) => {
            eprintln!("\nKhông nhập được: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(ImportError::Store(e)) => return Err(e.into()),
    };
    eprintln!();
    let r = &outcome.report;
    for row in r.rejected.iter().take(50) {
        println!("Dòng {}: {}", row.row, row.reasons);
    }
    if r.rejected.len() > 50 {
        println!(
            "… và {} dòng lỗi khác.",
            number(r.rejected.len() as i64 - 50)
        );
    }
    println!(
        "Đọc {} dòng: tạo mới {}, cập nhật {}, không đổi {}, lỗi {}.",
        number(r.read as i64),
        number(r.created as i64),
        number(r.updated as i64),
        number(r.unchanged as i64),
        number(r.rejected.len() as i64)
    );
    println!(
        "{}",
        if r.written {
            "Đã ghi vào cơ sở dữ liệu."
        } else if args.dry_run {
            "Chỉ kiểm tra: chưa ghi gì."
        } else {
            "Chưa ghi gì vì có dòng lỗi (dùng --skip-invalid để ghi các dòng đúng)."
        }
    );
    if let (Some(path), Some(file)) = (&args.errors, &outcome.rejected_file) {
        std::fs::write(path, file)?;
        println!("Đã ghi các dòng lỗi vào {}.", path.display());
    }
    Ok(if r.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
