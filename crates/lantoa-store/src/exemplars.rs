//! Exemplars: nominating a person or a collective, the steps to commendation (each decision
//! dated, so the time from nomination to decision is known), the filtered list, the
//! figures of a subtree, and the exemplar a unit features each month.

use crate::audit::{self, Actor, Change};
use crate::campaign::{CampaignYear, Until};
use crate::org::{Org, Subtree};
use crate::{Page, StoreError, sql};
use chrono::{DateTime, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::exemplars::{
    ExemplarDraft, ExemplarField, ExemplarKind, ExemplarState, ExemplarStep, NominationSource,
    SubjectCategory, category_of,
};
use lantoa_domain::text::fold;
use lantoa_domain::{ClosedList, OrgId, PersonId};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A nomination with its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exemplar {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: String,
    pub year: i32,
    pub kind: ExemplarKind,
    pub person_id: Option<PersonId>,
    pub name: String,
    pub about: Option<String>,
    pub category: SubjectCategory,
    pub field: ExemplarField,
    pub achievement: String,
    pub evidence: Option<String>,
    pub source: NominationSource,
    pub nominator_name: Option<String>,
    /// Personal data of the nominator: shown to staff only, never public.
    pub nominator_contact: Option<String>,
    pub state: ExemplarState,
    /// Shown on the public site.
    pub is_public: bool,
    pub nominated_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl Exemplar {
    /// Days from nomination to decision, once decided.
    pub fn days_to_decision(&self) -> Option<i64> {
        self.decided_at
            .map(|d| (d - self.nominated_at).num_days().max(0))
    }
}

#[derive(FromQueryResult)]
pub(crate) struct ExemplarRow {
    pub(crate) id: i64,
    org_id: i64,
    org_name: String,
    org_path: String,
    year: i32,
    kind: String,
    person_id: Option<i64>,
    name: String,
    about: Option<String>,
    category: String,
    field: String,
    achievement: String,
    evidence: Option<String>,
    source: String,
    nominator_name: Option<String>,
    nominator_contact: Option<String>,
    state: String,
    is_public: bool,
    nominated_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
}

impl From<ExemplarRow> for Exemplar {
    fn from(r: ExemplarRow) -> Self {
        Exemplar {
            id: r.id,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            org_path: r.org_path,
            year: r.year,
            kind: ExemplarKind::from_code(&r.kind).unwrap_or(ExemplarKind::Person),
            person_id: r.person_id.map(PersonId),
            name: r.name,
            about: r.about,
            category: SubjectCategory::from_code(&r.category).unwrap_or(SubjectCategory::Citizen),
            field: ExemplarField::from_code(&r.field).unwrap_or(ExemplarField::Other),
            achievement: r.achievement,
            evidence: r.evidence,
            source: NominationSource::from_code(&r.source).unwrap_or(NominationSource::Staff),
            nominator_name: r.nominator_name,
            nominator_contact: r.nominator_contact,
            state: ExemplarState::from_code(&r.state).unwrap_or(ExemplarState::Nominated),
            is_public: r.is_public,
            nominated_at: r.nominated_at,
            decided_at: r.decided_at,
        }
    }
}

pub(crate) const EXEMPLAR_SELECT: &str = "SELECT x.id, x.org_id, o.name AS org_name, o.path AS org_path, y.year, x.kind, \
    x.person_id, x.name, x.about, x.category, x.field, x.achievement, x.evidence, x.source, x.nominator_name, \
    x.nominator_contact, x.state, x.is_public, x.nominated_at, x.decided_at \
    FROM exemplars x JOIN orgs o ON o.id = x.org_id JOIN campaign_years y ON y.id = x.year_id";

/// The nominations chosen on a form, sorted and once each, every one checked itself
/// against `filter` (not against the first rows a form showed): none chosen, or one
/// outside the filter, is refused on the field "recipients".
pub(crate) async fn check_chosen<C: ConnectionTrait>(
    conn: &C,
    mut filter: sql::Where,
    chosen: &[i64],
    none: &str,
    outside: impl Fn(i64) -> String,
) -> Result<Vec<i64>, StoreError> {
    let mut ids = chosen.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(StoreError::invalid("recipients", none));
    }
    let list = filter.bind_list(ids.iter().map(|i| (*i).into()).collect());
    let found: Vec<ExemplarRow> = sql::all(
        conn,
        &format!("{EXEMPLAR_SELECT}{} AND x.id IN ({list})", filter.sql()),
        filter.values,
    )
    .await?;
    match ids.iter().find(|id| !found.iter().any(|x| x.id == **id)) {
        Some(missing) => Err(StoreError::invalid("recipients", outside(*missing))),
        None => Ok(ids),
    }
}

/// The files of nominations: a citizen's photo of the good deed, seen by staff only.
pub const EXEMPLAR_FILES: crate::files::Attachments = crate::files::Attachments {
    table: "exemplar_files",
    owner_column: "exemplar_id",
    entity: "exemplar",
};

/// One nomination.
pub async fn exemplar<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Exemplar, StoreError> {
    let row: Option<ExemplarRow> = sql::one(
        conn,
        &format!("{EXEMPLAR_SELECT} WHERE x.id = $1"),
        vec![id.into()],
    )
    .await?;
    row.map(Exemplar::from).ok_or(StoreError::NotFound)
}

/// Who nominated, when not an account's owner: a citizen's name and contact, their address.
#[derive(Debug, Clone, Default)]
pub struct Nominator {
    pub source: Option<NominationSource>,
    pub name: Option<String>,
    pub contact: Option<String>,
}

/// Nominates the collective that carries out a recognised model (its unit) for the
/// model's year, already verified by the recognition, and links it to the model, so that
/// a proposal can name it. Once per model.
pub async fn nominate_model_collective<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    model: &crate::models::Model,
) -> Result<i64, StoreError> {
    if !model.state.recognised() {
        return Err(StoreError::invalid(
            "step",
            "Chỉ mô hình đã được công nhận tiêu biểu mới đề nghị khen thưởng tập thể thực hiện",
        ));
    }
    let txn = conn.begin_write().await?;
    let linked = sql::scalar(
        &txn,
        "SELECT COUNT(*) AS value FROM model_exemplars WHERE model_id = $1",
        vec![model.id.into()],
    )
    .await?;
    if linked > 0 {
        return Err(StoreError::invalid(
            "step",
            "Tập thể thực hiện mô hình này đã được đề cử",
        ));
    }
    let unit = crate::org::get(&txn, model.org_id).await?;
    let year = crate::campaign::year(&txn, model.year).await?;
    let short = |text: String, max: usize| text.chars().take(max).collect::<String>();
    let draft = ExemplarDraft {
        kind: ExemplarKind::Collective,
        person_id: None,
        name: short(
            model.org_name.clone(),
            lantoa_domain::exemplars::NAME_MAX_LEN,
        ),
        about: Some(short(
            format!("Tập thể thực hiện mô hình «{}»", model.name),
            300,
        )),
        field: ExemplarField::Community,
        achievement: format!("Xây dựng mô hình «{}»: {}", model.name, model.goals),
        evidence: model.recognised_on.map(|d| {
            format!(
                "Mô hình được công nhận tiêu biểu ngày {}",
                lantoa_domain::dates::display(d)
            )
        }),
    };
    let id = nominate(&txn, actor, &unit, &year, &draft, &Nominator::default()).await?;
    take_step(&txn, actor, id, ExemplarStep::Verify).await?;
    sql::exec(
        &txn,
        "INSERT INTO model_exemplars (model_id, exemplar_id, created_at, updated_at) VALUES ($1, $2, $3, $3)",
        vec![model.id.into(), id.into(), Utc::now().into()],
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// The model a nomination stands for, if it is a model's collective: (id, name).
pub async fn model_of<C: ConnectionTrait>(
    conn: &C,
    exemplar_id: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        name: String,
    }
    let row: Option<Row> = sql::one(
        conn,
        "SELECT m.id, m.name FROM model_exemplars me JOIN models m ON m.id = me.model_id WHERE me.exemplar_id = $1",
        vec![exemplar_id.into()],
    )
    .await?;
    Ok(row.map(|r| (r.id, r.name)))
}

/// A nomination with a photo of the good deed, written together or not at all.
#[allow(clippy::too_many_arguments)]
pub async fn nominate_with_photo<C: crate::Writer>(
    conn: &C,
    files: &crate::files::Files,
    actor: &Actor,
    unit: &Org,
    year: &CampaignYear,
    draft: &ExemplarDraft,
    nominator: &Nominator,
    photo: &crate::files::NewFile,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let id = nominate(&txn, actor, unit, year, draft, nominator).await?;
    let owner = crate::files::Owner {
        id,
        org_id: unit.id,
    };
    EXEMPLAR_FILES
        .attach(&txn, files, actor, owner, photo)
        .await?;
    txn.commit().await?;
    Ok(id)
}

/// Records a nomination handled by `unit` for a year. A registered person must belong to
/// the unit's subtree; their name and category come from their record.
pub async fn nominate<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    unit: &Org,
    year: &CampaignYear,
    draft: &ExemplarDraft,
    nominator: &Nominator,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let (name, category) = match (draft.kind, draft.person_id) {
        (ExemplarKind::Collective, _) => (draft.name.clone(), SubjectCategory::Collective),
        (ExemplarKind::Person, Some(id)) => {
            let person = match crate::people::get(&txn, PersonId(id)).await {
                Ok(p) => p,
                Err(StoreError::NotFound) => {
                    return Err(StoreError::invalid("person_id", "Không có người này"));
                }
                Err(e) => return Err(e),
            };
            let path = crate::org::get(&txn, person.org_id).await?.path;
            if !unit.subtree().contains(&path) {
                return Err(StoreError::invalid(
                    "person_id",
                    format!("{} không thuộc {}", person.details.full_name, unit.name),
                ));
            }
            (
                person.details.full_name.clone(),
                category_of(person.details.categories, person.details.member_status),
            )
        }
        (ExemplarKind::Person, None) => (draft.name.clone(), SubjectCategory::Citizen),
    };
    let source = nominator.source.unwrap_or(NominationSource::Staff);
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO exemplars (org_id, year_id, kind, person_id, name, name_folded, about, category, field, achievement, \
         evidence, source, nominator_name, nominator_contact, nominated_by, client_addr, state, nominated_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $18) RETURNING id AS value",
        vec![
            unit.id.0.into(),
            year.id.into(),
            draft.kind.code().into(),
            draft.person_id.into(),
            name.clone().into(),
            fold(&name).into(),
            draft.about.clone().into(),
            category.code().into(),
            draft.field.code().into(),
            draft.achievement.clone().into(),
            draft.evidence.clone().into(),
            source.code().into(),
            nominator.name.clone().into(),
            nominator.contact.clone().into(),
            actor.account_id.into(),
            actor.client_addr.clone().into(),
            ExemplarState::Nominated.code().into(),
            now.into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::ExemplarCreate,
            "exemplar",
            id,
            Some(unit.id),
            serde_json::json!({
                "kind": draft.kind.code(),
                "person_id": draft.person_id,
                "name": name,
                "category": category.code(),
                "field": draft.field.code(),
                "source": source.code(),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// The filters of the list, one per figure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExemplarFilter {
    pub q: String,
    pub state: Option<ExemplarState>,
    pub category: Option<SubjectCategory>,
    pub field: Option<ExemplarField>,
    /// Only those waiting for a decision.
    pub open: bool,
}

/// A page of a subtree's nominations of a year, newest first: two queries.
pub async fn exemplars<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    filter: &ExemplarFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<Exemplar>, StoreError> {
    let mut w = sql::Where::new();
    w.year_in_subtree("x.year_id", year.id, within);
    let q = fold(&filter.q);
    if !q.is_empty() {
        w.push("x.name_folded LIKE ?", vec![format!("%{q}%").into()]);
    }
    if let Some(s) = filter.state {
        w.push("x.state = ?", vec![s.code().into()]);
    }
    if let Some(c) = filter.category {
        w.push("x.category = ?", vec![c.code().into()]);
    }
    if let Some(f) = filter.field {
        w.push("x.field = ?", vec![f.code().into()]);
    }
    if filter.open {
        w.push("x.decided_at IS NULL", vec![]);
    }
    let rows: Page<ExemplarRow> = sql::page(
        conn,
        EXEMPLAR_SELECT,
        "FROM exemplars x JOIN orgs o ON o.id = x.org_id",
        &w,
        "x.nominated_at DESC, x.id DESC",
        page,
        per_page,
    )
    .await?;
    Ok(rows.map(Exemplar::from))
}

/// Takes a step on a nomination, checked against its stored state; a decision (commended or
/// not) is dated.
pub async fn take_step<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: i64,
    step: ExemplarStep,
) -> Result<ExemplarState, StoreError> {
    let txn = conn.begin_write().await?;
    let current = exemplar(&txn, id).await?;
    let next = current
        .state
        .after(step)
        .map_err(|message| StoreError::invalid("step", message))?;
    let now = Utc::now();
    let decided = next.decided().then_some(now);
    sql::exec(
        &txn,
        "UPDATE exemplars SET state = $2, decided_at = $3, updated_at = $4 WHERE id = $1",
        vec![id.into(), next.code().into(), decided.into(), now.into()],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::ExemplarStep,
            "exemplar",
            id,
            Some(current.org_id),
            &serde_json::json!({ "state": current.state.code() }),
            &serde_json::json!({ "state": next.code() }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// The figures of a subtree's nominations of a year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExemplarFigures {
    pub nominated: i64,
    /// Still waiting for a decision.
    pub open: i64,
    pub commended: i64,
    /// Commended, by who they are.
    pub commended_by_category: Vec<(SubjectCategory, i64)>,
    /// Nominations from citizens on the public site.
    pub from_public: i64,
    /// Median days from nomination to decision.
    pub median_days: Option<f64>,
}

/// The figures of the nominations made in the year up to the cut, decided as of the cut,
/// from the roll-ups: one statement once they are up to date.
pub async fn figures<C: crate::Writer>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    until: Until,
) -> Result<ExemplarFigures, StoreError> {
    let key = crate::rollups::Key::of(crate::rollups::Measure::Exemplars, year.id, until);
    let counts = crate::rollups::of_subtree(conn, &key, &within.from).await?;
    let mut f = ExemplarFigures::default();
    let mut by_category = vec![0; SubjectCategory::ALL.len()];
    let mut days = Vec::new();
    for (code, &n) in &counts {
        if let Some(d) = code.strip_prefix(DAYS) {
            days.push((d.parse().unwrap_or(0), n));
            continue;
        }
        let mut parts = code.split(':');
        let (Some(state), Some(category), Some(source)) =
            (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        f.nominated += n;
        let state = ExemplarState::from_code(state);
        if !state.is_some_and(ExemplarState::decided) {
            f.open += n;
        }
        if state == Some(ExemplarState::Commended) {
            f.commended += n;
            if let Some(i) = SubjectCategory::ALL
                .iter()
                .position(|c| c.code() == category)
            {
                by_category[i] += n;
            }
        }
        if source == NominationSource::Public.code() {
            f.from_public += n;
        }
    }
    f.commended_by_category = SubjectCategory::ALL
        .iter()
        .copied()
        .zip(by_category)
        .collect();
    f.median_days = lantoa_domain::exemplars::median_of_counts(days);
    Ok(f)
}

/// The roll-up code of the decisions taken this many days after the nomination: "days:12".
/// The other codes are "state:category:source", the nominations of each.
const DAYS: &str = "days:";

/// Each unit's own nominations of the year up to the cut (roll-ups): by state as of the cut,
/// category and source, and the decided ones by days from nomination to decision. Two
/// queries.
pub(crate) async fn own_figures<C: ConnectionTrait>(
    conn: &C,
    units: crate::rollups::Units<'_>,
    year_id: i64,
    until: Until,
) -> Result<crate::rollups::OwnRows, StoreError> {
    // Nominated by the cut; a decision taken after it leaves the nomination open then.
    let range = || {
        let mut values = vec![year_id.into()];
        let nominated = until.on_moments("x.nominated_at", &mut values);
        let decided = until.on_moments("x.decided_at", &mut values);
        (nominated, decided, values)
    };
    let only = units.only("x.org_id");
    let (nominated, decided, values) = range();
    let state = if decided.is_empty() {
        "x.state".to_owned()
    } else {
        format!(
            "CASE WHEN x.decided_at IS NOT NULL{decided} THEN x.state ELSE '{}' END",
            ExemplarState::Nominated.code()
        )
    };
    let mut out = crate::rollups::own_rows(
        conn,
        &format!(
            "SELECT x.org_id, {state} || ':' || x.category || ':' || x.source AS code, \
             CAST(COUNT(*) AS BIGINT) AS n \
             FROM exemplars x WHERE x.year_id = $1{nominated}{only} GROUP BY 1, 2"
        ),
        values,
    )
    .await?;
    #[derive(FromQueryResult)]
    struct Dates {
        org_id: i64,
        nominated_at: DateTime<Utc>,
        decided_at: DateTime<Utc>,
    }
    let (nominated, decided, values) = range();
    let dates: Vec<Dates> = sql::all(
        conn,
        &format!(
            "SELECT x.org_id, x.nominated_at, x.decided_at FROM exemplars x \
             WHERE x.year_id = $1 AND x.decided_at IS NOT NULL{nominated}{decided}{only}"
        ),
        values,
    )
    .await?;
    out.extend(dates.into_iter().map(|d| {
        let days = (d.decided_at - d.nominated_at).num_days().max(0);
        (d.org_id, format!("{DAYS}{days}"), 1)
    }));
    Ok(out)
}

/// Makes a nomination the unit's exemplar of a month ("2024-09"), replacing any other.
pub async fn feature<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    unit: &Org,
    month: &str,
    exemplar: &Exemplar,
) -> Result<(), StoreError> {
    if exemplar.state != ExemplarState::Commended && exemplar.state != ExemplarState::Verified {
        return Err(StoreError::invalid(
            "month",
            "Chỉ chọn gương đã được xác minh hoặc đã được biểu dương",
        ));
    }
    let txn = conn.begin_write().await?;
    let now = Utc::now();
    sql::exec(
        &txn,
        "INSERT INTO exemplar_features (org_id, month, exemplar_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (org_id, month) DO UPDATE SET exemplar_id = excluded.exemplar_id, updated_at = excluded.updated_at",
        vec![unit.id.0.into(), month.into(), exemplar.id.into(), now.into()],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::ExemplarFeature,
            "exemplar",
            exemplar.id,
            Some(unit.id),
            serde_json::json!({ "month": month }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A unit's featured exemplars: (month, exemplar id, name), newest month first.
pub async fn featured<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
) -> Result<Vec<(String, i64, String)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        month: String,
        exemplar_id: i64,
        name: String,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT f.month, f.exemplar_id, x.name FROM exemplar_features f JOIN exemplars x ON x.id = f.exemplar_id \
         WHERE f.org_id = $1 ORDER BY f.month DESC LIMIT 24",
        vec![unit.0.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.month, r.exemplar_id, r.name))
        .collect())
}

/// Shows or hides a nomination on the public site: only a verified or commended one is
/// shown, and never its evidence or its nominator.
pub async fn set_public<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: i64,
    public: bool,
) -> Result<(), StoreError> {
    let txn = conn.begin_write().await?;
    let current = exemplar(&txn, id).await?;
    if public
        && !matches!(
            current.state,
            ExemplarState::Verified | ExemplarState::Commended
        )
    {
        return Err(StoreError::invalid(
            "public",
            "Chỉ giới thiệu công khai gương đã được xác minh",
        ));
    }
    sql::exec(
        &txn,
        "UPDATE exemplars SET is_public = $2, updated_at = $3 WHERE id = $1",
        vec![id.into(), public.into(), Utc::now().into()],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::ExemplarStep,
            "exemplar",
            id,
            Some(current.org_id),
            &serde_json::json!({ "is_public": current.is_public }),
            &serde_json::json!({ "is_public": public }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Public nominations sent from an address since a moment: one indexed query.
pub async fn public_since<C: ConnectionTrait>(
    conn: &C,
    client_addr: &str,
    since: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(sql::scalar(
        conn,
        "SELECT COUNT(*) AS value FROM exemplars WHERE client_addr = $1 AND nominated_at > $2 AND source = $3",
        vec![
            client_addr.into(),
            since.into(),
            NominationSource::Public.code().into(),
        ],
    )
    .await?)
}

/// What the public site shows of an exemplar: no evidence, no nominator, no contact.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct PublicExemplar {
    pub id: i64,
    pub name: String,
    pub about: Option<String>,
    pub field: String,
    pub achievement: String,
    pub org_name: String,
    pub year: i32,
}

impl PublicExemplar {
    /// The field's label.
    pub fn field_label(&self) -> &'static str {
        ExemplarField::from_code(&self.field).map_or("", ExemplarField::label)
    }
}

const PUBLIC_SELECT: &str = "SELECT x.id, x.name, x.about, x.field, x.achievement, o.name AS org_name, y.year \
    FROM exemplars x JOIN orgs o ON o.id = x.org_id JOIN campaign_years y ON y.id = x.year_id";

/// The public exemplars (verified or commended, flagged public), newest decision first,
/// of a subtree and a year if given: two queries.
pub async fn public_exemplars<C: ConnectionTrait>(
    conn: &C,
    within: Option<&Subtree>,
    year: Option<i32>,
    page: u64,
    per_page: u64,
) -> Result<Page<PublicExemplar>, StoreError> {
    let mut w = public_where();
    if let Some(y) = year {
        w.push("y.year = ?", vec![y.into()]);
    }
    if let Some(t) = within {
        w.push(
            "o.path >= ? AND o.path < ?",
            vec![t.from.clone().into(), t.to.clone().into()],
        );
    }
    Ok(sql::page(
        conn,
        PUBLIC_SELECT,
        "FROM exemplars x JOIN orgs o ON o.id = x.org_id JOIN campaign_years y ON y.id = x.year_id",
        &w,
        PUBLIC_ORDER,
        page,
        per_page,
    )
    .await?)
}

/// The newest public exemplars, without counting them all (the showcase home).
pub async fn newest_public_exemplars<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<PublicExemplar>, StoreError> {
    Ok(sql::rows(conn, PUBLIC_SELECT, &public_where(), PUBLIC_ORDER, limit, 0).await?)
}

/// Shown to the public: made public, and verified or commended.
fn public_where() -> sql::Where {
    let mut w = sql::Where::new();
    w.push(
        "x.is_public = ? AND x.state IN (?, ?)",
        vec![
            true.into(),
            ExemplarState::Verified.code().into(),
            ExemplarState::Commended.code().into(),
        ],
    );
    w
}

/// Newest decided first: the order of index `exemplars_public_idx`.
const PUBLIC_ORDER: &str = "x.decided_at DESC, x.id DESC";

/// One public exemplar, or not found when it is not public.
pub async fn public_exemplar<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<PublicExemplar, StoreError> {
    let row: Option<PublicExemplar> = sql::one(
        conn,
        &format!("{PUBLIC_SELECT} WHERE x.id = $1 AND x.is_public = $2 AND x.state IN ($3, $4)"),
        vec![
            id.into(),
            true.into(),
            ExemplarState::Verified.code().into(),
            ExemplarState::Commended.code().into(),
        ],
    )
    .await?;
    row.ok_or(StoreError::NotFound)
}

/// The latest exemplar of the month featured by a unit (by a top unit when none is
/// given), if public.
pub async fn exemplar_of_the_month<C: ConnectionTrait>(
    conn: &C,
    of: Option<OrgId>,
) -> Result<Option<(String, PublicExemplar)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        month: String,
        exemplar_id: i64,
    }
    let mut w = sql::Where::new();
    w.push("x.is_public = ?", vec![true.into()]);
    match of {
        Some(unit) => w.push("f.org_id = ?", vec![unit.0.into()]),
        None => w.push("o.parent_id IS NULL", vec![]),
    }
    let row: Option<Row> = sql::one(
        conn,
        &format!(
            "SELECT f.month, f.exemplar_id FROM exemplar_features f JOIN orgs o ON o.id = f.org_id \
             JOIN exemplars x ON x.id = f.exemplar_id{} ORDER BY f.month DESC LIMIT 1",
            w.sql()
        ),
        w.values,
    )
    .await?;
    match row {
        Some(r) => match public_exemplar(conn, r.exemplar_id).await {
            Ok(x) => Ok(Some((r.month, x))),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        },
        None => Ok(None),
    }
}
