//! `lantoa check counters`: counts every roll-up again from the base rows and lists the
//! differences; exits 1 when there is any.

use super::DatabaseArgs;
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    /// The per-unit counts the dashboards sum (roll-ups).
    Counters(DatabaseArgs),
}

/// Differences listed before "và N chỗ khác".
const LISTED: usize = 50;

pub async fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    match args.what {
        What::Counters(database) => {
            let store = database.open().await?;
            let started = std::time::Instant::now();
            let (keys, differences) = lantoa_store::rollups::check(store.db()).await?;
            for d in differences.iter().take(LISTED) {
                println!(
                    "Sai lệch: {} ({}) đơn vị {} mã {}: lưu {}, đếm lại {}",
                    d.key, d.scope, d.org_id, d.code, d.stored, d.counted
                );
            }
            if differences.len() > LISTED {
                println!("… và {} chỗ khác.", differences.len() - LISTED);
            }
            let seconds = started.elapsed().as_secs_f64();
            if differences.is_empty() {
                println!("Đã đếm lại {keys} số liệu tổng hợp: khớp hoàn toàn ({seconds:.1} giây).");
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "Đã đếm lại {keys} số liệu tổng hợp: {} chỗ sai lệch ({seconds:.1} giây).",
                    differences.len()
                );
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
