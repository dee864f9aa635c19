//! Proposals for commendation (tờ trình đề nghị khen thưởng) and their review (bình xét):
//! a unit proposes verified nominations of its subtree for a form; the organisation that
//! may decide it reviews each person or collective — approved (then its decision may
//! commend them), sent up for a higher form (a new proposal in the queue of the unit above)
//! or not approved (the nomination is closed, with the reason).

use crate::audit::{self, Actor, Change};
use crate::campaign::CampaignYear;
use crate::exemplars::{EXEMPLAR_SELECT, Exemplar, ExemplarRow, check_chosen};
use crate::org::{Org, Subtree};
use crate::{Page, StoreError, sql};
use chrono::{DateTime, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::commendations::{
    CommendationForm, ProposalDraft, ProposalState, ReviewDraft, ReviewOutcome,
};
use lantoa_domain::exemplars::{ExemplarKind, ExemplarState, SubjectCategory};
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A proposal with its units and how many it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    /// The proposing unit.
    pub org_id: OrgId,
    pub org_name: String,
    /// The unit that reviews it.
    pub to_org_id: OrgId,
    pub to_org_name: String,
    pub year: i32,
    pub form: CommendationForm,
    pub reason: String,
    pub state: ProposalState,
    /// The proposal whose review sent these people up.
    pub from_proposal_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// People and collectives named.
    pub items: i64,
    /// Of them, approved at the reviewing unit's level.
    pub approved: i64,
}

impl Proposal {
    /// Whether it waits for its review.
    pub fn is_pending(&self) -> bool {
        self.state == ProposalState::Pending
    }
}

#[derive(FromQueryResult)]
struct ProposalRow {
    id: i64,
    org_id: i64,
    org_name: String,
    to_org_id: i64,
    to_org_name: String,
    year: i32,
    form: String,
    reason: String,
    state: String,
    from_proposal_id: Option<i64>,
    created_at: DateTime<Utc>,
    reviewed_at: Option<DateTime<Utc>>,
    items: i64,
    approved: i64,
}

impl From<ProposalRow> for Proposal {
    fn from(r: ProposalRow) -> Self {
        Proposal {
            id: r.id,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            to_org_id: OrgId(r.to_org_id),
            to_org_name: r.to_org_name,
            year: r.year,
            form: CommendationForm::from_code(&r.form).unwrap_or(CommendationForm::Praise),
            reason: r.reason,
            state: ProposalState::from_code(&r.state).unwrap_or(ProposalState::Pending),
            from_proposal_id: r.from_proposal_id,
            created_at: r.created_at,
            reviewed_at: r.reviewed_at,
            items: r.items,
            approved: r.approved,
        }
    }
}

const PROPOSAL_FROM: &str = "FROM commendation_proposals p JOIN orgs o ON o.id = p.org_id \
    JOIN orgs t ON t.id = p.to_org_id";

fn proposal_select() -> String {
    format!(
        "SELECT p.id, p.org_id, o.name AS org_name, p.to_org_id, t.name AS to_org_name, \
         (SELECT year FROM campaign_years y WHERE y.id = p.year_id) AS year, p.form, p.reason, p.state, \
         p.from_proposal_id, p.created_at, p.reviewed_at, \
         (SELECT COUNT(*) FROM proposal_items i WHERE i.proposal_id = p.id) AS items, \
         (SELECT COUNT(*) FROM proposal_items i WHERE i.proposal_id = p.id AND i.outcome = '{}') AS approved \
         {PROPOSAL_FROM}",
        ReviewOutcome::Approved.code()
    )
}

/// One proposal.
pub async fn proposal<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Proposal, StoreError> {
    let row: Option<ProposalRow> = sql::one(
        conn,
        &format!("{} WHERE p.id = $1", proposal_select()),
        vec![id.into()],
    )
    .await?;
    row.map(Proposal::from).ok_or(StoreError::NotFound)
}

/// Which proposals a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposalList {
    /// The queue of a unit: those it reviews, waiting ones first.
    AddressedTo(OrgId),
    /// Those sent by units of a subtree, newest first.
    SentWithin(Subtree),
}

/// A page of proposals of a year: two queries.
pub async fn proposals<C: ConnectionTrait>(
    conn: &C,
    list: &ProposalList,
    year: &CampaignYear,
    page: u64,
    per_page: u64,
) -> Result<Page<Proposal>, StoreError> {
    let mut w = sql::Where::new();
    let order = match list {
        ProposalList::AddressedTo(org) => {
            w.push(
                "p.to_org_id = ? AND p.year_id = ?",
                vec![org.0.into(), year.id.into()],
            );
            format!(
                "CASE WHEN p.state = '{}' THEN 0 ELSE 1 END, p.created_at DESC, p.id DESC",
                ProposalState::Pending.code()
            )
        }
        ProposalList::SentWithin(within) => {
            w.year_in_subtree("p.year_id", year.id, within);
            "p.created_at DESC, p.id DESC".to_owned()
        }
    };
    let rows: Page<ProposalRow> = sql::page(
        conn,
        &proposal_select(),
        PROPOSAL_FROM,
        &w,
        &order,
        page,
        per_page,
    )
    .await?;
    Ok(rows.map(Proposal::from))
}

/// How many proposals wait in a unit's queue for a year.
pub async fn waiting<C: ConnectionTrait>(
    conn: &C,
    reviewer: OrgId,
    year: &CampaignYear,
) -> Result<i64, StoreError> {
    Ok(sql::scalar(
        conn,
        "SELECT COUNT(*) AS value FROM commendation_proposals WHERE to_org_id = $1 AND year_id = $2 AND state = $3",
        vec![
            reviewer.0.into(),
            year.id.into(),
            ProposalState::Pending.code().into(),
        ],
    )
    .await?)
}

/// One person or collective of a proposal, with the review and the decision that
/// commended them, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalItem {
    pub exemplar_id: i64,
    pub name: String,
    pub kind: ExemplarKind,
    pub category: SubjectCategory,
    pub about: Option<String>,
    pub org_name: String,
    pub achievement: String,
    pub outcome: Option<ReviewOutcome>,
    pub comment: Option<String>,
    pub decision_id: Option<i64>,
    pub decision_symbol: Option<String>,
}

#[derive(FromQueryResult)]
struct ItemRow {
    exemplar_id: i64,
    name: String,
    kind: String,
    category: String,
    about: Option<String>,
    org_name: String,
    achievement: String,
    outcome: Option<String>,
    comment: Option<String>,
    decision_id: Option<i64>,
    decision_symbol: Option<String>,
}

/// The people and collectives of a proposal, by name: one query.
pub async fn items<C: ConnectionTrait>(
    conn: &C,
    proposal_id: i64,
) -> Result<Vec<ProposalItem>, StoreError> {
    let rows: Vec<ItemRow> = sql::all(
        conn,
        "SELECT x.id AS exemplar_id, x.name, x.kind, x.category, x.about, o.name AS org_name, x.achievement, \
         i.outcome, i.comment, d.id AS decision_id, d.symbol AS decision_symbol \
         FROM proposal_items i JOIN exemplars x ON x.id = i.exemplar_id JOIN orgs o ON o.id = x.org_id \
         LEFT JOIN decision_recipients r ON r.exemplar_id = x.id \
         LEFT JOIN commendation_decisions d ON d.id = r.decision_id \
         WHERE i.proposal_id = $1 ORDER BY x.name_folded, x.id",
        vec![proposal_id.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ProposalItem {
            exemplar_id: r.exemplar_id,
            name: r.name,
            kind: ExemplarKind::from_code(&r.kind).unwrap_or(ExemplarKind::Person),
            category: SubjectCategory::from_code(&r.category).unwrap_or(SubjectCategory::Citizen),
            about: r.about,
            org_name: r.org_name,
            achievement: r.achievement,
            outcome: r.outcome.as_deref().and_then(ReviewOutcome::from_code),
            comment: r.comment,
            decision_id: r.decision_id,
            decision_symbol: r.decision_symbol,
        })
        .collect())
}

/// The proposals that name a nomination, oldest first (its path through the levels).
pub async fn of_exemplar<C: ConnectionTrait>(
    conn: &C,
    exemplar_id: i64,
) -> Result<Vec<(Proposal, Option<ReviewOutcome>, Option<String>)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        proposal_id: i64,
        outcome: Option<String>,
        comment: Option<String>,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT proposal_id, outcome, comment FROM proposal_items WHERE exemplar_id = $1 ORDER BY proposal_id",
        vec![exemplar_id.into()],
    )
    .await?;
    let ids: Vec<sea_orm::Value> = rows.iter().map(|r| r.proposal_id.into()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<ProposalRow> = sql::all_in(
        conn,
        &format!(
            "{} WHERE p.id IN ({{list}}) ORDER BY p.id",
            proposal_select()
        ),
        ids,
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (p, r) in found.into_iter().zip(rows) {
        out.push((
            Proposal::from(p),
            r.outcome.as_deref().and_then(ReviewOutcome::from_code),
            r.comment,
        ));
    }
    Ok(out)
}

/// The nominations a unit may propose this year: verified in its subtree (the first 500,
/// by name, for the form).
pub async fn proposable<C: ConnectionTrait>(
    conn: &C,
    proposer: &Org,
    year: &CampaignYear,
) -> Result<Vec<Exemplar>, StoreError> {
    let w = proposable_where(proposer, year);
    let rows: Vec<ExemplarRow> = sql::all(
        conn,
        &format!(
            "{EXEMPLAR_SELECT}{} ORDER BY x.name_folded, x.id LIMIT 500",
            w.sql()
        ),
        w.values,
    )
    .await?;
    Ok(rows.into_iter().map(Exemplar::from).collect())
}

fn proposable_where(proposer: &Org, year: &CampaignYear) -> sql::Where {
    let mut w = sql::Where::new();
    w.year_in_subtree("x.year_id", year.id, &proposer.subtree());
    w.push("x.state = ?", vec![ExemplarState::Verified.code().into()]);
    w
}

/// Sends a proposal to the unit that reviews it; the nominations named wait there
/// ("Đề nghị khen thưởng"). Each must be verified, of the year and in the proposer's
/// subtree.
pub async fn propose<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    proposer: &Org,
    reviewer: &Org,
    year: &CampaignYear,
    draft: &ProposalDraft,
    exemplar_ids: &[i64],
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let ids = check_chosen(
        &txn,
        proposable_where(proposer, year),
        exemplar_ids,
        "Chọn ít nhất một người hoặc tập thể để đề nghị",
        |id| {
            format!(
                "Đề cử số {id} không thuộc {} năm {}, chưa được xác minh hoặc đã được đề nghị",
                proposer.name, year.year
            )
        },
    )
    .await?;
    let id = insert(&txn, actor, (proposer, reviewer), year, draft, None, &ids).await?;
    txn.commit().await?;
    Ok(id)
}

/// Writes a proposal and its items, marks the nominations proposed and audits it.
async fn insert<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    (proposer, reviewer): (&Org, &Org),
    year: &CampaignYear,
    draft: &ProposalDraft,
    from_proposal: Option<i64>,
    ids: &[i64],
) -> Result<i64, StoreError> {
    let now = Utc::now();
    let id = sql::scalar(
        conn,
        "INSERT INTO commendation_proposals (org_id, to_org_id, year_id, form, reason, state, from_proposal_id, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id AS value",
        vec![
            proposer.id.0.into(),
            reviewer.id.0.into(),
            year.id.into(),
            draft.form.code().into(),
            draft.reason.clone().into(),
            ProposalState::Pending.code().into(),
            from_proposal.into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?;
    sql::set_links(
        conn,
        "proposal_items",
        ("proposal_id", id),
        "exemplar_id",
        ids,
    )
    .await?;
    sql::exec(
        conn,
        "UPDATE exemplars SET state = $1, updated_at = $2 \
         WHERE id IN (SELECT exemplar_id FROM proposal_items WHERE proposal_id = $3)",
        vec![ExemplarState::Proposed.code().into(), now.into(), id.into()],
    )
    .await?;
    audit::record(
        conn,
        actor,
        Change::created(
            AuditAction::ProposalCreate,
            "commendation_proposal",
            id,
            Some(proposer.id),
            serde_json::json!({
                "to_org_id": reviewer.id.0,
                "form": draft.form.code(),
                "from_proposal_id": from_proposal,
                "recipients": ids,
            }),
        ),
    )
    .await?;
    Ok(id)
}

/// Records the review of a waiting proposal: a conclusion for every person and collective
/// it names. Those not approved are closed with the reason; those sent up go, in a new
/// proposal of the higher form, to `above` (the nearest unit over the reviewer that may
/// decide it), whose id is returned.
pub async fn review<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    id: i64,
    draft: &ReviewDraft,
    above: Option<&Org>,
) -> Result<Option<i64>, StoreError> {
    let txn = conn.begin_write().await?;
    let current = proposal(&txn, id).await?;
    if current.state != ProposalState::Pending {
        return Err(StoreError::invalid(
            "items",
            "Tờ trình này đã được bình xét",
        ));
    }
    let named: Vec<i64> = items(&txn, id)
        .await?
        .iter()
        .map(|i| i.exemplar_id)
        .collect();
    let mut reviewed: Vec<i64> = draft.items.iter().map(|(x, _, _)| *x).collect();
    reviewed.sort_unstable();
    let mut expected = named.clone();
    expected.sort_unstable();
    if reviewed != expected {
        return Err(StoreError::invalid(
            "items",
            "Cần bình xét đủ từng người, tập thể trong tờ trình (danh sách đã thay đổi, hãy tải lại trang)",
        ));
    }
    let now = Utc::now();
    for (exemplar_id, outcome, comment) in &draft.items {
        sql::exec(
            &txn,
            "UPDATE proposal_items SET outcome = $1, comment = $2, updated_at = $3 \
             WHERE proposal_id = $4 AND exemplar_id = $5",
            vec![
                outcome.code().into(),
                comment.clone().into(),
                now.into(),
                id.into(),
                (*exemplar_id).into(),
            ],
        )
        .await?;
    }
    sql::exec(
        &txn,
        "UPDATE exemplars SET state = $1, decided_at = $2, updated_at = $2 \
         WHERE id IN (SELECT exemplar_id FROM proposal_items WHERE proposal_id = $3 AND outcome = $4)",
        vec![
            ExemplarState::Rejected.code().into(),
            now.into(),
            id.into(),
            ReviewOutcome::NotApproved.code().into(),
        ],
    )
    .await?;
    sql::exec(
        &txn,
        "UPDATE commendation_proposals SET state = $1, reviewed_by = $2, reviewed_at = $3, updated_at = $3 WHERE id = $4",
        vec![
            ProposalState::Reviewed.code().into(),
            actor.account_id.into(),
            now.into(),
            id.into(),
        ],
    )
    .await?;
    let sent_up: Vec<i64> = draft
        .items
        .iter()
        .filter(|(_, o, _)| *o == ReviewOutcome::Higher)
        .map(|(x, _, _)| *x)
        .collect();
    let next = match (sent_up.is_empty(), draft.higher_form, above) {
        (true, _, _) => None,
        (false, Some(form), Some(above)) => {
            let reviewer = crate::org::get(&txn, current.to_org_id).await?;
            let year = crate::campaign::year(&txn, current.year).await?;
            let reason = format!(
                "{} bình xét, đề nghị {} (theo tờ trình của {}): {}",
                reviewer.name,
                form.label().to_lowercase(),
                current.org_name,
                current.reason
            );
            let up = ProposalDraft { form, reason };
            Some(
                insert(
                    &txn,
                    actor,
                    (&reviewer, above),
                    &year,
                    &up,
                    Some(id),
                    &sent_up,
                )
                .await?,
            )
        }
        (false, form, _) => {
            return Err(StoreError::invalid(
                "higher_form",
                format!(
                    "Không có cấp trên nào có thẩm quyền quyết định «{}»",
                    form.map_or("", |f| f.label())
                ),
            ));
        }
    };
    audit::record(
        &txn,
        actor,
        Change::updated(
            AuditAction::ProposalReview,
            "commendation_proposal",
            id,
            Some(current.to_org_id),
            &serde_json::json!({ "state": current.state.code() }),
            &serde_json::json!({
                "state": ProposalState::Reviewed.code(),
                "outcomes": draft.items.iter().map(|(x, o, _)| (x.to_string(), o.code())).collect::<std::collections::BTreeMap<_, _>>(),
                "sent_up_in": next,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}
