//! Inspection and supervision: the inspections a committee plans for a year (of a unit,
//! or of a person of it) with their results, the recommendations they leave for a
//! responsible unit, and the follow-up of each recommendation until closed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut inspections = Table::create();
        inspections
            .table(Alias::new("inspections"))
            .col(id())
            // The committee that inspects.
            .col(big_integer("org_id"))
            .col(big_integer("year_id"))
            .col(string_len("kind", 32))
            .col(string_len("focus", 32))
            .col(big_integer("subject_org_id"))
            .col(big_integer_null("subject_person_id"))
            .col(text("content"))
            .col(text("team"))
            .col(date("starts_on"))
            .col(date("ends_on"))
            .col(string_len("state", 20))
            .col(date_null("concluded_on"))
            .col(text_null("conclusion"))
            .col(text_null("strengths"))
            .col(text_null("shortcomings"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("inspections", "org_id", "orgs"))
            .foreign_key(&mut fk("inspections", "year_id", "campaign_years"))
            .foreign_key(&mut fk("inspections", "subject_org_id", "orgs"))
            .foreign_key(&mut fk("inspections", "subject_person_id", "people"))
            .foreign_key(&mut fk("inspections", "created_by", "accounts"));
        manager
            .create_table(stamps(&mut inspections).take())
            .await?;
        for (name, columns) in [
            (
                "inspections_org_id_year_id_idx",
                &["org_id", "year_id", "starts_on"][..],
            ),
            ("inspections_year_id_idx", &["year_id"][..]),
            ("inspections_subject_org_id_idx", &["subject_org_id"][..]),
            (
                "inspections_subject_person_id_idx",
                &["subject_person_id"][..],
            ),
            ("inspections_created_by_idx", &["created_by"][..]),
        ] {
            manager
                .create_index(index("inspections", name, columns))
                .await?;
        }

        let mut recommendations = Table::create();
        recommendations
            .table(Alias::new("inspection_recommendations"))
            .col(id())
            .col(big_integer("inspection_id"))
            // The unit responsible for carrying it out.
            .col(big_integer("org_id"))
            .col(text("content"))
            .col(date("deadline"))
            .col(string_len("status", 20))
            .col(date_null("closed_on"))
            .foreign_key(&mut fk(
                "inspection_recommendations",
                "inspection_id",
                "inspections",
            ))
            .foreign_key(&mut fk("inspection_recommendations", "org_id", "orgs"));
        manager
            .create_table(stamps(&mut recommendations).take())
            .await?;
        for (name, columns) in [
            (
                "inspection_recommendations_inspection_id_idx",
                &["inspection_id"][..],
            ),
            (
                "inspection_recommendations_org_id_idx",
                &["org_id", "status"][..],
            ),
        ] {
            manager
                .create_index(index("inspection_recommendations", name, columns))
                .await?;
        }

        let mut follow_ups = Table::create();
        follow_ups
            .table(Alias::new("recommendation_follow_ups"))
            .col(id())
            .col(big_integer("recommendation_id"))
            .col(string_len("status", 20))
            .col(text("note"))
            .col(big_integer_null("reported_by"))
            .foreign_key(&mut fk(
                "recommendation_follow_ups",
                "recommendation_id",
                "inspection_recommendations",
            ))
            .foreign_key(&mut fk(
                "recommendation_follow_ups",
                "reported_by",
                "accounts",
            ));
        manager.create_table(stamps(&mut follow_ups).take()).await?;
        for (name, columns) in [
            (
                "recommendation_follow_ups_recommendation_id_idx",
                &["recommendation_id"][..],
            ),
            (
                "recommendation_follow_ups_reported_by_idx",
                &["reported_by"][..],
            ),
        ] {
            manager
                .create_index(index("recommendation_follow_ups", name, columns))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "recommendation_follow_ups",
            "inspection_recommendations",
            "inspections",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
