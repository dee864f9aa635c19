//! Roll-ups (see `crate::rollups`): each unit's own and subtree counts per figure, the
//! figures kept up to date, and the units whose counts a change has made stale.
//!
//! Triggers on the tables the figures count mark the units a row touches as pending, in the
//! writing transaction itself, so that no write path (a form, an import, the demo, SQL
//! typed by hand) can leave a roll-up stale without it being known. Each mark carries a
//! number from one clock (a sequence on PostgreSQL, a one-row table on SQLite, whose
//! writers take turns anyway), so that a refresh only clears the marks it has counted.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A table whose rows the figures count, and how to find the units a row touches.
struct Marked {
    table: &'static str,
    /// Columns whose change matters; every column when empty.
    update_of: &'static [&'static str],
    /// Whether inserting and deleting a row matter (a unit's move only matters when made).
    insert_delete: bool,
    /// A query of the units (column `o`) the old row touched, `{r}` standing for the row.
    old_units: &'static str,
    /// The same for the new row.
    new_units: &'static str,
}

/// The units of a person's stays, and their current unit (where they count as a leader):
/// those whose figures a change to them moves.
const PERSON_UNITS: &str = "SELECT org_id AS o FROM person_units WHERE person_id = {r}.person_id \
    UNION SELECT org_id AS o FROM people WHERE id = {r}.person_id";

/// The same for a change to the person's own row.
const PERSON_OWN_UNITS: &str = "SELECT org_id AS o FROM person_units WHERE person_id = {r}.id \
    UNION SELECT {r}.org_id AS o";

/// An exemplar's unit, and the units whose decisions commended it (they count its kind and
/// category).
const EXEMPLAR_UNITS: &str = "SELECT {r}.org_id AS o UNION SELECT d.org_id AS o \
    FROM decision_recipients dr JOIN commendation_decisions d ON d.id = dr.decision_id \
    WHERE dr.exemplar_id = {r}.id";

const MARKED: &[Marked] = &[
    Marked {
        table: "person_units",
        update_of: &[],
        insert_delete: true,
        old_units: "SELECT {r}.org_id AS o",
        new_units: "SELECT {r}.org_id AS o",
    },
    Marked {
        table: "people",
        update_of: &["member_status", "categories", "is_leader", "org_id"],
        insert_delete: true,
        old_units: PERSON_OWN_UNITS,
        new_units: PERSON_OWN_UNITS,
    },
    Marked {
        table: "attendance",
        update_of: &["status", "person_id", "session_id"],
        insert_delete: true,
        old_units: PERSON_UNITS,
        new_units: PERSON_UNITS,
    },
    Marked {
        table: "study_sessions",
        update_of: &["org_id", "year_id", "starts_at", "format"],
        insert_delete: true,
        old_units: "SELECT {r}.org_id AS o UNION SELECT pu.org_id AS o FROM attendance a \
                    JOIN person_units pu ON pu.person_id = a.person_id WHERE a.session_id = {r}.id",
        new_units: "SELECT {r}.org_id AS o UNION SELECT pu.org_id AS o FROM attendance a \
                    JOIN person_units pu ON pu.person_id = a.person_id WHERE a.session_id = {r}.id",
    },
    Marked {
        table: "counted_attendance",
        update_of: &[],
        insert_delete: true,
        old_units: "SELECT org_id AS o FROM study_sessions WHERE id = {r}.session_id",
        new_units: "SELECT org_id AS o FROM study_sessions WHERE id = {r}.session_id",
    },
    Marked {
        table: "plans",
        update_of: &[],
        insert_delete: true,
        old_units: PERSON_UNITS,
        new_units: PERSON_UNITS,
    },
    Marked {
        table: "plan_events",
        update_of: &[],
        insert_delete: true,
        old_units: "SELECT pu.org_id AS o FROM plans pl JOIN person_units pu ON pu.person_id = pl.person_id \
                    WHERE pl.id = {r}.plan_id",
        new_units: "SELECT pu.org_id AS o FROM plans pl JOIN person_units pu ON pu.person_id = pl.person_id \
                    WHERE pl.id = {r}.plan_id",
    },
    Marked {
        table: "propaganda_activities",
        update_of: &[
            "org_id", "year_id", "month", "held_on", "channel", "quantity", "reach",
        ],
        insert_delete: true,
        old_units: "SELECT {r}.org_id AS o",
        new_units: "SELECT {r}.org_id AS o",
    },
    Marked {
        table: "models",
        update_of: &[
            "org_id",
            "year_id",
            "sector",
            "category",
            "state",
            "continued_from",
            "started_on",
            "recognised_on",
        ],
        insert_delete: true,
        old_units: "SELECT {r}.org_id AS o",
        new_units: "SELECT {r}.org_id AS o",
    },
    Marked {
        table: "exemplars",
        update_of: &[
            "org_id",
            "year_id",
            "state",
            "kind",
            "category",
            "source",
            "nominated_at",
            "decided_at",
        ],
        insert_delete: true,
        old_units: EXEMPLAR_UNITS,
        new_units: EXEMPLAR_UNITS,
    },
    Marked {
        table: "commendation_decisions",
        update_of: &["org_id", "year_id", "signed_on", "form"],
        insert_delete: true,
        old_units: "SELECT {r}.org_id AS o",
        new_units: "SELECT {r}.org_id AS o",
    },
    Marked {
        table: "decision_recipients",
        update_of: &[],
        insert_delete: true,
        old_units: "SELECT org_id AS o FROM commendation_decisions WHERE id = {r}.decision_id",
        new_units: "SELECT org_id AS o FROM commendation_decisions WHERE id = {r}.decision_id",
    },
    Marked {
        table: "model_replications",
        update_of: &["model_id", "adopted_on"],
        insert_delete: true,
        old_units: "SELECT org_id AS o FROM models WHERE id = {r}.model_id",
        new_units: "SELECT org_id AS o FROM models WHERE id = {r}.model_id",
    },
    // A unit moved: its old parent's line loses its subtree, its new line gains it. A
    // unit whose kind changed or that was archived counts as grassroots or not.
    Marked {
        table: "orgs",
        update_of: &["parent_id", "kind", "archived_at"],
        insert_delete: true,
        old_units: "SELECT {r}.parent_id AS o",
        new_units: "SELECT {r}.id AS o",
    },
];

impl Marked {
    fn units(&self, template: &str, row: &str) -> String {
        template.replace("{r}", row)
    }

    fn update_event(&self) -> String {
        if self.update_of.is_empty() {
            "UPDATE".to_owned()
        } else {
            format!("UPDATE OF {}", self.update_of.join(", "))
        }
    }

    /// SQLite: one trigger per event, each taking the next tick of the clock.
    fn sqlite(&self) -> Vec<String> {
        let mark = |name: &str, event: String, units: String| {
            format!(
                "CREATE TRIGGER rollup_mark_{table}_{name} AFTER {event} ON {table} FOR EACH ROW BEGIN \
                 UPDATE rollup_clock SET n = n + 1; \
                 INSERT INTO rollup_pending (org_id, version) \
                 SELECT u.o, (SELECT n FROM rollup_clock) FROM ({units}) u WHERE u.o IS NOT NULL \
                 ON CONFLICT (org_id) DO UPDATE SET version = excluded.version; END",
                table = self.table
            )
        };
        let mut out = vec![mark(
            "update",
            self.update_event(),
            format!(
                "{} UNION {}",
                self.units(self.old_units, "OLD"),
                self.units(self.new_units, "NEW")
            ),
        )];
        if self.insert_delete {
            out.push(mark(
                "insert",
                "INSERT".into(),
                self.units(self.new_units, "NEW"),
            ));
            out.push(mark(
                "delete",
                "DELETE".into(),
                self.units(self.old_units, "OLD"),
            ));
        }
        out
    }

    /// PostgreSQL: one function and one trigger per table. A unit's mark is written once
    /// per transaction: a mark this transaction already wrote (its `xmin`) stays as it is,
    /// since no refresh can have read it before the commit. Each update of a row leaves a
    /// dead row behind until a vacuum, and a 30-person roster fires the trigger 30 times
    /// for the same units; at the nation, the saves made during a first count left 3,4
    /// million dead marks, and each dashboard's question "is anything pending?" read 9 000
    /// index pages of them (13 ms, fourteen times a page).
    fn postgres(&self) -> Vec<String> {
        let mark = |units: String| {
            format!(
                "INSERT INTO rollup_pending (org_id, version) \
                 SELECT u.o, nextval('rollup_clock') FROM (SELECT DISTINCT o FROM ({units}) d) u WHERE u.o IS NOT NULL \
                 ON CONFLICT (org_id) DO UPDATE SET version = excluded.version \
                 WHERE rollup_pending.xmin <> pg_current_xact_id()::xid;"
            )
        };
        let table = self.table;
        let events = if self.insert_delete {
            format!("INSERT OR {} OR DELETE", self.update_event())
        } else {
            self.update_event()
        };
        vec![
            format!(
                "CREATE FUNCTION rollup_mark_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF TG_OP IN ('UPDATE', 'DELETE') THEN {} END IF; \
                 IF TG_OP IN ('INSERT', 'UPDATE') THEN {} END IF; \
                 RETURN NULL; END $$",
                mark(self.units(self.old_units, "OLD")),
                mark(self.units(self.new_units, "NEW")),
            ),
            format!(
                "CREATE TRIGGER rollup_mark_{table} AFTER {events} ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION rollup_mark_{table}()"
            ),
        ]
    }
}

/// The statements that create the triggers marking changed units, on a backend.
pub(crate) fn marks(backend: DbBackend) -> Vec<String> {
    if backend == DbBackend::Postgres {
        MARKED.iter().flat_map(Marked::postgres).collect()
    } else {
        MARKED.iter().flat_map(Marked::sqlite).collect()
    }
}

/// The statements that drop those triggers (a bulk load drops them, then counts afresh).
pub(crate) fn unmarks(backend: DbBackend) -> Vec<String> {
    MARKED
        .iter()
        .flat_map(|m| {
            if backend == DbBackend::Postgres {
                vec![format!(
                    "DROP TRIGGER IF EXISTS rollup_mark_{0} ON {0}; DROP FUNCTION IF EXISTS rollup_mark_{0}()",
                    m.table
                )]
            } else {
                ["update", "insert", "delete"]
                    .iter()
                    .map(|name| format!("DROP TRIGGER IF EXISTS rollup_mark_{}_{name}", m.table))
                    .collect()
            }
        })
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut rollups = Table::create();
        rollups
            .table(Alias::new("rollups"))
            // Which figure: measure, campaign year, cut and reference day (`rollups::Key`).
            .col(string("key"))
            // 'own': the unit's own rows; 'tree': its whole subtree.
            .col(string("scope"))
            .col(big_integer("org_id"))
            .col(string("code"))
            .col(big_integer("n"))
            .primary_key(
                Index::create()
                    .col(Alias::new("key"))
                    .col(Alias::new("scope"))
                    .col(Alias::new("org_id"))
                    .col(Alias::new("code")),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Alias::new("rollups"), Alias::new("org_id"))
                    .to(Alias::new("orgs"), Alias::new("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(rollups).await?;
        manager
            .create_index(
                Index::create()
                    .name("rollups_org_id")
                    .table(Alias::new("rollups"))
                    .col(Alias::new("org_id"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("rollup_keys"))
                    .col(string("key").primary_key())
                    // The last day a page read it: keys unread for a week are dropped.
                    .col(date("used_on"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("rollup_pending"))
                    .col(big_integer("org_id").primary_key())
                    .col(big_integer("version"))
                    .take(),
            )
            .await?;
        let conn = manager.get_connection();
        let backend = manager.get_database_backend();
        let mut statements = Vec::new();
        if backend == DbBackend::Postgres {
            statements.push("CREATE SEQUENCE rollup_clock".to_owned());
        } else {
            statements.push(
                "CREATE TABLE rollup_clock (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)".into(),
            );
            statements.push("INSERT INTO rollup_clock (id, n) VALUES (1, 0)".into());
        }
        statements.extend(marks(backend));
        for statement in statements {
            conn.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let backend = manager.get_database_backend();
        for statement in unmarks(backend) {
            conn.execute_unprepared(&statement).await?;
        }
        let clock = if backend == DbBackend::Postgres {
            "DROP SEQUENCE rollup_clock"
        } else {
            "DROP TABLE rollup_clock"
        };
        conn.execute_unprepared(clock).await?;
        for table in ["rollup_pending", "rollup_keys", "rollups"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
