//! Roll-ups: the counts a dashboard sums (members who studied, plans by stage, sessions by
//! format, lượt by audience…), kept per unit and per subtree so that a page about a unit
//! reads its own row and its children's rows instead of every row below it. A dashboard of
//! the whole Party then costs what its direct children cost, not 5,6 million members.
//!
//! - A **key** names one figure: a measure, a campaign year, the cut of the year and, for
//!   figures over people, the reference day whose stays count ([`Key`]).
//! - Each unit has **own** counts (its own members' and records') and **tree** counts (its
//!   own plus its children's tree counts), one row per code, zero rows left out.
//! - Triggers (migration `m0027_rollups`) mark every unit a write touches as **pending**,
//!   in the writing transaction, with a number from one clock.
//! - Before a key is read, pending units are counted again for every kept key, then their
//!   ancestors' tree counts, deepest first; only the marks counted are cleared, so a write
//!   that lands meanwhile stays pending. A key read for the first time is counted for every
//!   unit a thousand units at a time, each step a short transaction, then summed level by
//!   level; it is kept from its first step, so refreshes between steps keep the units
//!   already counted exact. Refreshes and steps take turns (an advisory lock on
//!   PostgreSQL; SQLite's writers take turns anyway).
//! - [`check`] counts every kept key again from the base rows and lists the differences:
//!   `lantoa check counters`.
//!
//! The cost of a refresh is that of the changed units' own rows plus a few statements per
//! level of the tree, whatever the size of the tree.

use crate::campaign::Until;
use crate::coverage::Tally;
use crate::{StoreError, Writer, sql};
use chrono::{Days, NaiveDate};
use lantoa_domain::OrgId;
use lantoa_domain::people::Categories;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Value};
use std::collections::{BTreeMap, HashMap};

/// Counts by code (a format, an audience, "eligible", "met0"…); a missing code is zero.
pub type Counts = HashMap<String, i64>;

/// Units' own counts as an area counts them: `(unit id, code, n)`; a code may repeat for a
/// unit (its rows are summed).
pub(crate) type OwnRows = Vec<(i64, String, i64)>;

/// What a roll-up counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    /// Party members on the reference day, and those present at a session of the year.
    Studied,
    /// People who must have a plan, and how many reached each stage.
    Plans(Categories),
    /// Sessions organised, by format.
    Sessions,
    /// Lượt counted at sessions organised, by audience.
    Counted,
    /// Propaganda activities by month ("m1"…"m12"), how many were documents, and by channel
    /// with their quantity and reach.
    Propaganda,
    /// Nominations of exemplary people by state, category and source, and the decided ones
    /// by days from nomination to decision.
    Exemplars,
    /// Commendation decisions by their issuing unit, and their recipients by form, kind and
    /// category.
    Commendations,
    /// Leaders, and how many had their plan approved.
    Leaders,
    /// Units ("units", one each) and people ("people", wherever their record is): the size
    /// of each subtree, whatever the year (its keys have year 0).
    Sizes,
    /// Models by sector, category and unit kind, replications, and grassroots units with a
    /// model in their subtree (a grassroots unit's own row depends on its subtree, so a
    /// refresh counts the own rows of every unit above a change too).
    Models,
}

impl Measure {
    fn text(self) -> String {
        match self {
            Measure::Studied => "studied".into(),
            Measure::Plans(required) => format!("plans-{}", required.bits()),
            Measure::Sessions => "sessions".into(),
            Measure::Counted => "counted".into(),
            Measure::Propaganda => "propaganda".into(),
            Measure::Leaders => "leaders".into(),
            Measure::Models => "models".into(),
            Measure::Exemplars => "exemplars".into(),
            Measure::Commendations => "commendations".into(),
            Measure::Sizes => "sizes".into(),
        }
    }

    /// What it counts, in words, for the page that shows a first count's progress.
    fn label(self) -> &'static str {
        match self {
            Measure::Studied => "Đảng viên học tập chuyên đề",
            Measure::Plans(_) => "Kế hoạch làm theo",
            Measure::Sessions => "Buổi học tập",
            Measure::Counted => "Lượt người học tập",
            Measure::Propaganda => "Hoạt động tuyên truyền",
            Measure::Leaders => "Kế hoạch của cán bộ chủ chốt",
            Measure::Models => "Mô hình",
            Measure::Exemplars => "Gương điển hình",
            Measure::Commendations => "Khen thưởng",
            Measure::Sizes => "Số đơn vị và nhân sự",
        }
    }

    fn parse(text: &str) -> Option<Measure> {
        match text {
            "studied" => Some(Measure::Studied),
            "sessions" => Some(Measure::Sessions),
            "counted" => Some(Measure::Counted),
            "propaganda" => Some(Measure::Propaganda),
            "leaders" => Some(Measure::Leaders),
            "models" => Some(Measure::Models),
            "exemplars" => Some(Measure::Exemplars),
            "commendations" => Some(Measure::Commendations),
            "sizes" => Some(Measure::Sizes),
            _ => text
                .strip_prefix("plans-")?
                .parse()
                .ok()
                .map(|bits| Measure::Plans(Categories::from_bits(bits))),
        }
    }
}

/// One figure: a measure of a campaign year up to a cut, on a reference day when it counts
/// people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    pub measure: Measure,
    pub year_id: i64,
    pub until: Until,
    pub day: Option<NaiveDate>,
}

impl Key {
    /// A figure over records (sessions, activities, models…): no reference day.
    pub(crate) fn of(measure: Measure, year_id: i64, until: Until) -> Key {
        Key {
            measure,
            year_id,
            until,
            day: None,
        }
    }

    /// The same figure over the people whose stays hold on `day`.
    pub(crate) fn on(self, day: NaiveDate) -> Key {
        Key {
            day: Some(day),
            ..self
        }
    }

    /// "studied/3/2024-06-30/2024-06-30": how the key is stored.
    fn text(&self) -> String {
        let date = |d: Option<NaiveDate>| d.map_or("-".to_owned(), |d| d.to_string());
        format!(
            "{}/{}/{}/{}",
            self.measure.text(),
            self.year_id,
            date(self.until.cut()),
            date(self.day)
        )
    }

    fn parse(text: &str) -> Option<Key> {
        let mut parts = text.split('/');
        let measure = Measure::parse(parts.next()?)?;
        let year_id = parts.next()?.parse().ok()?;
        let mut date = || -> Option<Option<NaiveDate>> {
            match parts.next()? {
                "-" => Some(None),
                d => d.parse().ok().map(Some),
            }
        };
        let until = Until::day(date()?);
        let day = date()?;
        Some(Key {
            measure,
            year_id,
            until,
            day,
        })
    }

    /// Each unit's own counts, for the units `units`.
    async fn own<C: ConnectionTrait>(
        &self,
        conn: &C,
        units: Units<'_>,
    ) -> Result<OwnRows, StoreError> {
        let day = self.day.unwrap_or_default();
        match self.measure {
            Measure::Studied => Ok(tallies(
                crate::study::own_coverage(conn, units, self.year_id, day, self.until).await?,
            )),
            Measure::Plans(required) => Ok(tallies(
                crate::plans::own_coverage(conn, units, self.year_id, day, required, self.until)
                    .await?,
            )),
            Measure::Sessions => {
                crate::study::own_sessions_by_format(conn, units, self.year_id, self.until).await
            }
            Measure::Counted => {
                crate::study::own_counted(conn, units, self.year_id, self.until).await
            }
            Measure::Propaganda => {
                crate::propaganda::own_regularity(conn, units, self.year_id, self.until).await
            }
            Measure::Leaders => {
                crate::plans::own_leaders(conn, units, self.year_id, self.until).await
            }
            Measure::Models => {
                crate::models::own_figures(conn, units, self.year_id, self.until).await
            }
            Measure::Exemplars => {
                crate::exemplars::own_figures(conn, units, self.year_id, self.until).await
            }
            Measure::Commendations => {
                crate::commendations::own_figures(conn, units, self.year_id, self.until).await
            }
            Measure::Sizes => crate::org::own_sizes(conn, units).await,
        }
    }
}

/// Tallies as rows of codes: "eligible", then "met0", "met1"… for each condition.
fn tallies(rows: Vec<(i64, Tally)>) -> OwnRows {
    let mut out = Vec::new();
    for (org, tally) in rows {
        out.push((org, "eligible".to_owned(), tally.eligible));
        for (i, n) in tally.met.iter().enumerate() {
            out.push((org, format!("met{i}"), *n));
        }
    }
    out
}

/// The count of `code`: zero when the roll-ups hold no row of it.
pub(crate) fn n(counts: &Counts, code: &str) -> i64 {
    counts.get(code).copied().unwrap_or(0)
}

/// Counts read back as a tally of `conditions` conditions.
pub(crate) fn as_tally(counts: &Counts, conditions: usize) -> Tally {
    Tally {
        eligible: n(counts, "eligible"),
        met: (0..conditions)
            .map(|i| n(counts, &format!("met{i}")))
            .collect(),
    }
}

/// The units an own count is limited to: `" AND {column} IN (1, 2, …)"`, a range of ids, or
/// nothing for every unit. The ids are numbers read from the database, written into the
/// statement so that it can keep its other numbered placeholders.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Units<'a> {
    /// Every unit.
    All,
    /// These units.
    Only(&'a [i64]),
    /// The units whose id is after the first and not after the second.
    Between(i64, i64),
}

impl Units<'_> {
    pub(crate) fn only(&self, column: &str) -> String {
        match self {
            Units::All => String::new(),
            Units::Only([]) => " AND 1 = 0".to_owned(),
            Units::Only(ids) => {
                let list = ids
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(" AND {column} IN ({list})")
            }
            Units::Between(after, last) => {
                format!(" AND {column} > {after} AND {column} <= {last}")
            }
        }
    }
}

/// Units refreshed in one round, and counted in one step of a key's first count.
const BATCH: u64 = 1000;

/// Keys not read for this many days are dropped with their rows.
const KEPT_DAYS: u64 = 7;

/// Where a key stands before it is read.
#[derive(Debug, Clone, Copy, FromQueryResult)]
struct State {
    /// 1 when every unit has been counted for it.
    complete: i64,
    /// 1 when a page has read it today (it is kept [`KEPT_DAYS`] after).
    used_today: i64,
    /// 1 when units are waiting to be counted again.
    pending: i64,
}

/// The kept keys as a page found them at its first figure, and whether units were waiting
/// then: a page reads some forty figures, and asking about each one cost a statement.
#[derive(Debug, Default)]
struct Kept {
    /// Each key's text: whether it is complete, and the day it was last read.
    keys: HashMap<String, (bool, NaiveDate)>,
    /// Whether units marked up to the page's moment are waiting to be counted again.
    pending: bool,
}

impl Kept {
    /// The state of a key complete and read today (no other page drops such a key while
    /// this one reads); none for any other, which is asked on its own.
    fn state(&self, text: &str, today: NaiveDate) -> Option<State> {
        let (complete, used_on) = self.keys.get(text).copied()?;
        (complete && used_on >= today).then_some(State {
            complete: 1,
            used_today: 1,
            pending: i64::from(self.pending),
        })
    }
}

/// 1 when a unit marked up to the clock reading bound at `$n` waits to be counted again.
fn pending_up_to(n: usize) -> String {
    format!(
        "CAST(CASE WHEN (SELECT MIN(version) FROM rollup_pending) <= ${n} THEN 1 ELSE 0 END \
         AS BIGINT)"
    )
}

/// How the figures of a page are being read (see [`at_one_moment`] and [`on_replica`]).
struct Reading {
    /// The clock reading the figures are read as of, once the first is read.
    moment: std::cell::Cell<Option<i64>>,
    /// On a read replica: nothing may be written, so a figure that would need counting
    /// there is not read ([`StoreError::ReplicaBehind`]).
    replica: bool,
    /// The kept keys, once the first figure has been read; brought up to date by each
    /// read ([`ensure`]), which is what its reads rely on.
    kept: std::cell::RefCell<Option<Kept>>,
}

impl Reading {
    /// Before the first read.
    fn new(replica: bool) -> Self {
        Self {
            moment: std::cell::Cell::new(None),
            replica,
            kept: std::cell::RefCell::new(None),
        }
    }
}

tokio::task_local! {
    static READING: Reading;
}

/// Runs `reading` so that every figure it reads is up to date as of its first read: the
/// writes committed before then are counted, and those landing while it reads wait for the
/// next page. A dashboard reads some twenty figures; where secretaries save all the time,
/// bringing every figure up to date again before each read cost the whole refresh twenty
/// times over (seconds at a province). Only for work that reads figures and writes
/// nothing else: its own later writes would not be counted.
pub async fn at_one_moment<F: std::future::Future>(reading: F) -> F::Output {
    READING.scope(Reading::new(false), reading).await
}

/// Runs `reading` on a read replica, where nothing can be written: a figure is read only
/// when it is complete there, read today and with no unit pending (the primary counts
/// pending units as they come, [`refresh_pending`]), otherwise the read fails with
/// [`StoreError::ReplicaBehind`] and the page is read on the primary instead. Figures read
/// in one transaction are then exact as of its snapshot.
pub async fn on_replica<F: std::future::Future>(reading: F) -> F::Output {
    READING.scope(Reading::new(true), reading).await
}

fn on_a_replica() -> bool {
    READING.try_with(|r| r.replica).unwrap_or(false)
}

/// The clock reading up to which pending marks are to be counted before a read: every
/// mark outside [`at_one_moment`]; inside it, those made before its first read.
async fn moment<C: ConnectionTrait>(conn: &C) -> Result<i64, StoreError> {
    let Ok(Some(fixed)) = READING.try_with(|r| (!r.replica).then(|| r.moment.get())) else {
        return Ok(i64::MAX);
    };
    if let Some(fixed) = fixed {
        return Ok(fixed);
    }
    let now = sql::scalar(
        conn,
        match conn.get_database_backend() {
            DbBackend::Postgres => "SELECT last_value AS value FROM rollup_clock",
            _ => "SELECT n AS value FROM rollup_clock",
        },
        vec![],
    )
    .await?;
    READING.with(|r| r.moment.set(Some(now)));
    Ok(now)
}

/// Brings `key` up to date: no statement when nothing has changed since the page's first
/// figure (two for the first), one outside a page's reading.
async fn ensure<C: Writer>(conn: &C, key: &Key) -> Result<(), StoreError> {
    let today = today();
    let text = key.text();
    let up_to = moment(conn).await?;
    let state = state_of(conn, &text, today, up_to).await?;
    if on_a_replica() {
        // Counting would write: the primary does it.
        return if state.complete == 0 || state.used_today == 0 || state.pending > 0 {
            Err(StoreError::ReplicaBehind)
        } else {
            Ok(())
        };
    }
    if state.complete == 0 {
        count_first(conn, key, today).await?;
    }
    if state.complete == 0 || state.pending > 0 {
        refresh_with(conn, today, up_to).await?;
    }
    if state.used_today == 0 {
        sql::exec(
            conn,
            "UPDATE rollup_keys SET used_on = $2 WHERE key = $1",
            vec![text.clone().into(), today.into()],
        )
        .await?;
    }
    // Complete, read today, and nothing marked before the page's moment left waiting.
    let _ = READING.try_with(|r| {
        if let Some(kept) = r.kept.borrow_mut().as_mut() {
            kept.keys.insert(text, (true, today));
            kept.pending = false;
        }
    });
    Ok(())
}

/// Where `key` (its text) stands: within a page's reading, from the kept keys read at its
/// first figure ([`Kept`]); otherwise, or when the key was not complete and read today
/// then, asked on its own.
async fn state_of<C: ConnectionTrait>(
    conn: &C,
    text: &str,
    today: NaiveDate,
    up_to: i64,
) -> Result<State, StoreError> {
    let known = READING.try_with(|r| r.kept.borrow().as_ref().map(|k| k.state(text, today)));
    match known {
        Ok(Some(Some(state))) => return Ok(state),
        Ok(Some(None)) | Err(_) => {}
        Ok(None) => {
            let kept = kept_now(conn, up_to).await?;
            let state = kept.state(text, today);
            READING.with(|r| *r.kept.borrow_mut() = Some(kept));
            if let Some(state) = state {
                return Ok(state);
            }
        }
    }
    Ok(sql::one(
        conn,
        &format!(
            "SELECT (SELECT COUNT(*) FROM rollup_keys WHERE key = $1 AND count_after IS NULL) \
             AS complete, \
             (SELECT COUNT(*) FROM rollup_keys WHERE key = $1 AND used_on >= $2) AS used_today, \
             {} AS pending",
            pending_up_to(3)
        ),
        vec![text.to_owned().into(), today.into(), up_to.into()],
    )
    .await?
    .unwrap_or(State {
        complete: 0,
        used_today: 0,
        pending: 1,
    }))
}

/// Every kept key, and whether units marked up to `up_to` are waiting: two statements.
async fn kept_now<C: ConnectionTrait>(conn: &C, up_to: i64) -> Result<Kept, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        key: String,
        count_after: Option<i64>,
        used_on: NaiveDate,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT key, count_after, used_on FROM rollup_keys",
        vec![],
    )
    .await?;
    let pending = sql::scalar(
        conn,
        &format!("SELECT {} AS value", pending_up_to(1)),
        vec![up_to.into()],
    )
    .await?;
    Ok(Kept {
        keys: rows
            .into_iter()
            .map(|r| (r.key, (r.count_after.is_none(), r.used_on)))
            .collect(),
        pending: pending > 0,
    })
}

/// Counts every pending unit again for every kept key: what a page does before it reads,
/// and what the tests call after writing to make statement counts comparable.
pub async fn refresh<C: Writer>(conn: &C) -> Result<(), StoreError> {
    refresh_with(conn, today(), i64::MAX).await
}

/// Counts the pending units for every kept key, if any unit is pending: one statement
/// when none is. What a server with a read replica runs every second, so that the replica
/// finds its figures up to date (see [`on_replica`]); true when it counted.
pub async fn refresh_pending<C: Writer>(conn: &C) -> Result<bool, StoreError> {
    let pending = sql::scalar(
        conn,
        "SELECT CAST(COUNT(*) AS BIGINT) AS value FROM \
         (SELECT version FROM rollup_pending ORDER BY version LIMIT 1) first_mark",
        vec![],
    )
    .await?;
    if pending == 0 {
        return Ok(false);
    }
    refresh_with(conn, today(), i64::MAX).await?;
    Ok(true)
}

/// Completes the first counts that a stopped server left half done, then counts the
/// pending units: what the server does when it starts, in the background, so that the
/// first page to read such a figure does not wait for it.
pub async fn finish_counts<C: Writer>(conn: &C) -> Result<(), StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        key: String,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT key FROM rollup_keys WHERE count_after IS NOT NULL ORDER BY key",
        vec![],
    )
    .await?;
    let today = today();
    for key in rows.iter().filter_map(|r| Key::parse(&r.key)) {
        count_first(conn, &key, today).await?;
    }
    refresh_with(conn, today, i64::MAX).await
}

/// A figure being counted for the first time, and how far it has gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstCount {
    /// What it counts, in words.
    pub label: &'static str,
    /// Steps done: each unit counts once for its own rows and once for its subtree's.
    pub done: i64,
    /// Steps in all: twice the number of units.
    pub of: i64,
}

impl FirstCount {
    /// How far, from 0 to 100.
    pub fn percent(&self) -> i64 {
        (self.done * 100)
            .checked_div(self.of)
            .unwrap_or(0)
            .clamp(0, 100)
    }
}

/// The figures whose first count is under way (a page waiting for them shows this), with
/// how far each has gone: two statements per such figure.
pub async fn first_counts<C: ConnectionTrait>(conn: &C) -> Result<Vec<FirstCount>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        key: String,
        count_after: Option<i64>,
        count_depth: Option<i32>,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT key, count_after, count_depth FROM rollup_keys WHERE count_after IS NOT NULL \
         ORDER BY key",
        vec![],
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    if rows.is_empty() {
        return Ok(out);
    }
    let units = sql::scalar(conn, "SELECT COUNT(*) AS value FROM orgs", vec![]).await?;
    for row in rows {
        let Some(key) = Key::parse(&row.key) else {
            continue;
        };
        let after = row.count_after.unwrap_or(0);
        let done = match row.count_depth {
            None => {
                sql::scalar(
                    conn,
                    "SELECT COUNT(*) AS value FROM orgs WHERE id <= $1",
                    vec![after.into()],
                )
                .await?
            }
            Some(depth) => {
                units
                    + sql::scalar(
                        conn,
                        "SELECT COUNT(*) AS value FROM orgs \
                         WHERE depth > $1 OR (depth = $1 AND id <= $2)",
                        vec![depth.into(), after.into()],
                    )
                    .await?
            }
        };
        out.push(FirstCount {
            label: key.measure.label(),
            done,
            of: 2 * units,
        });
    }
    Ok(out)
}

/// Where a key's first count has reached: the last unit id done, and the level whose tree
/// counts are being summed (none while own counts are being counted). No row: the key is
/// not kept; no unit id: the key is complete.
#[derive(FromQueryResult)]
struct Progress {
    count_after: Option<i64>,
    count_depth: Option<i32>,
}

/// Counts `key` for every unit, [`BATCH`] units a step, each step its own short
/// transaction, so that writers and other pages wait for one step at most (SQLite has one
/// write lock) and memory holds one step's rows. The key is kept from the first step, so
/// a refresh between two steps recounts the units a write changed; the tree counts are
/// summed level by level once every own count is done. Writers waiting for the lock go
/// first between two steps. Several requests reading the same new key share the steps.
async fn count_first<C: Writer>(conn: &C, key: &Key, today: NaiveDate) -> Result<(), StoreError> {
    while count_step(conn, key, today).await? {
        crate::let_writers_first().await;
    }
    Ok(())
}

/// One step of a first count; false once the key is complete.
async fn count_step<C: Writer>(conn: &C, key: &Key, today: NaiveDate) -> Result<bool, StoreError> {
    let txn = conn.begin_write().await?;
    take_turn(&txn).await?;
    let text = key.text();
    let progress: Option<Progress> = sql::one(
        &txn,
        "SELECT count_after, count_depth FROM rollup_keys WHERE key = $1",
        vec![text.clone().into()],
    )
    .await?;
    let next = match progress {
        None => {
            sql::exec(
                &txn,
                "INSERT INTO rollup_keys (key, used_on, count_after) VALUES ($1, $2, 0)",
                vec![text.clone().into(), today.into()],
            )
            .await?;
            None
        }
        Some(Progress {
            count_after: None, ..
        }) => {
            txn.commit().await?;
            return Ok(false);
        }
        Some(Progress {
            count_after: Some(after),
            count_depth: None,
        }) => match last_of_step(&txn, after, None).await? {
            Some(last) => {
                let units = Units::Between(after, last);
                let rows = key.own(&txn, units).await?;
                write_own(&txn, units, vec![(text.clone(), rows)]).await?;
                Some((Some(last), None))
            }
            None => {
                let deepest = sql::scalar(
                    &txn,
                    "SELECT CAST(COALESCE(MAX(depth), 0) AS BIGINT) AS value FROM orgs",
                    vec![],
                )
                .await?;
                if txn.get_database_backend() == DbBackend::Postgres {
                    // The own rows just written are what the tree sums join; planned with
                    // statistics of the table from before (empty after a load), each
                    // step read every row of the key (0,6 s a step at the nation, 12 ms
                    // after this, which takes 0,4 s there).
                    sql::exec(&txn, "ANALYZE rollups", vec![]).await?;
                }
                Some((Some(0), Some(deepest)))
            }
        },
        Some(Progress {
            count_after: Some(after),
            count_depth: Some(depth),
        }) => match last_of_step(&txn, after, Some(depth)).await? {
            Some(last) => {
                sum_tree(
                    &txn,
                    std::slice::from_ref(&text),
                    &format!(" AND x.depth = {depth} AND x.id > {after} AND x.id <= {last}"),
                )
                .await?;
                Some((Some(last), Some(i64::from(depth))))
            }
            None if depth > 0 => Some((Some(0), Some(i64::from(depth) - 1))),
            None => {
                if txn.get_database_backend() == DbBackend::Postgres {
                    // A table just filled looks empty to the planner until autovacuum
                    // analyses it, which made reading a unit's children scan every row
                    // of the key.
                    sql::exec(&txn, "ANALYZE rollups", vec![]).await?;
                }
                Some((None, None))
            }
        },
    };
    if let Some((after, depth)) = next {
        sql::exec(
            &txn,
            "UPDATE rollup_keys SET count_after = $2, count_depth = $3 WHERE key = $1",
            vec![text.into(), after.into(), depth.map(|d| d as i32).into()],
        )
        .await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// The last unit id of the step after unit `after`: [`BATCH`] units on, or the last unit
/// (of the level `depth` when given); none when no unit is left.
async fn last_of_step<C: ConnectionTrait>(
    conn: &C,
    after: i64,
    depth: Option<i32>,
) -> Result<Option<i64>, StoreError> {
    #[derive(FromQueryResult)]
    struct Last {
        id: Option<i64>,
    }
    let level = depth.map_or_else(String::new, |d| format!(" AND depth = {d}"));
    let last: Option<Last> = sql::one(
        conn,
        &format!(
            "SELECT COALESCE( \
             (SELECT id FROM orgs WHERE id > $1{level} ORDER BY id LIMIT 1 OFFSET {}), \
             (SELECT MAX(id) FROM orgs WHERE id > $1{level})) AS id",
            BATCH - 1
        ),
        vec![after.into()],
    )
    .await?;
    Ok(last.and_then(|l| l.id))
}

/// Drops the triggers that mark changed units, before a bulk load writes millions of rows
/// (`lantoa generate`); [`resume_marks`] must follow, whatever the load's outcome.
pub async fn suspend_marks<C: ConnectionTrait>(conn: &C) -> Result<(), StoreError> {
    for statement in crate::migration::rollup_unmarks(conn.get_database_backend()) {
        conn.execute_unprepared(&statement).await?;
    }
    Ok(())
}

/// Creates the marking triggers again and forgets every count, so that each figure is
/// counted afresh from the rows when a page first reads it.
pub async fn resume_marks<C: ConnectionTrait>(conn: &C) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    for statement in crate::migration::rollup_unmarks(backend)
        .into_iter()
        .chain(crate::migration::rollup_marks(backend))
    {
        conn.execute_unprepared(&statement).await?;
    }
    for table in ["rollup_pending", "rollups", "rollup_keys"] {
        conn.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    Ok(())
}

/// The server's local day: when a key was last read.
fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Counts again, for every kept key, the units marked pending up to the clock reading
/// `up_to` (marks made later stay for the next refresh).
async fn refresh_with<C: Writer>(conn: &C, today: NaiveDate, up_to: i64) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    take_turn(&txn).await?;
    drop_unused(&txn, today).await?;
    let keys = kept_keys(&txn).await?;
    loop {
        #[derive(FromQueryResult)]
        struct Mark {
            org_id: i64,
            version: i64,
        }
        let marks: Vec<Mark> = sql::all(
            &txn,
            &format!(
                "SELECT org_id, version FROM rollup_pending WHERE version <= $1 \
                 ORDER BY org_id LIMIT {BATCH}"
            ),
            vec![up_to.into()],
        )
        .await?;
        if marks.is_empty() {
            break;
        }
        let ids: Vec<i64> = marks.iter().map(|m| m.org_id).collect();
        let lines = lines_of(&txn, &ids).await?;
        recount(&txn, &keys, &lines).await?;
        for chunk in marks.chunks(200) {
            let mut values = Vec::with_capacity(chunk.len() * 2);
            let mut either = Vec::with_capacity(chunk.len());
            for m in chunk {
                values.push(m.org_id.into());
                values.push(m.version.into());
                either.push(format!(
                    "(org_id = ${} AND version = ${})",
                    values.len() - 1,
                    values.len()
                ));
            }
            sql::exec(
                &txn,
                &format!("DELETE FROM rollup_pending WHERE {}", either.join(" OR ")),
                values,
            )
            .await?;
        }
        if (marks.len() as u64) < BATCH {
            break;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Waits for any other refresh to finish: an advisory lock on PostgreSQL held until the
/// transaction ends; on SQLite a first write, which takes the database's one write lock
/// before anything is read.
async fn take_turn<C: ConnectionTrait>(txn: &C) -> Result<(), StoreError> {
    let statement = match txn.get_database_backend() {
        DbBackend::Postgres => "SELECT pg_advisory_xact_lock(7405001)",
        _ => "UPDATE rollup_clock SET n = n",
    };
    sql::exec(txn, statement, vec![]).await?;
    Ok(())
}

async fn kept_keys<C: ConnectionTrait>(conn: &C) -> Result<Vec<Key>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        key: String,
    }
    let rows: Vec<Row> = sql::all(conn, "SELECT key FROM rollup_keys ORDER BY key", vec![]).await?;
    Ok(rows.iter().filter_map(|r| Key::parse(&r.key)).collect())
}

/// Drops the keys no page has read for [`KEPT_DAYS`] (yesterday's reference day, a year
/// nobody opens), and any key this build no longer reads.
async fn drop_unused<C: ConnectionTrait>(conn: &C, today: NaiveDate) -> Result<(), StoreError> {
    let before = today
        .checked_sub_days(Days::new(KEPT_DAYS))
        .unwrap_or(today);
    #[derive(FromQueryResult)]
    struct Row {
        key: String,
        used_on: NaiveDate,
    }
    let rows: Vec<Row> = sql::all(conn, "SELECT key, used_on FROM rollup_keys", vec![]).await?;
    for row in rows {
        if row.used_on < before || Key::parse(&row.key).is_none() {
            for table in ["rollups", "rollup_keys"] {
                sql::exec(
                    conn,
                    &format!("DELETE FROM {table} WHERE key = $1"),
                    vec![row.key.clone().into()],
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// The units whose tree counts depend on units `ids`: those units and all above them, as
/// `(depth, ids)` deepest first.
async fn lines_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<Vec<(i32, Vec<i64>)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Unit {
        id: i64,
        path: String,
        depth: i32,
    }
    let list = Units::Only(ids).only("id");
    let marked: Vec<Unit> = sql::all(
        conn,
        &format!("SELECT id, path, depth FROM orgs WHERE 1 = 1{list}"),
        vec![],
    )
    .await?;
    let mut paths: Vec<String> = marked
        .iter()
        .flat_map(|u| crate::org::lineage_paths(&u.path))
        .collect();
    paths.sort();
    paths.dedup();
    let mut by_depth: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for chunk in paths.chunks(sql::MAX_BIND) {
        let values: Vec<Value> = chunk.iter().cloned().map(Into::into).collect();
        let above: Vec<Unit> = sql::all_in(
            conn,
            "SELECT id, path, depth FROM orgs WHERE path IN ({list})",
            values,
        )
        .await?;
        for u in above {
            by_depth.entry(u.depth).or_default().push(u.id);
        }
    }
    for ids in by_depth.values_mut() {
        ids.sort_unstable();
        ids.dedup();
    }
    Ok(by_depth.into_iter().rev().collect())
}

/// Counts the own rows of the units of `lines` (the marked units and all above them) again
/// for every key in `keys`, then their tree rows level by level: one own count per key,
/// then a few statements for all keys together (a dashboard keeps some forty keys, and a
/// statement per key and level made a refresh after a single save run hundreds).
async fn recount<C: ConnectionTrait>(
    conn: &C,
    keys: &[Key],
    lines: &[(i32, Vec<i64>)],
) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = lines
        .iter()
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    let units = Units::Only(&ids);
    let mut counted = Vec::with_capacity(keys.len());
    for key in keys {
        counted.push((key.text(), key.own(conn, units).await?));
    }
    write_own(conn, units, counted).await?;
    let texts: Vec<String> = keys.iter().map(Key::text).collect();
    for (_, level) in lines {
        sum_tree(conn, &texts, &Units::Only(level).only("x.id")).await?;
    }
    Ok(())
}

/// `key IN ($1, $2, …)` for the keys `texts`, with their values: the first placeholders of
/// a statement, so that it can name them twice.
fn keys_in(column: &str, texts: &[String]) -> (String, Vec<Value>) {
    let list = (1..=texts.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let values = texts.iter().cloned().map(Into::into).collect();
    (format!("{column} IN ({list})"), values)
}

/// Replaces the own rows of the units `units` for each key with the rows counted for it.
async fn write_own<C: ConnectionTrait>(
    conn: &C,
    units: Units<'_>,
    counted: Vec<(String, OwnRows)>,
) -> Result<(), StoreError> {
    let texts: Vec<String> = counted.iter().map(|(text, _)| text.clone()).collect();
    let (keys, values) = keys_in("key", &texts);
    sql::exec(
        conn,
        &format!(
            "DELETE FROM rollups WHERE {keys} AND scope = 'own'{}",
            units.only("org_id")
        ),
        values,
    )
    .await?;
    // A code may come in several rows (documents month by month): one row each.
    let mut summed: BTreeMap<(String, i64, String), i64> = BTreeMap::new();
    for (text, rows) in counted {
        for (org, code, n) in rows {
            *summed.entry((text.clone(), org, code)).or_default() += n;
        }
    }
    let rows: Vec<Vec<Value>> = summed
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|((text, org, code), n)| {
            vec![text.into(), "own".into(), org.into(), code.into(), n.into()]
        })
        .collect();
    sql::insert_rows(
        conn,
        "INSERT INTO rollups (key, scope, org_id, code, n) VALUES",
        rows,
    )
    .await?;
    Ok(())
}

/// Tree rows of the units `x` chosen by `units` (a condition on `x`), for each key of
/// `texts`: each one's own rows plus its children's tree rows; two statements.
async fn sum_tree<C: ConnectionTrait>(
    conn: &C,
    texts: &[String],
    units: &str,
) -> Result<(), StoreError> {
    let (keys, values) = keys_in("key", texts);
    sql::exec(
        conn,
        &format!(
            "DELETE FROM rollups WHERE {keys} AND scope = 'tree' \
             AND org_id IN (SELECT x.id FROM orgs x WHERE 1 = 1{units})"
        ),
        values.clone(),
    )
    .await?;
    let (keys, _) = keys_in("r.key", texts);
    sql::exec(
        conn,
        &format!(
            "INSERT INTO rollups (key, scope, org_id, code, n) \
             SELECT t.key, 'tree', t.org_id, t.code, CAST(SUM(t.n) AS BIGINT) FROM ( \
             SELECT r.key, r.org_id, r.code, r.n FROM rollups r JOIN orgs x ON x.id = r.org_id \
             WHERE {keys} AND r.scope = 'own'{units} \
             UNION ALL SELECT r.key, x.id AS org_id, r.code, r.n FROM rollups r JOIN orgs c ON c.id = r.org_id \
             JOIN orgs x ON x.id = c.parent_id WHERE {keys} AND r.scope = 'tree'{units}) t \
             GROUP BY t.key, t.org_id, t.code"
        ),
        values,
    )
    .await?;
    Ok(())
}

/// Own counts from a query selecting `org_id`, `code` and `n`: how an area counts its rows.
pub(crate) async fn own_rows<C: ConnectionTrait>(
    conn: &C,
    query: &str,
    values: Vec<Value>,
) -> Result<OwnRows, StoreError> {
    let rows: Vec<Row> = sql::all(conn, query, values).await?;
    Ok(rows.into_iter().map(|r| (r.org_id, r.code, r.n)).collect())
}

#[derive(FromQueryResult)]
struct Row {
    org_id: i64,
    code: String,
    n: i64,
}

/// The tree counts of `unit` and of each of its children: one statement, after bringing
/// the key up to date.
pub(crate) async fn with_children<C: Writer>(
    conn: &C,
    key: &Key,
    unit: OrgId,
) -> Result<(Counts, HashMap<OrgId, Counts>), StoreError> {
    ensure(conn, key).await?;
    let rows = packed_rows(
        conn,
        // The children first, then each one's rows by key: SQLite, left to choose, read
        // every unit's rows of the key (40 ms instead of 0,03 ms in a province).
        "FROM (SELECT r.org_id, r.code, r.n FROM rollups r \
         WHERE r.key = $1 AND r.scope = 'tree' AND r.org_id = $2 \
         UNION ALL SELECT r.org_id, r.code, r.n FROM orgs c CROSS JOIN rollups r \
         WHERE r.org_id = c.id AND r.key = $1 AND r.scope = 'tree' AND c.parent_id = $2) r",
        vec![key.text().into(), unit.0.into()],
    )
    .await?;
    let mut total = Counts::new();
    let mut children: HashMap<OrgId, Counts> = HashMap::new();
    for row in rows {
        let counts = if row.org_id == unit.0 {
            &mut total
        } else {
            children.entry(OrgId(row.org_id)).or_default()
        };
        counts.insert(row.code, row.n);
    }
    Ok((total, children))
}

/// Runs `SELECT {fields} {from}` with the rows packed by the database into one text (the
/// fields of a row separated by spaces, the rows by commas), and returns each row's fields.
/// SQLite's driver hands every row from its own thread to the server's, and the rows of a
/// dashboard's roll-ups (1 746 for the propaganda of a city's children alone) cost more in
/// those hand-overs than in the reading. The fields must hold no space or comma: ids,
/// paths, scopes and codes.
async fn packed<C: ConnectionTrait>(
    conn: &C,
    fields: &[&str],
    from: &str,
    values: Vec<Value>,
) -> Result<Vec<Vec<String>>, StoreError> {
    #[derive(FromQueryResult)]
    struct Packed {
        packed: Option<String>,
    }
    let row = fields
        .iter()
        .map(|f| format!("CAST({f} AS TEXT)"))
        .collect::<Vec<_>>()
        .join(" || ' ' || ");
    let packed: Option<Packed> = sql::one(
        conn,
        &format!("SELECT string_agg({row}, ',') AS packed {from}"),
        values,
    )
    .await?;
    let Some(text) = packed.and_then(|p| p.packed) else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(|row| {
            let row: Vec<String> = row.split(' ').map(str::to_owned).collect();
            if row.len() == fields.len() {
                Ok(row)
            } else {
                Err(StoreError::Db(sea_orm::DbErr::Custom(format!(
                    "a roll-up row read back as {} fields instead of {}: {row:?}",
                    row.len(),
                    fields.len()
                ))))
            }
        })
        .collect()
}

/// Roll-up rows `r.org_id`, `r.code` and `r.n` chosen by `from`, packed ([`packed`]).
async fn packed_rows<C: ConnectionTrait>(
    conn: &C,
    from: &str,
    values: Vec<Value>,
) -> Result<Vec<Row>, StoreError> {
    packed(conn, &["r.org_id", "r.code", "r.n"], from, values)
        .await?
        .into_iter()
        .map(|mut fields| {
            let n = number(&fields[2])?;
            let org_id = number(&fields[0])?;
            Ok(Row {
                org_id,
                code: std::mem::take(&mut fields[1]),
                n,
            })
        })
        .collect()
}

/// A number read back from a packed row.
fn number(field: &str) -> Result<i64, StoreError> {
    field.parse().map_err(|_| {
        StoreError::Db(sea_orm::DbErr::Custom(format!(
            "a roll-up row read back a number as {field:?}"
        )))
    })
}

/// The tree counts of each of the units `ids`: one statement after bringing the key up to
/// date; a unit without rows is left out.
pub(crate) async fn of_units<C: Writer>(
    conn: &C,
    key: &Key,
    ids: &[i64],
) -> Result<HashMap<i64, Counts>, StoreError> {
    let mut out: HashMap<i64, Counts> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    ensure(conn, key).await?;
    let rows = packed_rows(
        conn,
        &format!(
            "FROM orgs c CROSS JOIN rollups r \
             WHERE r.org_id = c.id AND r.key = $1 AND r.scope = 'tree'{}",
            Units::Only(ids).only("c.id")
        ),
        vec![key.text().into()],
    )
    .await?;
    for row in rows {
        out.entry(row.org_id).or_default().insert(row.code, row.n);
    }
    Ok(out)
}

/// The tree counts of the unit at `path`: one statement after bringing the key up to date.
pub(crate) async fn of_subtree<C: Writer>(
    conn: &C,
    key: &Key,
    path: &str,
) -> Result<Counts, StoreError> {
    ensure(conn, key).await?;
    Ok(counts_of(
        packed_rows(
            conn,
            "FROM orgs o CROSS JOIN rollups r \
             WHERE r.org_id = o.id AND r.key = $1 AND r.scope = 'tree' AND o.path = $2",
            vec![key.text().into(), path.to_owned().into()],
        )
        .await?,
    ))
}

/// Where one item of a subtree lies when the subtree's items (members who have not
/// studied…) are listed by their unit's path: the unit whose own items hold it, that
/// unit's path, and the item's index among them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    path: String,
    index: i64,
}

/// The units a page of a subtree's items lies in: the units holding items from the one
/// holding the page's first (after the first `offset` of its own items) through the one
/// holding its last, by path. Units without items between them are left out, so the page
/// reads a few units' members even where items are rare (500 members who have not studied
/// among a province's 190 000: a page of 20 spans 360 units, most without one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub units: Vec<i64>,
    pub offset: i64,
}

/// A unit's own counts and its children's tree counts, the children by path: what
/// [`span`] reads of each unit it passes.
#[derive(Debug, Default)]
struct Level {
    path: Option<String>,
    own: Counts,
    children: Vec<(i64, String, Counts)>,
}

/// Where items `skip` to `skip + take - 1` (from 0) of `root`'s subtree lie, each unit's
/// own items before its children's, the children by path (the order of `ORDER BY path`);
/// `items` reads how many items a unit's counts hold. Walks down from the root to the
/// first item and to the last, one statement per unit passed, whatever the page, then
/// reads the own counts of the units between: a page deep in a national list costs what
/// the first does. `None` when the page holds no item.
/// The key must be up to date (read the subtree's counts first).
pub(crate) async fn span<C: ConnectionTrait>(
    conn: &C,
    key: &Key,
    root: OrgId,
    items: &(dyn Fn(&Counts) -> i64 + Sync),
    skip: i64,
    take: i64,
) -> Result<Option<Span>, StoreError> {
    if take <= 0 {
        return Ok(None);
    }
    let mut levels = HashMap::new();
    let first = locate(conn, key, root, items, skip, &mut levels).await?;
    let last = locate(conn, key, root, items, skip + take - 1, &mut levels).await?;
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(None);
    };
    let rows = packed_rows(
        conn,
        "FROM orgs o CROSS JOIN rollups r \
         WHERE o.path >= $2 AND o.path <= $3 AND r.org_id = o.id AND r.key = $1 \
         AND r.scope = 'own'",
        vec![key.text().into(), first.path.into(), last.path.into()],
    )
    .await?;
    let mut own: HashMap<i64, Counts> = HashMap::new();
    for row in rows {
        own.entry(row.org_id).or_default().insert(row.code, row.n);
    }
    let mut units: Vec<i64> = own
        .iter()
        .filter(|(_, counts)| items(counts) > 0)
        .map(|(id, _)| *id)
        .collect();
    units.sort_unstable();
    Ok(Some(Span {
        units,
        offset: first.index,
    }))
}

/// Where the item at `index` lies (see [`span`]); `levels` keeps the units read.
async fn locate<C: ConnectionTrait>(
    conn: &C,
    key: &Key,
    root: OrgId,
    items: &(dyn Fn(&Counts) -> i64 + Sync),
    mut index: i64,
    levels: &mut HashMap<i64, Level>,
) -> Result<Option<Place>, StoreError> {
    let mut unit = root.0;
    loop {
        let level = match levels.entry(unit) {
            std::collections::hash_map::Entry::Occupied(read) => read.into_mut(),
            std::collections::hash_map::Entry::Vacant(unread) => {
                unread.insert(read_level(conn, key, unit).await?)
            }
        };
        let own = items(&level.own);
        if index < own {
            return Ok(level.path.clone().map(|path| Place { path, index }));
        }
        index -= own;
        let mut below = None;
        for (child, _, counts) in &level.children {
            let n = items(counts);
            if index < n {
                below = Some(*child);
                break;
            }
            index -= n;
        }
        match below {
            Some(child) => unit = child,
            None => return Ok(None),
        }
    }
}

async fn read_level<C: ConnectionTrait>(
    conn: &C,
    key: &Key,
    unit: i64,
) -> Result<Level, StoreError> {
    let rows = packed(
        conn,
        &["r.org_id", "r.path", "r.scope", "r.code", "r.n"],
        "FROM (SELECT o.id AS org_id, o.path, r.scope, r.code, r.n FROM orgs o CROSS JOIN rollups r \
         WHERE o.id = $2 AND r.org_id = $2 AND r.key = $1 AND r.scope = 'own' \
         UNION ALL \
         SELECT c.id AS org_id, c.path, r.scope, r.code, r.n FROM orgs c CROSS JOIN rollups r \
         WHERE r.org_id = c.id AND r.key = $1 AND r.scope = 'tree' AND c.parent_id = $2) r",
        vec![key.text().into(), unit.into()],
    )
    .await?;
    let mut level = Level::default();
    let mut children: BTreeMap<String, (i64, Counts)> = BTreeMap::new();
    for mut row in rows {
        let (org_id, n) = (number(&row[0])?, number(&row[4])?);
        let (path, code) = (std::mem::take(&mut row[1]), std::mem::take(&mut row[3]));
        if row[2] == "own" {
            level.path = Some(path);
            level.own.insert(code, n);
        } else {
            children
                .entry(path)
                .or_insert_with(|| (org_id, Counts::new()))
                .1
                .insert(code, n);
        }
    }
    level.children = children
        .into_iter()
        .map(|(path, (id, counts))| (id, path, counts))
        .collect();
    Ok(level)
}

fn counts_of(rows: Vec<Row>) -> Counts {
    rows.into_iter().map(|r| (r.code, r.n)).collect()
}

/// A roll-up that differs from a count of the base rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The key, as stored.
    pub key: String,
    /// "own" or "tree".
    pub scope: &'static str,
    /// The unit.
    pub org_id: i64,
    /// The code.
    pub code: String,
    /// What the roll-up holds.
    pub stored: i64,
    /// What the base rows count.
    pub counted: i64,
}

/// Counts every kept key again from the base rows, for every unit, after counting the
/// pending units, and returns every roll-up that differs (none when they are exact), with
/// the number of keys checked.
pub async fn check<C: Writer>(conn: &C) -> Result<(usize, Vec<Difference>), StoreError> {
    finish_counts(conn).await?;
    #[derive(FromQueryResult)]
    struct Unit {
        id: i64,
        parent_id: Option<i64>,
        depth: i32,
    }
    let mut units: Vec<Unit> =
        sql::all(conn, "SELECT id, parent_id, depth FROM orgs", vec![]).await?;
    units.sort_by_key(|u| std::cmp::Reverse(u.depth));
    let keys = kept_keys(conn).await?;
    let mut out = Vec::new();
    for key in &keys {
        let text = key.text();
        let mut own: HashMap<i64, Counts> = HashMap::new();
        for (org, code, n) in key.own(conn, Units::All).await? {
            if n != 0 {
                *own.entry(org).or_default().entry(code).or_default() += n;
            }
        }
        let mut tree = own.clone();
        for u in &units {
            if let (Some(parent), Some(mine)) = (u.parent_id, tree.get(&u.id).cloned()) {
                let sums = tree.entry(parent).or_default();
                for (code, n) in mine {
                    *sums.entry(code).or_default() += n;
                }
            }
        }
        let flat = |by_unit: HashMap<i64, Counts>| -> HashMap<(i64, String), i64> {
            by_unit
                .into_iter()
                .flat_map(|(org, counts)| counts.into_iter().map(move |(c, n)| ((org, c), n)))
                .collect()
        };
        let (own, tree) = (flat(own), flat(tree));
        for (scope, expected) in [("own", own), ("tree", tree)] {
            let stored: Vec<Row> = sql::all(
                conn,
                "SELECT org_id, code, n FROM rollups WHERE key = $1 AND scope = $2",
                vec![text.clone().into(), scope.into()],
            )
            .await?;
            let stored: HashMap<(i64, String), i64> = stored
                .into_iter()
                .map(|r| ((r.org_id, r.code), r.n))
                .collect();
            let mut all: Vec<&(i64, String)> = expected.keys().chain(stored.keys()).collect();
            all.sort();
            all.dedup();
            for k in all {
                let (s, c) = (
                    stored.get(k).copied().unwrap_or(0),
                    expected.get(k).copied().unwrap_or(0),
                );
                if s != c {
                    out.push(Difference {
                        key: text.clone(),
                        scope,
                        org_id: k.0,
                        code: k.1.clone(),
                        stored: s,
                        counted: c,
                    });
                }
            }
        }
    }
    Ok((keys.len(), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_as_written() {
        let half = NaiveDate::from_ymd_opt(2024, 6, 30);
        for key in [
            Key {
                measure: Measure::Studied,
                year_id: 3,
                until: Until::day(half),
                day: half,
            },
            Key {
                measure: Measure::Plans(Categories::from_bits(5)),
                year_id: 12,
                until: Until::WHOLE_YEAR,
                day: NaiveDate::from_ymd_opt(2024, 12, 31),
            },
            Key {
                measure: Measure::Counted,
                year_id: 1,
                until: Until::WHOLE_YEAR,
                day: None,
            },
        ] {
            assert_eq!(Key::parse(&key.text()), Some(key));
        }
        assert_eq!(
            Key::parse("sessions/7/-/-").map(|k| k.text()),
            Some("sessions/7/-/-".into())
        );
        assert_eq!(Key::parse("nothing/1/-/-"), None);
        assert_eq!(Key::parse("studied/x/-/-"), None);
    }
}
