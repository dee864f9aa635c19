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
mod m0003_accounts;
mod m0004_sessions;
mod m0005_study;
mod m0006_documents;
mod m0007_plans;
mod m0008_reminders;
mod m0009_ratings;
mod m0010_settings;
mod m0011_reminder_mail;
mod m0012_models;
mod m0013_exemplars;
mod m0014_commendations;
mod m0015_proposals;
mod m0016_model_exemplar_files;
mod m0017_key_tasks;
mod m0018_key_task_files;
mod m0019_inspections;
mod m0020_propaganda;
mod m0021_teaching;
mod m0022_award;
mod m0023_award_judging;
mod m0024_award_entry_files;
mod m0025_reports;
mod m0026_half_year_reports;
mod m0027_rollups;
mod m0028_public_order;
mod m0029_people_search;
mod m0030_rollups_more;
mod m0031_rollup_counting;
mod m0032_rollup_pending_by_version;
mod m0033_rollup_marks_once_per_transaction;
mod m0034_job_attempts;
pub(crate) use m0027_rollups::{marks as rollup_marks, unmarks as rollup_unmarks};
pub(crate) use m0029_people_search::{
    drop_triggers as drop_search_triggers, fill as fill_search, triggers as search_triggers,
};

/// `id` bigint primary key, auto-incremented on both backends.
fn id() -> ColumnDef {
    sea_orm_migration::schema::big_integer("id")
        .auto_increment()
        .primary_key()
        .take()
}

/// `created_at` and `updated_at`, on every table.
fn stamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    use sea_orm_migration::schema::timestamp_with_time_zone;
    table
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
}

/// An index named `name` on `columns` of `table`.
fn index(table: &str, name: &str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.take()
}

/// A foreign key from `from_table.column` to `to_table.id`.
fn fk(from_table: &str, column: &str, to_table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(Alias::new(from_table), Alias::new(column))
        .to(Alias::new(to_table), Alias::new("id"))
        .take()
}

/// A table linking two others many-to-many: `(left, right)` unique, `right` indexed.
async fn link_table(
    manager: &SchemaManager<'_>,
    table: &str,
    (left, left_table): (&'static str, &str),
    (right, right_table): (&'static str, &str),
) -> Result<(), DbErr> {
    use sea_orm_migration::schema::big_integer;
    let mut create = Table::create();
    create
        .table(Alias::new(table))
        .col(id())
        .col(big_integer(left))
        .col(big_integer(right))
        .foreign_key(&mut fk(table, left, left_table))
        .foreign_key(&mut fk(table, right, right_table));
    manager.create_table(stamps(&mut create).take()).await?;
    manager
        .create_index(
            index(table, &format!("{table}_{left}_key"), &[left, right])
                .unique()
                .take(),
        )
        .await?;
    manager
        .create_index(index(table, &format!("{table}_{right}_idx"), &[right]))
        .await
}

/// Runs the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_audit_log::Migration),
            Box::new(m0003_accounts::Migration),
            Box::new(m0004_sessions::Migration),
            Box::new(m0005_study::Migration),
            Box::new(m0006_documents::Migration),
            Box::new(m0007_plans::Migration),
            Box::new(m0008_reminders::Migration),
            Box::new(m0009_ratings::Migration),
            Box::new(m0010_settings::Migration),
            Box::new(m0011_reminder_mail::Migration),
            Box::new(m0012_models::Migration),
            Box::new(m0013_exemplars::Migration),
            Box::new(m0014_commendations::Migration),
            Box::new(m0015_proposals::Migration),
            Box::new(m0016_model_exemplar_files::Migration),
            Box::new(m0017_key_tasks::Migration),
            Box::new(m0018_key_task_files::Migration),
            Box::new(m0019_inspections::Migration),
            Box::new(m0020_propaganda::Migration),
            Box::new(m0021_teaching::Migration),
            Box::new(m0022_award::Migration),
            Box::new(m0023_award_judging::Migration),
            Box::new(m0024_award_entry_files::Migration),
            Box::new(m0025_reports::Migration),
            Box::new(m0026_half_year_reports::Migration),
            Box::new(m0027_rollups::Migration),
            Box::new(m0028_public_order::Migration),
            Box::new(m0029_people_search::Migration),
            Box::new(m0030_rollups_more::Migration),
            Box::new(m0031_rollup_counting::Migration),
            Box::new(m0032_rollup_pending_by_version::Migration),
            Box::new(m0033_rollup_marks_once_per_transaction::Migration),
            Box::new(m0034_job_attempts::Migration),
        ]
    }
}
