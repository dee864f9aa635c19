//! Key tasks of a campaign year: set by a committee, led by a unit with coordinating
//! units, and the progress reports of the assigned units.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut tasks = Table::create();
        tasks
            .table(Alias::new("key_tasks"))
            .col(id())
            // The committee that sets the task.
            .col(big_integer("org_id"))
            .col(big_integer("year_id"))
            .col(integer("number"))
            .col(text("content"))
            .col(text_null("documents"))
            .col(big_integer("lead_org_id"))
            .col(date("deadline"))
            .col(text("target"))
            // The latest report's status and percent.
            .col(string_len("status", 20))
            .col(integer("percent"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("key_tasks", "org_id", "orgs"))
            .foreign_key(&mut fk("key_tasks", "year_id", "campaign_years"))
            .foreign_key(&mut fk("key_tasks", "lead_org_id", "orgs"))
            .foreign_key(&mut fk("key_tasks", "created_by", "accounts"));
        manager.create_table(stamps(&mut tasks).take()).await?;
        manager
            .create_index(
                index(
                    "key_tasks",
                    "key_tasks_number_key",
                    &["org_id", "year_id", "number"],
                )
                .unique()
                .take(),
            )
            .await?;
        for (name, columns) in [
            ("key_tasks_year_id_idx", &["year_id"][..]),
            ("key_tasks_lead_org_id_idx", &["lead_org_id"][..]),
            ("key_tasks_created_by_idx", &["created_by"][..]),
        ] {
            manager
                .create_index(index("key_tasks", name, columns))
                .await?;
        }
        super::link_table(
            manager,
            "key_task_units",
            ("key_task_id", "key_tasks"),
            ("org_id", "orgs"),
        )
        .await?;

        let mut updates = Table::create();
        updates
            .table(Alias::new("key_task_updates"))
            .col(id())
            .col(big_integer("key_task_id"))
            // The reporting unit.
            .col(big_integer("org_id"))
            .col(string_len("status", 20))
            .col(integer("percent"))
            .col(text("narrative"))
            .col(big_integer_null("reported_by"))
            .foreign_key(&mut fk("key_task_updates", "key_task_id", "key_tasks"))
            .foreign_key(&mut fk("key_task_updates", "org_id", "orgs"))
            .foreign_key(&mut fk("key_task_updates", "reported_by", "accounts"));
        manager.create_table(stamps(&mut updates).take()).await?;
        for (name, columns) in [
            ("key_task_updates_key_task_id_idx", &["key_task_id"][..]),
            ("key_task_updates_org_id_idx", &["org_id"][..]),
            ("key_task_updates_reported_by_idx", &["reported_by"][..]),
        ] {
            manager
                .create_index(index("key_task_updates", name, columns))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["key_task_updates", "key_task_units", "key_tasks"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
