//! The one schema history of both backends.
//!
//! Migrations are written once with sea-query's schema builder, which emits each dialect's
//! types (`bigserial` on PostgreSQL, `integer … autoincrement` on SQLite). Where a dialect
//! needs different SQL, the migration branches on the backend inside the same version, so
//! both histories always hold the same names (checked by a test on both databases).
//! Conventions: plural snake_case tables, `id` keys, `created_at`/`updated_at` on every
//! table, `org_id` on every row that belongs to a unit, an index on every foreign key.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_audit_log;

/// Runs the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_audit_log::Migration),
        ]
    }
}
