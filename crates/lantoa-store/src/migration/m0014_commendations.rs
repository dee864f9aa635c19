//! Commendation decisions: issuer, a number per issuer and year, form, signer, reason, and
//! the nominations they commend.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut decisions = Table::create();
        decisions
            .table(Alias::new("commendation_decisions"))
            .col(id())
            // The issuer.
            .col(big_integer("org_id"))
            .col(big_integer("year_id"))
            // The calendar year of signing: numbers start again each year.
            .col(integer("number_year"))
            .col(integer("number"))
            // "15-QĐ/TU".
            .col(string_len("symbol", 40))
            .col(string_len("form", 30))
            .col(date("signed_on"))
            .col(string_len("signer_name", 200))
            .col(string_len("signer_post", 200))
            .col(text("reason"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("commendation_decisions", "org_id", "orgs"))
            .foreign_key(&mut fk(
                "commendation_decisions",
                "year_id",
                "campaign_years",
            ))
            .foreign_key(&mut fk("commendation_decisions", "created_by", "accounts"));
        manager.create_table(stamps(&mut decisions).take()).await?;
        manager
            .create_index(
                index(
                    "commendation_decisions",
                    "commendation_decisions_number_key",
                    &["org_id", "number_year", "number"],
                )
                .unique()
                .take(),
            )
            .await?;
        for (name, columns) in [
            ("commendation_decisions_year_id_idx", &["year_id"][..]),
            ("commendation_decisions_created_by_idx", &["created_by"][..]),
        ] {
            manager
                .create_index(index("commendation_decisions", name, columns))
                .await?;
        }
        super::link_table(
            manager,
            "decision_recipients",
            ("decision_id", "commendation_decisions"),
            ("exemplar_id", "exemplars"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["decision_recipients", "commendation_decisions"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
