//! PostgreSQL's marking triggers made again from `m0027_rollups`, which now writes a unit's
//! mark once per transaction instead of once per changed row (see its `postgres`). The
//! counts are kept: what the triggers mark is unchanged. SQLite updates its marks in place
//! and keeps its triggers.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        if conn.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for statement in super::rollup_unmarks(DbBackend::Postgres)
            .into_iter()
            .chain(super::rollup_marks(DbBackend::Postgres))
        {
            conn.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
