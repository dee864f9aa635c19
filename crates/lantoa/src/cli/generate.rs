//! `lantoa generate`: deterministic synthetic data — a dataset at city, province or nation
//! scale with every kind of record (`--scale`), or just units and people (`--people`).

use super::DatabaseArgs;
use clap::Args;
use lantoa_domain::format::number;
use lantoa_store::StoreError;
use lantoa_store::scale::Scale;
use std::process::ExitCode;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("size").required(true).args(["scale", "people"])))]
pub struct GenerateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// city, province or nation: units, members, sessions and attendance, plans, ratings,
    /// models, exemplars, commendations and propaganda, into an empty database.
    #[arg(long, value_parser = ["city", "province", "nation"])]
    scale: Option<String>,
    /// Campaign years, ending with this year (with --scale).
    #[arg(long, default_value_t = 2, requires = "scale")]
    years: u32,
    /// Only units and about this many people.
    #[arg(long)]
    people: Option<usize>,
    /// Seed: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub async fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    let started = std::time::Instant::now();
    let today = lantoa_web::today();
    if let Some(people) = args.people {
        let made = lantoa_store::synth::generate(store.db(), people, args.seed, today).await?;
        println!(
            "Đã tạo {} đơn vị và {} người trong {:.1} giây.",
            number(made.orgs as i64),
            number(made.people as i64),
            started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let scale = args
        .scale
        .as_deref()
        .and_then(Scale::parse)
        .unwrap_or(Scale::City);
    let mut progress = |line: String| println!("{line}");
    let made = match lantoa_store::scale::generate(
        store.db(),
        scale,
        args.years,
        args.seed,
        today,
        &mut progress,
    )
    .await
    {
        Ok(made) => made,
        // Already loaded: exit 1 without changing anything, as `lantoa demo` does.
        Err(StoreError::Invalid(errors)) => {
            eprintln!("{}", errors.joined());
            return Ok(ExitCode::from(1));
        }
        Err(other) => return Err(other.into()),
    };
    println!(
        "Đã tạo {} đơn vị, {} người, {} buổi học tập, {} lượt điểm danh và {} mô hình trong {:.0} giây.",
        number(made.orgs as i64),
        number(made.people as i64),
        number(made.sessions as i64),
        number(made.attendance as i64),
        number(made.models as i64),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
