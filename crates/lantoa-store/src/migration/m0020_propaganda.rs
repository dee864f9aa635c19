//! Propaganda: the activities units record by channel (one row per unit, day, channel and
//! title, so that importing a file again changes nothing), the media columns a station
//! keeps and their items, each item linked to the exemplar or model it tells of.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn indexes(
    manager: &SchemaManager<'_>,
    table: &str,
    list: &[(&str, &[&'static str], bool)],
) -> Result<(), DbErr> {
    for (name, columns, unique) in list {
        let mut statement = index(table, name, columns);
        if *unique {
            statement.unique();
        }
        manager.create_index(statement).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut activities = Table::create();
        activities
            .table(Alias::new("propaganda_activities"))
            .col(id())
            .col(big_integer("org_id"))
            .col(big_integer("year_id"))
            .col(date("held_on"))
            // 1–12, kept so that regularity is counted the same way on both databases.
            .col(integer("month"))
            .col(string_len("channel", 20))
            .col(text_null("topic"))
            .col(text("title"))
            .col(integer("quantity"))
            .col(big_integer_null("reach"))
            .col(text_null("link"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("propaganda_activities", "org_id", "orgs"))
            .foreign_key(&mut fk(
                "propaganda_activities",
                "year_id",
                "campaign_years",
            ))
            .foreign_key(&mut fk("propaganda_activities", "created_by", "accounts"));
        manager.create_table(stamps(&mut activities).take()).await?;
        indexes(
            manager,
            "propaganda_activities",
            &[
                (
                    "propaganda_activities_key",
                    &["org_id", "held_on", "channel", "title"],
                    true,
                ),
                (
                    "propaganda_activities_year_id_idx",
                    &["year_id", "org_id", "month"],
                    false,
                ),
                (
                    "propaganda_activities_created_by_idx",
                    &["created_by"],
                    false,
                ),
            ],
        )
        .await?;

        let mut columns = Table::create();
        columns
            .table(Alias::new("media_columns"))
            .col(id())
            .col(big_integer("org_id"))
            .col(string("name"))
            .col(string_len("kind", 20))
            .col(text("schedule"))
            .col(date("started_on"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("media_columns", "org_id", "orgs"))
            .foreign_key(&mut fk("media_columns", "created_by", "accounts"));
        manager.create_table(stamps(&mut columns).take()).await?;
        indexes(
            manager,
            "media_columns",
            &[
                ("media_columns_name_key", &["org_id", "name"], true),
                ("media_columns_created_by_idx", &["created_by"], false),
            ],
        )
        .await?;

        let mut items = Table::create();
        items
            .table(Alias::new("media_items"))
            .col(id())
            .col(big_integer("column_id"))
            .col(big_integer("org_id"))
            .col(date("aired_on"))
            .col(text("title"))
            .col(text_null("programme"))
            .col(text_null("link"))
            .col(big_integer_null("exemplar_id"))
            .col(big_integer_null("model_id"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("media_items", "column_id", "media_columns"))
            .foreign_key(&mut fk("media_items", "org_id", "orgs"))
            .foreign_key(&mut fk("media_items", "exemplar_id", "exemplars"))
            .foreign_key(&mut fk("media_items", "model_id", "models"))
            .foreign_key(&mut fk("media_items", "created_by", "accounts"));
        manager.create_table(stamps(&mut items).take()).await?;
        indexes(
            manager,
            "media_items",
            &[
                ("media_items_key", &["column_id", "aired_on", "title"], true),
                ("media_items_org_id_idx", &["org_id", "aired_on"], false),
                ("media_items_exemplar_id_idx", &["exemplar_id"], false),
                ("media_items_model_id_idx", &["model_id"], false),
                ("media_items_created_by_idx", &["created_by"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["media_items", "media_columns", "propaganda_activities"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
