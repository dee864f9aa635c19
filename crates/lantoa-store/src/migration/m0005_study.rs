//! Studying the year's topic: campaign years and their topics, study sessions and their
//! topics, attendance of registered people, and attendances counted in lượt.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{fk, id, index, stamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Subtrees are path ranges ('/1/7/' up to '/1/70'), which need byte order: on a
        // PostgreSQL database whose default collation is a language's, '/' and '0' would
        // sort by other rules. SQLite compares bytes already.
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    r#"ALTER TABLE orgs ALTER COLUMN path TYPE varchar COLLATE "C""#,
                )
                .await?;
        }
        let mut years = Table::create();
        years
            .table(Alias::new("campaign_years"))
            .col(id())
            .col(integer("year"))
            // The full-term topic the year belongs to (chuyên đề toàn khóa).
            .col(text("term_topic"));
        manager.create_table(stamps(&mut years).take()).await?;
        manager
            .create_index(
                index("campaign_years", "campaign_years_year_key", &["year"])
                    .unique()
                    .take(),
            )
            .await?;

        let mut topics = Table::create();
        topics
            .table(Alias::new("topics"))
            .col(id())
            .col(big_integer("year_id"))
            .col(text("title"))
            .col(text_null("core_contents"))
            .foreign_key(&mut fk("topics", "year_id", "campaign_years"));
        manager.create_table(stamps(&mut topics).take()).await?;
        manager
            .create_index(index("topics", "topics_year_id_idx", &["year_id"]))
            .await?;

        let mut sessions = Table::create();
        sessions
            .table(Alias::new("study_sessions"))
            .col(id())
            .col(big_integer("org_id"))
            .col(big_integer("year_id"))
            .col(string("title"))
            .col(string_len("kind", 40))
            .col(string_len("format", 40))
            .col(date_time("starts_at"))
            .col(date_time("ends_at"))
            .col(string_null("place"))
            .col(string_null("speaker"))
            .col(text_null("notes"))
            // Shown in the room (and as a QR code) for members to mark themselves present.
            .col(string_len("checkin_code", 16))
            .foreign_key(&mut fk("study_sessions", "org_id", "orgs"))
            .foreign_key(&mut fk("study_sessions", "year_id", "campaign_years"));
        manager.create_table(stamps(&mut sessions).take()).await?;
        manager
            .create_index(index(
                "study_sessions",
                "study_sessions_org_id_idx",
                &["org_id", "year_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "study_sessions",
                "study_sessions_year_id_idx",
                &["year_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "study_sessions",
                "study_sessions_checkin_code_idx",
                &["checkin_code"],
            ))
            .await?;

        let mut session_topics = Table::create();
        session_topics
            .table(Alias::new("session_topics"))
            .col(id())
            .col(big_integer("session_id"))
            .col(big_integer("topic_id"))
            .foreign_key(&mut fk("session_topics", "session_id", "study_sessions"))
            .foreign_key(&mut fk("session_topics", "topic_id", "topics"));
        manager
            .create_table(stamps(&mut session_topics).take())
            .await?;
        manager
            .create_index(
                index(
                    "session_topics",
                    "session_topics_session_id_key",
                    &["session_id", "topic_id"],
                )
                .unique()
                .take(),
            )
            .await?;
        manager
            .create_index(index(
                "session_topics",
                "session_topics_topic_id_idx",
                &["topic_id"],
            ))
            .await?;

        // One row per registered person and session: present, absent or excused.
        let mut attendance = Table::create();
        attendance
            .table(Alias::new("attendance"))
            .col(id())
            .col(big_integer("session_id"))
            .col(big_integer("person_id"))
            .col(string_len("status", 20))
            .foreign_key(&mut fk("attendance", "session_id", "study_sessions"))
            .foreign_key(&mut fk("attendance", "person_id", "people"));
        manager.create_table(stamps(&mut attendance).take()).await?;
        manager
            .create_index(
                index(
                    "attendance",
                    "attendance_session_id_key",
                    &["session_id", "person_id"],
                )
                .unique()
                .take(),
            )
            .await?;
        manager
            .create_index(index(
                "attendance",
                "attendance_person_id_idx",
                &["person_id", "status"],
            ))
            .await?;

        // Attendances of people not named one by one (citizens, pupils…), in lượt.
        let mut counted = Table::create();
        counted
            .table(Alias::new("counted_attendance"))
            .col(id())
            .col(big_integer("session_id"))
            .col(string_len("audience", 40))
            .col(big_integer("count"))
            .foreign_key(&mut fk(
                "counted_attendance",
                "session_id",
                "study_sessions",
            ));
        manager.create_table(stamps(&mut counted).take()).await?;
        manager
            .create_index(
                index(
                    "counted_attendance",
                    "counted_attendance_session_id_key",
                    &["session_id", "audience"],
                )
                .unique()
                .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "counted_attendance",
            "attendance",
            "session_topics",
            "study_sessions",
            "topics",
            "campaign_years",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
