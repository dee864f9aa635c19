//! The crash test (`lantoa-bench --crash [--kills 50] --database sqlite|postgres`): the
//! real server of this build, on a fresh copy of the demo city, is killed with SIGKILL at
//! random moments while secretaries save attendance, a reviewer approves plans, staff
//! import people and leaders have reports written, and is started again each time. Then it
//! checks that the database passes its own integrity check, that every write the server
//! acknowledged is there (and every unanswered one is there whole or not at all), that
//! every job ended — done, or failed with a reason — with no import half written and no
//! report file cut short, that no request got a 5xx, and that `lantoa check counters`
//! finds every kept figure exact. Exit 1 with the list of what was wrong.

use crate::load::{self, Answer, Body, Route, Sender, Target};
use anyhow::Context;
use hyper::{Method, StatusCode};
use lantoa_store::synth::Rng;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// People in each roster save, and in each imported file.
const MARKED: usize = 20;
const IMPORTED: usize = 30;
/// Seconds a killed server's job stays "running" before the next server takes it over
/// (`serve --job-takeover-seconds`; two minutes in production).
const TAKEOVER_SECONDS: &str = "3";
/// The year whose sessions, plans and report the test works on (the demo's full year).
const YEAR: i32 = 2024;
const STATUSES: [&str; 3] = ["co_mat", "vang", "vang_co_ly_do"];

/// What the crash test needs from the command line.
pub struct Options<'a> {
    pub lantoa: &'a Path,
    /// `sqlite` or `postgres`.
    pub database: &'a str,
    /// The PostgreSQL server, for `postgres`.
    pub postgres: &'a str,
    pub out: &'a Path,
    pub kills: usize,
    pub seed: u64,
}

/// The server process, killed and started again.
struct Server {
    lantoa: PathBuf,
    url: String,
    addr: SocketAddr,
    log: PathBuf,
    child: Option<Child>,
}

impl Server {
    fn start(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        self.child = Some(
            Command::new(&self.lantoa)
                .args(["serve", "--database-url", &self.url, "--bind"])
                .arg(self.addr.to_string())
                .args(["--job-takeover-seconds", TAKEOVER_SECONDS])
                .env("RUST_LOG", "warn")
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()?,
        );
        Ok(())
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// What became of a write: answered as expected, or sent without an answer because the
/// server died (it may or may not have happened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Acknowledged,
    Unanswered,
}

/// One worker's writes and what the server said to them.
#[derive(Debug, Default)]
struct Ledger {
    /// Attendance: each session's rounds of marks, in order, with their fate.
    rounds: Vec<(i64, u64, Fate)>,
    /// Plans approved (or sent for approval without an answer).
    plans: Vec<(i64, Fate)>,
    /// Files imported, by file name: the citizen IDs they hold.
    imports: Vec<(String, Vec<String>, Fate)>,
    /// Report jobs acknowledged.
    reports: Vec<(i64, Fate)>,
    /// Answers no write should get (a 5xx, a refusal).
    wrong: Vec<String>,
}

/// Sends a write, reconnecting when the server is gone: the answer, or `None` when the
/// connection broke before one came (the server was killed).
async fn write(connection: &mut Option<Sender>, target: &Target, route: &Route) -> Option<Answer> {
    if connection.is_none() {
        *connection = load::connect(target.addr).await.ok();
    }
    let sender = connection.as_mut()?;
    match load::send(sender, target, route).await {
        Ok(answer) => Some(answer),
        Err(_) => {
            *connection = None;
            None
        }
    }
}

fn post(path: String, body: Body) -> Route {
    Route {
        name: path.clone(),
        method: Method::POST,
        path,
        body: Some(body),
        headers: Vec::new(),
        expect: StatusCode::SEE_OTHER,
        target_ms: None,
        pending: None,
    }
}

/// Records an answer: acknowledged when it has the route's status; anything else is wrong.
fn fate(ledger: &mut Ledger, route: &Route, answer: Option<&Answer>) -> Option<Fate> {
    match answer {
        None => Some(Fate::Unanswered),
        Some(a) if a.status == route.expect => Some(Fate::Acknowledged),
        Some(a) => {
            let text = String::from_utf8_lossy(&a.body);
            ledger.wrong.push(format!(
                "{} answered {}: {}",
                route.path,
                a.status,
                text.chars().take(300).collect::<String>()
            ));
            None
        }
    }
}

/// The marks of round `round` for a roster: each person's status drawn from the round.
fn marks(seed: u64, round: u64, people: &[i64]) -> Vec<(i64, &'static str)> {
    let mut dice = Rng::new(seed ^ round.wrapping_mul(0x100_0193));
    people.iter().map(|&p| (p, *dice.pick(&STATUSES))).collect()
}

/// A secretary saving a session's roster again and again, each time with other marks.
async fn save_attendance(
    target: Target,
    stop: Arc<AtomicBool>,
    seed: u64,
    session: i64,
    people: Vec<i64>,
) -> anyhow::Result<Ledger> {
    let mut ledger = Ledger::default();
    let mut connection = None;
    let mut round = 0;
    while !stop.load(Ordering::Relaxed) {
        round += 1;
        let form = marks(seed, round, &people)
            .iter()
            .map(|(p, s)| format!("m_{p}={s}"))
            .collect::<Vec<_>>()
            .join("&");
        let route = post(
            format!("/quan-ly/hoc-tap/buoi/{session}/diem-danh"),
            Body::form(form),
        );
        let answer = write(&mut connection, &target, &route).await;
        if let Some(f) = fate(&mut ledger, &route, answer.as_ref()) {
            ledger.rounds.push((session, round, f));
        }
        if answer.is_none() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    Ok(ledger)
}

/// A reviewer approving submitted plans one after another.
async fn approve_plans(
    target: Target,
    stop: Arc<AtomicBool>,
    plans: Vec<i64>,
) -> anyhow::Result<Ledger> {
    let mut ledger = Ledger::default();
    let mut connection = None;
    for plan in plans {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let route = post(
            format!("/quan-ly/ke-hoach/{plan}/buoc"),
            Body::form("step=duyet&comment=%C4%90%E1%BA%A1t"),
        );
        let answer = write(&mut connection, &target, &route).await;
        if let Some(f) = fate(&mut ledger, &route, answer.as_ref()) {
            ledger.plans.push((plan, f));
        }
        tokio::time::sleep(Duration::from_millis(if answer.is_none() {
            50
        } else {
            20
        }))
        .await;
    }
    Ok(ledger)
}

/// A file of `IMPORTED` new people for cell `cell`: its bytes and their citizen IDs (made
/// unique per round, with a province code the demo does not use).
fn people_file(seed: u64, round: u64, cell: &str) -> anyhow::Result<(Vec<u8>, Vec<String>)> {
    let mut maker = lantoa_store::synth::PeopleMaker::new(seed ^ round, lantoa_web::today());
    let mut rows = Vec::with_capacity(IMPORTED);
    let mut ids = Vec::with_capacity(IMPORTED);
    for i in 0..IMPORTED as u64 {
        let mut draft = maker.person(
            lantoa_store::synth::Population::Residents,
            cell,
            None,
            false,
        );
        // Each person of the run is born on a day of their own: the import takes a row with
        // the name, birth date and unit of someone already there for that person, and two
        // files of made-up names did share one (a run counted "29 of its 30 people").
        let n = round * IMPORTED as u64 + i;
        let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1)
            .context("a fixed date")?
            .checked_add_days(chrono::Days::new(n % 18_000))
            .context("a birth date")?;
        draft.birth_date = Some(birth);
        let female = draft.gender == Some(lantoa_domain::people::Gender::Female);
        use chrono::Datelike;
        let century = if birth.year() >= 2000 { 2 } else { 0 } + u64::from(female);
        let id = format!("001{century}{:02}{:06}", birth.year() % 100, n % 1_000_000);
        draft.citizen_id = Some(id.clone());
        ids.push(id);
        rows.push(draft.to_input());
    }
    Ok((lantoa_office::export::people_csv(&rows)?, ids))
}

/// Staff uploading people files, one every half second.
async fn import_people(
    target: Target,
    stop: Arc<AtomicBool>,
    seed: u64,
    cell: String,
) -> anyhow::Result<Ledger> {
    let mut ledger = Ledger::default();
    let mut connection = None;
    let mut round = 0;
    while !stop.load(Ordering::Relaxed) {
        round += 1;
        let (bytes, ids) = people_file(seed, round, &cell)?;
        let name = format!("nhap-{round}.csv");
        let route = post(
            "/quan-ly/nhap-du-lieu".into(),
            Body::multipart(&[("kind", "people")], ("file", &name, &bytes)),
        );
        let answer = write(&mut connection, &target, &route).await;
        if let Some(f) = fate(&mut ledger, &route, answer.as_ref()) {
            ledger.imports.push((name, ids, f));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(ledger)
}

/// A leader having the year's statistics workbook written, one every second.
async fn write_reports(target: Target, stop: Arc<AtomicBool>) -> anyhow::Result<Ledger> {
    let mut ledger = Ledger::default();
    let mut connection = None;
    while !stop.load(Ordering::Relaxed) {
        let route = post(
            format!("/quan-ly/bao-cao/lap?ky={YEAR}"),
            Body::form("tep=xlsx"),
        );
        let answer = write(&mut connection, &target, &route).await;
        if let Some(f) = fate(&mut ledger, &route, answer.as_ref()) {
            let job = answer
                .as_ref()
                .and_then(|a| a.location.as_deref())
                .and_then(|l| l.rsplit('/').next())
                .and_then(|id| id.parse().ok());
            if let Some(job) = job {
                ledger.reports.push((job, f));
            }
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    Ok(ledger)
}

#[derive(Debug, FromQueryResult)]
struct Pair {
    a: i64,
    b: i64,
}

#[derive(Debug, FromQueryResult)]
struct Mark {
    person_id: i64,
    status: String,
}

#[derive(Debug, FromQueryResult)]
struct JobRow {
    id: i64,
    kind: String,
    state: String,
    input_name: Option<String>,
    error: Option<String>,
}

#[derive(Debug, FromQueryResult)]
struct Text {
    value: String,
}

async fn query<T: FromQueryResult>(
    db: &sea_orm::DatabaseConnection,
    sql: &str,
) -> anyhow::Result<Vec<T>> {
    let backend = db.get_database_backend();
    Ok(
        T::find_by_statement(Statement::from_string(backend, sql.to_owned()))
            .all(db)
            .await?,
    )
}

/// A fresh database holding the demo city, and its URL.
async fn fresh_database(options: &Options<'_>) -> anyhow::Result<String> {
    match options.database {
        "sqlite" => {
            let dir = options.out.join("crash");
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir)?;
            Ok(format!("sqlite://{}", dir.join("crash.db").display()))
        }
        "postgres" => {
            let server = lantoa_store::Store::connect(&format!("{}/postgres", options.postgres))
                .await
                .context("PostgreSQL is not reachable")?;
            server
                .db()
                .execute_unprepared("DROP DATABASE IF EXISTS lantoa_crash WITH (FORCE)")
                .await?;
            server
                .db()
                .execute_unprepared("CREATE DATABASE lantoa_crash")
                .await?;
            Ok(format!("{}/lantoa_crash", options.postgres))
        }
        other => anyhow::bail!("--database {other}: sqlite or postgres"),
    }
}

/// Runs the crash test; an error lists what was wrong.
pub async fn run(options: Options<'_>) -> anyhow::Result<()> {
    let url = fresh_database(&options).await?;
    let demo = Command::new(options.lantoa)
        .args(["demo", "--database-url", &url])
        .stdout(Stdio::null())
        .status()?;
    anyhow::ensure!(demo.success(), "lantoa demo failed: {demo}");
    let (username, password) = crate::bench_account(options.lantoa, &url)?;
    let store = lantoa_store::Store::connect(&url).await?;
    let db = store.db().clone();

    // Two sessions of the year with full rosters, the submitted plans, a cell to import into.
    let sessions: Vec<Pair> = query(
        &db,
        &format!(
            "SELECT s.id AS a, CAST(COUNT(*) AS BIGINT) AS b FROM study_sessions s \
             JOIN campaign_years y ON y.id = s.year_id JOIN attendance a ON a.session_id = s.id \
             WHERE y.year = {YEAR} GROUP BY s.id HAVING COUNT(*) >= {MARKED} \
             ORDER BY s.id LIMIT 2"
        ),
    )
    .await?;
    anyhow::ensure!(sessions.len() == 2, "the demo has no two full sessions");
    let mut rosters = Vec::new();
    for session in &sessions {
        let people: Vec<Pair> = query(
            &db,
            &format!(
                "SELECT person_id AS a, session_id AS b FROM attendance WHERE session_id = {} \
                 ORDER BY person_id LIMIT {MARKED}",
                session.a
            ),
        )
        .await?;
        rosters.push((
            session.a,
            people.into_iter().map(|p| p.a).collect::<Vec<_>>(),
        ));
    }
    let plans: Vec<Pair> = query(
        &db,
        "SELECT id AS a, id AS b FROM plans WHERE state = 'da_nop' ORDER BY id",
    )
    .await?;
    let cell: Vec<Text> = query(
        &db,
        "SELECT code AS value FROM orgs WHERE kind = 'chi_bo_truc_thuoc' ORDER BY id LIMIT 1",
    )
    .await?;
    let cell = cell.first().context("the demo has no cell")?.value.clone();

    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut server = Server {
        lantoa: options.lantoa.to_owned(),
        url: url.clone(),
        addr,
        log: options.out.join(format!("crash-{}.log", options.database)),
        child: None,
    };
    let _ = std::fs::remove_file(&server.log);
    server.start()?;
    load::wait_ready(addr).await?;
    let mut target = Target {
        addr,
        cookie: String::new(),
        pid: 0,
    };
    target.cookie = load::sign_in(&target, &username, &password).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for (session, people) in rosters.clone() {
        writers.push(tokio::spawn(save_attendance(
            target.clone(),
            stop.clone(),
            options.seed,
            session,
            people,
        )));
    }
    writers.push(tokio::spawn(approve_plans(
        target.clone(),
        stop.clone(),
        plans.iter().map(|p| p.a).collect(),
    )));
    writers.push(tokio::spawn(import_people(
        target.clone(),
        stop.clone(),
        options.seed,
        cell,
    )));
    writers.push(tokio::spawn(write_reports(target.clone(), stop.clone())));

    // The kills: each after a random time up to 2,5 s of serving.
    let mut dice = Rng::new(options.seed);
    let started = Instant::now();
    for kill in 1..=options.kills {
        tokio::time::sleep(Duration::from_millis(dice.between(50, 2500) as u64)).await;
        server.kill()?;
        server.start()?;
        load::wait_ready(addr)
            .await
            .with_context(|| format!("the server did not come back after kill {kill}"))?;
        if kill % 10 == 0 {
            eprintln!(
                "{kill}/{} lần dừng đột ngột ({:.0} s)",
                options.kills,
                started.elapsed().as_secs_f64()
            );
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let mut ledger = Ledger::default();
    for writer in writers {
        let part = writer.await??;
        ledger.rounds.extend(part.rounds);
        ledger.plans.extend(part.plans);
        ledger.imports.extend(part.imports);
        ledger.reports.extend(part.reports);
        ledger.wrong.extend(part.wrong);
    }

    // Interrupted jobs are taken over by the running server: wait until every one ended.
    let waited = Instant::now();
    loop {
        let open: Vec<Pair> = query(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) AS a, CAST(0 AS BIGINT) AS b FROM jobs \
             WHERE state IN ('queued', 'running')",
        )
        .await?;
        if open.first().is_none_or(|p| p.a == 0) {
            break;
        }
        anyhow::ensure!(
            waited.elapsed() < Duration::from_secs(300),
            "{} jobs still unfinished after 5 minutes",
            open[0].a
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    server.kill()?;

    let mut problems = ledger.wrong.clone();
    problems.extend(integrity(&db).await?);
    problems.extend(check_attendance(&db, options.seed, &rosters, &ledger).await?);
    problems.extend(check_plans(&db, &ledger).await?);
    let jobs = check_jobs(&db, &ledger).await?;
    problems.extend(jobs.problems);
    let counters = Command::new(options.lantoa)
        .args(["check", "counters", "--database-url", &url])
        .stdout(Stdio::null())
        .status()?;
    if !counters.success() {
        problems.push(format!(
            "lantoa check counters found differences ({counters})"
        ));
    }

    let count =
        |fate: Fate, items: &mut dyn Iterator<Item = Fate>| items.filter(|f| *f == fate).count();
    println!(
        "Crash test, {}, seed {}: {} kills in {:.0} s.\n\
         - attendance saves: {} acknowledged, {} unanswered\n\
         - plan approvals: {} acknowledged, {} unanswered\n\
         - imports of {IMPORTED} people: {} acknowledged, {} unanswered\n\
         - reports: {} acknowledged\n\
         - jobs: {} done, {} failed with a reason, {} run more than once\n\
         - integrity check, acknowledged writes, jobs, counters: {}",
        options.database,
        options.seed,
        options.kills,
        started.elapsed().as_secs_f64(),
        count(Fate::Acknowledged, &mut ledger.rounds.iter().map(|r| r.2)),
        count(Fate::Unanswered, &mut ledger.rounds.iter().map(|r| r.2)),
        count(Fate::Acknowledged, &mut ledger.plans.iter().map(|r| r.1)),
        count(Fate::Unanswered, &mut ledger.plans.iter().map(|r| r.1)),
        count(Fate::Acknowledged, &mut ledger.imports.iter().map(|r| r.2)),
        count(Fate::Unanswered, &mut ledger.imports.iter().map(|r| r.2)),
        count(Fate::Acknowledged, &mut ledger.reports.iter().map(|r| r.1)),
        jobs.done,
        jobs.failed,
        jobs.retried,
        if problems.is_empty() {
            "all correct".to_owned()
        } else {
            format!("{} problems", problems.len())
        }
    );
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("- {problem}");
        }
        anyhow::bail!("the crash test found {} problems", problems.len());
    }
    Ok(())
}

/// The database's own check: SQLite's `integrity_check` and `foreign_key_check`;
/// PostgreSQL's `amcheck` over every B-tree index of the schema (heap included).
async fn integrity(db: &sea_orm::DatabaseConnection) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let result: Vec<Text> = query(
                db,
                "SELECT integrity_check AS value FROM pragma_integrity_check",
            )
            .await?;
            if result.len() != 1 || result[0].value != "ok" {
                problems.extend(
                    result
                        .into_iter()
                        .map(|r| format!("integrity_check: {}", r.value)),
                );
            }
            let orphans: Vec<Text> = query(
                db,
                "SELECT \"table\" || ' → ' || parent AS value FROM pragma_foreign_key_check",
            )
            .await?;
            problems.extend(
                orphans
                    .into_iter()
                    .map(|r| format!("foreign key: {}", r.value)),
            );
        }
        _ => {
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS amcheck")
                .await?;
            let checked: Vec<Text> = query(
                db,
                "SELECT c.relname || ': ' || CAST(bt_index_check(c.oid, true) AS TEXT) AS value \
                 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE a.amname = 'btree' AND n.nspname = current_schema() AND c.relpersistence = 'p'",
            )
            .await
            .map_err(|e| anyhow::anyhow!("amcheck: {e}"))?;
            anyhow::ensure!(!checked.is_empty(), "amcheck checked no index");
        }
    }
    Ok(problems)
}

/// Each session holds the marks of its last acknowledged save, or of a later unanswered one.
async fn check_attendance(
    db: &sea_orm::DatabaseConnection,
    seed: u64,
    rosters: &[(i64, Vec<i64>)],
    ledger: &Ledger,
) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    for (session, people) in rosters {
        let rounds: Vec<(u64, Fate)> = ledger
            .rounds
            .iter()
            .filter(|r| r.0 == *session)
            .map(|r| (r.1, r.2))
            .collect();
        let saved: Vec<Mark> = query(
            db,
            &format!("SELECT person_id, status FROM attendance WHERE session_id = {session}"),
        )
        .await?;
        let saved: HashMap<i64, String> =
            saved.into_iter().map(|m| (m.person_id, m.status)).collect();
        // Nothing acknowledged, nothing promised.
        let Some(last) = rounds.iter().rposition(|r| r.1 == Fate::Acknowledged) else {
            continue;
        };
        // Every save after the last acknowledged one went unanswered: any may have landed.
        let matches = |round: u64| {
            marks(seed, round, people)
                .iter()
                .all(|(p, s)| saved.get(p).map(String::as_str) == Some(*s))
        };
        if !rounds[last..].iter().any(|r| matches(r.0)) {
            problems.push(format!(
                "session {session}: the marks are neither those of its last acknowledged save \
                 (round {}) nor of a later unanswered one",
                rounds[last].0
            ));
        }
    }
    Ok(problems)
}

/// Every acknowledged approval is there.
async fn check_plans(
    db: &sea_orm::DatabaseConnection,
    ledger: &Ledger,
) -> anyhow::Result<Vec<String>> {
    let states: Vec<Pair> = query(
        db,
        "SELECT id AS a, CAST(CASE WHEN state = 'da_nop' THEN 0 ELSE 1 END AS BIGINT) AS b FROM plans",
    )
    .await?;
    let moved: HashMap<i64, bool> = states.into_iter().map(|p| (p.a, p.b == 1)).collect();
    Ok(ledger
        .plans
        .iter()
        .filter(|(plan, fate)| *fate == Fate::Acknowledged && moved.get(plan) != Some(&true))
        .map(|(plan, _)| format!("plan {plan}: approval acknowledged but not saved"))
        .collect())
}

/// What the jobs came to.
struct JobsChecked {
    done: usize,
    failed: usize,
    retried: usize,
    problems: Vec<String>,
}

/// Every job ended; a failed one says why; an import is there whole (done) or whole or not at
/// all (failed); a done report's workbook is a complete file; every acknowledged upload and
/// report has its job.
async fn check_jobs(
    db: &sea_orm::DatabaseConnection,
    ledger: &Ledger,
) -> anyhow::Result<JobsChecked> {
    let jobs: Vec<JobRow> = query(
        db,
        "SELECT id, kind, state, input_name, error FROM jobs ORDER BY id",
    )
    .await?;
    let retried: Vec<Pair> = query(
        db,
        "SELECT CAST(COUNT(*) AS BIGINT) AS a, CAST(0 AS BIGINT) AS b FROM jobs WHERE attempts > 1",
    )
    .await?;
    let present: Vec<Text> = query(
        db,
        "SELECT citizen_id AS value FROM people WHERE citizen_id LIKE '001%'",
    )
    .await?;
    let present: std::collections::HashSet<String> = present.into_iter().map(|t| t.value).collect();
    let files: BTreeMap<&str, &Vec<String>> = ledger
        .imports
        .iter()
        .map(|(name, ids, _)| (name.as_str(), ids))
        .collect();
    let mut checked = JobsChecked {
        done: 0,
        failed: 0,
        retried: retried.first().map_or(0, |p| p.a as usize),
        problems: Vec::new(),
    };
    for job in &jobs {
        match job.state.as_str() {
            "done" => checked.done += 1,
            "failed" if job.error.as_deref().is_some_and(|e| !e.trim().is_empty()) => {
                checked.failed += 1
            }
            other => checked.problems.push(format!(
                "job {} ({}) ended {other} without a reason",
                job.id, job.kind
            )),
        }
        if job.kind == "import_people" {
            let name = job.input_name.as_deref().unwrap_or_default();
            let Some(ids) = files.get(name) else {
                checked.problems.push(format!(
                    "job {}: an import of a file never sent ({name})",
                    job.id
                ));
                continue;
            };
            let there = ids.iter().filter(|id| present.contains(*id)).count();
            let whole = match job.state.as_str() {
                "done" => there == ids.len(),
                _ => there == 0 || there == ids.len(),
            };
            if !whole {
                checked.problems.push(format!(
                    "job {} ({name}, {}): {there} of its {} people are there",
                    job.id,
                    job.state,
                    ids.len()
                ));
            }
        }
        if job.kind == lantoa_web::report::JOB_KIND && job.state == "done" {
            let output = lantoa_store::jobs::output(db, lantoa_domain::JobId(job.id)).await?;
            if !complete_zip(&output) {
                checked.problems.push(format!(
                    "report job {}: its workbook is not a complete file ({} bytes)",
                    job.id,
                    output.len()
                ));
            }
        }
    }
    let by_name: std::collections::HashSet<&str> = jobs
        .iter()
        .filter_map(|j| j.input_name.as_deref())
        .collect();
    for (name, _, fate) in &ledger.imports {
        if *fate == Fate::Acknowledged && !by_name.contains(name.as_str()) {
            checked
                .problems
                .push(format!("upload {name}: acknowledged but no job"));
        }
    }
    let ids: std::collections::HashSet<i64> = jobs.iter().map(|j| j.id).collect();
    for (id, _) in &ledger.reports {
        if !ids.contains(id) {
            checked
                .problems
                .push(format!("report job {id}: acknowledged but not there"));
        }
    }
    Ok(checked)
}

/// Whether bytes are a whole ZIP archive (an XLSX): it starts with a local file header and
/// ends with the end-of-central-directory record.
fn complete_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && bytes.len() >= 22
        && bytes[bytes.len().saturating_sub(22 + 65_535)..]
            .windows(4)
            .any(|w| w == b"PK\x05\x06")
}
