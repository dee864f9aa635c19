//! Quality ratings: saving a member's rating for a year and period (one per subject, year
//! and period: saving again updates it, and the audit row keeps what changed), the counts
//! by level per child unit, and the list behind each count with the member's plan beside
//! it as the input it is.

use crate::audit::{self, Actor, Change};
use crate::campaign::CampaignYear;
use crate::org::{IN_CHILD_SUBTREE, Subtree};
use crate::people::Person;
use crate::{Page, StoreError, sql};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::ratings::{RatingDraft, RatingLevel, RatingPeriod, RatingStep};
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Rating {
    /// Id.
    pub id: i64,
    /// Period code.
    pub period: String,
    /// Which quarter or term.
    pub period_label: String,
    /// Tenths of a point.
    pub score: i32,
    /// Level code.
    pub level: String,
    /// Regulation it was made under.
    pub regulation: String,
    /// Step code.
    pub step: String,
    /// Note.
    pub note: Option<String>,
}

impl Rating {
    /// The level.
    pub fn level(&self) -> Option<RatingLevel> {
        RatingLevel::from_code(&self.level)
    }

    /// The step.
    pub fn step(&self) -> Option<RatingStep> {
        RatingStep::from_code(&self.step)
    }

    /// "85,5".
    pub fn score_text(&self) -> String {
        lantoa_domain::ratings::score_text(self.score)
    }
}

const RATING_COLUMNS: &str =
    "r.id, r.period, r.period_label, r.score, r.level, r.regulation, r.step, r.note";

/// Who is rated: a member (filed under their current unit) or an organisation itself.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A party member.
    Member(&'a Person),
    /// A party organisation.
    Organisation(&'a crate::org::Org),
}

impl Subject<'_> {
    /// The unit the rating is filed under.
    pub fn org_id(&self) -> OrgId {
        match self {
            Subject::Member(p) => p.org_id,
            Subject::Organisation(o) => o.id,
        }
    }

    fn person_id(&self) -> Option<i64> {
        match self {
            Subject::Member(p) => Some(p.id.0),
            Subject::Organisation(_) => None,
        }
    }
}

/// The rating of a subject for a year and period, if any.
pub async fn of<C: ConnectionTrait>(
    conn: &C,
    subject: Subject<'_>,
    year: &CampaignYear,
    period: RatingPeriod,
    period_label: &str,
) -> Result<Option<Rating>, StoreError> {
    let (who, owner) = match subject {
        Subject::Member(p) => ("r.person_id = $1", p.id.0),
        Subject::Organisation(o) => ("r.person_id IS NULL AND r.org_id = $1", o.id.0),
    };
    Ok(sql::one(
        conn,
        &format!(
            "SELECT {RATING_COLUMNS} FROM ratings r WHERE {who} AND r.year_id = $2 \
             AND r.period = $3 AND r.period_label = $4"
        ),
        vec![
            owner.into(),
            year.id.into(),
            period.code().into(),
            period_label.into(),
        ],
    )
    .await?)
}

fn rating_json(d: &RatingDraft) -> serde_json::Value {
    serde_json::json!({
        "period": d.period.code(),
        "period_label": d.period_label,
        "score": d.score,
        "level": d.level.code(),
        "regulation": d.regulation,
        "step": d.step.code(),
        "note": d.note,
    })
}

fn stored_json(r: &Rating) -> serde_json::Value {
    serde_json::json!({
        "period": r.period,
        "period_label": r.period_label,
        "score": r.score,
        "level": r.level,
        "regulation": r.regulation,
        "step": r.step,
        "note": r.note,
    })
}

/// Saves a rating (creates it, or updates the subject's one of the same year and period).
pub async fn save<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    subject: Subject<'_>,
    year: &CampaignYear,
    draft: &RatingDraft,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let existing = of(&txn, subject, year, draft.period, &draft.period_label).await?;
    let now = chrono::Utc::now();
    let values = || -> Vec<sea_orm::Value> {
        vec![
            draft.score.into(),
            draft.level.code().into(),
            draft.regulation.clone().into(),
            draft.step.code().into(),
            draft.note.clone().into(),
            now.into(),
        ]
    };
    let (id, before) = match &existing {
        Some(r) => {
            let mut v = values();
            v.push(r.id.into());
            sql::exec(
                &txn,
                "UPDATE ratings SET score = $1, level = $2, regulation = $3, step = $4, note = $5, updated_at = $6 WHERE id = $7",
                v,
            )
            .await?;
            (r.id, stored_json(r))
        }
        None => {
            let mut v = values();
            v.extend([
                subject.person_id().into(),
                subject.org_id().0.into(),
                year.id.into(),
                draft.period.code().into(),
                draft.period_label.clone().into(),
            ]);
            let id = sql::scalar(
                &txn,
                "INSERT INTO ratings (score, level, regulation, step, note, created_at, updated_at, person_id, org_id, year_id, period, period_label) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11) RETURNING id AS value",
                v,
            )
            .await?;
            (id, serde_json::Value::Null)
        }
    };
    let mut after = rating_json(draft);
    if let Some(map) = after.as_object_mut() {
        map.insert("person_id".into(), subject.person_id().into());
        map.insert("year".into(), year.year.into());
    }
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::RatingSave,
            "rating",
            id,
            Some(subject.org_id()),
            &before,
            &after,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Members' yearly ratings counted by level: the unit's subtree in total and per child
/// subtree. Two grouped queries.
pub type LevelCounts = HashMap<RatingLevel, i64>;

#[derive(FromQueryResult)]
struct CountRow {
    id: i64,
    level: String,
    n: i64,
}

/// Counts of members' yearly ratings by level, in a unit's subtree and per child: two
/// queries, the total being the children's and the unit's own.
pub async fn counts_with_children<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
    year: &CampaignYear,
) -> Result<(LevelCounts, HashMap<OrgId, LevelCounts>), StoreError> {
    let rated = "r.year_id = $2 AND r.period = 'nam' AND r.person_id IS NOT NULL";
    let by_child: Vec<CountRow> = sql::all(
        conn,
        &format!(
            "SELECT c.id, r.level, COUNT(*) AS n FROM orgs c \
             JOIN orgs d ON {IN_CHILD_SUBTREE} \
             JOIN ratings r ON r.org_id = d.id WHERE c.parent_id = $1 AND {rated} GROUP BY c.id, r.level"
        ),
        vec![unit.0.into(), year.id.into()],
    )
    .await?;
    let own: Vec<CountRow> = sql::all(
        conn,
        &format!(
            "SELECT r.org_id AS id, r.level, COUNT(*) AS n FROM ratings r WHERE r.org_id = $1 AND {rated} GROUP BY r.org_id, r.level"
        ),
        vec![unit.0.into(), year.id.into()],
    )
    .await?;
    let mut total = LevelCounts::new();
    let mut children: HashMap<OrgId, LevelCounts> = HashMap::new();
    for row in by_child.iter().chain(own.iter()) {
        if let Some(level) = RatingLevel::from_code(&row.level) {
            *total.entry(level).or_default() += row.n;
        }
    }
    for row in by_child {
        if let Some(level) = RatingLevel::from_code(&row.level) {
            *children
                .entry(OrgId(row.id))
                .or_default()
                .entry(level)
                .or_default() += row.n;
        }
    }
    Ok((total, children))
}

/// The yearly ratings of the units directly under a unit, by unit: one query.
pub async fn of_children<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
    year: &CampaignYear,
) -> Result<HashMap<OrgId, Rating>, StoreError> {
    let rows: Vec<(i64, Rating)> = conn
        .query_all_raw(sql::stmt(
            conn,
            &format!(
                "SELECT r.org_id, {RATING_COLUMNS} FROM ratings r JOIN orgs o ON o.id = r.org_id \
                 WHERE o.parent_id = $1 AND r.person_id IS NULL AND r.year_id = $2 AND r.period = 'nam'"
            ),
            vec![unit.0.into(), year.id.into()],
        ))
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "org_id")?, Rating::from_query_result(row, "")?)))
        .collect::<Result<_, sea_orm::DbErr>>()?;
    Ok(rows.into_iter().map(|(id, r)| (OrgId(id), r)).collect())
}

/// "Xuất sắc" and "tốt" yearly ratings already given in a unit (for the cap).
pub async fn excellent_and_good<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
    year: &CampaignYear,
) -> Result<(i64, i64), StoreError> {
    let rows: Vec<CountRow> = sql::all(
        conn,
        "SELECT r.org_id AS id, r.level, COUNT(*) AS n FROM ratings r \
         WHERE r.org_id = $1 AND r.year_id = $2 AND r.period = 'nam' AND r.person_id IS NOT NULL GROUP BY r.org_id, r.level",
        vec![unit.0.into(), year.id.into()],
    )
    .await?;
    let count = |level: RatingLevel| {
        rows.iter()
            .filter(|r| r.level == level.code())
            .map(|r| r.n)
            .sum()
    };
    Ok((count(RatingLevel::Excellent), count(RatingLevel::Good)))
}

/// A rated member in the list behind a count, with their plan of the year beside.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct RatedMember {
    /// Person.
    pub person_id: i64,
    /// Name.
    pub full_name: String,
    /// Unit.
    pub org_name: String,
    /// Tenths of a point.
    pub score: i32,
    /// Level code.
    pub level: String,
    /// Step code.
    pub step: String,
    /// Their plan of the year.
    pub plan_id: Option<i64>,
    /// Its state code.
    pub plan_state: Option<String>,
}

impl RatedMember {
    /// "85,5".
    pub fn score_text(&self) -> String {
        lantoa_domain::ratings::score_text(self.score)
    }

    /// Level label.
    pub fn level_label(&self) -> &'static str {
        RatingLevel::from_code(&self.level).map_or("", RatingLevel::label)
    }

    /// Step label.
    pub fn step_label(&self) -> &'static str {
        RatingStep::from_code(&self.step).map_or("", RatingStep::label)
    }

    /// Plan state label.
    pub fn plan_label(&self) -> &'static str {
        self.plan_state
            .as_deref()
            .and_then(lantoa_domain::plans::PlanState::from_code)
            .map_or("Chưa lập", lantoa_domain::plans::PlanState::label)
    }
}

/// Members of a subtree rated for the year (at a level, or all), by unit then name: two
/// queries.
pub async fn members<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    level: Option<RatingLevel>,
    page: u64,
    per_page: u64,
) -> Result<Page<RatedMember>, StoreError> {
    let mut w = sql::Where::new();
    let year_param = w.bind(year.id.into());
    w.push(
        &format!("r.year_id = {year_param} AND r.period = 'nam' AND o.path >= ? AND o.path < ?"),
        vec![within.from.clone().into(), within.to.clone().into()],
    );
    if let Some(level) = level {
        w.push("r.level = ?", vec![level.code().into()]);
    }
    let from = format!(
        "FROM ratings r JOIN people p ON p.id = r.person_id JOIN orgs o ON o.id = r.org_id \
         LEFT JOIN plans pl ON pl.person_id = p.id AND pl.year_id = {year_param} AND pl.kind = 'ca_nhan'"
    );
    Ok(sql::page(
        conn,
        &format!(
            "SELECT p.id AS person_id, p.full_name, o.name AS org_name, r.score, r.level, r.step, \
             pl.id AS plan_id, pl.state AS plan_state {from}"
        ),
        &from,
        &w,
        "o.path, p.name_folded, p.id",
        page,
        per_page,
    )
    .await?)
}
