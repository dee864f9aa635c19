//! The figures the campaign counts over people: of the people a unit's subtree holds on a
//! year's reference day (where their `person_units` stay puts them; party members chính
//! thức or dự bị, and for plans any other category the settings require), how many meet each of some conditions — studied the year's topic, submitted a plan,
//! had it approved… — and who does not.
//!
//! Each figure is one grouped query over the subtree's people, never a scan of the rows
//! the conditions look at (each condition is an indexed `EXISTS` on the person). A unit's
//! page is the grouped query over its children's subtrees plus one over its own members;
//! their sum is the unit's total.

use crate::campaign::Until;
use crate::org::Subtree;
use crate::rollups::{self, Units};
use crate::{Page, StoreError, sql};
use chrono::NaiveDate;
use lantoa_domain::OrgId;
use lantoa_domain::people::{Categories, Category};
use sea_orm::{ConnectionTrait, FromQueryResult, QueryResult, Value};
use std::collections::HashMap;

/// A condition on person `p` for the year, written with the placeholders it is given.
pub(crate) type Condition = fn(&mut Binds) -> String;

/// What a condition may refer to: the year's placeholder, and the cut of the year, whose
/// value a condition binds (as the statement's next placeholder) when it needs it.
pub(crate) struct Binds<'a> {
    year_at: usize,
    until: Until,
    values: &'a mut Vec<Value>,
}

impl<'a> Binds<'a> {
    /// The year at `$year_at`; the cut's values go to the end of `values`.
    pub fn new(year_at: usize, until: Until, values: &'a mut Vec<Value>) -> Self {
        Binds {
            year_at,
            until,
            values,
        }
    }

    /// `$n` of the year's id.
    pub fn year(&self) -> String {
        format!("${}", self.year_at)
    }

    /// The cut on a timestamp column (see [`Until::on_moments`]).
    pub fn until_moment(&mut self, column: &str) -> String {
        self.until.on_moments(column, self.values)
    }

    /// The cut on a local date-time column (see [`Until::on_local_times`]).
    pub fn until_local_time(&mut self, column: &str) -> String {
        self.until.on_local_times(column, self.values)
    }
}

/// What a set of figures counts: the people counted (party members chính thức and dự bị
/// when `counted` holds "Đảng viên", and anyone not exempt of its other categories), an
/// optional `LEFT JOIN` on person `p` for the year at placeholder `$n` (at most one row per
/// person, e.g. their plan of the year), and the conditions, which may use the joined row.
pub(crate) struct Measure<'a> {
    /// The categories counted.
    pub counted: Categories,
    /// The join, if the conditions need one.
    pub join: Option<fn(usize) -> String>,
    /// The conditions counted.
    pub conditions: &'a [Condition],
    /// How much of the year the conditions count.
    pub until: Until,
}

impl Measure<'_> {
    fn join(&self, year_at: usize) -> String {
        self.join
            .map(|j| format!(" {}", j(year_at)))
            .unwrap_or_default()
    }

    /// Each condition written with the year at `$year_at`, binding the cut into `values`.
    fn conditions(&self, year_at: usize, values: &mut Vec<Value>) -> Vec<String> {
        let mut binds = Binds::new(year_at, self.until, values);
        self.conditions.iter().map(|c| c(&mut binds)).collect()
    }

    /// The select list: a key, the count, and one sum per condition.
    fn select(&self, key: &str, year_at: usize, values: &mut Vec<Value>) -> String {
        let mut out = format!("SELECT {key} AS id, COUNT(*) AS eligible");
        for (i, condition) in self.conditions(year_at, values).iter().enumerate() {
            out.push_str(&format!(
                ", CAST(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS BIGINT) AS met_{i}"
            ));
        }
        out
    }

    /// Person `p`'s stay `pu` covers the reference day `$1` and `p` is one of the people
    /// counted. The category bits come from the code's list, never from user text.
    fn eligible_on_day(&self) -> String {
        let mut who: Vec<String> = Vec::new();
        if self.counted.contains(Category::PartyMember) {
            who.push("p.member_status IN ('chinh_thuc', 'du_bi')".into());
        }
        let others = self
            .counted
            .iter()
            .filter(|c| *c != Category::PartyMember)
            .fold(0, |bits, c| bits | c.bit());
        if others != 0 {
            who.push(format!(
                "((p.categories & {others}) <> 0 AND COALESCE(p.member_status, '') <> 'mien_sinh_hoat')"
            ));
        }
        if who.is_empty() {
            who.push("1 = 0".into());
        }
        format!(
            "(pu.valid_from IS NULL OR pu.valid_from <= $1) AND (pu.valid_to IS NULL OR pu.valid_to > $1) AND ({})",
            who.join(" OR ")
        )
    }
}

/// Party members chính thức and dự bị: whom the study figures count.
pub(crate) fn party_members() -> Categories {
    [Category::PartyMember].into_iter().collect()
}

/// Members counted, and for each condition how many of them meet it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Members the year counts.
    pub eligible: i64,
    /// Of them, how many meet each condition, in the conditions' order.
    pub met: Vec<i64>,
}

impl Tally {
    /// How many meet condition `i`.
    pub fn met(&self, i: usize) -> i64 {
        self.met.get(i).copied().unwrap_or(0)
    }
}

/// Eligible members whose unit `d` on the reference day lies in the range `$2`–`$3`, with
/// the measure's join (the year at `$4`).
fn eligible_in_subtree(measure: &Measure) -> String {
    format!(
        "FROM person_units pu JOIN people p ON p.id = pu.person_id JOIN orgs d ON d.id = pu.org_id{} \
         WHERE {} AND d.path >= $2 AND d.path < $3",
        measure.join(4),
        measure.eligible_on_day()
    )
}

fn read(row: &QueryResult, conditions: usize) -> Result<(i64, Tally), StoreError> {
    let id: i64 = row.try_get("", "id")?;
    let eligible: i64 = row.try_get("", "eligible")?;
    let mut met = Vec::with_capacity(conditions);
    for i in 0..conditions {
        let n: Option<i64> = row.try_get("", &format!("met_{i}"))?;
        met.push(n.unwrap_or(0));
    }
    Ok((id, Tally { eligible, met }))
}

async fn rows<C: ConnectionTrait>(
    conn: &C,
    query: &str,
    values: Vec<Value>,
    conditions: usize,
) -> Result<Vec<(i64, Tally)>, StoreError> {
    conn.query_all_raw(sql::stmt(conn, query, values))
        .await?
        .iter()
        .map(|row| read(row, conditions))
        .collect()
}

/// The tally of a subtree: one query.
pub(crate) async fn tally<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year_id: i64,
    day: NaiveDate,
    measure: &Measure<'_>,
) -> Result<Tally, StoreError> {
    let conditions = measure.conditions;
    let mut values = vec![
        day.into(),
        within.from.clone().into(),
        within.to.clone().into(),
        year_id.into(),
    ];
    let query = format!(
        "{} {}",
        measure.select("CAST(0 AS BIGINT)", 4, &mut values),
        eligible_in_subtree(measure)
    );
    Ok(rows(conn, &query, values, conditions.len())
        .await?
        .into_iter()
        .map(|(_, t)| t)
        .next()
        .unwrap_or_default())
}

/// Each unit's own tally, its own members' (not its subtree's), for the units `units`:
/// one grouped query. The roll-ups are made of these.
pub(crate) async fn own_tallies<C: ConnectionTrait>(
    conn: &C,
    units: Units<'_>,
    year_id: i64,
    day: NaiveDate,
    measure: &Measure<'_>,
) -> Result<Vec<(i64, Tally)>, StoreError> {
    let mut values = vec![day.into(), year_id.into()];
    let select = measure.select("pu.org_id", 2, &mut values);
    rows(
        conn,
        &format!(
            "{select} FROM person_units pu JOIN people p ON p.id = pu.person_id{} \
             WHERE {}{} GROUP BY pu.org_id",
            measure.join(2),
            measure.eligible_on_day(),
            units.only("pu.org_id")
        ),
        values,
        measure.conditions.len(),
    )
    .await
}

/// The tally of a unit's subtree and of each of its children's subtrees, from the
/// roll-ups of `key`: one statement once they are up to date.
pub(crate) async fn tally_with_children<C: crate::Writer>(
    conn: &C,
    unit: OrgId,
    key: &rollups::Key,
    conditions: usize,
) -> Result<(Tally, HashMap<OrgId, Tally>), StoreError> {
    let (total, children) = rollups::with_children(conn, key, unit).await?;
    Ok((
        rollups::as_tally(&total, conditions),
        children
            .iter()
            .map(|(id, counts)| (*id, rollups::as_tally(counts, conditions)))
            .collect(),
    ))
}

/// A member the year counts who does not meet a condition, for the follow-up list.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Missing {
    /// Person.
    pub person_id: i64,
    /// Name.
    pub full_name: String,
    /// Position.
    pub position: Option<String>,
    /// Unit on the reference day.
    pub org_name: String,
    /// Its code.
    pub org_code: String,
}

/// Which roll-up counts a drill-down's people: the key kept over the same measure, and
/// the condition whose "met" count the people lacking it are missing from.
pub(crate) struct Guide {
    /// The key.
    pub key: rollups::Key,
    /// The condition's index in the key's measure ("met0", "met1"…).
    pub condition: usize,
}

impl Guide {
    /// How many of the people `counts` count lack the condition.
    fn lacking(&self, counts: &rollups::Counts) -> i64 {
        rollups::n(counts, "eligible") - rollups::n(counts, &format!("met{}", self.condition))
    }
}

/// The subtree's people who do not meet the measure's conditions, by unit then name. The
/// roll-ups of `guide` say how many there are and which units hold the page's people
/// ([`rollups::span`]), so the page reads only those units' members, never those before
/// it: a few statements per level of the tree, whatever the page and the subtree's size.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn lacking<C: crate::Writer>(
    conn: &C,
    within: &Subtree,
    year_id: i64,
    day: NaiveDate,
    measure: &Measure<'_>,
    guide: &Guide,
    page: u64,
    per_page: u64,
) -> Result<Page<Missing>, StoreError> {
    let lacking = |counts: &rollups::Counts| guide.lacking(counts);
    let total = lacking(&rollups::of_subtree(conn, &guide.key, &within.from).await?);
    let page = page.max(1);
    let skip = i64::try_from((page - 1).saturating_mul(per_page)).unwrap_or(i64::MAX);
    let take = i64::try_from(per_page)
        .unwrap_or(i64::MAX)
        .min(total.saturating_sub(skip));
    let span = rollups::span(conn, &guide.key, within.root_id(), &lacking, skip, take).await?;
    let items = match span {
        Some(span) => {
            let units = Units::Only(&span.units);
            members_lacking(
                conn,
                within,
                units,
                (year_id, day),
                measure,
                take,
                span.offset,
            )
            .await?
        }
        // The roll-ups were read just now; were a write to land between them and the
        // members, the page reads the whole subtree from the same index instead.
        None if take > 0 => {
            members_lacking(
                conn,
                within,
                Units::All,
                (year_id, day),
                measure,
                take,
                skip,
            )
            .await?
        }
        None => Vec::new(),
    };
    Ok(Page {
        items,
        total,
        capped: false,
        page,
        per_page,
    })
}

/// `take` of the people of the subtree (and of `units`) lacking the measure's conditions,
/// by unit then name, after the first `offset` of them.
async fn members_lacking<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    units: Units<'_>,
    (year_id, day): (i64, NaiveDate),
    measure: &Measure<'_>,
    take: i64,
    offset: i64,
) -> Result<Vec<Missing>, StoreError> {
    let mut values: Vec<Value> = vec![
        day.into(),
        within.from.clone().into(),
        within.to.clone().into(),
        year_id.into(),
    ];
    let all = measure.conditions(4, &mut values);
    values.push(take.into());
    values.push(offset.into());
    let (limit_at, offset_at) = (values.len() - 1, values.len());
    sql::all(
        conn,
        &format!(
            "SELECT p.id AS person_id, p.full_name, p.position, d.name AS org_name, d.code AS org_code \
             {}{} AND NOT ({}) ORDER BY d.path, p.name_folded, p.id LIMIT ${limit_at} OFFSET ${offset_at}",
            eligible_in_subtree(measure),
            units.only("pu.org_id"),
            all.join(" AND ")
        ),
        values,
    )
    .await
    .map_err(StoreError::from)
}
