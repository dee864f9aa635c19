//! Backups of a running installation and their restoring: one `.tar.gz` file holding a
//! manifest, a consistent copy of the database and every file its rows name.
//!
//! The database copy is taken while servers keep writing: on SQLite by `VACUUM INTO`, which
//! copies the file as one read transaction sees it; on PostgreSQL by `pg_dump`, which reads
//! in one snapshot (the `pg_dump` of the server's version must be installed). Files are
//! named by their content and never deleted, so those read after the copy include every one
//! it names. The archive is written under a provisional name and renamed when complete, so
//! a backup file is never half a backup.
//!
//! Restoring goes into an empty database (or, with `force`, over one that holds data),
//! checks each file against its name, puts the database in place in one step (a rename on
//! SQLite, `pg_restore --single-transaction` on PostgreSQL) and applies the migrations made
//! since the backup.

use crate::files::Files;
use crate::{Store, StoreError, sql, sqlite_path};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Name of the manifest, the archive's first entry.
const MANIFEST: &str = "lantoa-sao-luu.json";
/// Name of the database copy, by backend.
const SQLITE_COPY: &str = "co-so-du-lieu.sqlite";
const POSTGRES_COPY: &str = "co-so-du-lieu.pgdump";
/// Folder of the files in the archive.
const FILES: &str = "tep/";
/// Version of the archive's layout.
const FORMAT: u32 = 1;

/// What an archive says of itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout version.
    pub format: u32,
    /// "sqlite" or "postgres": a backup restores into the same kind of database.
    pub backend: String,
    /// When the copy began.
    pub made_at: DateTime<Utc>,
    /// The last migration applied to the copied database.
    pub migration: Option<String>,
}

/// What a backup or restore handled.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The archive's manifest.
    pub manifest: Manifest,
    /// Files in the archive.
    pub files: u64,
    /// Size of the archive, in bytes.
    pub archive_bytes: u64,
}

fn backend_name(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "postgres",
        _ => "sqlite",
    }
}

/// A sibling path with a suffix added to the file name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Backs up the database at `database_url` (the one `store` is connected to) and its files
/// into the archive `out`, while servers keep running.
pub async fn write(store: &Store, database_url: &str, out: &Path) -> Result<Summary, StoreError> {
    let failed = |what: &str, e: std::io::Error| StoreError::Files(format!("{what}: {e}"));
    let manifest = Manifest {
        format: FORMAT,
        backend: backend_name(store.backend()).to_owned(),
        made_at: Utc::now(),
        migration: store.applied_migrations().await?.pop(),
    };
    let copy = beside(out, ".csdl");
    let _ = std::fs::remove_file(&copy);
    let copied = copy_database(store, database_url, &copy).await;
    let result = match copied {
        Ok(()) => write_archive(store, &manifest, &copy, out).await,
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_file(&copy);
    let files = result?;
    let archive_bytes = std::fs::metadata(out)
        .map_err(|e| failed(&out.display().to_string(), e))?
        .len();
    Ok(Summary {
        manifest,
        files,
        archive_bytes,
    })
}

/// A consistent copy of the database in the file `copy`.
async fn copy_database(store: &Store, database_url: &str, copy: &Path) -> Result<(), StoreError> {
    match store.backend() {
        DbBackend::Postgres => {
            let mut command = tokio::process::Command::new("pg_dump");
            command
                .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(copy)
                .arg("--dbname")
                .arg(database_url);
            run_tool(command, "pg_dump").await
        }
        _ => {
            let copy = copy.to_str().ok_or_else(|| {
                StoreError::Files(format!("{}: tên không hợp lệ", copy.display()))
            })?;
            sql::exec(store.db(), "VACUUM INTO $1", vec![copy.into()]).await?;
            Ok(())
        }
    }
}

/// Runs a PostgreSQL tool, or says why it did not work.
async fn run_tool(mut command: tokio::process::Command, name: &str) -> Result<(), StoreError> {
    let output = command.output().await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            StoreError::Config(format!(
                "không có lệnh {name} trên máy này: cài gói postgresql-client cùng phiên bản với máy chủ PostgreSQL"
            ))
        } else {
            StoreError::Config(format!("không chạy được {name}: {e}"))
        }
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "{name} không thành công ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

/// Writes manifest, database copy and files into `out` through a provisional name; returns
/// the number of files.
async fn write_archive(
    store: &Store,
    manifest: &Manifest,
    copy: &Path,
    out: &Path,
) -> Result<u64, StoreError> {
    #[derive(FromQueryResult)]
    struct Stored {
        sha256: String,
    }
    let stored: Vec<Stored> = sql::all(
        store.db(),
        "SELECT DISTINCT sha256 FROM files ORDER BY sha256",
        vec![],
    )
    .await?;
    let manifest_json = serde_json::to_vec_pretty(manifest)
        .map_err(|e| StoreError::Files(format!("manifest: {e}")))?;
    let copy_name = if manifest.backend == "postgres" {
        POSTGRES_COPY
    } else {
        SQLITE_COPY
    };
    let partial = beside(out, ".dang-ghi");
    let files = store.files().clone();
    let runtime = tokio::runtime::Handle::current();
    let (copy, target) = (copy.to_owned(), partial.clone());
    let written = tokio::task::spawn_blocking(move || -> Result<u64, StoreError> {
        let io = |e: std::io::Error| StoreError::Files(format!("{}: {e}", target.display()));
        let file = private_file(&target).map_err(io)?;
        let zipped = flate2::write::GzEncoder::new(
            std::io::BufWriter::new(file),
            flate2::Compression::fast(),
        );
        let mut archive = tar::Builder::new(zipped);
        append_bytes(&mut archive, MANIFEST, &manifest_json).map_err(io)?;
        archive
            .append_path_with_name(&copy, copy_name)
            .map_err(io)?;
        for Stored { sha256 } in &stored {
            let bytes = runtime.block_on(files.read(sha256))?;
            append_bytes(&mut archive, &format!("{FILES}{sha256}"), &bytes).map_err(io)?;
        }
        let zipped = archive.into_inner().map_err(io)?;
        let file = zipped
            .finish()
            .map_err(io)?
            .into_inner()
            .map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        Ok(stored.len() as u64)
    })
    .await
    .map_err(|e| StoreError::Files(format!("ghi bản sao lưu: {e}")))?;
    match written {
        Ok(count) => {
            std::fs::rename(&partial, out)
                .map_err(|e| StoreError::Files(format!("{}: {e}", out.display())))?;
            Ok(count)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// A new file only its owner may read: a backup holds every person's personal data.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn append_bytes<W: std::io::Write>(
    archive: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(Utc::now().timestamp().max(0) as u64);
    header.set_cksum();
    archive.append_data(&mut header, name, bytes)
}

/// Whether the database holds data: any unit or account. A database that does not exist
/// yet, or was only migrated, holds none.
async fn holds_data<C: ConnectionTrait>(conn: &C) -> bool {
    for table in ["orgs", "accounts"] {
        let counted = sql::scalar(
            conn,
            &format!("SELECT COUNT(*) AS value FROM {table}"),
            vec![],
        )
        .await;
        if counted.is_ok_and(|n| n > 0) {
            return true;
        }
    }
    false
}

/// Restores the archive `archive` into the database at `database_url` and the files place
/// `files`. A database holding data is refused unless `force`. Servers on that database
/// must be stopped first.
pub async fn restore(
    archive: &Path,
    database_url: &str,
    files: &Files,
    force: bool,
) -> Result<Summary, StoreError> {
    let target = Store::connect(database_url).await?;
    let backend = backend_name(target.backend());
    if !force && holds_data(target.db()).await {
        return Err(StoreError::Config(
            "cơ sở dữ liệu đích đang có dữ liệu: dừng các máy chủ và thêm --force nếu muốn ghi đè"
                .into(),
        ));
    }
    let copy = match sqlite_path(database_url) {
        Some(path) => beside(&path, ".dang-khoi-phuc"),
        None => {
            std::env::temp_dir().join(format!("lantoa-khoi-phuc-{}.pgdump", std::process::id()))
        }
    };
    let read = read_archive(archive, backend, &copy, files).await;
    let result = match read {
        Ok((manifest, count)) => put_in_place(target, database_url, &copy)
            .await
            .map(|()| (manifest, count)),
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_file(&copy);
    let (manifest, files) = result?;
    let restored = Store::connect(database_url).await?;
    restored.migrate().await?;
    Ok(Summary {
        manifest,
        files,
        archive_bytes: std::fs::metadata(archive).map(|m| m.len()).unwrap_or(0),
    })
}

/// Reads the archive: checks the manifest, extracts the database copy to `copy`, writes
/// every file into `files` after checking it against its name.
async fn read_archive(
    archive: &Path,
    backend: &'static str,
    copy: &Path,
    files: &Files,
) -> Result<(Manifest, u64), StoreError> {
    let (archive, copy, files) = (archive.to_owned(), copy.to_owned(), files.clone());
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || -> Result<(Manifest, u64), StoreError> {
        let name = archive.display().to_string();
        let io = |e: std::io::Error| StoreError::Files(format!("{name}: {e}"));
        let not_ours = || StoreError::Config(format!("{name}: không phải bản sao lưu của Lan Tỏa"));
        let file = std::fs::File::open(&archive).map_err(io)?;
        let mut tarball =
            tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
        let mut entries = tarball.entries().map_err(|_| not_ours())?;
        let mut first = entries
            .next()
            .ok_or_else(not_ours)?
            .map_err(|_| not_ours())?;
        if first.path().map_err(io)?.to_str() != Some(MANIFEST) {
            return Err(not_ours());
        }
        let mut text = Vec::new();
        first.read_to_end(&mut text).map_err(io)?;
        let manifest: Manifest = serde_json::from_slice(&text).map_err(|_| not_ours())?;
        if manifest.format != FORMAT {
            return Err(StoreError::Config(format!(
                "{name}: bản sao lưu định dạng {} — phiên bản Lan Tỏa này đọc định dạng {FORMAT}",
                manifest.format
            )));
        }
        if manifest.backend != backend {
            return Err(StoreError::Config(format!(
                "{name}: bản sao lưu của cơ sở dữ liệu {}, không khôi phục được vào {backend}",
                manifest.backend
            )));
        }
        let (mut database, mut count) = (false, 0u64);
        for entry in entries {
            let mut entry = entry.map_err(io)?;
            let path = entry.path().map_err(io)?.to_string_lossy().into_owned();
            if path == SQLITE_COPY || path == POSTGRES_COPY {
                let mut out = private_file(&copy).map_err(io)?;
                std::io::copy(&mut entry, &mut out).map_err(io)?;
                out.sync_all().map_err(io)?;
                database = true;
            } else if let Some(sha256) = path.strip_prefix(FILES) {
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).map_err(io)?;
                let written = runtime.block_on(files.write(bytes))?;
                if written != sha256 {
                    return Err(StoreError::Files(format!(
                        "{name}: tệp {sha256} bị hỏng (nội dung không khớp tên)"
                    )));
                }
                count += 1;
            }
        }
        if !database {
            return Err(StoreError::Config(format!(
                "{name}: bản sao lưu không có cơ sở dữ liệu (tệp bị cắt cụt?)"
            )));
        }
        Ok((manifest, count))
    })
    .await
    .map_err(|e| StoreError::Files(format!("đọc bản sao lưu: {e}")))?
}

/// Puts the extracted copy in place of the target database, in one step.
async fn put_in_place(target: Store, database_url: &str, copy: &Path) -> Result<(), StoreError> {
    match sqlite_path(database_url) {
        Some(path) => {
            target.db().clone().close().await?;
            for end in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(beside(&path, end));
            }
            std::fs::rename(copy, &path)
                .map_err(|e| StoreError::Files(format!("{}: {e}", path.display())))
        }
        None => {
            drop(target);
            let mut command = tokio::process::Command::new("pg_restore");
            command
                .args([
                    "--single-transaction",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--dbname",
                ])
                .arg(database_url)
                .arg(copy);
            run_tool(command, "pg_restore").await
        }
    }
}

/// Every table of the database with its rows, each row as JSON text, sorted: how a test
/// compares a restored database with its source.
pub async fn table_rows<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    let names_sql = match conn.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1",
    };
    #[derive(FromQueryResult)]
    struct Name {
        name: String,
    }
    let names: Vec<Name> = sql::all(conn, names_sql, vec![]).await?;
    let mut tables = Vec::new();
    for Name { name } in names {
        let rows: Vec<serde_json::Value> =
            sql::all(conn, &format!("SELECT * FROM \"{name}\""), vec![]).await?;
        let mut rows: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
        rows.sort();
        tables.push((name, rows));
    }
    Ok(tables)
}

/// Name of the scheduled backup of a day, `lantoa-2026-12-06.tar.gz`: names sort by date.
pub fn daily_name(day: chrono::NaiveDate) -> String {
    format!("lantoa-{}.tar.gz", day.format("%Y-%m-%d"))
}

/// Removes all but the `keep` newest scheduled backups in `dir` (names of [`daily_name`]);
/// other files are left alone. Returns the names removed.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<Vec<String>> {
    let mut daily: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            name.strip_prefix("lantoa-")
                .and_then(|rest| rest.strip_suffix(".tar.gz"))
                .is_some_and(|day| chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok())
        })
        .collect();
    daily.sort();
    let excess = daily.len().saturating_sub(keep);
    let removed: Vec<String> = daily.into_iter().take(excess).collect();
    for name in &removed {
        std::fs::remove_file(dir.join(name))?;
    }
    Ok(removed)
}

/// When the next scheduled backup is due: today at `at` if that is still ahead, else
/// tomorrow at `at`.
pub fn next_run(now: chrono::NaiveDateTime, at: chrono::NaiveTime) -> chrono::NaiveDateTime {
    let today = now.date().and_time(at);
    if today > now {
        today
    } else {
        today + chrono::Duration::days(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveTime};

    #[test]
    fn the_next_backup_is_today_if_its_time_is_ahead_else_tomorrow() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let two = NaiveTime::from_hms_opt(2, 0, 0).unwrap();
        let at = |h, m| day.and_hms_opt(h, m, 0).unwrap();
        assert_eq!(next_run(at(1, 30), two), at(2, 0));
        assert_eq!(
            next_run(at(2, 0), two),
            at(2, 0) + chrono::Duration::days(1)
        );
        assert_eq!(
            next_run(at(23, 0), two),
            at(2, 0) + chrono::Duration::days(1)
        );
    }

    #[test]
    fn pruning_keeps_the_newest_scheduled_backups_and_nothing_else_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        let days = [1, 2, 3, 4, 5].map(|d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap());
        for day in days {
            std::fs::write(dir.path().join(daily_name(day)), b"x").unwrap();
        }
        for other in ["ghi-chu.txt", "lantoa-truoc-nang-cap.tar.gz"] {
            std::fs::write(dir.path().join(other), b"x").unwrap();
        }
        let removed = prune(dir.path(), 3).unwrap();
        assert_eq!(
            removed,
            ["lantoa-2026-12-01.tar.gz", "lantoa-2026-12-02.tar.gz"]
        );
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "ghi-chu.txt",
                "lantoa-2026-12-03.tar.gz",
                "lantoa-2026-12-04.tar.gz",
                "lantoa-2026-12-05.tar.gz",
                "lantoa-truoc-nang-cap.tar.gz"
            ]
        );
    }
}
