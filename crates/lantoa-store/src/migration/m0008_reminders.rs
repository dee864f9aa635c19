//! Reminders: staff remind people of a step they have not taken (a plan to submit, a review
//! to write); each person sees theirs, and the rows say who reminded whom and when.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut reminders = Table::create();
        reminders
            .table(Alias::new("reminders"))
            .col(id())
            .col(big_integer("person_id"))
            // The unit on whose behalf the reminder was sent (the sender's scope).
            .col(big_integer("org_id"))
            .col(big_integer_null("year_id"))
            // What it is about: "ke_hoach:nop", "ke_hoach:so-ket"…
            .col(string_len("subject", 40))
            .col(text("message"))
            .col(big_integer_null("sent_by"))
            .col(timestamp_with_time_zone_null("seen_at"))
            .foreign_key(&mut fk("reminders", "person_id", "people"))
            .foreign_key(&mut fk("reminders", "org_id", "orgs"))
            .foreign_key(&mut fk("reminders", "year_id", "campaign_years"))
            .foreign_key(&mut fk("reminders", "sent_by", "accounts"));
        manager.create_table(stamps(&mut reminders).take()).await?;
        for (name, columns) in [
            ("reminders_person_id_idx", &["person_id", "seen_at"][..]),
            ("reminders_org_id_idx", &["org_id", "year_id"][..]),
            ("reminders_year_id_idx", &["year_id"][..]),
            ("reminders_sent_by_idx", &["sent_by"][..]),
        ] {
            manager
                .create_index(index("reminders", name, columns))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("reminders")).take())
            .await
    }
}
