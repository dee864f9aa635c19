//! The append-only audit log: one row per change, written in the change's transaction.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Alias::new("audit_log"))
            .col(big_integer("id").auto_increment().primary_key())
            // The account that acted; its table comes with logins, so no foreign key yet.
            .col(big_integer_null("actor_account_id"))
            .col(big_integer_null("actor_person_id"))
            // "web", "cli", "demo"… and the client address when there is one.
            .col(string_len("actor_channel", 20))
            .col(string_len_null("client_addr", 64))
            .col(string_len("action", 40))
            .col(string_len("entity_type", 40))
            .col(big_integer_null("entity_id"))
            .col(big_integer_null("org_id"))
            // JSON {"before": {…}, "after": {…}} of the changed fields.
            .col(text("changes"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(
                ForeignKey::create()
                    .from(Alias::new("audit_log"), Alias::new("actor_person_id"))
                    .to(Alias::new("people"), Alias::new("id")),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Alias::new("audit_log"), Alias::new("org_id"))
                    .to(Alias::new("orgs"), Alias::new("id")),
            );
        manager.create_table(table.take()).await?;
        for (name, columns) in [
            ("audit_log_org_id_idx", &["org_id", "id"][..]),
            ("audit_log_entity_idx", &["entity_type", "entity_id"][..]),
            ("audit_log_actor_person_id_idx", &["actor_person_id"][..]),
            ("audit_log_actor_account_id_idx", &["actor_account_id"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Alias::new("audit_log"));
            for column in columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index.take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("audit_log")).take())
            .await
    }
}
