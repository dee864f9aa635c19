//! Pending marks by their clock reading. Every page asks whether any unit is pending before
//! it reads a figure; read through this index the answer costs one index entry, where a
//! scan of the table read every row that writes and refreshes had left behind on
//! PostgreSQL until a vacuum (13 MB after a province's first counts: 30 ms a question,
//! fourteen questions a dashboard).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("rollup_pending_version")
                    .table(Alias::new("rollup_pending"))
                    .col(Alias::new("version"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("rollup_pending_version")
                    .table(Alias::new("rollup_pending"))
                    .to_owned(),
            )
            .await
    }
}
