//! Files of models (photos, reports of results) and of nominations (a citizen's photo of
//! the good deed), linked like a session's files; and the nominations of the collectives
//! that carry out a model, linked to it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::link_table(
            manager,
            "model_files",
            ("model_id", "models"),
            ("file_id", "files"),
        )
        .await?;
        super::link_table(
            manager,
            "exemplar_files",
            ("exemplar_id", "exemplars"),
            ("file_id", "files"),
        )
        .await?;
        super::link_table(
            manager,
            "model_exemplars",
            ("model_id", "models"),
            ("exemplar_id", "exemplars"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["model_exemplars", "exemplar_files", "model_files"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
