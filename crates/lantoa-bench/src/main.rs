//! The load benchmark (`cargo run --release -p lantoa-bench -- --scale city --database
//! sqlite|postgres`): builds or reuses the dataset, starts the real `lantoa serve` of the
//! same build, signs in, drives each route over loopback with concurrent keep-alive
//! connections, and prints for each its p50/p95/p99 latency, requests per second, the
//! ratio of its p50 to serving a small static file in the same run (the floor of what a
//! request costs) and the server's memory; the results also go to `results.json` and
//! `results.md` in the output folder. With `--soak SECONDS` it runs the soak test instead
//! (see `soak`), with `--crash` the crash test (see `crash`).

mod crash;
mod load;
mod soak;

use anyhow::Context;
use clap::Parser;
use hyper::{Method, StatusCode};
use load::{Measured, Route, Target};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug, Parser)]
#[command(about = "Đo tải máy chủ Lan Tỏa trên dữ liệu mẫu")]
struct Args {
    /// city (the demo city), province or nation (`lantoa generate --scale`, made once and
    /// kept in the output folder or on the PostgreSQL server).
    #[arg(long, default_value = "city", value_parser = ["city", "province", "nation"])]
    scale: String,
    /// sqlite or postgres.
    #[arg(long, default_value = "sqlite")]
    database: String,
    /// PostgreSQL server (the benchmark's database is created on it).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    /// Connections sending requests at the same time.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Seconds each route is measured (after one second of warm-up).
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Where the dataset, the server's log and the results go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Instead of measuring: the crash test (the server killed with SIGKILL `--kills`
    /// times while it writes, then every acknowledged write, job and counter checked).
    #[arg(long)]
    crash: bool,
    /// Instead of measuring each route: the soak test, mixed traffic for this many seconds
    /// (600 for issue 10), failing on any 5xx, lost write or growing memory.
    #[arg(long)]
    soak: Option<f64>,
    /// Kills in the crash test.
    #[arg(long, default_value_t = 50)]
    kills: usize,
    /// The crash test's random seed (printed; the same seed gives the same kill times).
    #[arg(long)]
    seed: Option<u64>,
}

/// The `lantoa` binary of the same build (target/release beside this program).
fn lantoa_binary() -> anyhow::Result<PathBuf> {
    let here = std::env::current_exe()?;
    let binary = here
        .parent()
        .context("no folder for the benchmark's binary")?
        .join("lantoa");
    if !binary.exists() {
        let release = here.parent().is_some_and(|p| p.ends_with("release"));
        let mut build = Command::new("cargo");
        build.args(["build", "-p", "lantoa", "--bin", "lantoa"]);
        if release {
            build.arg("--release");
        }
        anyhow::ensure!(build.status()?.success(), "building lantoa failed");
    }
    Ok(binary)
}

/// The dataset's database URL, created and loaded when missing. The demo city loads in
/// seconds; a generated dataset is made under a provisional name and renamed when complete,
/// so that an interrupted load is made again rather than measured.
async fn dataset(args: &Args, lantoa: &Path) -> anyhow::Result<String> {
    let name = format!("lantoa_bench_{}", args.scale);
    let url = match args.database.as_str() {
        "sqlite" => format!(
            "sqlite://{}",
            args.out.join(format!("{}.db", args.scale)).display()
        ),
        "postgres" => format!("{}/{name}", args.postgres),
        other => anyhow::bail!("--database {other}: sqlite or postgres"),
    };
    if args.scale == "city" {
        if args.database == "postgres" {
            create_database(args, &name, false).await?;
        }
        // Loads the demo city into an empty database; exit code 1 says it was already there.
        let demo = Command::new(lantoa)
            .args(["demo", "--database-url", &url])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        anyhow::ensure!(
            matches!(demo.code(), Some(0 | 1)),
            "lantoa demo failed: {demo}"
        );
        return Ok(url);
    }
    let partial = format!("{name}_partial");
    let files =
        |stem: &str| ["", "-wal", "-shm"].map(|end| args.out.join(format!("{stem}.db{end}")));
    let provisional = match args.database.as_str() {
        "sqlite" => {
            if args.out.join(format!("{}.db", args.scale)).exists() {
                return Ok(url);
            }
            for file in files(&format!("{}_partial", args.scale)) {
                let _ = std::fs::remove_file(file);
            }
            format!(
                "sqlite://{}",
                files(&format!("{}_partial", args.scale))[0].display()
            )
        }
        _ => {
            if database_exists(&admin(args).await?, &name).await? {
                return Ok(url);
            }
            create_database(args, &partial, true).await?;
            format!("{}/{partial}", args.postgres)
        }
    };
    eprintln!("Tạo dữ liệu mẫu cấp {} (một lần)…", args.scale);
    let made = Command::new(lantoa)
        .args([
            "generate",
            "--database-url",
            &provisional,
            "--scale",
            &args.scale,
        ])
        .status()?;
    anyhow::ensure!(made.success(), "lantoa generate failed: {made}");
    match args.database.as_str() {
        "sqlite" => {
            for (from, to) in files(&format!("{}_partial", args.scale))
                .iter()
                .zip(files(&args.scale))
            {
                if from.exists() {
                    std::fs::rename(from, to)?;
                }
            }
        }
        _ => {
            use sea_orm::ConnectionTrait;
            admin(args)
                .await?
                .execute_unprepared(&format!("ALTER DATABASE {partial} RENAME TO {name}"))
                .await?;
        }
    }
    Ok(url)
}

/// The PostgreSQL server's maintenance database.
async fn admin(args: &Args) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let server = lantoa_store::Store::connect(&format!("{}/postgres", args.postgres))
        .await
        .context("PostgreSQL is not reachable")?;
    Ok(server.db().clone())
}

/// Whether the server holds database `name`.
async fn database_exists(server: &sea_orm::DatabaseConnection, name: &str) -> anyhow::Result<bool> {
    use sea_orm::ConnectionTrait;
    Ok(server
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
        ))
        .await?
        .is_some())
}

/// Creates database `name` unless it exists; with `fresh`, a leftover one is dropped first.
async fn create_database(args: &Args, name: &str, fresh: bool) -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    let server = admin(args).await?;
    if database_exists(&server, name).await? {
        if !fresh {
            return Ok(());
        }
        server
            .execute_unprepared(&format!("DROP DATABASE {name}"))
            .await?;
    }
    server
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    Ok(())
}

/// A system administrator made for this run, with a fresh password.
fn bench_account(lantoa: &Path, url: &str) -> anyhow::Result<(String, String)> {
    use std::io::Write;
    let stamp = chrono::Utc::now().timestamp_millis();
    let username = format!("bench{stamp}");
    let password = format!("Do-tai-{stamp}-Lan-Toa");
    let mut child = Command::new(lantoa)
        .args([
            "user",
            "create",
            "--database-url",
            url,
            "--username",
            &username,
            "--admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    writeln!(child.stdin.take().context("no stdin")?, "{password}")?;
    anyhow::ensure!(child.wait()?.success(), "lantoa user create failed");
    Ok((username, password))
}

/// Issue 9's targets (p50, release build, warm), in ms: (top dashboard, grassroots
/// dashboard, search, drill-down, attendance save) and the server's memory in MB. The issue
/// sets them for a city and for the nation; a province is held to the nation's.
struct Targets {
    top: f64,
    grassroots: f64,
    search: f64,
    drill_down: f64,
    attendance: f64,
    memory_mb: f64,
}

impl Targets {
    fn of(scale: &str) -> Self {
        if scale == "city" {
            Self {
                top: 30.0,
                grassroots: 20.0,
                search: 20.0,
                drill_down: 30.0,
                attendance: 30.0,
                memory_mb: 200.0,
            }
        } else {
            Self {
                top: 300.0,
                grassroots: 50.0,
                search: 150.0,
                drill_down: 150.0,
                attendance: 50.0,
                memory_mb: 400.0,
            }
        }
    }
}

/// The route every other is compared with: a small static file.
const STATIC_FILE: &str = "static file (floor)";

/// What marks a page that is still being prepared and reloads itself (the dashboard while
/// its figures are counted for the first time): not the page a route is measured for.
const RELOADS_ITSELF: &str = "http-equiv=\"refresh\"";

/// The routes measured: on the demo city's committee and Ward 5, or on a generated
/// dataset's top unit and its first grassroots organisation with cells.
async fn routes(url: &str, scale: &str) -> anyhow::Result<Vec<Route>> {
    use chrono::Datelike;
    let store = lantoa_store::Store::connect(url).await?;
    let id = |code: &'static str| {
        let db = store.db().clone();
        async move {
            lantoa_store::org::get_by_code(&db, code)
                .await?
                .map(|o| o.id.0)
                .with_context(|| format!("the dataset has no unit {code}"))
        }
    };
    let (top, grassroots, year) = match lantoa_store::scale::Scale::parse(scale) {
        Some(generated) if scale != "city" => (
            generated.root_code(),
            generated.grassroots_code(),
            chrono::Local::now().year() - 1,
        ),
        _ => ("TU-MYTHO", "DB-P5", 2024),
    };
    let (city, ward) = (id(top).await?, id(grassroots).await?);
    let attendance = attendance_form(&store, ward, year).await?;
    let t = Targets::of(scale);
    let get = |name: &str, path: String, target_ms: Option<f64>| Route {
        name: name.to_owned(),
        method: Method::GET,
        path,
        body: None,
        headers: Vec::new(),
        expect: StatusCode::OK,
        target_ms,
        pending: Some(RELOADS_ITSELF),
    };
    Ok(vec![
        get(STATIC_FILE, "/static/app.css".into(), None),
        get("public showcase home", "/".into(), Some(5.0)),
        get(
            "dashboard, top unit",
            format!("/quan-ly/tong-quan?org={city}"),
            Some(t.top),
        ),
        get(
            "dashboard, grassroots unit",
            format!("/quan-ly/tong-quan?org={ward}"),
            Some(t.grassroots),
        ),
        get(
            "people search, first page",
            format!("/quan-ly/nhan-su?org={city}&q=nguyen+van"),
            Some(t.search),
        ),
        get(
            "coverage drill-down, first page",
            format!("/quan-ly/hoc-tap/chua-hoc?org={city}"),
            Some(t.drill_down),
        ),
        Route {
            name: "save attendance, 30 people".into(),
            method: Method::POST,
            path: attendance.0,
            body: Some(load::Body::form(attendance.1)),
            headers: Vec::new(),
            expect: StatusCode::SEE_OTHER,
            target_ms: Some(t.attendance),
            pending: None,
        },
    ])
}

/// The path and form that save the marks of 30 people of a unit's session of `year`, one in
/// ten excused: each save writes the same marks again, as a secretary correcting a roster.
async fn attendance_form(
    store: &lantoa_store::Store,
    ward: i64,
    year: i32,
) -> anyhow::Result<(String, String)> {
    use lantoa_domain::ClosedList;
    use lantoa_domain::study::AttendanceStatus;
    let db = store.db();
    let unit = lantoa_store::org::get(db, lantoa_domain::OrgId(ward)).await?;
    let year = lantoa_store::campaign::year(db, year).await?;
    let session = lantoa_store::study::sessions(db, &unit.subtree(), &year, 1, 50)
        .await?
        .items
        .into_iter()
        .find(|s| s.org_id == unit.id)
        .context("the unit has no session that year")?;
    let roster = lantoa_store::study::roster(db, &session, "").await?;
    anyhow::ensure!(roster.len() >= 30, "a roster of {} people", roster.len());
    let form = roster
        .iter()
        .take(30)
        .enumerate()
        .map(|(i, r)| {
            let status = if i % 10 == 0 {
                AttendanceStatus::Excused
            } else {
                AttendanceStatus::Present
            };
            format!("m_{}={}", r.person_id, status.code())
        })
        .collect::<Vec<_>>()
        .join("&");
    Ok((
        format!("/quan-ly/hoc-tap/buoi/{}/diem-danh", session.id),
        form,
    ))
}

/// A latency for the table: none finished within the window says so.
fn latency(r: &Measured, ms: f64) -> String {
    if r.requests == 0 {
        "none done".to_owned()
    } else {
        format!("{ms:.2}")
    }
}

fn markdown(args: &Args, results: &[Measured], floor: f64, peak_mb: f64) -> String {
    let mut out = format!(
        "Scale {}, {}, {} connections, {} s per route, {} — peak server memory {peak_mb:.0} MB\n\n\
         | Route | first ms | p50 ms | p95 ms | p99 ms | req/s | × static | RSS MB | failures | target (p50) |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
        args.scale,
        args.database,
        args.concurrency,
        args.seconds,
        chrono::Local::now().format("%d/%m/%Y"),
    );
    for r in results {
        out.push_str(&format!(
            "| {} | {:.0} | {} | {} | {} | {:.0} | {:.1} | {:.0} | {} | {} |\n",
            r.name,
            r.first_ms,
            latency(r, r.p50_ms),
            latency(r, r.p95_ms),
            latency(r, r.p99_ms),
            r.per_second,
            if floor > 0.0 { r.p50_ms / floor } else { 0.0 },
            r.rss_mb,
            r.failures,
            match r.target_ms {
                Some(t) if r.missed() => format!("< {t} ms: MISSED"),
                Some(t) => format!("< {t} ms: met"),
                None => String::new(),
            }
        ));
    }
    let memory_target = Targets::of(&args.scale).memory_mb;
    out.push_str(&format!(
        "\nServer memory under load: {peak_mb:.0} MB (target < {memory_target} MB: {}).\n",
        if peak_mb < memory_target {
            "met"
        } else {
            "MISSED"
        }
    ));
    out
}

/// What a run measured: each route in turn, or the soak's mix.
enum Outcome {
    Measured(Vec<Measured>, u64),
    Soaked(soak::Soaked),
}

/// Prints and saves the soak's report; an error when anything went wrong.
fn report_soak(args: &Args, soaked: &soak::Soaked) -> anyhow::Result<()> {
    let seconds = args.soak.unwrap_or_default();
    let table = soaked.markdown(&args.database, args.concurrency, seconds);
    println!("{table}");
    std::fs::write(args.out.join(format!("soak-{}.md", args.database)), &table)?;
    anyhow::ensure!(
        soaked.wrong.is_empty(),
        "{} requests got a wrong answer",
        soaked.wrong.len()
    );
    anyhow::ensure!(soaked.memory_flat(), "the server's memory kept growing");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)?;
    let lantoa = lantoa_binary()?;
    if args.crash {
        let seed = args
            .seed
            .unwrap_or_else(|| chrono::Utc::now().timestamp_micros().unsigned_abs());
        return crash::run(crash::Options {
            lantoa: &lantoa,
            database: &args.database,
            postgres: &args.postgres,
            out: &args.out,
            kills: args.kills,
            seed,
        })
        .await;
    }
    let url = dataset(&args, &lantoa).await?;
    let (username, password) = bench_account(&lantoa, &url)?;
    let routes = routes(&url, &args.scale).await?;

    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let log = std::fs::File::create(args.out.join("server.log"))?;
    let mut server = Command::new(&lantoa)
        .args(["serve", "--database-url", &url, "--bind", &addr.to_string()])
        // The soak's citizens nominate from addresses of their own behind this "proxy".
        .args(["--trusted-proxies", "127.0.0.1"])
        .env("RUST_LOG", "warn")
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    let outcome = async {
        load::wait_ready(addr).await?;
        let mut target = Target {
            addr,
            cookie: String::new(),
            pid: server.id(),
        };
        target.cookie = load::sign_in(&target, &username, &password).await?;
        if let Some(seconds) = args.soak {
            let soaked = soak::run(
                &target,
                &url,
                &routes,
                (&username, &password),
                args.concurrency,
                seconds,
            )
            .await?;
            return anyhow::Ok(Outcome::Soaked(soaked));
        }
        // Secretaries save attendance while the top dashboard counts its figures for the
        // first time (a fresh dataset: the load forgot every count).
        let (top, attendance) = (&routes[2], &routes[routes.len() - 1]);
        let during = load::run_while(&target, attendance, top).await?;
        eprintln!(
            "{}: first count {:.0} ms, p50 {:.2} ms, p99 {:.2} ms, {} failures",
            during.name, during.first_ms, during.p50_ms, during.p99_ms, during.failures
        );
        let mut results = vec![during];
        for route in &routes {
            let measured = load::run(&target, route, args.concurrency, args.seconds).await?;
            eprintln!(
                "{}: p50 {:.2} ms, {:.0} req/s",
                measured.name, measured.p50_ms, measured.per_second
            );
            results.push(measured);
        }
        anyhow::Ok(Outcome::Measured(results, load::memory_kb(target.pid).1))
    }
    .await;
    server.kill().ok();
    server.wait().ok();
    let (results, peak_kb) = match outcome? {
        Outcome::Measured(results, peak_kb) => (results, peak_kb),
        Outcome::Soaked(soaked) => return report_soak(&args, &soaked),
    };
    let floor = results
        .iter()
        .find(|r| r.name == STATIC_FILE)
        .map_or(0.0, |r| r.p50_ms);
    let peak_mb = peak_kb as f64 / 1024.0;
    let table = markdown(&args, &results, floor, peak_mb);
    println!("{table}");
    std::fs::write(args.out.join("results.md"), &table)?;
    std::fs::write(
        args.out.join("results.json"),
        serde_json::to_string_pretty(&serde_json::json!({
            "scale": args.scale,
            "database": args.database,
            "concurrency": args.concurrency,
            "seconds": args.seconds,
            "date": chrono::Local::now().to_rfc3339(),
            "peak_rss_mb": peak_mb,
            "routes": results,
        }))?,
    )?;
    Ok(())
}
