//! Stored files: the bytes in a directory (next to the SQLite file by default), named by
//! their SHA-256, and one `files` row per attachment saying its name, kind, size, unit and
//! who brought it; and the [`Attachments`] of each kind of record that holds files.
//!
//! Bytes are written before the row, through a temporary file that is synced and renamed,
//! so a row never names a half-written file. A row whose transaction rolls back leaves its
//! bytes behind; since names are content hashes, the same file uploaded again reuses them.
//! Several servers on one PostgreSQL database must share the directory (a network mount)
//! until an object store is added.

use crate::StoreError;
use crate::audit::Actor;
use crate::sql;
use chrono::{DateTime, Utc};
use lantoa_domain::OrgId;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::files::FileKind;
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::path::{Path, PathBuf};

/// Where file contents live.
#[derive(Debug, Clone)]
pub struct Files {
    root: PathBuf,
}

impl Files {
    /// Files under this directory (created on first write).
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[..2]).join(sha256)
    }

    /// Stores bytes and returns their SHA-256 (hex). Storing the same bytes twice keeps one
    /// copy.
    pub async fn write(&self, bytes: Vec<u8>) -> Result<String, StoreError> {
        let sha256 = crate::secret::digest_bytes(&bytes);
        let target = self.path_of(&sha256);
        let failed = |e: std::io::Error| StoreError::Files(format!("{}: {e}", target.display()));
        let written = tokio::task::spawn_blocking({
            let target = target.clone();
            move || -> std::io::Result<()> {
                if target.exists() {
                    return Ok(());
                }
                let dir = target.parent().unwrap_or(Path::new("."));
                std::fs::create_dir_all(dir)?;
                let temporary = dir.join(format!(".tmp-{}", crate::secret::new_short_code(12)));
                let result = (|| {
                    use std::io::Write;
                    let mut file = std::fs::File::create(&temporary)?;
                    file.write_all(&bytes)?;
                    file.sync_all()?;
                    std::fs::rename(&temporary, &target)?;
                    // The rename itself must survive a crash.
                    std::fs::File::open(dir)?.sync_all()
                })();
                if result.is_err() {
                    let _ = std::fs::remove_file(&temporary);
                }
                result
            }
        })
        .await
        .map_err(|e| StoreError::Files(e.to_string()))?;
        written.map_err(failed)?;
        Ok(sha256)
    }

    /// The bytes stored under a SHA-256.
    pub async fn read(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound);
        }
        let path = self.path_of(sha256);
        tokio::fs::read(&path)
            .await
            .map_err(|e| StoreError::Files(format!("{}: {e}", path.display())))
    }
}

/// A file on its way in, already checked (`FileKind::detect`).
#[derive(Debug, Clone)]
pub struct NewFile {
    /// Cleaned name (`lantoa_domain::files::clean_name`).
    pub name: String,
    /// Kind told from its content.
    pub kind: FileKind,
    /// Content.
    pub bytes: Vec<u8>,
}

/// A checked file on its way in, with where its contents go: what a change that brings
/// a file (a progress report, an award entry) takes.
pub type Incoming<'a> = (&'a Files, &'a NewFile);

/// A stored file's description.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct StoredFile {
    /// Id.
    pub id: i64,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Name to offer it under.
    pub name: String,
    /// Media type.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// When it came.
    pub created_at: DateTime<Utc>,
}

impl StoredFile {
    /// "1,2 MB", "350 KB".
    pub fn size_text(&self) -> String {
        let kb = self.size_bytes as f64 / 1024.0;
        if kb < 1024.0 {
            format!("{} KB", kb.ceil() as i64)
        } else {
            format!("{:.1} MB", kb / 1024.0).replace('.', ",")
        }
    }

    /// Whether a browser may show it in place.
    pub fn shows_inline(&self) -> bool {
        FileKind::from_mime(&self.content_type).is_some_and(FileKind::shows_inline)
    }
}

pub(crate) const FILE_COLUMNS: &str = "f.id, f.sha256, f.name, f.content_type, CAST(f.size_bytes AS BIGINT) AS size_bytes, f.created_at";

/// Writes the bytes, then the row (on `conn`, inside the caller's transaction).
pub(crate) async fn store<C: ConnectionTrait>(
    conn: &C,
    files: &Files,
    actor: &Actor,
    file: &NewFile,
    org_id: OrgId,
) -> Result<i64, StoreError> {
    let sha256 = files.write(file.bytes.clone()).await?;
    let now = Utc::now();
    Ok(sql::scalar(
        conn,
        "INSERT INTO files (sha256, name, content_type, size_bytes, org_id, account_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id AS value",
        vec![
            sha256.into(),
            file.name.clone().into(),
            file.kind.mime().into(),
            (file.bytes.len() as i64).into(),
            org_id.0.into(),
            actor.account_id.into(),
            now.into(),
        ],
    )
    .await?)
}

/// One file's description.
pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<StoredFile, StoreError> {
    let row: Option<StoredFile> = sql::one(
        conn,
        &format!("SELECT {FILE_COLUMNS} FROM files f WHERE f.id = $1"),
        vec![id.into()],
    )
    .await?;
    row.ok_or(StoreError::NotFound)
}

/// The files attached to one kind of record (a session's minutes, a model's photos): the
/// link table, its owner column and the record's name in the audit log. Names are ours,
/// never user input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attachments {
    pub table: &'static str,
    pub owner_column: &'static str,
    pub entity: &'static str,
}

/// A record that holds attachments: its id and unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub id: i64,
    pub org_id: OrgId,
}

impl Attachments {
    /// The files of a record, oldest first: one query.
    pub async fn list<C: ConnectionTrait>(
        &self,
        conn: &C,
        owner: i64,
    ) -> Result<Vec<StoredFile>, StoreError> {
        Ok(sql::all(
            conn,
            &format!(
                "SELECT {FILE_COLUMNS} FROM files f JOIN {} a ON a.file_id = f.id WHERE a.{} = $1 ORDER BY f.id",
                self.table, self.owner_column
            ),
            vec![owner.into()],
        )
        .await?)
    }

    /// One file of a record, or not found when it is not one of its files.
    pub async fn one<C: ConnectionTrait>(
        &self,
        conn: &C,
        owner: i64,
        file_id: i64,
    ) -> Result<StoredFile, StoreError> {
        let row: Option<StoredFile> = sql::one(
            conn,
            &format!(
                "SELECT {FILE_COLUMNS} FROM files f JOIN {} a ON a.file_id = f.id WHERE a.{} = $1 AND f.id = $2",
                self.table, self.owner_column
            ),
            vec![owner.into(), file_id.into()],
        )
        .await?;
        row.ok_or(StoreError::NotFound)
    }

    /// Attaches a checked file to a record; audited.
    pub async fn attach<C: crate::Writer>(
        &self,
        conn: &C,
        files: &Files,
        actor: &Actor,
        owner: Owner,
        file: &NewFile,
    ) -> Result<i64, StoreError> {
        let txn = conn.begin_write().await?;
        let file_id = store(&txn, files, actor, file, owner.org_id).await?;
        sql::exec(
            &txn,
            &format!(
                "INSERT INTO {} ({}, file_id, created_at, updated_at) VALUES ($1, $2, $3, $3)",
                self.table, self.owner_column
            ),
            vec![owner.id.into(), file_id.into(), Utc::now().into()],
        )
        .await?;
        crate::audit::record(
            &txn,
            actor,
            crate::audit::Change::created(
                AuditAction::FileAttach,
                self.entity,
                owner.id,
                Some(owner.org_id),
                serde_json::json!({ "file": file.name, "size": file.bytes.len() }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(file_id)
    }

    /// Takes a file off a record and forgets it; audited.
    pub async fn remove<C: crate::Writer>(
        &self,
        conn: &C,
        actor: &Actor,
        owner: Owner,
        file: &StoredFile,
    ) -> Result<(), StoreError> {
        let txn = conn.begin_write().await?;
        sql::exec(
            &txn,
            &format!(
                "DELETE FROM {} WHERE {} = $1 AND file_id = $2",
                self.table, self.owner_column
            ),
            vec![owner.id.into(), file.id.into()],
        )
        .await?;
        sql::exec(
            &txn,
            "DELETE FROM files WHERE id = $1",
            vec![file.id.into()],
        )
        .await?;
        crate::audit::record(
            &txn,
            actor,
            crate::audit::Change::removed(
                AuditAction::FileRemove,
                self.entity,
                owner.id,
                Some(owner.org_id),
                serde_json::json!({ "file": file.name }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
