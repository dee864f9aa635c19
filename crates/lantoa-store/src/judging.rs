//! Judging the creative-works award. The round's staff assign judges by field; a judge
//! sees the entries of their fields without their authors (blind) and scores each on the
//! rubric, or declares a conflict and is left out of that entry; the staff close the
//! preliminary round (entries whose mean reaches `FINALIST_MIN` go to the final), then
//! confirm the results computed from the final scores (`assign_prizes`), which publishes
//! them.

use crate::audit::{self, Actor, Change};
use crate::award::{ENTRY_COLUMNS, Entry, EntryRow, Round};
use crate::{StoreError, sql};
use chrono::{NaiveDate, Utc};
use lantoa_domain::ClosedList;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::award::{
    AwardField, FINALIST_MIN, PrizeTier, RoundStage, ScoreDraft, assign_prizes,
};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A judge of a field of a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judge {
    pub account_id: i64,
    pub username: String,
    pub name: Option<String>,
    pub field: AwardField,
}

/// The judges of a round, by field and name: one query.
pub async fn judges<C: ConnectionTrait>(conn: &C, round_id: i64) -> Result<Vec<Judge>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        account_id: i64,
        username: String,
        name: Option<String>,
        field: String,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT j.account_id, a.username, p.full_name AS name, j.field FROM award_judges j \
         JOIN accounts a ON a.id = j.account_id LEFT JOIN people p ON p.id = a.person_id \
         WHERE j.round_id = $1 ORDER BY j.field, a.username",
        vec![round_id.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            AwardField::from_code(&r.field).map(|field| Judge {
                account_id: r.account_id,
                username: r.username,
                name: r.name,
                field,
            })
        })
        .collect())
}

fn audited(action: AuditAction, round: &Round, after: serde_json::Value) -> Change {
    Change::created(action, "award_round", round.id, Some(round.org_id), after)
}

/// Makes an account a judge of a field of a round (not once its results are out).
pub async fn assign<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    round: &Round,
    account_id: i64,
    field: AwardField,
) -> Result<(), StoreError> {
    if round.stage == RoundStage::Published {
        return Err(StoreError::invalid("judge", "Đợt giải đã công bố kết quả"));
    }
    let txn = conn.begin_write().await?;
    let same = sql::scalar(
        &txn,
        "SELECT COUNT(*) AS value FROM award_judges WHERE round_id = $1 AND account_id = $2 AND field = $3",
        vec![round.id.into(), account_id.into(), field.code().into()],
    )
    .await?;
    if same > 0 {
        return Err(StoreError::invalid(
            "judge",
            format!("Tài khoản này đã chấm lĩnh vực {}", field.label()),
        ));
    }
    let now = Utc::now();
    sql::exec(
        &txn,
        "INSERT INTO award_judges (round_id, account_id, field, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        vec![round.id.into(), account_id.into(), field.code().into(), now.into()],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        audited(
            AuditAction::AwardJudgeAssign,
            round,
            serde_json::json!({ "account_id": account_id, "field": field.code() }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The rounds an account judges, newest first, with its fields in each: two queries.
pub async fn judged_rounds<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
) -> Result<Vec<(Round, Vec<AwardField>)>, StoreError> {
    let fields = judge_fields_all(conn, account_id).await?;
    let mut ids: Vec<i64> = fields.iter().map(|(r, _)| *r).collect();
    ids.dedup();
    Ok(crate::award::rounds_with_ids(conn, &ids)
        .await?
        .into_iter()
        .map(|round| {
            let mine = fields
                .iter()
                .filter(|(r, _)| *r == round.id)
                .map(|(_, f)| *f)
                .collect();
            (round, mine)
        })
        .collect())
}

async fn judge_fields_all<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
) -> Result<Vec<(i64, AwardField)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        round_id: i64,
        field: String,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT round_id, field FROM award_judges WHERE account_id = $1 ORDER BY round_id DESC, field",
        vec![account_id.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| AwardField::from_code(&r.field).map(|f| (r.round_id, f)))
        .collect())
}

/// The fields an account judges in a round.
pub async fn fields_of<C: ConnectionTrait>(
    conn: &C,
    round_id: i64,
    account_id: i64,
) -> Result<Vec<AwardField>, StoreError> {
    Ok(judge_fields_all(conn, account_id)
        .await?
        .into_iter()
        .filter(|(r, _)| *r == round_id)
        .map(|(_, f)| f)
        .collect())
}

/// An entry as a judge sees it: no author, no contact, no unit.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct BlindEntry {
    pub id: i64,
    pub title: String,
    pub field: String,
    pub genre: String,
    pub made_on: NaiveDate,
    pub link: Option<String>,
    /// The work's file, if one was sent.
    pub file_id: Option<i64>,
    /// The judge's own score at the round's stage, if given.
    pub content: Option<i32>,
    pub art: Option<i32>,
    pub impact: Option<i32>,
    pub total: Option<i32>,
    pub conflict: Option<bool>,
}

impl BlindEntry {
    /// The field's label.
    pub fn field_label(&self) -> &'static str {
        AwardField::from_code(&self.field).map_or("", AwardField::label)
    }

    /// Whether the judge has scored it or declared a conflict.
    pub fn done(&self) -> bool {
        self.conflict.is_some()
    }
}

/// The entries a judge scores at the round's stage (in their fields; finalists only in the
/// final), each with their own score: one query.
pub async fn blind_entries<C: ConnectionTrait>(
    conn: &C,
    round: &Round,
    account_id: i64,
) -> Result<Vec<BlindEntry>, StoreError> {
    Ok(sql::all(
        conn,
        "SELECT e.id, e.title, e.field, e.genre, e.made_on, e.link, \
         (SELECT MIN(a.file_id) FROM award_entry_files a WHERE a.entry_id = e.id) AS file_id, \
         s.content, s.art, s.impact, s.total, s.conflict \
         FROM award_entries e JOIN award_judges j ON j.round_id = e.round_id AND j.field = e.field AND j.account_id = $2 \
         LEFT JOIN award_scores s ON s.entry_id = e.id AND s.account_id = $2 AND s.stage = $3 \
         WHERE e.round_id = $1 AND (e.finalist = $4 OR $3 = $5) ORDER BY e.field, e.id",
        vec![
            round.id.into(),
            account_id.into(),
            round.stage.code().into(),
            true.into(),
            RoundStage::Preliminary.code().into(),
        ],
    )
    .await?)
}

/// Whether an account judges the field of the entry a file belongs to, in a round.
pub async fn judges_file<C: ConnectionTrait>(
    conn: &C,
    round_id: i64,
    account_id: i64,
    file_id: i64,
) -> Result<bool, StoreError> {
    Ok(sql::scalar(
        conn,
        "SELECT COUNT(*) AS value FROM award_entry_files a JOIN award_entries e ON e.id = a.entry_id \
         JOIN award_judges j ON j.round_id = e.round_id AND j.field = e.field \
         WHERE a.file_id = $1 AND e.round_id = $2 AND j.account_id = $3",
        vec![file_id.into(), round_id.into(), account_id.into()],
    )
    .await?
        > 0)
}

/// Records (or corrects) a judge's score of an entry at the round's stage. The judge must
/// judge the entry's field; in the final, only finalists are scored.
pub async fn score<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    round: &Round,
    account_id: i64,
    entry_id: i64,
    draft: &ScoreDraft,
) -> Result<(), StoreError> {
    if round.stage == RoundStage::Published {
        return Err(StoreError::invalid("form", "Đợt giải đã công bố kết quả"));
    }
    let txn = conn.begin_write().await?;
    let open = sql::scalar(
        &txn,
        "SELECT COUNT(*) AS value FROM award_entries e JOIN award_judges j ON j.round_id = e.round_id \
         AND j.field = e.field AND j.account_id = $2 WHERE e.id = $1 AND e.round_id = $3 AND (e.finalist = $4 OR $5 = $6)",
        vec![
            entry_id.into(),
            account_id.into(),
            round.id.into(),
            true.into(),
            round.stage.code().into(),
            RoundStage::Preliminary.code().into(),
        ],
    )
    .await?;
    if open == 0 {
        return Err(StoreError::NotFound);
    }
    let points = draft.points.map_or([None; 3], |p| p.map(Some));
    let now = Utc::now();
    sql::exec(
        &txn,
        "DELETE FROM award_scores WHERE entry_id = $1 AND account_id = $2 AND stage = $3",
        vec![
            entry_id.into(),
            account_id.into(),
            round.stage.code().into(),
        ],
    )
    .await?;
    sql::exec(
        &txn,
        "INSERT INTO award_scores (entry_id, account_id, stage, content, art, impact, total, conflict, note, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        vec![
            entry_id.into(),
            account_id.into(),
            round.stage.code().into(),
            points[0].into(),
            points[1].into(),
            points[2].into(),
            draft.total().into(),
            draft.points.is_none().into(),
            draft.note.clone().into(),
            now.into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        audited(
            AuditAction::AwardScore,
            round,
            serde_json::json!({
                "entry": entry_id,
                "stage": round.stage.code(),
                "total": draft.total(),
                "conflict": draft.points.is_none(),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An entry with its mean scores and its prize (proposed before confirmation).
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub entry: Entry,
    /// Mean preliminary score, and how many judges scored it.
    pub preliminary: Option<f64>,
    pub final_score: Option<f64>,
    pub final_judges: i64,
    pub prize: Option<PrizeTier>,
}

impl Standing {
    /// "82,5", or "–".
    pub fn shown(score: Option<f64>) -> String {
        score.map_or("–".into(), |s| format!("{s:.1}").replace('.', ","))
    }
}

/// The entries of a round with their mean scores, best first (the final's, then the
/// preliminary's): one query. Conflicts are not scores.
pub async fn standings<C: ConnectionTrait>(
    conn: &C,
    round: &Round,
) -> Result<Vec<Standing>, StoreError> {
    #[derive(FromQueryResult)]
    struct Sums {
        pre_sum: i64,
        pre_n: i64,
        fin_sum: i64,
        fin_n: i64,
    }
    let sums = |stage: usize, what: &str| {
        format!(
            "CAST((SELECT COALESCE({what}, 0) FROM award_scores s WHERE s.entry_id = e.id AND s.stage = ${stage} \
             AND s.total IS NOT NULL) AS BIGINT)"
        )
    };
    let query = format!(
        "SELECT {ENTRY_COLUMNS}, {} AS pre_sum, {} AS pre_n, {} AS fin_sum, {} AS fin_n \
         FROM award_entries e WHERE e.round_id = $1",
        sums(2, "SUM(s.total)"),
        sums(2, "COUNT(*)"),
        sums(3, "SUM(s.total)"),
        sums(3, "COUNT(*)"),
    );
    let values = vec![
        round.id.into(),
        RoundStage::Preliminary.code().into(),
        RoundStage::Final.code().into(),
    ];
    let stmt = sql::stmt(conn, &query, values);
    let rows = conn.query_all_raw(stmt).await?;
    let mean = |sum: i64, n: i64| (n > 0).then(|| sum as f64 / n as f64);
    let mut standings = Vec::with_capacity(rows.len());
    for row in rows {
        let entry: Entry = EntryRow::from_query_result(&row, "")?.into();
        let s = Sums::from_query_result(&row, "")?;
        standings.push(Standing {
            prize: entry.prize,
            entry,
            preliminary: mean(s.pre_sum, s.pre_n),
            final_score: mean(s.fin_sum, s.fin_n),
            final_judges: s.fin_n,
        });
    }
    let key = |s: &Standing| (s.final_score.unwrap_or(-1.0), s.preliminary.unwrap_or(-1.0));
    standings.sort_by(|a, b| {
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if round.stage == RoundStage::Final {
        let ranked: Vec<(i64, f64)> = standings
            .iter()
            .filter(|s| s.entry.finalist)
            .filter_map(|s| s.final_score.map(|f| (s.entry.id, f)))
            .collect();
        let prizes = assign_prizes(&ranked, &round.prizes);
        for s in &mut standings {
            s.prize = prizes
                .iter()
                .find(|(id, _)| *id == s.entry.id)
                .map(|(_, t)| *t);
        }
    }
    Ok(standings)
}

/// Moves a round to its next stage, with the audit row saying how many entries it counted
/// (`what`: "finalists", "winners").
async fn set_stage<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    round: &Round,
    stage: RoundStage,
    results_on: Option<NaiveDate>,
    (what, count): (&str, usize),
) -> Result<(), StoreError> {
    sql::exec(
        conn,
        "UPDATE award_rounds SET stage = $1, results_on = $2, updated_at = $3 WHERE id = $4",
        vec![
            stage.code().into(),
            results_on.into(),
            Utc::now().into(),
            round.id.into(),
        ],
    )
    .await?;
    audit::record(
        conn,
        actor,
        audited(
            AuditAction::AwardStage,
            round,
            serde_json::json!({ "stage": stage.code(), what: count }),
        ),
    )
    .await
}

/// Closes the preliminary round: the entries whose mean score reaches `FINALIST_MIN` go to
/// the final. Returns how many did.
pub async fn close_preliminary<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    round: &Round,
) -> Result<usize, StoreError> {
    if round.stage != RoundStage::Preliminary {
        return Err(StoreError::invalid("stage", "Vòng sơ khảo đã kết thúc"));
    }
    let txn = conn.begin_write().await?;
    let finalists: Vec<i64> = standings(&txn, round)
        .await?
        .iter()
        .filter(|s| s.preliminary.is_some_and(|m| m >= FINALIST_MIN))
        .map(|s| s.entry.id)
        .collect();
    if finalists.is_empty() {
        return Err(StoreError::invalid(
            "stage",
            format!("Chưa có tác phẩm nào đạt từ {FINALIST_MIN:.0} điểm sơ khảo"),
        ));
    }
    // Every placeholder of the statement from one call: SQLite's are anonymous.
    let marks = sql::placeholders(txn.get_database_backend(), 1, finalists.len() + 1);
    let (flag, ids) = marks.split_once(", ").unwrap_or((&marks, ""));
    sql::exec(
        &txn,
        &format!("UPDATE award_entries SET finalist = {flag} WHERE id IN ({ids})"),
        std::iter::once(true.into())
            .chain(finalists.iter().map(|id| (*id).into()))
            .collect(),
    )
    .await?;
    set_stage(
        &txn,
        actor,
        round,
        RoundStage::Final,
        None,
        ("finalists", finalists.len()),
    )
    .await?;
    txn.commit().await?;
    Ok(finalists.len())
}

/// Confirms the results computed from the final scores: each winner takes its prize and
/// the round is published on `today`.
pub async fn confirm<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    round: &Round,
    today: NaiveDate,
) -> Result<usize, StoreError> {
    if round.stage != RoundStage::Final {
        return Err(StoreError::invalid(
            "stage",
            "Kết quả chỉ xác nhận sau vòng chung khảo",
        ));
    }
    let txn = conn.begin_write().await?;
    let winners: Vec<(i64, PrizeTier)> = standings(&txn, round)
        .await?
        .into_iter()
        .filter_map(|s| s.prize.map(|p| (s.entry.id, p)))
        .collect();
    if winners.is_empty() {
        return Err(StoreError::invalid(
            "stage",
            "Chưa có tác phẩm nào được chấm chung khảo đạt giải",
        ));
    }
    for (id, prize) in &winners {
        sql::exec(
            &txn,
            "UPDATE award_entries SET prize = $1 WHERE id = $2",
            vec![prize.code().into(), (*id).into()],
        )
        .await?;
    }
    set_stage(
        &txn,
        actor,
        round,
        RoundStage::Published,
        Some(today),
        ("winners", winners.len()),
    )
    .await?;
    txn.commit().await?;
    Ok(winners.len())
}

/// A winner as the public sees it: the work, its authors' names and unit, the prize; no
/// contact.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Winner {
    pub title: String,
    pub field: String,
    pub genre: String,
    pub authors: String,
    pub pen_names: Option<String>,
    pub work_unit: String,
    pub prize: String,
}

impl Winner {
    pub fn prize_label(&self) -> &'static str {
        PrizeTier::from_code(&self.prize).map_or("", PrizeTier::label)
    }

    pub fn field_label(&self) -> &'static str {
        AwardField::from_code(&self.field).map_or("", AwardField::label)
    }

    fn rank(&self) -> usize {
        PrizeTier::ALL
            .iter()
            .position(|t| t.code() == self.prize)
            .unwrap_or(PrizeTier::ALL.len())
    }
}

/// The winners of a published round, highest prize first: one query.
pub async fn winners<C: ConnectionTrait>(
    conn: &C,
    round_id: i64,
) -> Result<Vec<Winner>, StoreError> {
    let mut rows: Vec<Winner> = sql::all(
        conn,
        "SELECT e.title, e.field, e.genre, e.authors, e.pen_names, e.work_unit, e.prize FROM award_entries e \
         JOIN award_rounds r ON r.id = e.round_id WHERE e.round_id = $1 AND e.prize IS NOT NULL AND r.stage = $2 \
         ORDER BY e.field, e.title",
        vec![round_id.into(), RoundStage::Published.code().into()],
    )
    .await?;
    rows.sort_by_key(Winner::rank);
    Ok(rows)
}
