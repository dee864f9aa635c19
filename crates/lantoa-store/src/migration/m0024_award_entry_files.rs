//! The files of award entries: the work itself when it is a text, a picture or a score
//! (PDF, Word, JPEG, PNG), linked to its entry like a model's files.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::link_table(
            manager,
            "award_entry_files",
            ("entry_id", "award_entries"),
            ("file_id", "files"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("award_entry_files")).take())
            .await
    }
}
