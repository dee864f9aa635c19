//! Settings: the rules a committee chooses (who approves plans, who must have one, rating
//! bands and cap), one row per named setting holding its JSON value and who last changed it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut settings = Table::create();
        settings
            .table(Alias::new("settings"))
            .col(id())
            .col(string_len("name", 60))
            .col(text("value"))
            .col(big_integer_null("updated_by"))
            .foreign_key(&mut fk("settings", "updated_by", "accounts"));
        manager.create_table(stamps(&mut settings).take()).await?;
        manager
            .create_index(
                index("settings", "settings_name_key", &["name"])
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "settings",
                "settings_updated_by_idx",
                &["updated_by"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("settings")).take())
            .await
    }
}
