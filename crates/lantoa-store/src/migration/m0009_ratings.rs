//! Quality ratings of members and organisations: one per subject, year and period, with
//! its score, level, the regulation it was made under and the step it has reached.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut ratings = Table::create();
        ratings
            .table(Alias::new("ratings"))
            .col(id())
            // The member rated; empty when the organisation `org_id` itself is rated.
            .col(big_integer_null("person_id"))
            // The member's unit when rated, or the organisation rated.
            .col(big_integer("org_id"))
            .col(big_integer("year_id"))
            .col(string_len("period", 20))
            // Which quarter or term; empty for a year.
            .col(string_len("period_label", 40))
            // Tenths of a point, 0–1 000.
            .col(integer("score"))
            .col(string_len("level", 30))
            .col(string_len("regulation", 30))
            .col(string_len("step", 20))
            .col(text_null("note"))
            .foreign_key(&mut fk("ratings", "person_id", "people"))
            .foreign_key(&mut fk("ratings", "org_id", "orgs"))
            .foreign_key(&mut fk("ratings", "year_id", "campaign_years"));
        manager.create_table(stamps(&mut ratings).take()).await?;
        manager
            .create_index(
                index(
                    "ratings",
                    "ratings_person_id_key",
                    &["person_id", "year_id", "period", "period_label"],
                )
                .unique()
                .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ratings",
                "ratings_org_id_idx",
                &["org_id", "year_id", "period"],
            ))
            .await?;
        manager
            .create_index(index(
                "ratings",
                "ratings_year_id_idx",
                &["year_id", "level"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("ratings")).take())
            .await
    }
}
