//! Commendation decisions: issuing one (its number allocated per issuer and year, or a
//! paper decision's number checked free) for nominations its review approved or verified
//! in its own subtree, the nominations it commends (marked commended,
//! dated by the signature), the list, one decision with its recipients, and the figures by
//! form and by who was commended.

use crate::audit::{self, Actor, Change};
use crate::campaign::{CampaignYear, Until};
use crate::exemplars::{EXEMPLAR_SELECT, Exemplar, ExemplarRow, check_chosen};
use crate::org::{Org, Subtree};
use crate::{Page, StoreError, sql};
use chrono::{Datelike, NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::commendations::{CommendationForm, DecisionDraft, ReviewOutcome, issuer_symbol};
use lantoa_domain::exemplars::{ExemplarKind, ExemplarState, SubjectCategory};
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A decision with its issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub year: i32,
    pub number: i32,
    /// "15-QĐ/TU".
    pub symbol: String,
    pub form: CommendationForm,
    pub signed_on: NaiveDate,
    pub signer_name: String,
    pub signer_post: String,
    pub reason: String,
    /// People and collectives commended.
    pub recipients: i64,
}

#[derive(FromQueryResult)]
struct DecisionRow {
    id: i64,
    org_id: i64,
    org_name: String,
    year: i32,
    number: i32,
    symbol: String,
    form: String,
    signed_on: NaiveDate,
    signer_name: String,
    signer_post: String,
    reason: String,
    recipients: i64,
}

impl From<DecisionRow> for Decision {
    fn from(r: DecisionRow) -> Self {
        Decision {
            id: r.id,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            year: r.year,
            number: r.number,
            symbol: r.symbol,
            form: CommendationForm::from_code(&r.form).unwrap_or(CommendationForm::Praise),
            signed_on: r.signed_on,
            signer_name: r.signer_name,
            signer_post: r.signer_post,
            reason: r.reason,
            recipients: r.recipients,
        }
    }
}

const DECISION_SELECT: &str = "SELECT d.id, d.org_id, o.name AS org_name, y.year, d.number, d.symbol, d.form, d.signed_on, \
    d.signer_name, d.signer_post, d.reason, \
    (SELECT COUNT(*) FROM decision_recipients r WHERE r.decision_id = d.id) AS recipients \
    FROM commendation_decisions d JOIN orgs o ON o.id = d.org_id JOIN campaign_years y ON y.id = d.year_id";

/// One decision.
pub async fn decision<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Decision, StoreError> {
    let row: Option<DecisionRow> = sql::one(
        conn,
        &format!("{DECISION_SELECT} WHERE d.id = $1"),
        vec![id.into()],
    )
    .await?;
    row.map(Decision::from).ok_or(StoreError::NotFound)
}

/// The decisions issued in a subtree for a year, newest first: two queries.
pub async fn decisions<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    page: u64,
    per_page: u64,
) -> Result<Page<Decision>, StoreError> {
    let mut w = sql::Where::new();
    w.year_in_subtree("d.year_id", year.id, within);
    let rows: Page<DecisionRow> = sql::page(
        conn,
        DECISION_SELECT,
        "FROM commendation_decisions d JOIN orgs o ON o.id = d.org_id",
        &w,
        "d.signed_on DESC, d.id DESC",
        page,
        per_page,
    )
    .await?;
    Ok(rows.map(Decision::from))
}

/// Whom a decision commends, by name.
pub async fn recipients<C: ConnectionTrait>(
    conn: &C,
    decision_id: i64,
) -> Result<Vec<Exemplar>, StoreError> {
    let rows: Vec<ExemplarRow> = sql::all(
        conn,
        &format!(
            "{EXEMPLAR_SELECT} JOIN decision_recipients r ON r.exemplar_id = x.id WHERE r.decision_id = $1 ORDER BY x.name_folded"
        ),
        vec![decision_id.into()],
    )
    .await?;
    Ok(rows.into_iter().map(Exemplar::from).collect())
}

/// The nominations an issuer may commend this year and no decision has commended: those
/// its review approved, and verified ones of its own subtree (or recorded as commended
/// without a decision yet).
fn eligible_where(issuer: &Org, year: &CampaignYear) -> sql::Where {
    let mut w = sql::Where::new();
    w.push(
        // A union of the two kinds, each read through its own index (the units of the
        // subtree, the issuer's proposals), instead of an OR that reads every nomination
        // of the year.
        "x.year_id = ? AND NOT EXISTS (SELECT 1 FROM decision_recipients r WHERE r.exemplar_id = x.id) \
         AND x.id IN (\
         SELECT e.id FROM orgs eo JOIN exemplars e ON e.org_id = eo.id \
         WHERE e.year_id = ? AND e.state IN (?, ?) AND eo.path >= ? AND eo.path < ? \
         UNION SELECT i.exemplar_id FROM commendation_proposals p \
         JOIN proposal_items i ON i.proposal_id = p.id WHERE p.to_org_id = ? AND i.outcome = ?)",
        vec![
            year.id.into(),
            year.id.into(),
            ExemplarState::Verified.code().into(),
            ExemplarState::Commended.code().into(),
            issuer.subtree().from.into(),
            issuer.subtree().to.into(),
            issuer.id.0.into(),
            ReviewOutcome::Approved.code().into(),
        ],
    );
    w
}

/// The nominations an issuer may commend this year, by name (the first 500, for the form).
pub async fn eligible<C: ConnectionTrait>(
    conn: &C,
    issuer: &Org,
    year: &CampaignYear,
) -> Result<Vec<Exemplar>, StoreError> {
    let w = eligible_where(issuer, year);
    let rows: Vec<ExemplarRow> = sql::all(
        conn,
        &format!(
            "{EXEMPLAR_SELECT}{} ORDER BY x.name_folded LIMIT 500",
            w.sql()
        ),
        w.values,
    )
    .await?;
    Ok(rows.into_iter().map(Exemplar::from).collect())
}

/// Issues a decision commending these nominations. The number is the issuer's next of the
/// signing year unless a paper decision's number is given, which must be free.
pub async fn issue<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    issuer: &Org,
    year: &CampaignYear,
    draft: &DecisionDraft,
    exemplar_ids: &[i64],
) -> Result<i64, StoreError> {
    let Some(symbol_of_issuer) = issuer_symbol(issuer.kind, &issuer.name) else {
        return Err(StoreError::invalid(
            "form",
            "Chỉ tổ chức đảng ban hành quyết định khen thưởng",
        ));
    };
    let txn = conn.begin_write().await?;
    let ids = check_chosen(
        &txn,
        eligible_where(issuer, year),
        exemplar_ids,
        "Chọn ít nhất một người hoặc tập thể được khen thưởng",
        |id| {
            format!(
                "Đề cử số {id} chưa được {} bình xét đạt năm {}, không thuộc đơn vị, chưa được xác minh hoặc đã có quyết định",
                issuer.name, year.year
            )
        },
    )
    .await?;
    let number_year = draft.signed_on.year();
    let number = match draft.number {
        Some(n) => n,
        None => {
            sql::scalar(
                &txn,
                "SELECT CAST(COALESCE(MAX(number), 0) + 1 AS BIGINT) AS value FROM commendation_decisions \
                 WHERE org_id = $1 AND number_year = $2",
                vec![issuer.id.0.into(), number_year.into()],
            )
            .await? as i32
        }
    };
    let symbol = format!("{number}-QĐ/{symbol_of_issuer}");
    let used = sql::scalar(
        &txn,
        "SELECT COUNT(*) AS value FROM commendation_decisions WHERE org_id = $1 AND number_year = $2 AND number = $3",
        vec![issuer.id.0.into(), number_year.into(), number.into()],
    )
    .await?;
    if used > 0 {
        return Err(StoreError::invalid(
            "number",
            format!("Số {symbol} năm {number_year} đã dùng cho quyết định khác"),
        ));
    }
    let now = Utc::now();
    let id = sql::scalar(
        &txn,
        "INSERT INTO commendation_decisions (org_id, year_id, number_year, number, symbol, form, signed_on, signer_name, \
         signer_post, reason, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id AS value",
        vec![
            issuer.id.0.into(),
            year.id.into(),
            number_year.into(),
            number.into(),
            symbol.clone().into(),
            draft.form.code().into(),
            draft.signed_on.into(),
            draft.signer_name.clone().into(),
            draft.signer_post.clone().into(),
            draft.reason.clone().into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?;
    sql::set_links(
        &txn,
        "decision_recipients",
        ("decision_id", id),
        "exemplar_id",
        &ids,
    )
    .await?;
    // The nominations are decided on the day of the signature (unless decided before).
    let signed = draft
        .signed_on
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    sql::exec(
        &txn,
        "UPDATE exemplars SET state = $1, decided_at = COALESCE(decided_at, $2), updated_at = $3 \
         WHERE id IN (SELECT exemplar_id FROM decision_recipients WHERE decision_id = $4)",
        vec![
            ExemplarState::Commended.code().into(),
            signed.into(),
            now.into(),
            id.into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::DecisionCreate,
            "commendation_decision",
            id,
            Some(issuer.id),
            serde_json::json!({
                "symbol": symbol,
                "form": draft.form.code(),
                "signed_on": draft.signed_on.to_string(),
                "recipients": ids,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Commended people and collectives of a subtree's decisions for a year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommendationFigures {
    pub decisions: i64,
    /// (form, collectives, individuals).
    pub by_form: Vec<(CommendationForm, i64, i64)>,
    /// Individuals by who they are (party members, union members, citizens).
    pub individuals_by_category: Vec<(SubjectCategory, i64)>,
}

impl CommendationFigures {
    /// All individuals commended.
    pub fn individuals(&self) -> i64 {
        self.by_form.iter().map(|(_, _, i)| i).sum()
    }

    /// All collectives commended.
    pub fn collectives(&self) -> i64 {
        self.by_form.iter().map(|(_, c, _)| c).sum()
    }
}

/// The figures of the decisions signed in the year up to the cut, from the roll-ups: one
/// statement once they are up to date.
pub async fn figures<C: crate::Writer>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    until: Until,
) -> Result<CommendationFigures, StoreError> {
    let key = crate::rollups::Key::of(crate::rollups::Measure::Commendations, year.id, until);
    let counts = crate::rollups::of_subtree(conn, &key, &within.from).await?;
    // Recipients by (form, kind, category) from the codes "form:kind:category".
    let recipients: Vec<(&str, &str, &str, i64)> = counts
        .iter()
        .filter_map(|(code, n)| {
            let mut parts = code.split(':');
            Some((parts.next()?, parts.next()?, parts.next()?, *n))
        })
        .collect();
    let collective = ExemplarKind::Collective.code();
    let mut f = CommendationFigures {
        decisions: crate::rollups::n(&counts, DECISIONS),
        ..Default::default()
    };
    for form in CommendationForm::ALL {
        let of = |collectives: bool| {
            recipients
                .iter()
                .filter(|r| r.0 == form.code() && (r.1 == collective) == collectives)
                .map(|r| r.3)
                .sum::<i64>()
        };
        let (c, i) = (of(true), of(false));
        if c + i > 0 {
            f.by_form.push((*form, c, i));
        }
    }
    f.individuals_by_category = [
        SubjectCategory::PartyMember,
        SubjectCategory::UnionMember,
        SubjectCategory::Citizen,
    ]
    .iter()
    .map(|c| {
        let n = recipients
            .iter()
            .filter(|r| r.1 != collective && r.2 == c.code())
            .map(|r| r.3)
            .sum();
        (*c, n)
    })
    .collect();
    Ok(f)
}

/// The roll-up code of the decisions signed; the others are "form:kind:category", the
/// recipients of each.
const DECISIONS: &str = "decisions";

/// Each issuing unit's own decisions of the year up to the cut, and their recipients by
/// form, kind and category (roll-ups): two grouped queries.
pub(crate) async fn own_figures<C: ConnectionTrait>(
    conn: &C,
    units: crate::rollups::Units<'_>,
    year_id: i64,
    until: Until,
) -> Result<crate::rollups::OwnRows, StoreError> {
    let mut values = vec![year_id.into()];
    let cut = until.on_dates("d.signed_on", &mut values);
    let only = units.only("d.org_id");
    let mut rows = crate::rollups::own_rows(
        conn,
        &format!(
            "SELECT d.org_id, '{DECISIONS}' AS code, CAST(COUNT(*) AS BIGINT) AS n \
             FROM commendation_decisions d WHERE d.year_id = $1{cut}{only} GROUP BY d.org_id"
        ),
        values.clone(),
    )
    .await?;
    rows.extend(
        crate::rollups::own_rows(
            conn,
            &format!(
                "SELECT d.org_id, d.form || ':' || x.kind || ':' || x.category AS code, CAST(COUNT(*) AS BIGINT) AS n \
                 FROM decision_recipients r JOIN commendation_decisions d ON d.id = r.decision_id \
                 JOIN exemplars x ON x.id = r.exemplar_id \
                 WHERE d.year_id = $1{cut}{only} GROUP BY d.org_id, d.form, x.kind, x.category"
            ),
            values,
        )
        .await?,
    );
    Ok(rows)
}

/// The units of a subtree that signed decisions in the year up to the cut, with their
/// collectives and individuals commended, the most commended first: one query.
pub async fn issuers<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    until: Until,
) -> Result<Vec<(OrgId, String, i64, i64)>, StoreError> {
    let mut values = vec![
        year.id.into(),
        within.from.clone().into(),
        within.to.clone().into(),
        ExemplarKind::Collective.code().into(),
    ];
    let cut = until.on_dates("d.signed_on", &mut values);
    #[derive(FromQueryResult)]
    struct Row {
        org_id: i64,
        org_name: String,
        collectives: i64,
        individuals: i64,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        &format!(
            "SELECT d.org_id, o.name AS org_name, \
             CAST(SUM(CASE WHEN x.kind = $4 THEN 1 ELSE 0 END) AS BIGINT) AS collectives, \
             CAST(SUM(CASE WHEN x.kind = $4 THEN 0 ELSE 1 END) AS BIGINT) AS individuals \
             FROM decision_recipients r JOIN commendation_decisions d ON d.id = r.decision_id \
             JOIN orgs o ON o.id = d.org_id JOIN exemplars x ON x.id = r.exemplar_id \
             WHERE d.year_id = $1 AND o.path >= $2 AND o.path < $3{cut} \
             GROUP BY d.org_id, o.name \
             ORDER BY COUNT(*) DESC, o.name"
        ),
        values,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (OrgId(r.org_id), r.org_name, r.collectives, r.individuals))
        .collect())
}

/// Which recipients a list shows: a form, a category of individuals (or collectives), an
/// issuer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecipientFilter {
    pub form: Option<CommendationForm>,
    pub category: Option<SubjectCategory>,
    pub issuer: Option<OrgId>,
}

/// A commended person or collective with the decision that commended them.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Commended {
    pub exemplar_id: i64,
    pub name: String,
    pub category: String,
    pub org_name: String,
    pub decision_id: i64,
    pub symbol: String,
    pub form: String,
}

impl Commended {
    /// The category's label.
    pub fn category_label(&self) -> &'static str {
        SubjectCategory::from_code(&self.category).map_or("", SubjectCategory::label)
    }

    /// The form's label.
    pub fn form_label(&self) -> &'static str {
        CommendationForm::from_code(&self.form).map_or("", CommendationForm::label)
    }
}

/// The people and collectives commended by the decisions of a subtree and year, behind a
/// figure: two queries.
pub async fn commended<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    filter: &RecipientFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<Commended>, StoreError> {
    let mut w = sql::Where::new();
    w.year_in_subtree("d.year_id", year.id, within);
    if let Some(f) = filter.form {
        w.push("d.form = ?", vec![f.code().into()]);
    }
    if let Some(c) = filter.category {
        w.push("x.category = ?", vec![c.code().into()]);
    }
    if let Some(issuer) = filter.issuer {
        w.push("d.org_id = ?", vec![issuer.0.into()]);
    }
    let from = "FROM decision_recipients r JOIN commendation_decisions d ON d.id = r.decision_id \
        JOIN orgs o ON o.id = d.org_id JOIN exemplars x ON x.id = r.exemplar_id JOIN orgs xo ON xo.id = x.org_id";
    Ok(sql::page(
        conn,
        &format!(
            "SELECT x.id AS exemplar_id, x.name, x.category, xo.name AS org_name, d.id AS decision_id, d.symbol, d.form {from}"
        ),
        from,
        &w,
        "d.signed_on DESC, x.name_folded, x.id",
        page,
        per_page,
    )
    .await?)
}

/// A person or collective commended, as the public site shows them: name, unit, form and
/// decision, never contact data.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct PublicCommended {
    pub exemplar_id: i64,
    pub name: String,
    pub org_name: String,
    pub form: String,
    pub symbol: String,
    pub issuer_name: String,
    pub signed_on: NaiveDate,
    pub year: i32,
}

impl PublicCommended {
    /// The form's label.
    pub fn form_label(&self) -> &'static str {
        CommendationForm::from_code(&self.form).map_or("", CommendationForm::label)
    }
}

/// The latest year with someone commended and shown publicly.
pub async fn latest_public_year<C: ConnectionTrait>(conn: &C) -> Result<Option<i32>, StoreError> {
    let year = sql::scalar(
        conn,
        "SELECT CAST(COALESCE(MAX(y.year), 0) AS BIGINT) AS value FROM decision_recipients r \
         JOIN commendation_decisions d ON d.id = r.decision_id JOIN campaign_years y ON y.id = d.year_id \
         JOIN exemplars x ON x.id = r.exemplar_id WHERE x.is_public = $1",
        vec![true.into()],
    )
    .await?;
    Ok((year > 0).then_some(year as i32))
}

/// The people and collectives commended by decisions, of a year and within a unit if
/// given, that staff chose to show publicly; newest decision first: two queries.
pub async fn public_commended<C: ConnectionTrait>(
    conn: &C,
    within: Option<&Subtree>,
    year: Option<i32>,
    page: u64,
    per_page: u64,
) -> Result<Page<PublicCommended>, StoreError> {
    let mut w = sql::Where::new();
    w.push("x.is_public = ?", vec![true.into()]);
    if let Some(y) = year {
        w.push("y.year = ?", vec![y.into()]);
    }
    if let Some(t) = within {
        w.push(
            "o.path >= ? AND o.path < ?",
            vec![t.from.clone().into(), t.to.clone().into()],
        );
    }
    let from = "FROM decision_recipients r JOIN commendation_decisions d ON d.id = r.decision_id \
        JOIN orgs i ON i.id = d.org_id JOIN campaign_years y ON y.id = d.year_id \
        JOIN exemplars x ON x.id = r.exemplar_id JOIN orgs o ON o.id = x.org_id";
    Ok(sql::page(
        conn,
        &format!(
            "SELECT x.id AS exemplar_id, x.name, o.name AS org_name, d.form, d.symbol, i.name AS issuer_name, \
             d.signed_on, y.year {from}"
        ),
        from,
        &w,
        "d.signed_on DESC, d.id DESC, x.name_folded, x.id",
        page,
        per_page,
    )
    .await?)
}
