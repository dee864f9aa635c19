//! Typical models: registering and editing a unit's model of a year, the steps it goes
//! through with their evaluations and replications, the filtered list, and the figures of
//! a subtree (by sector, category, unit kind, new or carried over; grassroots units with
//! and without a model). Every change is one transaction with its audit row.

use crate::audit::{self, Actor, Change};
use crate::campaign::{CampaignYear, Until};
use crate::org::{Org, Subtree};
use crate::{Page, StoreError, sql};
use chrono::{NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::models::{ModelCategory, ModelDraft, ModelState, ModelStep, ResultDraft};
use lantoa_domain::org::{OrgKind, Sector};
use lantoa_domain::text::fold;
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

/// A model with its unit and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: String,
    pub year_id: i64,
    pub year: i32,
    pub name: String,
    pub sector: Sector,
    pub category: ModelCategory,
    pub description: String,
    pub started_on: NaiveDate,
    pub goals: String,
    pub carriers: Option<String>,
    pub is_public: bool,
    /// The earlier model it carries on, with that model's name and year.
    pub continued_from: Option<(i64, String, i32)>,
    pub state: ModelState,
    pub recognised_on: Option<NaiveDate>,
}

#[derive(FromQueryResult)]
struct ModelRow {
    id: i64,
    org_id: i64,
    org_name: String,
    org_path: String,
    year_id: i64,
    year: i32,
    name: String,
    sector: String,
    category: String,
    description: String,
    started_on: NaiveDate,
    goals: String,
    carriers: Option<String>,
    is_public: bool,
    continued_from: Option<i64>,
    earlier_name: Option<String>,
    earlier_year: Option<i32>,
    state: String,
    recognised_on: Option<NaiveDate>,
}

impl From<ModelRow> for Model {
    fn from(r: ModelRow) -> Self {
        Model {
            id: r.id,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            org_path: r.org_path,
            year_id: r.year_id,
            year: r.year,
            name: r.name,
            sector: Sector::from_code(&r.sector).unwrap_or(Sector::Other),
            category: ModelCategory::from_code(&r.category).unwrap_or(ModelCategory::Other),
            description: r.description,
            started_on: r.started_on,
            goals: r.goals,
            carriers: r.carriers,
            is_public: r.is_public,
            continued_from: match (r.continued_from, r.earlier_name, r.earlier_year) {
                (Some(id), Some(name), Some(year)) => Some((id, name, year)),
                _ => None,
            },
            state: ModelState::from_code(&r.state).unwrap_or(ModelState::Registered),
            recognised_on: r.recognised_on,
        }
    }
}

const MODEL_SELECT: &str = "SELECT m.id, m.org_id, o.name AS org_name, o.path AS org_path, m.year_id, y.year, \
    m.name, m.sector, m.category, m.description, m.started_on, m.goals, m.carriers, m.is_public, \
    m.continued_from, e.name AS earlier_name, ey.year AS earlier_year, m.state, m.recognised_on \
    FROM models m JOIN orgs o ON o.id = m.org_id JOIN campaign_years y ON y.id = m.year_id \
    LEFT JOIN models e ON e.id = m.continued_from LEFT JOIN campaign_years ey ON ey.id = e.year_id";

/// The files of models: photos, reports of results.
pub const MODEL_FILES: crate::files::Attachments = crate::files::Attachments {
    table: "model_files",
    owner_column: "model_id",
    entity: "model",
};

impl Model {
    /// The model as the holder of its files.
    pub fn owner(&self) -> crate::files::Owner {
        crate::files::Owner {
            id: self.id,
            org_id: self.org_id,
        }
    }
}

/// One model.
pub async fn model<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Model, StoreError> {
    let row: Option<ModelRow> = sql::one(
        conn,
        &format!("{MODEL_SELECT} WHERE m.id = $1"),
        vec![id.into()],
    )
    .await?;
    row.map(Model::from).ok_or(StoreError::NotFound)
}

/// What the list shows of the models: the filters behind each figure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelFilter {
    /// Words of the name, without diacritics.
    pub q: String,
    pub sector: Option<Sector>,
    pub category: Option<ModelCategory>,
    /// Kind of the registering unit.
    pub kind: Option<OrgKind>,
    pub state: Option<ModelState>,
    /// Some(true): carried over from an earlier year; Some(false): new.
    pub continued: Option<bool>,
    /// Only recognised (or replicated since).
    pub recognised: bool,
}

/// A page of a subtree's models of a year, by unit then name: two queries.
pub async fn models<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    filter: &ModelFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<Model>, StoreError> {
    let mut w = sql::Where::new();
    w.year_in_subtree("m.year_id", year.id, within);
    let q = fold(&filter.q);
    if !q.is_empty() {
        w.push("m.name_folded LIKE ?", vec![format!("%{q}%").into()]);
    }
    if let Some(s) = filter.sector {
        w.push("m.sector = ?", vec![s.code().into()]);
    }
    if let Some(c) = filter.category {
        w.push("m.category = ?", vec![c.code().into()]);
    }
    if let Some(k) = filter.kind {
        w.push("o.kind = ?", vec![k.code().into()]);
    }
    if let Some(s) = filter.state {
        w.push("m.state = ?", vec![s.code().into()]);
    }
    match filter.continued {
        Some(true) => w.push("m.continued_from IS NOT NULL", vec![]),
        Some(false) => w.push("m.continued_from IS NULL", vec![]),
        None => {}
    }
    if filter.recognised {
        w.push(
            "m.state IN (?, ?)",
            vec![
                ModelState::Recognised.code().into(),
                ModelState::Replicated.code().into(),
            ],
        );
    }
    let rows: Page<ModelRow> = sql::page(
        conn,
        MODEL_SELECT,
        "FROM models m JOIN orgs o ON o.id = m.org_id",
        &w,
        "o.path, m.name_folded, m.id",
        page,
        per_page,
    )
    .await?;
    Ok(rows.map(Model::from))
}

fn model_json(d: &ModelDraft) -> serde_json::Value {
    serde_json::json!({
        "name": d.name,
        "sector": d.sector.code(),
        "category": d.category.code(),
        "description": d.description,
        "started_on": d.started_on.to_string(),
        "goals": d.goals,
        "carriers": d.carriers,
        "is_public": d.is_public,
        "continued_from": d.continued_from,
    })
}

/// The values of a draft's columns, in the order of `name` … `continued_from` in the
/// statements below.
fn field_values(d: &ModelDraft) -> Vec<sea_orm::Value> {
    vec![
        d.name.clone().into(),
        fold(&d.name).into(),
        d.sector.code().into(),
        d.category.code().into(),
        d.description.clone().into(),
        d.started_on.into(),
        d.goals.clone().into(),
        d.carriers.clone().into(),
        d.is_public.into(),
        d.continued_from.into(),
    ]
}

/// The model carried on must be of an earlier year and of the same unit's lineage (the unit,
/// a unit above it or below it), so "kế thừa" is never claimed on someone else's work.
async fn check_continued<C: ConnectionTrait>(
    conn: &C,
    unit: &Org,
    year: &CampaignYear,
    earlier: Option<i64>,
) -> Result<(), StoreError> {
    let Some(id) = earlier else { return Ok(()) };
    let earlier = match model(conn, id).await {
        Ok(m) => m,
        Err(StoreError::NotFound) => {
            return Err(StoreError::invalid(
                "continued_from",
                "Không có mô hình này",
            ));
        }
        Err(e) => return Err(e),
    };
    if earlier.year >= year.year {
        return Err(StoreError::invalid(
            "continued_from",
            format!(
                "Mô hình kế thừa phải của năm trước năm {} (đã chọn mô hình năm {})",
                year.year, earlier.year
            ),
        ));
    }
    let related =
        earlier.org_path.starts_with(&unit.path) || unit.path.starts_with(&earlier.org_path);
    if !related {
        return Err(StoreError::invalid(
            "continued_from",
            format!(
                "«{}» là mô hình của {}, không phải của {}",
                earlier.name, earlier.org_name, unit.name
            ),
        ));
    }
    Ok(())
}

/// Registers a unit's model for a year.
pub async fn create<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    unit: &Org,
    year: &CampaignYear,
    draft: &ModelDraft,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    check_continued(&txn, unit, year, draft.continued_from).await?;
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO models (org_id, year_id, name, name_folded, sector, category, description, started_on, goals, \
         carriers, is_public, continued_from, state, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id AS value",
        [vec![unit.id.0.into(), year.id.into()], field_values(draft), vec![
            ModelState::Registered.code().into(),
            actor.account_id.into(),
            now.into(),
        ]]
        .concat(),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::ModelCreate,
            "model",
            id,
            Some(unit.id),
            model_json(draft),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Changes a model's fields (its unit and year stay).
pub async fn update<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    current: &Model,
    unit: &Org,
    draft: &ModelDraft,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let year = crate::campaign::year(&txn, current.year).await?;
    check_continued(&txn, unit, &year, draft.continued_from).await?;
    sql::exec(
        &txn,
        "UPDATE models SET name = $2, name_folded = $3, sector = $4, category = $5, description = $6, started_on = $7, \
         goals = $8, carriers = $9, is_public = $10, continued_from = $11, updated_at = $12 WHERE id = $1",
        [
            vec![current.id.into()],
            field_values(draft),
            vec![Utc::now().into()],
        ]
        .concat(),
    )
    .await?;
    let before = ModelDraft {
        name: current.name.clone(),
        sector: current.sector,
        category: current.category,
        description: current.description.clone(),
        started_on: current.started_on,
        goals: current.goals.clone(),
        carriers: current.carriers.clone(),
        is_public: current.is_public,
        continued_from: current.continued_from.as_ref().map(|(id, _, _)| *id),
    };
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::ModelUpdate,
            "model",
            current.id,
            Some(current.org_id),
            &model_json(&before),
            &model_json(draft),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An evaluation of a model.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Evaluation {
    pub id: i64,
    pub evaluated_on: NaiveDate,
    pub results: String,
}

/// A model's evaluations, oldest first.
pub async fn evaluations<C: ConnectionTrait>(
    conn: &C,
    model_id: i64,
) -> Result<Vec<Evaluation>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT id, evaluated_on, results FROM model_evaluations WHERE model_id = $1 ORDER BY evaluated_on, id",
        vec![model_id.into()],
    )
    .await?)
}

/// A unit that replicated a model.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Replication {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub adopted_on: NaiveDate,
    pub adapted_name: String,
    pub results: String,
}

/// Where a model spread, by date.
pub async fn replications<C: ConnectionTrait>(
    conn: &C,
    model_id: i64,
) -> Result<Vec<Replication>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT r.id, r.org_id, o.name AS org_name, r.adopted_on, r.adapted_name, r.results \
         FROM model_replications r JOIN orgs o ON o.id = r.org_id WHERE r.model_id = $1 ORDER BY r.adopted_on, r.id",
        vec![model_id.into()],
    )
    .await?)
}

/// What goes with a step: the dated results of an evaluation or a replication, and for a
/// replication the adopting unit and the name it gave the model.
#[derive(Debug, Clone, Default)]
pub struct StepInput<'a> {
    pub result: Option<ResultDraft>,
    pub adopter: Option<&'a Org>,
    pub adapted_name: String,
}

/// Takes a step on a model, checked against its state as stored, with its audit row.
pub async fn take_step<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    model_id: i64,
    step: ModelStep,
    input: &StepInput<'_>,
    today: NaiveDate,
) -> Result<ModelState, StoreError> {
    let txn = conn.begin_write().await?;
    let current = model(&txn, model_id).await?;
    let next = current
        .state
        .after(step)
        .map_err(|message| StoreError::invalid("step", message))?;
    let now = Utc::now();
    let mut detail = serde_json::json!({ "step": step.code() });
    match step {
        ModelStep::Evaluate => {
            let result = input
                .result
                .as_ref()
                .ok_or_else(|| StoreError::invalid("results", "Ghi kết quả đánh giá"))?;
            sql::exec(
                &txn,
                "INSERT INTO model_evaluations (model_id, evaluated_on, results, account_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5)",
                vec![
                    model_id.into(),
                    result.on.into(),
                    result.results.clone().into(),
                    actor.account_id.into(),
                    now.into(),
                ],
            )
            .await?;
            detail["results"] = result.results.clone().into();
        }
        ModelStep::Replicate => {
            let (Some(adopter), Some(result)) = (input.adopter, input.result.as_ref()) else {
                return Err(StoreError::invalid(
                    "org",
                    "Chọn đơn vị nhân rộng và ghi kết quả",
                ));
            };
            if adopter.id == current.org_id {
                return Err(StoreError::invalid(
                    "org",
                    format!(
                        "{} là đơn vị xây dựng mô hình: nhân rộng là ở đơn vị khác",
                        adopter.name
                    ),
                ));
            }
            let already = sql::scalar(
                &txn,
                "SELECT COUNT(*) AS value FROM model_replications WHERE model_id = $1 AND org_id = $2",
                vec![model_id.into(), adopter.id.0.into()],
            )
            .await?;
            if already > 0 {
                return Err(StoreError::invalid(
                    "org",
                    format!("{} đã được ghi nhận nhân rộng mô hình này", adopter.name),
                ));
            }
            let adapted = Some(lantoa_domain::text::clean(&input.adapted_name))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| current.name.clone());
            sql::exec(
                &txn,
                "INSERT INTO model_replications (model_id, org_id, adopted_on, adapted_name, results, account_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                vec![
                    model_id.into(),
                    adopter.id.0.into(),
                    result.on.into(),
                    adapted.clone().into(),
                    result.results.clone().into(),
                    actor.account_id.into(),
                    now.into(),
                ],
            )
            .await?;
            detail["org_id"] = adopter.id.0.into();
            detail["adapted_name"] = adapted.into();
        }
        ModelStep::Recognise => {
            sql::exec(
                &txn,
                "UPDATE models SET recognised_on = $2 WHERE id = $1",
                vec![model_id.into(), today.into()],
            )
            .await?;
        }
        ModelStep::Start | ModelStep::Reject => {}
    }
    sql::exec(
        &txn,
        "UPDATE models SET state = $2, updated_at = $3 WHERE id = $1",
        vec![model_id.into(), next.code().into(), now.into()],
    )
    .await?;
    detail["state"] = next.code().into();
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::ModelStep,
            "model",
            model_id,
            Some(current.org_id),
            &serde_json::json!({ "state": current.state.code() }),
            &detail,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// The figures of a subtree's models of a year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelFigures {
    pub total: i64,
    /// Carried over from an earlier year ("kế thừa"); the rest are new.
    pub continued: i64,
    /// Recognised as typical (or replicated since).
    pub recognised: i64,
    /// Units that replicated a model of the subtree.
    pub replications: i64,
    pub by_sector: Vec<(Sector, i64)>,
    pub by_category: Vec<(ModelCategory, i64)>,
    pub by_kind: Vec<(OrgKind, i64)>,
    /// Grassroots Party organisations of the subtree ("cơ sở đảng").
    pub grassroots: i64,
    /// Of them, with a model registered in their subtree.
    pub grassroots_with_model: i64,
}

impl ModelFigures {
    /// Models in socio-political organisations (MTTQ và các đoàn thể).
    pub fn front_and_unions(&self) -> i64 {
        self.by_sector
            .iter()
            .find(|(s, _)| *s == Sector::FrontAndUnions)
            .map_or(0, |(_, n)| *n)
    }

    /// New models.
    pub fn built_new(&self) -> i64 {
        self.total - self.continued
    }
}

/// Whether grassroots unit `g` has a model of the year at `$1` (started by the cut, if any)
/// in its subtree: the subtree's units by path, then for each one probe of the (year, unit)
/// index. Neither planner may start from the models: a join of models and units let
/// PostgreSQL read every model of the year for each grassroots unit (7 s a step of 1 000
/// units at the nation's first count; 1,4 ms now), and SQLite likewise without a `+` on
/// the year. The inner `LIMIT 1 OFFSET 0` keeps PostgreSQL from turning the probe into a
/// hash of the year's 77 000 models (17 ms for one grassroots unit's list; 0,3 ms now).
fn has_model(until: Until, values: &mut Vec<Value>) -> String {
    format!(
        "EXISTS (SELECT 1 FROM orgs o \
         WHERE o.path >= g.path AND o.path < substr(g.path, 1, length(g.path) - 1) || '0' \
         AND EXISTS (SELECT 1 FROM models m WHERE m.year_id = $1 AND m.org_id = o.id{} LIMIT 1 OFFSET 0))",
        until.on_dates("m.started_on", values)
    )
}

fn grassroots_kinds() -> String {
    OrgKind::ALL
        .iter()
        .filter(|k| k.is_grassroots())
        .map(|k| format!("'{}'", k.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The figures of a subtree for a year, as of the cut (models started by then — a model
/// carried on from earlier years always is —, recognised and replicated by then), from the
/// roll-ups: one statement once they are up to date.
pub async fn figures<C: crate::Writer>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    until: Until,
) -> Result<ModelFigures, StoreError> {
    let key = crate::rollups::Key::of(crate::rollups::Measure::Models, year.id, until);
    let counts = crate::rollups::of_subtree(conn, &key, &within.from).await?;
    let get = |code: &str| crate::rollups::n(&counts, code);
    fn present<K: ClosedList>(get: impl Fn(&str) -> i64, prefix: &str) -> Vec<(K, i64)> {
        K::ALL
            .iter()
            .map(|k| (*k, get(&format!("{prefix}{}", k.code()))))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
    Ok(ModelFigures {
        total: get(TOTAL),
        continued: get(CONTINUED),
        recognised: get(RECOGNISED),
        replications: get(REPLICATIONS),
        by_sector: present(get, SECTOR),
        by_category: present(get, CATEGORY),
        by_kind: present(get, KIND),
        grassroots: get(GRASSROOTS),
        grassroots_with_model: get(GRASSROOTS_WITH_MODEL),
    })
}

// The roll-up codes of the model figures.
const TOTAL: &str = "total";
const CONTINUED: &str = "continued";
const RECOGNISED: &str = "recognised";
const REPLICATIONS: &str = "replications";
const SECTOR: &str = "sector:";
const CATEGORY: &str = "category:";
const KIND: &str = "kind:";
const GRASSROOTS: &str = "grassroots";
const GRASSROOTS_WITH_MODEL: &str = "grassroots_with_model";

/// Each unit's own model figures of the year up to the cut (roll-ups): its models by
/// sector, category and its kind, their replications, and — for a grassroots unit —
/// whether its subtree has a model. Three grouped queries.
pub(crate) async fn own_figures<C: ConnectionTrait>(
    conn: &C,
    units: crate::rollups::Units<'_>,
    year_id: i64,
    until: Until,
) -> Result<crate::rollups::OwnRows, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        org_id: i64,
        sector: String,
        category: String,
        kind: String,
        continued: i64,
        recognised: i64,
        models: i64,
    }
    let mut values = vec![year_id.into()];
    let started = until.on_dates("m.started_on", &mut values);
    let recognised_by = until.on_dates("m.recognised_on", &mut values);
    let rows: Vec<Row> = sql::all(
        conn,
        &format!(
            "SELECT m.org_id, m.sector, m.category, o.kind, \
             CAST(CASE WHEN m.continued_from IS NULL THEN 0 ELSE 1 END AS BIGINT) AS continued, \
             CAST(CASE WHEN m.state IN ('{}', '{}'){recognised_by} THEN 1 ELSE 0 END AS BIGINT) AS recognised, \
             COUNT(*) AS models FROM models m JOIN orgs o ON o.id = m.org_id \
             WHERE m.year_id = $1{started}{} GROUP BY 1, 2, 3, 4, 5, 6",
            ModelState::Recognised.code(),
            ModelState::Replicated.code(),
            units.only("m.org_id")
        ),
        values,
    )
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let org = r.org_id;
        out.push((org, TOTAL.to_owned(), r.models));
        out.push((org, CONTINUED.to_owned(), r.continued * r.models));
        out.push((org, RECOGNISED.to_owned(), r.recognised * r.models));
        out.push((org, format!("{SECTOR}{}", r.sector), r.models));
        out.push((org, format!("{CATEGORY}{}", r.category), r.models));
        out.push((org, format!("{KIND}{}", r.kind), r.models));
    }
    #[derive(FromQueryResult)]
    struct Count {
        org_id: i64,
        n: i64,
    }
    let mut values = vec![year_id.into()];
    let started = until.on_dates("m.started_on", &mut values);
    let adopted = until.on_dates("r.adopted_on", &mut values);
    let replications: Vec<Count> = sql::all(
        conn,
        &format!(
            "SELECT m.org_id, COUNT(*) AS n FROM model_replications r JOIN models m ON m.id = r.model_id \
             WHERE m.year_id = $1{started}{adopted}{} GROUP BY m.org_id",
            units.only("m.org_id")
        ),
        values,
    )
    .await?;
    out.extend(
        replications
            .into_iter()
            .map(|c| (c.org_id, REPLICATIONS.to_owned(), c.n)),
    );
    let mut values = vec![year_id.into()];
    let has_model = has_model(until, &mut values);
    let grassroots: Vec<Count> = sql::all(
        conn,
        &format!(
            "SELECT g.id AS org_id, CAST(CASE WHEN {has_model} THEN 1 ELSE 0 END AS BIGINT) AS n \
             FROM orgs g WHERE g.kind IN ({}) AND g.archived_at IS NULL{}",
            grassroots_kinds(),
            units.only("g.id")
        ),
        values,
    )
    .await?;
    for g in grassroots {
        out.push((g.org_id, GRASSROOTS.to_owned(), 1));
        out.push((g.org_id, GRASSROOTS_WITH_MODEL.to_owned(), g.n));
    }
    Ok(out)
}

/// A grassroots unit with no model of the year.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct UnitWithout {
    pub id: i64,
    pub name: String,
    pub code: String,
}

/// The subtree's grassroots units without a model of the year (started by the cut, if
/// any), by path; how many there are comes from the roll-ups. Two statements once they are
/// up to date.
pub async fn grassroots_without<C: crate::Writer>(
    conn: &C,
    within: &Subtree,
    (year, until): (&CampaignYear, Until),
    page: u64,
    per_page: u64,
) -> Result<Page<UnitWithout>, StoreError> {
    let mut w = sql::Where::new();
    let year_at = w.bind(year.id.into());
    debug_assert_eq!(year_at, "$1");
    w.push(
        &format!(
            "g.kind IN ({}) AND g.archived_at IS NULL AND g.path >= ? AND g.path < ?",
            grassroots_kinds()
        ),
        vec![within.from.clone().into(), within.to.clone().into()],
    );
    let has_model = has_model(until, &mut w.values);
    w.push(&format!("NOT {has_model}"), vec![]);
    let f = figures(conn, within, year, until).await?;
    let total = f.grassroots - f.grassroots_with_model;
    Ok(sql::page_of(
        conn,
        "SELECT g.id, g.name, g.code FROM orgs g",
        &w,
        "g.path",
        (total, false),
        page,
        per_page,
    )
    .await?)
}

/// Earlier years' models of a unit's lineage that a new model may carry on, newest first.
pub async fn carried_candidates<C: ConnectionTrait>(
    conn: &C,
    unit: &Org,
    year: &CampaignYear,
) -> Result<Vec<(i64, String, i32)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Candidate {
        id: i64,
        name: String,
        year: i32,
    }
    let rows: Vec<Candidate> = sql::all(
        conn,
        "SELECT m.id, m.name, y.year FROM models m JOIN orgs o ON o.id = m.org_id JOIN campaign_years y ON y.id = m.year_id \
         WHERE y.year < $1 AND (o.path >= $2 AND o.path < $3) ORDER BY y.year DESC, m.name_folded LIMIT 200",
        vec![
            year.year.into(),
            unit.subtree().from.into(),
            unit.subtree().to.into(),
        ],
    )
    .await?;
    Ok(rows.into_iter().map(|c| (c.id, c.name, c.year)).collect())
}

/// Whether a model is shown on the public site: recognised (or spread since) and flagged.
const PUBLIC_MODEL: &str = "m.is_public = ? AND m.state IN (?, ?)";

fn public_values() -> Vec<sea_orm::Value> {
    vec![
        true.into(),
        ModelState::Recognised.code().into(),
        ModelState::Replicated.code().into(),
    ]
}

/// The public models, of a subtree, sector and year if given, newest recognition first: two queries.
pub async fn public_models<C: ConnectionTrait>(
    conn: &C,
    within: Option<&Subtree>,
    sector: Option<Sector>,
    year: Option<i32>,
    page: u64,
    per_page: u64,
) -> Result<Page<Model>, StoreError> {
    let mut w = sql::Where::new();
    w.push(PUBLIC_MODEL, public_values());
    if let Some(t) = within {
        w.push(
            "o.path >= ? AND o.path < ?",
            vec![t.from.clone().into(), t.to.clone().into()],
        );
    }
    if let Some(s) = sector {
        w.push("m.sector = ?", vec![s.code().into()]);
    }
    if let Some(y) = year {
        w.push("y.year = ?", vec![y.into()]);
    }
    let rows: Page<ModelRow> = sql::page(
        conn,
        MODEL_SELECT,
        PUBLIC_FROM,
        &w,
        PUBLIC_ORDER,
        page,
        per_page,
    )
    .await?;
    Ok(rows.map(Model::from))
}

/// The newest public models, without counting them all (the showcase home).
pub async fn newest_public_models<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    let mut w = sql::Where::new();
    w.push(PUBLIC_MODEL, public_values());
    let rows: Vec<ModelRow> = sql::rows(conn, MODEL_SELECT, &w, PUBLIC_ORDER, limit, 0).await?;
    Ok(rows.into_iter().map(Model::from).collect())
}

const PUBLIC_FROM: &str =
    "FROM models m JOIN orgs o ON o.id = m.org_id JOIN campaign_years y ON y.id = m.year_id";

/// Newest recognised first: the order of index `models_public_idx`.
const PUBLIC_ORDER: &str = "m.recognised_on DESC, m.id DESC";

/// One public model, or not found when it is not public.
pub async fn public_model<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Model, StoreError> {
    let mut w = sql::Where::new();
    w.push("m.id = ?", vec![id.into()]);
    w.push(PUBLIC_MODEL, public_values());
    let row: Option<ModelRow> =
        sql::one(conn, &format!("{MODEL_SELECT}{}", w.sql()), w.values).await?;
    row.map(Model::from).ok_or(StoreError::NotFound)
}
