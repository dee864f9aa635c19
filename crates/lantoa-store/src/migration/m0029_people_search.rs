//! The people search index: each person's folded name and the ids on their unit's path, so
//! that "every word starts a word of the name, within these subtrees" is one index lookup at
//! any size instead of a scan of every name in scope.
//!
//! SQLite keeps it in an FTS5 table without content (`people_search`, rowid = person id,
//! columns `name` and `units`); PostgreSQL in a table of `tsvector`s (`people_search`,
//! `person_id`, `doc`: the name's words weighted A, the unit path's ids weighted B) under a
//! GIN index. Triggers keep both in step with `people` (insert, name or unit change, delete:
//! on PostgreSQL by the foreign key's cascade)
//! and with `orgs` (a unit moved elsewhere in the tree changes the path of its people). A
//! bulk load drops the triggers and fills the index once at the end ([`fill`]).

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite: the rows of `people` (alias `p`) as index entries, for an `INSERT … SELECT`.
const SQLITE_ENTRIES: &str =
    "SELECT p.id, p.name_folded, o.path FROM people p JOIN orgs o ON o.id = p.org_id";

/// PostgreSQL: a person's document from their folded name and their unit's path.
const PG_DOC: &str = "setweight(to_tsvector('simple', p.name_folded), 'A') || \
     setweight(to_tsvector('simple', replace(o.path, '/', ' ')), 'B')";

/// The statements that create the index's triggers on a backend.
pub(crate) fn triggers(backend: DbBackend) -> Vec<String> {
    if backend == DbBackend::Postgres {
        vec![
            format!(
                "CREATE FUNCTION people_search_person() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 INSERT INTO people_search (person_id, doc) \
                 SELECT p.id, {PG_DOC} FROM people p JOIN orgs o ON o.id = p.org_id WHERE p.id = NEW.id \
                 ON CONFLICT (person_id) DO UPDATE SET doc = excluded.doc; \
                 RETURN NULL; END $$"
            ),
            "CREATE TRIGGER people_search_person AFTER INSERT OR UPDATE OF name_folded, org_id \
             ON people FOR EACH ROW EXECUTE FUNCTION people_search_person()"
                .to_owned(),
            format!(
                "CREATE FUNCTION people_search_unit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 UPDATE people_search s SET doc = {PG_DOC} FROM people p JOIN orgs o ON o.id = p.org_id \
                 WHERE p.org_id = NEW.id AND s.person_id = p.id; \
                 RETURN NULL; END $$"
            ),
            "CREATE TRIGGER people_search_unit AFTER UPDATE OF path ON orgs \
             FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION people_search_unit()"
                .to_owned(),
        ]
    } else {
        vec![
            format!(
                "CREATE TRIGGER people_search_insert AFTER INSERT ON people FOR EACH ROW BEGIN \
                 INSERT INTO people_search (rowid, name, units) {SQLITE_ENTRIES} WHERE p.id = NEW.id; END"
            ),
            format!(
                "CREATE TRIGGER people_search_update AFTER UPDATE OF name_folded, org_id ON people FOR EACH ROW BEGIN \
                 DELETE FROM people_search WHERE rowid = OLD.id; \
                 INSERT INTO people_search (rowid, name, units) {SQLITE_ENTRIES} WHERE p.id = NEW.id; END"
            ),
            "CREATE TRIGGER people_search_delete AFTER DELETE ON people FOR EACH ROW BEGIN \
             DELETE FROM people_search WHERE rowid = OLD.id; END"
                .to_owned(),
            format!(
                "CREATE TRIGGER people_search_unit AFTER UPDATE OF path ON orgs FOR EACH ROW \
                 WHEN OLD.path IS NOT NEW.path BEGIN \
                 DELETE FROM people_search WHERE rowid IN (SELECT id FROM people WHERE org_id = NEW.id); \
                 INSERT INTO people_search (rowid, name, units) {SQLITE_ENTRIES} WHERE p.org_id = NEW.id; END"
            ),
        ]
    }
}

/// The statements that drop those triggers (a bulk load drops them, then [`fill`]s).
pub(crate) fn drop_triggers(backend: DbBackend) -> Vec<String> {
    if backend == DbBackend::Postgres {
        vec![
            "DROP TRIGGER IF EXISTS people_search_person ON people".to_owned(),
            "DROP FUNCTION IF EXISTS people_search_person()".to_owned(),
            "DROP TRIGGER IF EXISTS people_search_unit ON orgs".to_owned(),
            "DROP FUNCTION IF EXISTS people_search_unit()".to_owned(),
        ]
    } else {
        ["insert", "update", "delete", "unit"]
            .iter()
            .map(|name| format!("DROP TRIGGER IF EXISTS people_search_{name}"))
            .collect()
    }
}

/// The statements that empty the index and fill it from every person.
pub(crate) fn fill(backend: DbBackend) -> Vec<String> {
    if backend == DbBackend::Postgres {
        vec![
            "TRUNCATE people_search".to_owned(),
            format!(
                "INSERT INTO people_search (person_id, doc) SELECT p.id, {PG_DOC} \
                 FROM people p JOIN orgs o ON o.id = p.org_id"
            ),
        ]
    } else {
        // FTS5 writes its pending entries out as a segment whenever a rowid is not above
        // the last one, and whenever they pass `hashsize` (1 MB), merging every four
        // segments of a level. So people go in by id (a join led by the units' index
        // wrote a segment for almost every person: a province's index took 168 s, now 1),
        // with a quarter of a gigabyte pending and no merging, then one merge at the end;
        // the settings are put back for the live index.
        let setting = |name: &str, value: i64| {
            format!("INSERT INTO people_search (people_search, rank) VALUES ('{name}', {value})")
        };
        vec![
            "DELETE FROM people_search".to_owned(),
            setting("automerge", 0),
            setting("hashsize", FILL_HASH_BYTES),
            format!(
                "INSERT INTO people_search (rowid, name, units) {SQLITE_ENTRIES} ORDER BY p.id"
            ),
            "INSERT INTO people_search (people_search) VALUES ('optimize')".to_owned(),
            setting("automerge", 4),
            setting("hashsize", 1024 * 1024),
        ]
    }
}

/// SQLite: the pending entries FTS5 holds in memory while [`fill`]ing, before it writes them
/// as a segment.
const FILL_HASH_BYTES: i64 = 256 * 1024 * 1024;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut statements = if backend == DbBackend::Postgres {
            vec![
                "CREATE TABLE people_search (person_id BIGINT PRIMARY KEY REFERENCES people (id) \
                 ON DELETE CASCADE, doc tsvector NOT NULL)"
                    .to_owned(),
                "CREATE INDEX people_search_doc ON people_search USING gin (doc)".to_owned(),
            ]
        } else {
            // Without content: the index answers with person ids, the names stay in `people`.
            // Prefix indexes of 1 to 7 letters (a Vietnamese syllable has at most 7) give
            // each typed word ("van") one list of people to step through; without them
            // FTS5 merges the lists of every word it starts (van, vang, vanh…) first: 116
            // against 0,5 ms for "nguyen van" among 6,2 million people.
            vec![
                "CREATE VIRTUAL TABLE people_search USING fts5 (name, units, content = '', \
                 contentless_delete = 1, tokenize = 'unicode61', prefix = '1 2 3 4 5 6 7')"
                    .to_owned(),
            ]
        };
        statements.extend(fill(backend).into_iter().skip(1));
        statements.extend(triggers(backend));
        let conn = manager.get_connection();
        for statement in statements {
            conn.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let backend = manager.get_database_backend();
        for statement in drop_triggers(backend) {
            conn.execute_unprepared(&statement).await?;
        }
        conn.execute_unprepared("DROP TABLE people_search").await?;
        Ok(())
    }
}
