//! Personal and collective plans: the plan of a person (or a unit) for a campaign year with
//! its state, the topics it answers, its commitments with their mid-year and year-end
//! progress, and the history of its steps with the reviewers' comments.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, link_table, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut plans = Table::create();
        plans
            .table(Alias::new("plans"))
            .col(id())
            .col(string_len("kind", 20))
            // The person whose plan it is; empty for a unit's collective plan.
            .col(big_integer_null("person_id"))
            // The person's unit when the plan was made, or the unit of a collective plan.
            .col(big_integer("org_id"))
            .col(big_integer("year_id"))
            .col(string_len("state", 20))
            .col(string_null("party_post"))
            .col(string_null("government_post"))
            // Written by staff for someone without an account.
            .col(boolean("entered_by_staff").default(false))
            .col(text_null("self_assessment"))
            .col(text_null("assessment"))
            .col(timestamp_with_time_zone_null("submitted_at"))
            .col(timestamp_with_time_zone_null("approved_at"))
            .col(timestamp_with_time_zone_null("assessed_at"))
            .foreign_key(&mut fk("plans", "person_id", "people"))
            .foreign_key(&mut fk("plans", "org_id", "orgs"))
            .foreign_key(&mut fk("plans", "year_id", "campaign_years"));
        manager.create_table(stamps(&mut plans).take()).await?;
        manager
            .create_index(
                index(
                    "plans",
                    "plans_person_id_key",
                    &["person_id", "year_id", "kind"],
                )
                .unique()
                .take(),
            )
            .await?;
        manager
            .create_index(index("plans", "plans_org_id_idx", &["org_id", "year_id"]))
            .await?;
        manager
            .create_index(index("plans", "plans_year_id_idx", &["year_id", "state"]))
            .await?;
        link_table(
            manager,
            "plan_topics",
            ("plan_id", "plans"),
            ("topic_id", "topics"),
        )
        .await?;

        let mut commitments = Table::create();
        commitments
            .table(Alias::new("plan_commitments"))
            .col(id())
            .col(big_integer("plan_id"))
            .col(integer("position"))
            .col(string_len("area", 40))
            .col(text("action"))
            .col(text("measure"))
            .col(date("deadline"))
            .col(string_len_null("mid_progress", 20))
            .col(text_null("mid_evidence"))
            .col(string_len_null("end_progress", 20))
            .col(text_null("end_evidence"))
            .foreign_key(&mut fk("plan_commitments", "plan_id", "plans"));
        manager
            .create_table(stamps(&mut commitments).take())
            .await?;
        manager
            .create_index(index(
                "plan_commitments",
                "plan_commitments_plan_id_idx",
                &["plan_id", "position"],
            ))
            .await?;

        let mut events = Table::create();
        events
            .table(Alias::new("plan_events"))
            .col(id())
            .col(big_integer("plan_id"))
            .col(string_len("step", 20))
            .col(string_len("from_state", 20))
            .col(string_len("to_state", 20))
            .col(text_null("comment"))
            .col(big_integer_null("account_id"))
            .foreign_key(&mut fk("plan_events", "plan_id", "plans"))
            .foreign_key(&mut fk("plan_events", "account_id", "accounts"));
        manager.create_table(stamps(&mut events).take()).await?;
        manager
            .create_index(index(
                "plan_events",
                "plan_events_plan_id_idx",
                &["plan_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "plan_events",
                "plan_events_account_id_idx",
                &["account_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["plan_events", "plan_commitments", "plan_topics", "plans"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
