//! The creative-works award: rounds a committee launches (rules, submission window, prizes
//! per tier) and the entries sent to them, from the public site or by staff, with their
//! authors' contacts (never public). Judging comes in a later migration.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut rounds = Table::create();
        rounds
            .table(Alias::new("award_rounds"))
            .col(id())
            // The committee that runs it.
            .col(big_integer("org_id"))
            .col(string("name"))
            .col(text("rules"))
            .col(date("opens_on"))
            .col(date("closes_on"))
            // "dac_biet:1,a:3,…" (lantoa_domain::award::prizes_text).
            .col(string("prizes"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("award_rounds", "org_id", "orgs"))
            .foreign_key(&mut fk("award_rounds", "created_by", "accounts"));
        manager.create_table(stamps(&mut rounds).take()).await?;
        for (name, columns) in [
            ("award_rounds_org_id_idx", &["org_id", "opens_on"][..]),
            ("award_rounds_created_by_idx", &["created_by"][..]),
        ] {
            manager
                .create_index(index("award_rounds", name, columns))
                .await?;
        }

        let mut entries = Table::create();
        entries
            .table(Alias::new("award_entries"))
            .col(id())
            .col(big_integer("round_id"))
            .col(text("title"))
            // Folded title and authors: the same work sent twice is one entry.
            .col(string_len("title_folded", 600))
            .col(string_len("authors_folded", 600))
            .col(string_len("field", 32))
            .col(string("genre"))
            .col(string_len("authors", 600))
            .col(string_len_null("pen_names", 600))
            .col(string_len("author_kind", 20))
            .col(string_len("work_unit", 600))
            .col(string_len_null("phone", 15))
            .col(string_null("email"))
            .col(date("made_on"))
            .col(text_null("link"))
            // "cong_khai" (the public site) or "can_bo" (entered by staff).
            .col(string_len("source", 20))
            .col(string_len_null("client_addr", 64))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("award_entries", "round_id", "award_rounds"))
            .foreign_key(&mut fk("award_entries", "created_by", "accounts"));
        manager.create_table(stamps(&mut entries).take()).await?;
        manager
            .create_index(
                index(
                    "award_entries",
                    "award_entries_work_key",
                    &["round_id", "title_folded", "authors_folded"],
                )
                .unique()
                .take(),
            )
            .await?;
        for (name, columns) in [
            ("award_entries_round_id_idx", &["round_id", "field"][..]),
            (
                "award_entries_client_addr_idx",
                &["client_addr", "created_at"][..],
            ),
            ("award_entries_created_by_idx", &["created_by"][..]),
        ] {
            manager
                .create_index(index("award_entries", name, columns))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["award_entries", "award_rounds"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
