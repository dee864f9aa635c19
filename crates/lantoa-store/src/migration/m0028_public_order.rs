//! The public site's newest-first lists read an index in order and stop after a page: public
//! models by recognition day, public exemplars by decision day. Without them the showcase
//! home sorted every public model and exemplar of the nation for six of each.

use super::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str, [&str; 3]); 2] = [
    (
        "models",
        "models_public_idx",
        ["is_public", "recognised_on", "id"],
    ),
    (
        "exemplars",
        "exemplars_public_idx",
        ["is_public", "decided_at", "id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, columns) in INDEXES {
            manager.create_index(index(table, name, &columns)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, _) in INDEXES {
            let mut drop = Index::drop();
            drop.name(name).table(Alias::new(table));
            manager.drop_index(drop).await?;
        }
        Ok(())
    }
}
