//! The figures of a unit's subtree over a period (`lantoa_domain::report::Figures`), read
//! from every area's own figure queries so that the dashboard, the report and the area's
//! page always agree; and the few counts no area page needs (leaders' plans, models and
//! lượt per child unit, award entries).
//!
//! The number of queries is fixed: about forty for a one-year period, whatever the size of
//! the subtree, and the same again per extra year of a longer period.

use crate::campaign::CampaignYear;
use crate::org::{IN_CHILD_SUBTREE, Org};
use crate::{StoreError, sql};
use chrono::NaiveDate;
use lantoa_domain::ClosedList;
use lantoa_domain::exemplars::SubjectCategory;
use lantoa_domain::report::{
    Award, ChildFigures, Commendations, Count, Exemplars, Figures, Inspections, Models, Period,
    Plans, Propaganda, Study, Tasks,
};
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

/// The figures of `unit`'s subtree over `period`, as of `today`.
pub async fn figures<C: ConnectionTrait>(
    conn: &C,
    unit: &Org,
    period: Period,
    today: NaiveDate,
) -> Result<Figures, StoreError> {
    let years: Vec<CampaignYear> = crate::campaign::years(conn)
        .await?
        .into_iter()
        .filter(|y| (period.first..=period.last).contains(&y.year))
        .collect();
    let mut f = Figures {
        unit_id: unit.id.0,
        unit_name: unit.name.clone(),
        first_year: period.first,
        last_year: period.last,
        ..Default::default()
    };
    let within = unit.subtree();
    for year in &years {
        activity_of_year(conn, unit, year, today, &mut f).await?;
    }
    let settings = crate::settings::load(conn).await?;
    if let Some(last) = years.iter().find(|y| y.year == period.last) {
        f.topic = last.topics.first().map(|t| t.title.clone());
        let day = lantoa_domain::study::reference_day(last.year, today);
        let (study, study_children) =
            crate::study::coverage_with_children(conn, unit.id, last, day).await?;
        f.study.eligible = study.eligible;
        f.study.studied = study.studied;
        let counted = crate::plans::Counted {
            year: last,
            day,
            required: settings.plan_required,
        };
        let (plans, plan_children) =
            crate::plans::coverage_with_children(conn, unit.id, counted).await?;
        f.plans.required = plans.eligible;
        f.plans.submitted = plans.met(0);
        f.plans.approved = plans.met(1);
        f.plans.assessed = plans.met(3);
        leaders(conn, unit, last, &mut f.plans).await?;
        f.models = models(conn, unit, last).await?;
        f.tasks = tasks(conn, unit, last, today).await?;
        let models_of = per_child_models(conn, unit, last).await?;
        let over = lantoa_domain::propaganda::months_over(last.year, today);
        for r in crate::propaganda::regularity(conn, unit.id, last).await? {
            let s = study_children.get(&r.org_id).cloned().unwrap_or_default();
            let p = plan_children.get(&r.org_id).cloned().unwrap_or_default();
            f.children.push(ChildFigures {
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
            });
        }
    }
    if let Ok(next) = crate::campaign::year(conn, period.last + 1).await {
        f.next_tasks = crate::tasks::tasks(conn, unit.id, &next)
            .await?
            .into_iter()
            .map(|t| t.content)
            .collect();
    }
    f.award = award(conn, &within, period).await?;
    f.documents = documents(conn, unit, period).await?;
    Ok(f)
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
    let rows: Vec<Row> = sql::all(
        conn,
        &format!(
            "SELECT d.symbol, d.kind, d.issuer, d.issued_on, d.title FROM documents d JOIN orgs o ON o.id = d.org_id \
             WHERE EXISTS (SELECT 1 FROM document_years dy JOIN campaign_years y ON y.id = dy.year_id \
             WHERE dy.document_id = d.id AND y.year >= $1 AND y.year <= $2) \
             AND ((o.path >= $3 AND o.path < $4) OR o.path IN ({list})) ORDER BY d.issued_on, d.id"
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
            action: lantoa_domain::audit::AuditAction::ReportGenerate,
            entity_type: "report",
            entity_id: None,
            org_id: Some(unit.id),
            before: serde_json::Value::Null,
            after: serde_json::json!({ "period": period.code(), "format": format }),
        },
    )
    .await
}

/// Adds a year's activity (lượt, sessions, nominations, decisions, propaganda,
/// inspections) to the period's sums.
async fn activity_of_year<C: ConnectionTrait>(
    conn: &C,
    unit: &Org,
    year: &CampaignYear,
    today: NaiveDate,
    f: &mut Figures,
) -> Result<(), StoreError> {
    let within = unit.subtree();
    let s: &mut Study = &mut f.study;
    for (audience, n) in crate::study::counted_totals(conn, &within, year).await? {
        if audience == lantoa_domain::study::AudienceKind::Citizens {
            s.citizens += n;
        }
        if n > 0 {
            add(&mut s.counted, &audience, n);
        }
    }
    s.sessions += crate::study::sessions_by_format(conn, &within, year)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum::<i64>();

    let e = crate::exemplars::figures(conn, &within, year).await?;
    let x: &mut Exemplars = &mut f.exemplars;
    x.nominated += e.nominated;
    x.commended += e.commended;
    x.from_public += e.from_public;
    // A median does not add up: a period's is its last year's that has one.
    x.median_days = e.median_days.or(x.median_days);

    let c = crate::commendations::figures(conn, &within, year).await?;
    let k: &mut Commendations = &mut f.commendations;
    k.decisions += c.decisions;
    k.collectives += c.collectives();
    k.individuals += c.individuals();
    for (category, n) in &c.individuals_by_category {
        if *category != SubjectCategory::Collective {
            add(&mut k.by_category, category, *n);
        }
    }

    let p = crate::propaganda::figures(conn, &within, year).await?;
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

    let i = crate::inspections::figures(conn, unit.id, year, today).await?;
    let ins: &mut Inspections = &mut f.inspections;
    ins.planned += i.planned();
    ins.done += i.done();
    ins.recommendations += i.recommendations;
    ins.open += i.open;
    ins.overdue += i.overdue;
    Ok(())
}

/// Leaders of the subtree, those whose plan of the year is approved, and the first of the
/// others: two queries.
async fn leaders<C: ConnectionTrait>(
    conn: &C,
    unit: &Org,
    year: &CampaignYear,
    plans: &mut Plans,
) -> Result<(), StoreError> {
    let within = unit.subtree();
    let from = "FROM people p JOIN orgs o ON o.id = p.org_id \
         LEFT JOIN plans pl ON pl.person_id = p.id AND pl.year_id = $1 AND pl.kind = 'ca_nhan' \
         WHERE p.is_leader = $2 AND o.path >= $3 AND o.path < $4";
    let params = || {
        vec![
            year.id.into(),
            true.into(),
            within.from.clone().into(),
            within.to.clone().into(),
        ]
    };
    let approved = crate::plans::approved(0);
    #[derive(FromQueryResult)]
    struct Totals {
        leaders: i64,
        approved: Option<i64>,
    }
    if let Some(t) = sql::one::<Totals, _>(
        conn,
        &format!(
            "SELECT COUNT(*) AS leaders, \
             CAST(SUM(CASE WHEN {approved} THEN 1 ELSE 0 END) AS BIGINT) AS approved {from}"
        ),
        params(),
    )
    .await?
    {
        plans.leaders = t.leaders;
        plans.leaders_approved = t.approved.unwrap_or(0);
    }
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
             ORDER BY o.path, p.name_folded LIMIT {NAMED}"
        ),
        params(),
    )
    .await?;
    plans.leaders_without = without
        .into_iter()
        .map(|w| format!("{} ({})", w.full_name, w.org_name))
        .collect();
    Ok(())
}

/// The models of the year with the first grassroots organisations without one.
async fn models<C: ConnectionTrait>(
    conn: &C,
    unit: &Org,
    year: &CampaignYear,
) -> Result<Models, StoreError> {
    let within = unit.subtree();
    let m = crate::models::figures(conn, &within, year).await?;
    let without = if m.grassroots > m.grassroots_with_model {
        crate::models::grassroots_without(conn, &within, year, 1, NAMED)
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

/// Models of the year in each child's subtree: one query.
async fn per_child_models<C: ConnectionTrait>(
    conn: &C,
    unit: &Org,
    year: &CampaignYear,
) -> Result<HashMap<i64, i64>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        n: i64,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        &format!(
            "SELECT c.id, CAST(COUNT(*) AS BIGINT) AS n FROM orgs c JOIN orgs d ON {IN_CHILD_SUBTREE} \
             JOIN models m ON m.org_id = d.id WHERE c.parent_id = $1 AND m.year_id = $2 GROUP BY c.id"
        ),
        vec![unit.id.0.into(), year.id.into()],
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.n)).collect())
}

/// The key tasks the unit set for the year.
async fn tasks<C: ConnectionTrait>(
    conn: &C,
    unit: &Org,
    year: &CampaignYear,
    today: NaiveDate,
) -> Result<Tasks, StoreError> {
    let all = crate::tasks::tasks(conn, unit.id, year).await?;
    Ok(Tasks {
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
    })
}

/// Award rounds of the subtree open at some time in the period, their entries and prizes:
/// one query.
async fn award<C: ConnectionTrait>(
    conn: &C,
    within: &crate::org::Subtree,
    period: Period,
) -> Result<Award, StoreError> {
    let start = NaiveDate::from_ymd_opt(period.first, 1, 1).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(period.last, 12, 31).unwrap_or_default();
    #[derive(FromQueryResult)]
    struct Row {
        rounds: i64,
        entries: i64,
        prizes: Option<i64>,
    }
    let row: Option<Row> = sql::one(
        conn,
        "SELECT CAST(COUNT(DISTINCT r.id) AS BIGINT) AS rounds, CAST(COUNT(e.id) AS BIGINT) AS entries, \
         CAST(SUM(CASE WHEN e.prize IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS prizes \
         FROM award_rounds r JOIN orgs o ON o.id = r.org_id LEFT JOIN award_entries e ON e.round_id = r.id \
         WHERE o.path >= $1 AND o.path < $2 AND r.opens_on <= $3 AND r.closes_on >= $4",
        vec![
            within.from.clone().into(),
            within.to.clone().into(),
            end.into(),
            start.into(),
        ],
    )
    .await?;
    Ok(row.map_or_else(Award::default, |r| Award {
        rounds: r.rounds,
        entries: r.entries,
        prizes: r.prizes.unwrap_or(0),
    }))
}
