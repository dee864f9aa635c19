//! Exemplars: nominations of people and collectives (by staff, members or citizens), their
//! path to commendation with the dates that measure it, and the exemplar a unit features
//! each month.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut exemplars = Table::create();
        exemplars
            .table(Alias::new("exemplars"))
            .col(id())
            // The unit that handles the nomination.
            .col(big_integer("org_id"))
            .col(big_integer("year_id"))
            .col(string_len("kind", 20))
            .col(big_integer_null("person_id"))
            .col(string_len("name", 200))
            .col(string_len("name_folded", 200))
            .col(string_len_null("about", 300))
            // Party member, union member, citizen or collective, for the reports.
            .col(string_len("category", 30))
            .col(string_len("field", 40))
            .col(text("achievement"))
            .col(text_null("evidence"))
            .col(string_len("source", 20))
            .col(string_len_null("nominator_name", 200))
            // Never shown publicly.
            .col(string_len_null("nominator_contact", 200))
            .col(big_integer_null("nominated_by"))
            .col(string_len_null("client_addr", 64))
            .col(string_len("state", 20))
            // Shown on the public site (only once verified or commended).
            .col(boolean("is_public").default(false))
            .col(timestamp_with_time_zone("nominated_at"))
            .col(timestamp_with_time_zone_null("decided_at"))
            .foreign_key(&mut fk("exemplars", "org_id", "orgs"))
            .foreign_key(&mut fk("exemplars", "year_id", "campaign_years"))
            .foreign_key(&mut fk("exemplars", "person_id", "people"))
            .foreign_key(&mut fk("exemplars", "nominated_by", "accounts"));
        manager.create_table(stamps(&mut exemplars).take()).await?;
        for (name, columns) in [
            ("exemplars_year_id_idx", &["year_id", "org_id"][..]),
            ("exemplars_org_id_idx", &["org_id"][..]),
            ("exemplars_person_id_idx", &["person_id"][..]),
            ("exemplars_nominated_by_idx", &["nominated_by"][..]),
            (
                "exemplars_client_addr_idx",
                &["client_addr", "nominated_at"][..],
            ),
        ] {
            manager
                .create_index(index("exemplars", name, columns))
                .await?;
        }

        let mut features = Table::create();
        features
            .table(Alias::new("exemplar_features"))
            .col(id())
            .col(big_integer("org_id"))
            // "2024-09".
            .col(string_len("month", 7))
            .col(big_integer("exemplar_id"))
            .foreign_key(&mut fk("exemplar_features", "org_id", "orgs"))
            .foreign_key(&mut fk("exemplar_features", "exemplar_id", "exemplars"));
        manager.create_table(stamps(&mut features).take()).await?;
        manager
            .create_index(
                index(
                    "exemplar_features",
                    "exemplar_features_org_id_key",
                    &["org_id", "month"],
                )
                .unique()
                .take(),
            )
            .await?;
        manager
            .create_index(index(
                "exemplar_features",
                "exemplar_features_exemplar_id_idx",
                &["exemplar_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["exemplar_features", "exemplars"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
