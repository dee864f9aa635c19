//! Units (with their materialised path), people, their unit history, and background jobs.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut orgs = Table::create();
        orgs.table(Alias::new("orgs"))
            .col(id())
            .col(string_len("code", 32))
            .col(string("name"))
            .col(string("name_folded"))
            .col(string_len("kind", 40))
            .col(string_len("sector", 40))
            .col(big_integer_null("parent_id"))
            // "/1/7/42/": the ids from the root; a subtree is one index range.
            .col(string("path"))
            .col(integer("depth"))
            .col(timestamp_with_time_zone_null("archived_at"))
            .col(big_integer_null("merged_into_id"))
            .foreign_key(&mut fk("orgs", "parent_id", "orgs"))
            .foreign_key(&mut fk("orgs", "merged_into_id", "orgs"));
        manager.create_table(stamps(&mut orgs).take()).await?;
        manager
            .create_index(index("orgs", "orgs_code_key", &["code"]).unique().take())
            .await?;
        manager
            .create_index(index("orgs", "orgs_path_idx", &["path"]))
            .await?;
        manager
            .create_index(index("orgs", "orgs_parent_id_idx", &["parent_id"]))
            .await?;
        manager
            .create_index(index(
                "orgs",
                "orgs_merged_into_id_idx",
                &["merged_into_id"],
            ))
            .await?;

        let mut people = Table::create();
        people
            .table(Alias::new("people"))
            .col(id())
            .col(string("full_name"))
            .col(string("name_folded"))
            .col(string_len_null("gender", 10))
            .col(date_null("birth_date"))
            // Bit mask of categories (lantoa_domain::people::Categories).
            .col(big_integer("categories"))
            .col(string_len_null("member_status", 40))
            .col(date_null("party_joined_on"))
            .col(date_null("party_official_on"))
            .col(string_len_null("party_card_no", 20))
            .col(big_integer("org_id"))
            .col(string_null("position"))
            .col(boolean("is_leader"))
            .col(string_len_null("citizen_id", 12))
            .col(string_len_null("phone", 15))
            .col(string_null("email"))
            .col(text_null("note"))
            .foreign_key(&mut fk("people", "org_id", "orgs"));
        manager.create_table(stamps(&mut people).take()).await?;
        manager
            .create_index(
                index("people", "people_party_card_no_key", &["party_card_no"])
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "people",
                "people_org_id_name_idx",
                &["org_id", "name_folded"],
            ))
            .await?;
        manager
            .create_index(index("people", "people_name_folded_idx", &["name_folded"]))
            .await?;

        // Which unit a person belonged to when: coverage of a past year counts people where
        // they were then.
        let mut person_units = Table::create();
        person_units
            .table(Alias::new("person_units"))
            .col(id())
            .col(big_integer("person_id"))
            .col(big_integer("org_id"))
            // NULL: in this unit since before the records began.
            .col(date_null("valid_from"))
            .col(date_null("valid_to"))
            .foreign_key(&mut fk("person_units", "person_id", "people"))
            .foreign_key(&mut fk("person_units", "org_id", "orgs"));
        manager
            .create_table(stamps(&mut person_units).take())
            .await?;
        manager
            .create_index(index(
                "person_units",
                "person_units_person_id_idx",
                &["person_id", "valid_from"],
            ))
            .await?;
        manager
            .create_index(index(
                "person_units",
                "person_units_org_id_idx",
                &["org_id"],
            ))
            .await?;

        // Background work (imports, exports, reports). Input and output files live with the
        // job so that any server sharing the database can run it or serve its result.
        let mut jobs = Table::create();
        jobs.table(Alias::new("jobs"))
            .col(id())
            .col(string_len("kind", 40))
            .col(string_len("state", 20))
            .col(text("params"))
            .col(big_integer("progress_done"))
            .col(big_integer("progress_total"))
            .col(string_null("stage"))
            .col(string_null("input_name"))
            .col(blob_null("input"))
            .col(text_null("result"))
            .col(blob_null("output"))
            .col(text_null("error"))
            .col(big_integer_null("org_id"))
            .col(timestamp_with_time_zone_null("started_at"))
            .col(timestamp_with_time_zone_null("finished_at"))
            .foreign_key(&mut fk("jobs", "org_id", "orgs"));
        manager.create_table(stamps(&mut jobs).take()).await?;
        manager
            .create_index(index("jobs", "jobs_state_idx", &["state", "id"]))
            .await?;
        manager
            .create_index(index("jobs", "jobs_org_id_idx", &["org_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["jobs", "person_units", "people", "orgs"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
