//! Sign-in: server-side sessions, API tokens, one-time password reset codes, the failed
//! attempts of client addresses, the account that queued each job, and the indexes that
//! let people sign in by phone or email.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Every secret is stored as the SHA-256 of a random 256-bit token or a one-time code.
        let mut sessions = Table::create();
        sessions
            .table(Alias::new("sessions"))
            .col(id())
            .col(big_integer("account_id"))
            .col(string_len("token_hash", 64))
            .col(string_null("client_addr"))
            .col(string_null("user_agent"))
            .col(timestamp_with_time_zone("last_seen_at"))
            .col(timestamp_with_time_zone("expires_at"))
            .foreign_key(&mut fk("sessions", "account_id", "accounts"));
        manager.create_table(stamps(&mut sessions).take()).await?;
        manager
            .create_index(
                index("sessions", "sessions_token_hash_key", &["token_hash"])
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "sessions",
                "sessions_account_id_idx",
                &["account_id"],
            ))
            .await?;

        let mut tokens = Table::create();
        tokens
            .table(Alias::new("api_tokens"))
            .col(id())
            .col(big_integer("account_id"))
            .col(string("name"))
            .col(string_len("token_hash", 64))
            .col(timestamp_with_time_zone_null("last_used_at"))
            .col(timestamp_with_time_zone_null("revoked_at"))
            .foreign_key(&mut fk("api_tokens", "account_id", "accounts"));
        manager.create_table(stamps(&mut tokens).take()).await?;
        manager
            .create_index(
                index("api_tokens", "api_tokens_token_hash_key", &["token_hash"])
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "api_tokens",
                "api_tokens_account_id_idx",
                &["account_id"],
            ))
            .await?;

        let mut resets = Table::create();
        resets
            .table(Alias::new("password_resets"))
            .col(id())
            .col(big_integer("account_id"))
            .col(string_len("code_hash", 64))
            .col(timestamp_with_time_zone("expires_at"))
            .col(timestamp_with_time_zone_null("used_at"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("password_resets", "account_id", "accounts"))
            .foreign_key(&mut fk("password_resets", "created_by", "accounts"));
        manager.create_table(stamps(&mut resets).take()).await?;
        manager
            .create_index(
                index(
                    "password_resets",
                    "password_resets_code_hash_key",
                    &["code_hash"],
                )
                .unique()
                .take(),
            )
            .await?;
        manager
            .create_index(index(
                "password_resets",
                "password_resets_account_id_idx",
                &["account_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "password_resets",
                "password_resets_created_by_idx",
                &["created_by"],
            ))
            .await?;

        // Failed sign-ins per client address (accounts keep their own count).
        let mut throttle = Table::create();
        throttle
            .table(Alias::new("login_throttle"))
            .col(id())
            .col(string_len("client_addr", 64))
            .col(integer("failures"))
            .col(timestamp_with_time_zone_null("wait_until"));
        manager.create_table(stamps(&mut throttle).take()).await?;
        manager
            .create_index(
                index(
                    "login_throttle",
                    "login_throttle_client_addr_key",
                    &["client_addr"],
                )
                .unique()
                .take(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("jobs"))
                    .add_column(big_integer_null("account_id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(index("jobs", "jobs_account_id_idx", &["account_id"]))
            .await?;
        manager
            .create_index(index("people", "people_phone_idx", &["phone"]))
            .await?;
        manager
            .create_index(index("people", "people_email_idx", &["email"]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            ("people", "people_email_idx"),
            ("people", "people_phone_idx"),
            ("jobs", "jobs_account_id_idx"),
        ] {
            let mut drop = Index::drop();
            drop.name(name).table(Alias::new(table));
            manager.drop_index(drop).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("jobs"))
                    .drop_column(Alias::new("account_id"))
                    .take(),
            )
            .await?;
        for table in [
            "login_throttle",
            "password_resets",
            "api_tokens",
            "sessions",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
