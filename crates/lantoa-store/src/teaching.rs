//! Teaching the campaign's content: the courses units record, listed over a subtree's year,
//! and the year's figures by audience (courses, classes, learners, hours).

use crate::audit::{self, Actor, Change};
use crate::campaign::CampaignYear;
use crate::org::{Org, Subtree};
use crate::{Page, StoreError, sql};
use chrono::{NaiveDate, Utc};
use lantoa_domain::audit::AuditAction;
use lantoa_domain::teaching::{Audience, CourseDraft};
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A course with its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub name: String,
    pub audience: Audience,
    pub content: String,
    pub classes: i32,
    pub learners: i32,
    pub hours: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(FromQueryResult)]
struct CourseRow {
    id: i64,
    org_id: i64,
    org_name: String,
    name: String,
    audience: String,
    content: String,
    classes: i32,
    learners: i32,
    hours: i32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

impl From<CourseRow> for Course {
    fn from(r: CourseRow) -> Self {
        Course {
            id: r.id,
            org_id: OrgId(r.org_id),
            org_name: r.org_name,
            name: r.name,
            audience: Audience::from_code(&r.audience).unwrap_or(Audience::Others),
            content: r.content,
            classes: r.classes,
            learners: r.learners,
            hours: r.hours,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
        }
    }
}

/// Records a course of a unit's year.
pub async fn create<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    unit: &Org,
    year: &CampaignYear,
    draft: &CourseDraft,
) -> Result<i64, StoreError> {
    let txn = conn.begin_write().await?;
    let id = sql::scalar(
        &txn,
        "INSERT INTO teaching_courses (org_id, year_id, name, audience, content, classes, learners, hours, starts_on, \
         ends_on, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         RETURNING id AS value",
        vec![
            unit.id.0.into(),
            year.id.into(),
            draft.name.clone().into(),
            draft.audience.code().into(),
            draft.content.clone().into(),
            draft.classes.into(),
            draft.learners.into(),
            draft.hours.into(),
            draft.starts_on.into(),
            draft.ends_on.into(),
            actor.account_id.into(),
            Utc::now().into(),
        ],
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Change::created(
            AuditAction::CourseCreate,
            "teaching_course",
            id,
            Some(unit.id),
            serde_json::json!({
                "audience": draft.audience.code(),
                "classes": draft.classes,
                "learners": draft.learners,
                "hours": draft.hours,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// One page of a subtree's courses of a year, optionally of one audience, newest first:
/// two queries.
pub async fn courses<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
    audience: Option<Audience>,
    page: u64,
    per_page: u64,
) -> Result<Page<Course>, StoreError> {
    let mut w = sql::Where::new();
    w.year_in_subtree("c.year_id", year.id, within);
    if let Some(a) = audience {
        w.push("c.audience = ?", vec![a.code().into()]);
    }
    let from = " FROM teaching_courses c JOIN orgs o ON o.id = c.org_id";
    let page: Page<CourseRow> = sql::page(
        conn,
        &format!(
            "SELECT c.id, c.org_id, o.name AS org_name, c.name, c.audience, c.content, c.classes, c.learners, \
             c.hours, c.starts_on, c.ends_on{from}"
        ),
        from,
        &w,
        "c.starts_on DESC, c.id DESC",
        page,
        per_page,
    )
    .await?;
    Ok(page.map(Course::from))
}

/// The counts of a group of courses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub courses: i64,
    pub classes: i64,
    pub learners: i64,
    pub hours: i64,
}

/// A subtree's year of teaching, by audience in the list's order (audiences without a
/// course left out): one query.
pub async fn figures<C: ConnectionTrait>(
    conn: &C,
    within: &Subtree,
    year: &CampaignYear,
) -> Result<Vec<(Audience, Counts)>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        audience: String,
        courses: i64,
        classes: i64,
        learners: i64,
        hours: i64,
    }
    let rows: Vec<Row> = sql::all(
        conn,
        "SELECT c.audience, CAST(COUNT(*) AS BIGINT) AS courses, CAST(SUM(c.classes) AS BIGINT) AS classes, \
         CAST(SUM(c.learners) AS BIGINT) AS learners, CAST(SUM(c.hours) AS BIGINT) AS hours \
         FROM teaching_courses c JOIN orgs o ON o.id = c.org_id \
         WHERE c.year_id = $1 AND o.path >= $2 AND o.path < $3 GROUP BY c.audience",
        vec![
            year.id.into(),
            within.from.clone().into(),
            within.to.clone().into(),
        ],
    )
    .await?;
    Ok(Audience::ALL
        .iter()
        .filter_map(|a| {
            rows.iter().find(|r| r.audience == a.code()).map(|r| {
                (
                    *a,
                    Counts {
                        courses: r.courses,
                        classes: r.classes,
                        learners: r.learners,
                        hours: r.hours,
                    },
                )
            })
        })
        .collect())
}
