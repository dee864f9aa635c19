//! Year-end reports: a unit's draft of the prose for a period, and the reports it issued,
//! each with its number in the committee's term, the letterhead and prose as issued, and
//! the figures frozen as a JSON snapshot so later changes never alter an issued report.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut reports = Table::create();
        reports
            .table(Alias::new("reports"))
            .col(id())
            .col(big_integer("org_id"))
            .col(integer("first_year"))
            .col(integer("last_year"))
            .col(string_len("state", 20))
            .col(text("prose"))
            .col(text_null("figures"))
            .col(integer_null("term_start"))
            .col(integer_null("number"))
            .col(string_len_null("symbol", 40))
            .col(date_null("issued_on"))
            .col(text_null("issuer_name"))
            .col(text_null("superior"))
            .col(text_null("place"))
            .col(text_null("signer_name"))
            .col(text_null("signer_post"))
            .col(integer("version"))
            .col(big_integer_null("replaces_id"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("reports", "org_id", "orgs"))
            .foreign_key(&mut fk("reports", "replaces_id", "reports"))
            .foreign_key(&mut fk("reports", "created_by", "accounts"));
        manager.create_table(stamps(&mut reports).take()).await?;
        for (name, columns) in [
            (
                "reports_org_id_idx",
                &["org_id", "first_year", "last_year"][..],
            ),
            ("reports_replaces_id_idx", &["replaces_id"][..]),
            ("reports_created_by_idx", &["created_by"][..]),
        ] {
            manager
                .create_index(index("reports", name, columns))
                .await?;
        }
        manager
            .create_index(
                index(
                    "reports",
                    "reports_number_key",
                    &["org_id", "term_start", "number"],
                )
                .unique()
                .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("reports")).take())
            .await
    }
}
