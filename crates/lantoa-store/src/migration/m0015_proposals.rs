//! Proposals for commendation (tờ trình đề nghị khen thưởng): a unit proposes people and
//! collectives for a form to the nearest organisation that may decide it, which reviews
//! each one (bình xét): approved at its level, sent up for a higher form, or not approved.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut proposals = Table::create();
        proposals
            .table(Alias::new("commendation_proposals"))
            .col(id())
            // The proposing unit.
            .col(big_integer("org_id"))
            // The unit whose queue holds it: the one that reviews and decides.
            .col(big_integer("to_org_id"))
            .col(big_integer("year_id"))
            .col(string_len("form", 30))
            .col(text("reason"))
            .col(string_len("state", 20))
            // The proposal whose review sent these people up, if any.
            .col(big_integer_null("from_proposal_id"))
            .col(big_integer_null("created_by"))
            .col(big_integer_null("reviewed_by"))
            .col(timestamp_with_time_zone_null("reviewed_at"))
            .foreign_key(&mut fk("commendation_proposals", "org_id", "orgs"))
            .foreign_key(&mut fk("commendation_proposals", "to_org_id", "orgs"))
            .foreign_key(&mut fk(
                "commendation_proposals",
                "year_id",
                "campaign_years",
            ))
            .foreign_key(&mut fk(
                "commendation_proposals",
                "from_proposal_id",
                "commendation_proposals",
            ))
            .foreign_key(&mut fk("commendation_proposals", "created_by", "accounts"))
            .foreign_key(&mut fk("commendation_proposals", "reviewed_by", "accounts"));
        manager.create_table(stamps(&mut proposals).take()).await?;
        for (name, columns) in [
            (
                "commendation_proposals_to_org_id_idx",
                &["to_org_id", "year_id", "state"][..],
            ),
            ("commendation_proposals_org_id_idx", &["org_id"][..]),
            ("commendation_proposals_year_id_idx", &["year_id"][..]),
            (
                "commendation_proposals_from_proposal_id_idx",
                &["from_proposal_id"][..],
            ),
            ("commendation_proposals_created_by_idx", &["created_by"][..]),
            (
                "commendation_proposals_reviewed_by_idx",
                &["reviewed_by"][..],
            ),
        ] {
            manager
                .create_index(index("commendation_proposals", name, columns))
                .await?;
        }

        let mut items = Table::create();
        items
            .table(Alias::new("proposal_items"))
            .col(id())
            .col(big_integer("proposal_id"))
            .col(big_integer("exemplar_id"))
            // Empty until reviewed.
            .col(string_len_null("outcome", 20))
            .col(text_null("comment"))
            .foreign_key(&mut fk(
                "proposal_items",
                "proposal_id",
                "commendation_proposals",
            ))
            .foreign_key(&mut fk("proposal_items", "exemplar_id", "exemplars"));
        manager.create_table(stamps(&mut items).take()).await?;
        manager
            .create_index(
                index(
                    "proposal_items",
                    "proposal_items_proposal_id_key",
                    &["proposal_id", "exemplar_id"],
                )
                .unique()
                .take(),
            )
            .await?;
        manager
            .create_index(index(
                "proposal_items",
                "proposal_items_exemplar_id_idx",
                &["exemplar_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["proposal_items", "commendation_proposals"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
