//! Typical models: registered by a unit for a campaign year (new, or carrying on an earlier
//! year's model), their evaluations, and the units that replicated them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut models = Table::create();
        models
            .table(Alias::new("models"))
            .col(id())
            .col(big_integer("org_id"))
            .col(big_integer("year_id"))
            .col(string_len("name", 300))
            .col(string_len("name_folded", 300))
            .col(string_len("sector", 30))
            .col(string_len("category", 40))
            .col(text("description"))
            .col(date("started_on"))
            .col(text("goals"))
            .col(text_null("carriers"))
            .col(boolean("is_public").default(false))
            .col(big_integer_null("continued_from"))
            .col(string_len("state", 20))
            .col(date_null("recognised_on"))
            .col(big_integer_null("created_by"))
            .foreign_key(&mut fk("models", "org_id", "orgs"))
            .foreign_key(&mut fk("models", "year_id", "campaign_years"))
            .foreign_key(&mut fk("models", "continued_from", "models"))
            .foreign_key(&mut fk("models", "created_by", "accounts"));
        manager.create_table(stamps(&mut models).take()).await?;
        for (name, columns) in [
            ("models_year_id_idx", &["year_id", "org_id"][..]),
            ("models_org_id_idx", &["org_id"][..]),
            ("models_continued_from_idx", &["continued_from"][..]),
            ("models_created_by_idx", &["created_by"][..]),
        ] {
            manager.create_index(index("models", name, columns)).await?;
        }

        let mut evaluations = Table::create();
        evaluations
            .table(Alias::new("model_evaluations"))
            .col(id())
            .col(big_integer("model_id"))
            .col(date("evaluated_on"))
            .col(text("results"))
            .col(big_integer_null("account_id"))
            .foreign_key(&mut fk("model_evaluations", "model_id", "models"))
            .foreign_key(&mut fk("model_evaluations", "account_id", "accounts"));
        manager
            .create_table(stamps(&mut evaluations).take())
            .await?;

        let mut replications = Table::create();
        replications
            .table(Alias::new("model_replications"))
            .col(id())
            .col(big_integer("model_id"))
            // The unit that adopted the model.
            .col(big_integer("org_id"))
            .col(date("adopted_on"))
            .col(string_len("adapted_name", 300))
            .col(text("results"))
            .col(big_integer_null("account_id"))
            .foreign_key(&mut fk("model_replications", "model_id", "models"))
            .foreign_key(&mut fk("model_replications", "org_id", "orgs"))
            .foreign_key(&mut fk("model_replications", "account_id", "accounts"));
        manager
            .create_table(stamps(&mut replications).take())
            .await?;
        for (table, name, columns) in [
            (
                "model_evaluations",
                "model_evaluations_model_id_idx",
                &["model_id"][..],
            ),
            (
                "model_evaluations",
                "model_evaluations_account_id_idx",
                &["account_id"][..],
            ),
            (
                "model_replications",
                "model_replications_model_id_idx",
                &["model_id"][..],
            ),
            (
                "model_replications",
                "model_replications_org_id_idx",
                &["org_id"][..],
            ),
            (
                "model_replications",
                "model_replications_account_id_idx",
                &["account_id"][..],
            ),
        ] {
            manager.create_index(index(table, name, columns)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["model_replications", "model_evaluations", "models"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
