//! Judging the creative-works award: the judges of each field of a round, their scores of
//! each entry at each stage (or the conflict they declared), the stage a round is at and
//! when its results were confirmed, and on each entry whether it reached the final round
//! and the prize it won.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table a column at a time.
        for (table, column) in [
            (
                "award_rounds",
                ColumnDef::new(Alias::new("stage"))
                    .string_len(20)
                    .not_null()
                    .default("so_khao")
                    .take(),
            ),
            (
                "award_rounds",
                ColumnDef::new(Alias::new("results_on"))
                    .date()
                    .null()
                    .take(),
            ),
            (
                "award_entries",
                ColumnDef::new(Alias::new("finalist"))
                    .boolean()
                    .not_null()
                    .default(false)
                    .take(),
            ),
            (
                "award_entries",
                ColumnDef::new(Alias::new("prize"))
                    .string_len(20)
                    .null()
                    .take(),
            ),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(column)
                        .take(),
                )
                .await?;
        }

        let mut judges = Table::create();
        judges
            .table(Alias::new("award_judges"))
            .col(id())
            .col(big_integer("round_id"))
            .col(big_integer("account_id"))
            .col(string_len("field", 32))
            .foreign_key(&mut fk("award_judges", "round_id", "award_rounds"))
            .foreign_key(&mut fk("award_judges", "account_id", "accounts"));
        manager.create_table(stamps(&mut judges).take()).await?;
        manager
            .create_index(
                index(
                    "award_judges",
                    "award_judges_key",
                    &["round_id", "account_id", "field"],
                )
                .unique()
                .take(),
            )
            .await?;
        manager
            .create_index(index(
                "award_judges",
                "award_judges_account_id_idx",
                &["account_id"],
            ))
            .await?;

        let mut scores = Table::create();
        scores
            .table(Alias::new("award_scores"))
            .col(id())
            .col(big_integer("entry_id"))
            .col(big_integer("account_id"))
            .col(string_len("stage", 20))
            .col(integer_null("content"))
            .col(integer_null("art"))
            .col(integer_null("impact"))
            .col(integer_null("total"))
            .col(boolean("conflict"))
            .col(text_null("note"))
            .foreign_key(&mut fk("award_scores", "entry_id", "award_entries"))
            .foreign_key(&mut fk("award_scores", "account_id", "accounts"));
        manager.create_table(stamps(&mut scores).take()).await?;
        manager
            .create_index(
                index(
                    "award_scores",
                    "award_scores_key",
                    &["entry_id", "stage", "account_id"],
                )
                .unique()
                .take(),
            )
            .await?;
        manager
            .create_index(index(
                "award_scores",
                "award_scores_account_id_idx",
                &["account_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["award_scores", "award_judges"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        for (table, column) in [
            ("award_entries", "prize"),
            ("award_entries", "finalist"),
            ("award_rounds", "results_on"),
            ("award_rounds", "stage"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
