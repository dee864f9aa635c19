//! The append-only audit log: one row per change, written in the change's transaction.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Alias::new("audit_log"))
            .col(id())
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
            .foreign_key(&mut fk("audit_log", "actor_person_id", "people"))
            .foreign_key(&mut fk("audit_log", "org_id", "orgs"));
        manager.create_table(stamps(&mut table).take()).await?;
        for (name, columns) in [
            ("audit_log_org_id_idx", &["org_id", "id"][..]),
            ("audit_log_entity_idx", &["entity_type", "entity_id"][..]),
            ("audit_log_actor_person_id_idx", &["actor_person_id"][..]),
            ("audit_log_actor_account_id_idx", &["actor_account_id"][..]),
        ] {
            manager
                .create_index(index("audit_log", name, columns))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("audit_log")).take())
            .await
    }
}
