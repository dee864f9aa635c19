//! Import benchmark: 100 000 people from CSV and from XLSX into the demo city, on a fresh
//! SQLite file (and on PostgreSQL when LANTOA_BENCH_POSTGRES_URL is set). Prints seconds.
//! The synthetic file holds a few true duplicates (same name, birth date and unit), which
//! the import rejects as it would in a real file; they are skipped and counted.
//!
//! Run with `cargo bench -p lantoa --bench import` (release profile).

use lantoa_domain::import::ImportOptions;
use lantoa_store::Store;
use lantoa_store::synth::{PeopleMaker, Population};
use lantoa_web::imports::{ImportFile, ImportKind, run_import};
use std::time::Instant;

const ROWS: usize = 100_000;

fn file_rows(codes: &[String]) -> Vec<lantoa_domain::people::PersonInput> {
    let mut maker = PeopleMaker::new(7, lantoa_web::today());
    (0..ROWS)
        .map(|i| {
            let population = if i % 3 == 0 {
                Population::Residents
            } else {
                Population::ResidentMembers
            };
            maker
                .person(population, &codes[i % codes.len()], None, false)
                .to_input()
        })
        .collect()
}

async fn run(label: &str, store: Store, files: &[(&str, Vec<u8>)]) -> anyhow::Result<()> {
    store.migrate().await?;
    lantoa_store::demo::load(store.db(), lantoa_web::today()).await?;
    let quiet = |_: &'static str, _: u64, _: u64| {};
    let actor = lantoa_store::audit::Actor::system("bench");
    for (name, bytes) in files {
        let file = ImportFile {
            kind: ImportKind::People,
            name,
            bytes,
            options: ImportOptions {
                skip_invalid: true,
                dry_run: false,
            },
        };
        let started = Instant::now();
        let outcome = run_import(
            store.db(),
            &actor,
            &lantoa_store::org::Scope::All,
            file,
            lantoa_web::today(),
            &quiet,
        )
        .await?;
        let first = started.elapsed();
        let started = Instant::now();
        let again = run_import(
            store.db(),
            &actor,
            &lantoa_store::org::Scope::All,
            file,
            lantoa_web::today(),
            &quiet,
        )
        .await?;
        let second = started.elapsed();
        println!(
            "{label:<10} {name:<12} {} rows: import {:>6.2} s (created {}, rejected {}), re-import {:>6.2} s (unchanged {})",
            ROWS,
            first.as_secs_f64(),
            outcome.report.created + outcome.report.updated,
            outcome.report.rejected.len(),
            second.as_secs_f64(),
            again.report.unchanged
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let setup = Store::connect(&format!(
        "sqlite://{}",
        dir.path().join("codes.db").display()
    ))
    .await?;
    setup.migrate().await?;
    lantoa_store::demo::load(setup.db(), lantoa_web::today()).await?;
    let codes: Vec<String> = lantoa_store::org::list_all(setup.db(), None)
        .await?
        .into_iter()
        .filter(|o| o.kind == lantoa_domain::org::OrgKind::Cell)
        .map(|o| o.code)
        .collect();
    let rows = file_rows(&codes);
    let csv = lantoa_office::export::people_csv(&rows)?;
    let xlsx = lantoa_office::export::people_xlsx(&rows)?;
    println!(
        "files: csv {:.1} MB, xlsx {:.1} MB",
        csv.len() as f64 / 1e6,
        xlsx.len() as f64 / 1e6
    );
    for (name, bytes) in [("people.csv", &csv), ("people.xlsx", &xlsx)] {
        let file_dir = tempfile::tempdir()?;
        let store = Store::connect(&format!(
            "sqlite://{}",
            file_dir.path().join("bench.db").display()
        ))
        .await?;
        run("sqlite", store, &[(name, bytes.clone())]).await?;
    }
    if let Ok(url) = std::env::var("LANTOA_BENCH_POSTGRES_URL") {
        use sea_orm::ConnectionTrait;
        let admin = Store::connect(&url).await?;
        for (name, bytes) in [("people.csv", &csv), ("people.xlsx", &xlsx)] {
            let db_name = format!("lantoa_bench_{}", std::process::id());
            admin
                .db()
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {db_name}"))
                .await?;
            admin
                .db()
                .execute_unprepared(&format!("CREATE DATABASE {db_name}"))
                .await?;
            let base = url
                .rsplit_once('/')
                .map(|(b, _)| b.to_owned())
                .unwrap_or(url.clone());
            let store = Store::connect(&format!("{base}/{db_name}")).await?;
            run("postgres", store.clone(), &[(name, bytes.clone())]).await?;
            drop(store);
            admin
                .db()
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"))
                .await?;
        }
    }
    Ok(())
}
