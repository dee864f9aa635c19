//! `lantoa generate`: a deterministic synthetic province of any size.

use super::DatabaseArgs;
use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// How many people.
    #[arg(long)]
    people: usize,
    /// Seed: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub async fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    let started = std::time::Instant::now();
    let made =
        lantoa_store::synth::generate(store.db(), args.people, args.seed, lantoa_web::today())
            .await?;
    println!(
        "Đã tạo {} đơn vị và {} người trong {:.1} giây.",
        lantoa_domain::format::number(made.orgs as i64),
        lantoa_domain::format::number(made.people as i64),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
