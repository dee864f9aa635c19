//! Evidence files of key tasks: what the assigned units attach to their progress reports
//! (minutes, photos, reports), linked to the task like a model's files.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::link_table(
            manager,
            "key_task_files",
            ("key_task_id", "key_tasks"),
            ("file_id", "files"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("key_task_files")).take())
            .await
    }
}
