//! Reminders by e-mail: whether a reminder waits to be e-mailed, when it was, and why not.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The new columns, added one by one: SQLite alters one column at a time.
fn columns() -> Vec<ColumnDef> {
    vec![
        boolean("email_pending").default(false).take(),
        timestamp_with_time_zone_null("emailed_at"),
        text_null("email_error"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("reminders"))
                        .add_column(&mut column)
                        .take(),
                )
                .await?;
        }
        manager
            .create_index(index(
                "reminders",
                "reminders_email_pending_idx",
                &["email_pending"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut drop = Index::drop();
        drop.name("reminders_email_pending_idx")
            .table(Alias::new("reminders"));
        manager.drop_index(drop).await?;
        for column in ["email_error", "emailed_at", "email_pending"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("reminders"))
                        .drop_column(Alias::new(column))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }
}
