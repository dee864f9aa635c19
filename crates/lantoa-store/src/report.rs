//! The figures of a unit's subtree over a period (`lantoa_domain::report::Figures`), read
//! from every area's own figure queries so that the dashboard, the report and the area's
//! page always agree; and the few counts no area page needs (leaders' plans, models and
//! lượt per child unit, award entries).
//!
//! The number of queries is fixed: about thirty for a one-year period, whatever the size of
//! the subtree, and the same again per extra year of a longer period.

use crate::campaign::{CampaignYear, Until};
use crate::coverage::Binds;
use crate::org::Org;
use crate::{StoreError, sql};
use chrono::NaiveDate;
use lantoa_domain::ClosedList;
use lantoa_domain::OrgId;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::commendations::issuer_symbol;
use lantoa_domain::exemplars::SubjectCategory;
use lantoa_domain::report::{
    Award, ChildFigures, Commendations, Count, Exemplars, Figures, Inspections, Issue, Models,
    Period, Plans, Propaganda, Prose, Study, Tasks, term_start,
};
use lantoa_domain::settings::Settings;
use lantoa_domain::tasks::TaskStatus;
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;

/// Names listed in a finding before "và N đơn vị khác".
const NAMED: u64 = 5;

fn count<K: ClosedList>(value: &K, n: i64) -> Count {
    Count {
        code: value.code().to_owned(),
        label: value.label().to_owned(),
        n,
    }
}

/// Adds `n` to the count of `value`, keeping the list in first-seen order.
fn add<K: ClosedList>(counts: &mut Vec<Count>, value: &K, n: i64) {
    match counts.iter_mut().find(|c| c.code == value.code()) {
        Some(c) => c.n += n,
        None => counts.push(count(value, n)),
    }
}

/// The figures of `unit`'s subtree over `period`, as of `today`: every figure counts the
/// writes committed before the first was read (`rollups::at_one_moment`), so that saves
/// landing meanwhile neither skew one figure against another nor make each read count them.
pub async fn figures<C: crate::Writer>(
    conn: &C,
    unit: &Org,
    period: Period,
    today: NaiveDate,
) -> Result<Figures, StoreError> {
    crate::rollups::at_one_moment(async {
        let settings = crate::settings::load(conn).await?;
        let read = read_compared(conn, unit, (period, None), &settings, today).await?;
        Ok(read.0)
    })
    .await
}

/// How much of a period's figures a read fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extent {
    /// Every figure, as a report and a dashboard's own period show them.
    Whole,
    /// The totals a dashboard compares with the period before: no names (leaders without
    /// a plan, grassroots organisations without a model), no child units, no documents and
    /// no next tasks.
    Totals,
}

/// A period, and the one its totals are compared with.
pub type Compared = (Period, Option<Period>);

/// The whole figures of a period and the totals of the one compared with, with the
/// campaign years read once for both.
async fn read_compared<C: crate::Writer>(
    conn: &C,
    unit: &Org,
    (period, before): Compared,
    settings: &Settings,
    today: NaiveDate,
) -> Result<(Figures, Option<Figures>), StoreError> {
    let every_year = crate::campaign::years(conn).await?;
    let basis = Basis {
        unit,
        every_year: &every_year,
        settings,
        today,
    };
    let figures = basis.figures(conn, period, Extent::Whole).await?;
    let before = match before {
        Some(before) => Some(basis.figures(conn, before, Extent::Totals).await?),
        None => None,
    };
    Ok((figures, before))
}

/// Where a page's figures were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFrom {
    /// The primary database, which counts what needs counting first.
    Primary,
    /// The read replica, which held them up to date.
    Replica,
}

/// A dashboard's figures: the whole figures of a period and, when one is given, the totals
/// of the period it is compared with, both as of one moment (one snapshot on a replica).
/// Read on the store's read replica when it has one that has replayed every write the
/// primary had made when the call began (so a secretary who saves and then opens the
/// dashboard sees the save) and holds every figure up to date; read on the primary
/// otherwise, and when the replica fails (down, or a read cancelled by its replay). On the
/// replica the figures are read in one read-only transaction, exact as of its snapshot.
pub async fn figures_preferring_replica(
    store: &crate::Store,
    unit: &Org,
    compared: Compared,
    settings: &Settings,
    today: NaiveDate,
) -> Result<(Figures, Option<Figures>, ReadFrom), StoreError> {
    if let Some(replica) = store.replica() {
        match figures_on_replica(store.db(), replica, unit, compared, settings, today).await {
            Ok(Some((figures, before))) => return Ok((figures, before, ReadFrom::Replica)),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "figures not read on the replica"),
        }
    }
    let conn = store.db();
    let (figures, before) =
        crate::rollups::at_one_moment(read_compared(conn, unit, compared, settings, today)).await?;
    Ok((figures, before, ReadFrom::Primary))
}

/// The figures read on `replica`, or none when it is behind `primary`.
async fn figures_on_replica(
    primary: &sea_orm::DatabaseConnection,
    replica: &sea_orm::DatabaseConnection,
    unit: &Org,
    compared: Compared,
    settings: &Settings,
    today: NaiveDate,
) -> Result<Option<(Figures, Option<Figures>)>, StoreError> {
    use sea_orm::{AccessMode, DbBackend, IsolationLevel, TransactionTrait};
    let postgres = primary.get_database_backend() == DbBackend::Postgres;
    let written = if postgres {
        sql::one::<Lsn, _>(
            primary,
            "SELECT CAST(pg_current_wal_lsn() AS TEXT) AS lsn",
            vec![],
        )
        .await?
    } else {
        None
    };
    if let Some(Lsn { lsn }) = written
        && !replayed(replica, &lsn).await?
    {
        return Ok(None);
    }
    // Begun after the replay reached the primary's writes, so its snapshot holds them.
    let txn = if postgres {
        replica
            .begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
    } else {
        replica.begin().await?
    };
    let reading = read_compared(&txn, unit, compared, settings, today);
    match crate::rollups::on_replica(reading).await {
        Ok(figures) => {
            txn.commit().await?;
            Ok(Some(figures))
        }
        Err(StoreError::ReplicaBehind) => Ok(None),
        Err(e) => Err(e),
    }
}

#[derive(FromQueryResult)]
struct Lsn {
    lsn: String,
}

/// Whether the replica has replayed the primary's WAL up to `lsn`, asking a few times
/// over some 50 ms (a standby on the same network is usually milliseconds behind). A
/// primary (the tests' read-only connection to the same database) always has.
async fn replayed(replica: &sea_orm::DatabaseConnection, lsn: &str) -> Result<bool, StoreError> {
    for attempt in 0..5 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let replayed = sql::scalar(
            replica,
            "SELECT CAST(CASE WHEN NOT pg_is_in_recovery() \
             OR pg_last_wal_replay_lsn() >= CAST($1 AS pg_lsn) THEN 1 ELSE 0 END AS BIGINT) \
             AS value",
            vec![lsn.to_owned().into()],
        )
        .await?;
        if replayed > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What a period's figures are read with: the unit, every campaign year and the settings
/// (not to be confused with the roll-ups' task-local `Reading` of a page).
struct Basis<'a> {
    unit: &'a Org,
    every_year: &'a [CampaignYear],
    settings: &'a Settings,
    today: NaiveDate,
}

impl Basis<'_> {
    async fn figures<C: crate::Writer>(
        &self,
        conn: &C,
        period: Period,
        extent: Extent,
    ) -> Result<Figures, StoreError> {
        let Basis {
            unit,
            every_year,
            settings,
            today,
        } = *self;
        let whole = extent == Extent::Whole;
        let years: Vec<&CampaignYear> = every_year
            .iter()
            .filter(|y| (period.first..=period.last).contains(&y.year))
            .collect();
        let mut f = Figures {
            unit_id: unit.id.0,
            unit_name: unit.name.clone(),
            first_year: period.first,
            last_year: period.last,
            half_year: period.half,
            ..Default::default()
        };
        let within = unit.subtree();
        let until = Until::day(period.until());
        for year in &years {
            activity_of_year(conn, unit, (year, until), today, &mut f).await?;
        }
        if let Some(last) = years.iter().find(|y| y.year == period.last) {
            f.topic = last.topics.first().map(|t| t.title.clone());
            let day = until.today(lantoa_domain::study::reference_day(last.year, today));
            let (study, study_children) =
                crate::study::coverage_with_children(conn, unit.id, last, day, until).await?;
            f.study.eligible = study.eligible;
            f.study.studied = study.studied;
            let counted = crate::plans::Counted {
                year: last,
                day,
                required: settings.plan_required,
                until,
            };
            let (plans, plan_children) =
                crate::plans::coverage_with_children(conn, unit.id, counted).await?;
            f.plans.required = plans.eligible;
            f.plans.submitted = plans.met(0);
            f.plans.approved = plans.met(1);
            f.plans.assessed = plans.met(3);
            f.models = models(conn, unit, (last, until), extent).await?;
            let (tasks, task_figures) = tasks(conn, unit, (last, until), today).await?;
            f.tasks = task_figures;
            if whole {
                leaders(conn, unit, (last, until), &mut f.plans).await?;
                if period.half {
                    // After six months, what remains of the year's tasks.
                    f.next_tasks = tasks
                        .into_iter()
                        .filter(|t| t.status != TaskStatus::Done)
                        .map(|t| t.content)
                        .collect();
                }
                let coverage = (&study_children, &plan_children);
                f.children =
                    children(conn, unit, (last, until), (today, period.half), coverage).await?;
            }
        }
        f.award = award(conn, &within, period).await?;
        if !whole {
            return Ok(f);
        }
        if !period.half
            && let Some(next) = every_year.iter().find(|y| y.year == period.last + 1)
        {
            f.next_tasks = crate::tasks::tasks(conn, unit.id, next)
                .await?
                .into_iter()
                .map(|t| t.content)
                .collect();
        }
        f.documents = documents(conn, unit, period).await?;
        Ok(f)
    }
}

/// The child units' rows: their study and plan coverage (read with the unit's own), and
/// their models and propaganda of the year (by the cut).
async fn children<C: crate::Writer>(
    conn: &C,
    unit: &Org,
    (year, until): (&CampaignYear, Until),
    (today, half): (NaiveDate, bool),
    (study, plans): (
        &HashMap<OrgId, lantoa_domain::study::Coverage>,
        &HashMap<OrgId, crate::plans::PlanCoverage>,
    ),
) -> Result<Vec<ChildFigures>, StoreError> {
    let models_of = per_child_models(conn, unit, (year, until)).await?;
    let mut over = lantoa_domain::propaganda::months_over(year.year, today);
    if half {
        over = over.min(6);
    }
    Ok(crate::propaganda::regularity(conn, unit.id, year, until)
        .await?
        .into_iter()
        .map(|r| {
            let s = study.get(&r.org_id).cloned().unwrap_or_default();
            let p = plans.get(&r.org_id).cloned().unwrap_or_default();
            ChildFigures {
                id: r.org_id.0,
                name: r.name.clone(),
                eligible: s.eligible,
                studied: s.studied,
                plan_required: p.eligible,
                plan_approved: p.met(1),
                models: models_of.get(&r.org_id.0).copied().unwrap_or(0),
                activities: r.total(),
                documents: r.documents,
                silent_months: r.silent_months(over).len() as i64,
            }
        })
        .collect())
}

/// The guiding documents of the period's years entered by the unit, the units above it or
/// those under it, as reports cite them, oldest first: one query.
async fn documents<C: ConnectionTrait>(
    conn: &C,
    unit: &Org,
    period: Period,
) -> Result<Vec<String>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        symbol: String,
        kind: String,
        issuer: String,
        issued_on: NaiveDate,
        title: String,
    }
    let lineage = crate::org::lineage_paths(&unit.path);
    let within = unit.subtree();
    // A lineage is a few units: numbered placeholders like the rest of the statement.
    let list = (5..5 + lineage.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut params: Vec<sea_orm::Value> = vec![
        period.first.into(),
        period.last.into(),
        within.from.clone().into(),
        within.to.clone().into(),
    ];
    params.extend(lineage.into_iter().map(Into::into));
    let issued_by = Until::day(period.until()).on_dates("d.issued_on", &mut params);
    let rows: Vec<Row> = sql::all(
        conn,
        &format!(
            // From the documents to their units: a nation has far fewer documents than
            // units, and SQLite otherwise walks every unit of the subtree first.
            "SELECT d.symbol, d.kind, d.issuer, d.issued_on, d.title FROM documents d CROSS JOIN orgs o \
             WHERE o.id = d.org_id AND EXISTS (SELECT 1 FROM document_years dy JOIN campaign_years y ON y.id = dy.year_id \
             WHERE dy.document_id = d.id AND y.year >= $1 AND y.year <= $2) \
             AND ((o.path >= $3 AND o.path < $4) OR o.path IN ({list})){issued_by} ORDER BY d.issued_on, d.id"
        ),
        params,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let kind = lantoa_domain::campaign::DocumentKind::from_code(&r.kind)
                .map_or(String::new(), |k| format!("{} ", k.label()));
            format!(
                "{kind}số {} {} của {}: {}",
                r.symbol,
                lantoa_domain::dates::in_document(r.issued_on),
                r.issuer,
                r.title
            )
        })
        .collect())
}

/// A report as issued: its number, letterhead, prose and frozen figures.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedReport {
    pub id: i64,
    pub org_id: OrgId,
    pub period: Period,
    /// "12-BC/TU".
    pub symbol: String,
    pub issued_on: NaiveDate,
    pub issuer_name: String,
    pub superior: String,
    pub place: String,
    pub signer_name: String,
    pub signer_post: Option<String>,
    /// 1 for the first report of the unit and period, then 2…
    pub version: i32,
    /// The symbol of the report this one replaces.
    pub replaces: Option<String>,
    pub prose: Prose,
    pub figures: Figures,
}

#[derive(FromQueryResult)]
struct IssuedRow {
    id: i64,
    org_id: i64,
    first_year: i32,
    last_year: i32,
    half_year: bool,
    symbol: Option<String>,
    issued_on: Option<NaiveDate>,
    issuer_name: Option<String>,
    superior: Option<String>,
    place: Option<String>,
    signer_name: Option<String>,
    signer_post: Option<String>,
    version: i32,
    replaces: Option<String>,
    prose: String,
    figures: Option<String>,
}

const ISSUED_SELECT: &str = "SELECT r.id, r.org_id, r.first_year, r.last_year, r.half_year, r.symbol, r.issued_on, \
    r.issuer_name, r.superior, r.place, r.signer_name, r.signer_post, r.version, p.symbol AS replaces, \
    r.prose, r.figures FROM reports r LEFT JOIN reports p ON p.id = r.replaces_id";

impl IssuedRow {
    fn read(self) -> Result<IssuedReport, StoreError> {
        let unreadable = |e: serde_json::Error| {
            StoreError::Db(sea_orm::DbErr::Custom(format!(
                "báo cáo số {} không đọc được: {e}",
                self.id
            )))
        };
        Ok(IssuedReport {
            id: self.id,
            org_id: OrgId(self.org_id),
            period: Period {
                first: self.first_year,
                last: self.last_year,
                half: self.half_year,
            },
            symbol: self.symbol.clone().unwrap_or_default(),
            issued_on: self.issued_on.unwrap_or_default(),
            issuer_name: self.issuer_name.clone().unwrap_or_default(),
            superior: self.superior.clone().unwrap_or_default(),
            place: self.place.clone().unwrap_or_default(),
            signer_name: self.signer_name.clone().unwrap_or_default(),
            signer_post: self.signer_post.clone(),
            version: self.version,
            replaces: self.replaces.clone(),
            prose: serde_json::from_str(&self.prose).map_err(unreadable)?,
            figures: serde_json::from_str(self.figures.as_deref().unwrap_or("{}"))
                .map_err(unreadable)?,
        })
    }
}

/// An issued report: one query.
pub async fn issued<C: ConnectionTrait>(conn: &C, id: i64) -> Result<IssuedReport, StoreError> {
    let row: Option<IssuedRow> = sql::one(
        conn,
        &format!("{ISSUED_SELECT} WHERE r.id = $1 AND r.state = '{ISSUED}'"),
        vec![id.into()],
    )
    .await?;
    row.ok_or(StoreError::NotFound)?.read()
}

/// A line of a unit's history of issued reports.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct IssuedLine {
    pub id: i64,
    pub first_year: i32,
    pub last_year: i32,
    pub half_year: bool,
    pub symbol: String,
    pub issued_on: NaiveDate,
    pub signer_name: String,
    pub version: i32,
}

impl IssuedLine {
    /// The period.
    pub fn period(&self) -> Period {
        Period {
            first: self.first_year,
            last: self.last_year,
            half: self.half_year,
        }
    }
}

/// The reports a unit issued, the latest first: one query.
pub async fn history<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
) -> Result<Vec<IssuedLine>, StoreError> {
    Ok(sql::all(
        conn,
        &format!(
            "SELECT id, first_year, last_year, half_year, symbol, issued_on, signer_name, version FROM reports \
             WHERE org_id = $1 AND state = '{ISSUED}' ORDER BY issued_on DESC, id DESC"
        ),
        vec![unit.0.into()],
    )
    .await?)
}

const DRAFT: &str = "nhap";

/// The report's period is the one bound at `$first`, `$first+1` and `$first+2`, in the order
/// `with_period` binds it.
fn of_period(first: usize) -> String {
    format!(
        "first_year = ${first} AND last_year = ${} AND half_year = ${}",
        first + 1,
        first + 2
    )
}

/// `values` followed by the period's first year, last year and half flag.
fn with_period(mut values: Vec<sea_orm::Value>, period: Period) -> Vec<sea_orm::Value> {
    values.extend([period.first.into(), period.last.into(), period.half.into()]);
    values
}
const ISSUED: &str = "ban_hanh";

/// The prose staff saved for a unit and period, if any: one query.
pub async fn saved_draft<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
    period: Period,
) -> Result<Option<Prose>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        prose: String,
    }
    let row: Option<Row> = sql::one(
        conn,
        &format!(
            "SELECT prose FROM reports WHERE org_id = $1 AND {} AND state = '{DRAFT}'",
            of_period(2)
        ),
        with_period(vec![unit.0.into()], period),
    )
    .await?;
    Ok(row.and_then(|r| serde_json::from_str(&r.prose).ok()))
}

fn prose_json(prose: &Prose) -> Result<String, StoreError> {
    serde_json::to_string(prose).map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))
}

/// Saves the prose of a unit's report for a period (one draft per unit and period), with
/// its audit row.
pub async fn save_draft<C: crate::Writer>(
    conn: &C,
    actor: &crate::audit::Actor,
    unit: &Org,
    period: Period,
    prose: &Prose,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let before = saved_draft(&txn, unit.id, period).await?;
    let json = prose_json(prose)?;
    let now = chrono::Utc::now();
    let id = if before.is_some() {
        sql::scalar(
            &txn,
            &format!(
                "UPDATE reports SET prose = $1, updated_at = $2 WHERE org_id = $3 AND {} \
                 AND state = '{DRAFT}' RETURNING id AS value",
                of_period(4)
            ),
            with_period(vec![json.into(), now.into(), unit.id.0.into()], period),
        )
        .await?
    } else {
        sql::scalar(
            &txn,
            &format!(
                "INSERT INTO reports (org_id, first_year, last_year, half_year, state, prose, version, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $7, '{DRAFT}', $4, 0, $5, $6, $6) RETURNING id AS value"
            ),
            vec![
                unit.id.0.into(),
                period.first.into(),
                period.last.into(),
                json.into(),
                actor.account_id.into(),
                now.into(),
                period.half.into(),
            ],
        )
        .await?
    };
    let as_json = |p: &Prose| serde_json::to_value(p).unwrap_or_default();
    let change = match &before {
        Some(b) => crate::audit::Change::updated(
            AuditAction::ReportDraft,
            "report",
            id,
            Some(unit.id),
            &as_json(b),
            &as_json(prose),
        ),
        None => crate::audit::Change::created(
            AuditAction::ReportDraft,
            "report",
            id,
            Some(unit.id),
            as_json(prose),
        ),
    };
    crate::audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(())
}

/// What an issued report carries besides its prose.
#[derive(Debug, Clone)]
pub struct Issuing<'a> {
    pub figures: &'a Figures,
    pub prose: &'a Prose,
    pub issue: &'a Issue,
    /// The letterhead as of issuing.
    pub superior: &'a str,
    pub place: &'a str,
}

/// Issues a unit's report for a period: the next number of the unit's term ("12-BC/TU"),
/// the figures frozen, the version after the unit's earlier reports of the period (the
/// latest of which it replaces), the draft removed; one transaction with its audit row.
pub async fn issue<C: crate::Writer>(
    conn: &C,
    actor: &crate::audit::Actor,
    unit: &Org,
    period: Period,
    issuing: Issuing<'_>,
) -> Result<IssuedReport, StoreError> {
    let Some(symbol_of_issuer) = issuer_symbol(unit.kind, &unit.name) else {
        return Err(StoreError::invalid(
            "issued_on",
            "Chỉ tổ chức đảng ban hành báo cáo có số",
        ));
    };
    let term = term_start(issuing.issue.issued_on);
    let txn = conn.begin_write().await?;
    let number = sql::scalar(
        &txn,
        "SELECT CAST(COALESCE(MAX(number), 0) + 1 AS BIGINT) AS value FROM reports WHERE org_id = $1 AND term_start = $2",
        vec![unit.id.0.into(), term.into()],
    )
    .await?;
    #[derive(FromQueryResult)]
    struct Earlier {
        id: i64,
        version: i32,
    }
    let earlier: Option<Earlier> = sql::one(
        &txn,
        &format!(
            "SELECT id, version FROM reports WHERE org_id = $1 AND {} \
             AND state = '{ISSUED}' ORDER BY version DESC LIMIT 1",
            of_period(2)
        ),
        with_period(vec![unit.id.0.into()], period),
    )
    .await?;
    let symbol = format!("{number}-BC/{symbol_of_issuer}");
    let figures = serde_json::to_string(issuing.figures)
        .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
    let now = chrono::Utc::now();
    let i = issuing.issue;
    let id = sql::scalar(
        &txn,
        &format!(
            "INSERT INTO reports (org_id, first_year, last_year, state, prose, figures, term_start, number, symbol, \
             issued_on, issuer_name, superior, place, signer_name, signer_post, version, replaces_id, created_by, \
             created_at, updated_at, half_year) VALUES ($1, $2, $3, '{ISSUED}', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17, $18, $18, $19) RETURNING id AS value"
        ),
        vec![
            unit.id.0.into(),
            period.first.into(),
            period.last.into(),
            prose_json(issuing.prose)?.into(),
            figures.into(),
            term.into(),
            (number as i32).into(),
            symbol.clone().into(),
            i.issued_on.into(),
            unit.name.clone().into(),
            issuing.superior.to_owned().into(),
            issuing.place.to_owned().into(),
            i.signer_name.clone().into(),
            i.signer_post.clone().into(),
            earlier.as_ref().map_or(1, |e| e.version + 1).into(),
            earlier.as_ref().map(|e| e.id).into(),
            actor.account_id.into(),
            now.into(),
            period.half.into(),
        ],
    )
    .await?;
    sql::exec(
        &txn,
        &format!(
            "DELETE FROM reports WHERE org_id = $1 AND {} AND state = '{DRAFT}'",
            of_period(2)
        ),
        with_period(vec![unit.id.0.into()], period),
    )
    .await?;
    crate::audit::record(
        &txn,
        actor,
        crate::audit::Change::created(
            AuditAction::ReportIssue,
            "report",
            id,
            Some(unit.id),
            serde_json::json!({
                "symbol": symbol,
                "period": period.code(),
                "issued_on": i.issued_on.to_string(),
                "signer": i.signer_name,
            }),
        ),
    )
    .await?;
    let report = issued(&txn, id).await?;
    txn.commit().await?;
    Ok(report)
}

/// Records that the report of a unit and period was generated, and in which format.
pub async fn log_generated<C: crate::Writer>(
    conn: &C,
    actor: &crate::audit::Actor,
    unit: &Org,
    period: Period,
    format: &str,
) -> Result<(), StoreError> {
    crate::audit::record(
        conn,
        actor,
        crate::audit::Change {
            action: AuditAction::ReportGenerate,
            entity_type: "report",
            entity_id: None,
            org_id: Some(unit.id),
            before: serde_json::Value::Null,
            after: serde_json::json!({ "period": period.code(), "format": format }),
        },
    )
    .await
}

/// Adds a year's activity up to the cut (lượt, sessions, nominations, decisions,
/// propaganda, inspections) to the period's sums.
async fn activity_of_year<C: crate::Writer>(
    conn: &C,
    unit: &Org,
    (year, until): (&CampaignYear, Until),
    today: NaiveDate,
    f: &mut Figures,
) -> Result<(), StoreError> {
    let within = unit.subtree();
    let s: &mut Study = &mut f.study;
    for (audience, n) in crate::study::counted_totals(conn, &within, year, until).await? {
        if audience == lantoa_domain::study::AudienceKind::Citizens {
            s.citizens += n;
        }
        if n > 0 {
            add(&mut s.counted, &audience, n);
        }
    }
    s.sessions += crate::study::sessions_by_format(conn, &within, year, until)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum::<i64>();

    let e = crate::exemplars::figures(conn, &within, year, until).await?;
    let x: &mut Exemplars = &mut f.exemplars;
    x.nominated += e.nominated;
    x.commended += e.commended;
    x.from_public += e.from_public;
    // A median does not add up: a period's is its last year's that has one.
    x.median_days = e.median_days.or(x.median_days);

    let c = crate::commendations::figures(conn, &within, year, until).await?;
    let k: &mut Commendations = &mut f.commendations;
    k.decisions += c.decisions;
    k.collectives += c.collectives();
    k.individuals += c.individuals();
    for (category, n) in &c.individuals_by_category {
        if *category != SubjectCategory::Collective {
            add(&mut k.by_category, category, *n);
        }
    }

    let p = crate::propaganda::figures(conn, &within, year, until).await?;
    let pr: &mut Propaganda = &mut f.propaganda;
    pr.activities += p.total();
    pr.documents += p.documents();
    pr.reach += p.reach();
    for (channel, n, _, _) in &p.by_channel {
        if *n > 0 {
            add(&mut pr.by_channel, channel, *n);
        }
    }
    pr.by_month.resize(12, 0);
    for (slot, n) in pr.by_month.iter_mut().zip(&p.by_month) {
        *slot += n;
    }

    let i = crate::inspections::figures(conn, unit.id, year, today, until).await?;
    let ins: &mut Inspections = &mut f.inspections;
    ins.planned += i.planned();
    ins.done += i.done();
    ins.recommendations += i.recommendations;
    ins.open += i.open;
    ins.overdue += i.overdue;
    Ok(())
}

/// Leaders of the subtree, those whose plan of the year is approved (by the cut), and the
/// first of the others: from the roll-ups, then the leaders of the units those first few
/// are in.
async fn leaders<C: crate::Writer>(
    conn: &C,
    unit: &Org,
    (year, until): (&CampaignYear, Until),
    plans: &mut Plans,
) -> Result<(), StoreError> {
    let key = crate::rollups::Key::of(crate::rollups::Measure::Leaders, year.id, until);
    let totals = crate::rollups::of_subtree(conn, &key, &unit.path).await?;
    plans.leaders = crate::rollups::n(&totals, "leaders");
    plans.leaders_approved = crate::rollups::n(&totals, "approved");
    if plans.leaders_approved >= plans.leaders {
        return Ok(());
    }
    // The first leaders without, found through the roll-ups: the units of the first
    // NAMED of them, not every leader of the subtree.
    let lacking = |counts: &crate::rollups::Counts| {
        crate::rollups::n(counts, "leaders") - crate::rollups::n(counts, "approved")
    };
    let first = (NAMED as i64).min(plans.leaders - plans.leaders_approved);
    let Some(span) = crate::rollups::span(conn, &key, unit.id, &lacking, 0, first).await? else {
        return Ok(());
    };
    let from = format!(
        "FROM people p JOIN orgs o ON o.id = p.org_id \
         LEFT JOIN plans pl ON pl.person_id = p.id AND pl.year_id = $1 AND pl.kind = 'ca_nhan' \
         WHERE p.is_leader = $2{}",
        crate::rollups::Units::Only(&span.units).only("p.org_id")
    );
    let mut values = vec![year.id.into(), true.into()];
    let approved = crate::plans::approved(&mut Binds::new(1, until, &mut values));
    #[derive(FromQueryResult)]
    struct Without {
        full_name: String,
        org_name: String,
    }
    let without: Vec<Without> = sql::all(
        conn,
        &format!(
            "SELECT p.full_name, o.name AS org_name {from} \
             AND NOT ({approved}) \
             ORDER BY o.path, p.name_folded LIMIT {NAMED} OFFSET {}",
            span.offset
        ),
        values,
    )
    .await?;
    plans.leaders_without = without
        .into_iter()
        .map(|w| format!("{} ({})", w.full_name, w.org_name))
        .collect();
    Ok(())
}

/// The models of the year (by the cut) with the first grassroots organisations without one.
async fn models<C: crate::Writer>(
    conn: &C,
    unit: &Org,
    (year, until): (&CampaignYear, Until),
    extent: Extent,
) -> Result<Models, StoreError> {
    let within = unit.subtree();
    let m = crate::models::figures(conn, &within, year, until).await?;
    let without = if extent == Extent::Whole && m.grassroots > m.grassroots_with_model {
        crate::models::grassroots_without(conn, &within, (year, until), 1, NAMED)
            .await?
            .items
            .into_iter()
            .map(|u| u.name)
            .collect()
    } else {
        Vec::new()
    };
    Ok(Models {
        total: m.total,
        continued: m.continued,
        recognised: m.recognised,
        replications: m.replications,
        socio_political: m.front_and_unions(),
        by_sector: m.by_sector.iter().map(|(s, n)| count(s, *n)).collect(),
        grassroots: m.grassroots,
        grassroots_with_model: m.grassroots_with_model,
        grassroots_without: without,
    })
}

/// Models of the year (started by the cut) in each child's subtree, from the roll-ups.
async fn per_child_models<C: crate::Writer>(
    conn: &C,
    unit: &Org,
    (year, until): (&CampaignYear, Until),
) -> Result<HashMap<i64, i64>, StoreError> {
    let key = crate::rollups::Key::of(crate::rollups::Measure::Models, year.id, until);
    let (_, children) = crate::rollups::with_children(conn, &key, unit.id).await?;
    Ok(children
        .into_iter()
        .map(|(id, counts)| (id.0, crate::rollups::n(&counts, "total")))
        .collect())
}

/// The key tasks the unit set for the year as of the cut, and their figures.
async fn tasks<C: ConnectionTrait>(
    conn: &C,
    unit: &Org,
    (year, until): (&CampaignYear, Until),
    today: NaiveDate,
) -> Result<(Vec<crate::tasks::KeyTask>, Tasks), StoreError> {
    let all = crate::tasks::tasks_as_of(conn, unit.id, year, until).await?;
    let today = until.today(today);
    let figures = Tasks {
        total: all.len() as i64,
        done: all.iter().filter(|t| t.status == TaskStatus::Done).count() as i64,
        overdue: all
            .iter()
            .filter(|t| t.overdue(today))
            .map(|t| {
                format!(
                    "{} (chủ trì: {}, {})",
                    t.content,
                    t.lead_name,
                    t.progress(today)
                )
            })
            .collect(),
    };
    Ok((all, figures))
}

/// Award rounds of the subtree open at some time in the period, their entries and prizes
/// (after six months, as they stood on 30/06): one query.
async fn award<C: ConnectionTrait>(
    conn: &C,
    within: &crate::org::Subtree,
    period: Period,
) -> Result<Award, StoreError> {
    let start = NaiveDate::from_ymd_opt(period.first, 1, 1).unwrap_or_default();
    let end = period.end();
    #[derive(FromQueryResult)]
    struct Row {
        rounds: i64,
        entries: i64,
        prizes: Option<i64>,
    }
    let mut values = vec![
        within.from.clone().into(),
        within.to.clone().into(),
        end.into(),
        start.into(),
    ];
    // After six months: the entries sent by 30/06, the prizes of rounds closed by then.
    let until = Until::day(period.until());
    let sent = until.on_moments("e.created_at", &mut values);
    let closed = until.on_dates("r.closes_on", &mut values);
    let row: Option<Row> = sql::one(
        conn,
        &format!(
            "SELECT CAST(COUNT(DISTINCT r.id) AS BIGINT) AS rounds, CAST(COUNT(e.id) AS BIGINT) AS entries, \
             CAST(SUM(CASE WHEN e.prize IS NOT NULL{closed} THEN 1 ELSE 0 END) AS BIGINT) AS prizes \
             FROM award_rounds r JOIN orgs o ON o.id = r.org_id LEFT JOIN award_entries e ON e.round_id = r.id{sent} \
             WHERE o.path >= $1 AND o.path < $2 AND r.opens_on <= $3 AND r.closes_on >= $4"
        ),
        values,
    )
    .await?;
    Ok(row.map_or_else(Award::default, |r| Award {
        rounds: r.rounds,
        entries: r.entries,
        prizes: r.prizes.unwrap_or(0),
    }))
}
