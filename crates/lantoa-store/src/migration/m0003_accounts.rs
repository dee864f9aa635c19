//! Accounts and their grants: a role on a unit's subtree (no unit: the whole system).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut accounts = Table::create();
        accounts
            .table(Alias::new("accounts"))
            .col(id())
            .col(string_len("username", 40))
            .col(big_integer_null("person_id"))
            // Argon2id PHC string; never logged.
            .col(string("password_hash"))
            .col(boolean("is_active"))
            .col(integer("failed_logins"))
            .col(timestamp_with_time_zone_null("locked_until"))
            .foreign_key(&mut fk("accounts", "person_id", "people"));
        manager.create_table(stamps(&mut accounts).take()).await?;
        manager
            .create_index(
                index("accounts", "accounts_username_key", &["username"])
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(index("accounts", "accounts_person_id_idx", &["person_id"]))
            .await?;

        let mut grants = Table::create();
        grants
            .table(Alias::new("grants"))
            .col(id())
            .col(big_integer("account_id"))
            // NULL only for system administrators: the whole tree.
            .col(big_integer_null("org_id"))
            .col(string_len("role", 40))
            .foreign_key(&mut fk("grants", "account_id", "accounts"))
            .foreign_key(&mut fk("grants", "org_id", "orgs"));
        manager.create_table(stamps(&mut grants).take()).await?;
        manager
            .create_index(index("grants", "grants_account_id_idx", &["account_id"]))
            .await?;
        manager
            .create_index(index("grants", "grants_org_id_idx", &["org_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["grants", "accounts"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
