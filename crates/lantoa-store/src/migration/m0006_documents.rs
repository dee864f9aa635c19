//! Files and guiding documents: stored files (content in the files directory, described
//! here), documents with the years and topics they guide, files attached to study
//! sessions, and the units a session's roster is drawn from when not the organiser's whole
//! subtree.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, link_table, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The bytes live in the files directory under their SHA-256; a row says what they
        // are, who brought them and for which unit.
        let mut files = Table::create();
        files
            .table(Alias::new("files"))
            .col(id())
            .col(string_len("sha256", 64))
            .col(string("name"))
            .col(string_len("content_type", 100))
            .col(big_integer("size_bytes"))
            .col(big_integer_null("org_id"))
            .col(big_integer_null("account_id"))
            .foreign_key(&mut fk("files", "org_id", "orgs"))
            .foreign_key(&mut fk("files", "account_id", "accounts"));
        manager.create_table(stamps(&mut files).take()).await?;
        manager
            .create_index(index("files", "files_sha256_idx", &["sha256"]))
            .await?;
        manager
            .create_index(index("files", "files_org_id_idx", &["org_id"]))
            .await?;
        manager
            .create_index(index("files", "files_account_id_idx", &["account_id"]))
            .await?;

        // A document belongs to the unit that entered it and applies to its subtree.
        let mut documents = Table::create();
        documents
            .table(Alias::new("documents"))
            .col(id())
            .col(big_integer("org_id"))
            .col(string_len("symbol", 60))
            .col(string_len("kind", 40))
            .col(string("issuer"))
            .col(date("issued_on"))
            .col(text("title"))
            .col(text("search_folded"))
            .col(text_null("summary"))
            .col(big_integer_null("file_id"))
            .foreign_key(&mut fk("documents", "org_id", "orgs"))
            .foreign_key(&mut fk("documents", "file_id", "files"));
        manager.create_table(stamps(&mut documents).take()).await?;
        manager
            .create_index(index(
                "documents",
                "documents_org_id_idx",
                &["org_id", "issued_on"],
            ))
            .await?;
        manager
            .create_index(index("documents", "documents_file_id_idx", &["file_id"]))
            .await?;
        link_table(
            manager,
            "document_years",
            ("document_id", "documents"),
            ("year_id", "campaign_years"),
        )
        .await?;
        link_table(
            manager,
            "document_topics",
            ("document_id", "documents"),
            ("topic_id", "topics"),
        )
        .await?;
        link_table(
            manager,
            "session_files",
            ("session_id", "study_sessions"),
            ("file_id", "files"),
        )
        .await?;
        link_table(
            manager,
            "session_units",
            ("session_id", "study_sessions"),
            ("org_id", "orgs"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "session_units",
            "session_files",
            "document_topics",
            "document_years",
            "documents",
            "files",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
