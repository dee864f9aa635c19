//! More figures from the roll-ups: exemplars' nominations (by state, category and source,
//! and days to decision), commendation decisions and their recipients, and propaganda by
//! channel with quantity and reach. The marking triggers are made again from the current
//! list of `m0027_rollups` (which now also marks exemplars, decisions, their recipients,
//! and propaganda's quantity and reach), and every count is forgotten so that
//! each figure is counted afresh, with its new codes, when a page first reads it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::rollups::resume_marks(manager.get_connection())
            .await
            .map_err(|e| DbErr::Migration(e.to_string()))
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        // The triggers of the wider list mark more than the older figures need, never less.
        Ok(())
    }
}
