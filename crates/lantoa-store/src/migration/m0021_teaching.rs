//! Teaching: the courses in which a unit (a school, the education office, the political
//! centre) teaches the campaign's content, with their audience and counts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut courses = Table::create();
        courses
            .table(Alias::new("teaching_courses"))
            .col(id())
            .col(big_integer("org_id"))
            .col(big_integer("year_id"))
            .col(text("name"))
            .col(string_len("audience", 20))
            .col(text("content"))
            .col(integer("classes"))
            .col(integer("learners"))
            .col(integer("hours"))
            .col(date("starts_on"))
            .col(date("ends_on"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("teaching_courses", "org_id", "orgs"))
            .foreign_key(&mut fk("teaching_courses", "year_id", "campaign_years"))
            .foreign_key(&mut fk("teaching_courses", "created_by", "accounts"));
        manager.create_table(stamps(&mut courses).take()).await?;
        for (name, columns) in [
            ("teaching_courses_year_id_idx", &["year_id", "org_id"][..]),
            ("teaching_courses_org_id_idx", &["org_id"][..]),
            ("teaching_courses_created_by_idx", &["created_by"][..]),
        ] {
            manager
                .create_index(index("teaching_courses", name, columns))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("teaching_courses")).take())
            .await
    }
}
