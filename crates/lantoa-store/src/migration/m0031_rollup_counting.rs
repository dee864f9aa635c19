//! A figure read for the first time is counted for every unit in steps of a thousand
//! units, each in its own short transaction, instead of in one transaction over the whole
//! tree (minutes at national size, holding SQLite's one write lock all along). A key
//! remembers where its count has reached: `count_after` is the last unit id done and
//! `count_depth` the level whose tree counts are being summed (no depth: own counts; both
//! empty: the key is complete, as every key made before this migration is).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer_null, integer_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("rollup_keys"))
                    .add_column(big_integer_null("count_after"))
                    .take(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("rollup_keys"))
                    .add_column(integer_null("count_depth"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["count_depth", "count_after"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("rollup_keys"))
                        .drop_column(Alias::new(column))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
