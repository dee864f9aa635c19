//! Six-month reports (sơ kết 6 tháng): a report's period may be the first half of a year,
//! so drafts, versions and history tell it apart from the year-end report of that year.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("reports"))
                    .add_column(boolean("half_year").default(false).take())
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("reports"))
                    .drop_column(Alias::new("half_year"))
                    .take(),
            )
            .await
    }
}
