//! Stored files: the bytes in a directory (next to the SQLite file by default) or in an
//! S3-compatible object store (`s3://bucket/prefix`, for several servers), named by their
//! SHA-256, and one `files` row per attachment saying its name, kind, size, unit and who
//! brought it; and the [`Attachments`] of each kind of record that holds files.
//!
//! Bytes are written before the row — in a directory through a temporary file that is
//! synced and renamed, in an object store by one PUT, which stores the whole object or
//! nothing — so a row never names a half-written file. A row whose transaction rolls back
//! leaves its bytes behind; since names are content hashes, the same file uploaded again
//! reuses them.

use crate::StoreError;
use crate::audit::Actor;
use crate::sql;
use chrono::{DateTime, Utc};
use lantoa_domain::OrgId;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::files::FileKind;
use object_store::ObjectStore as _;
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where file contents live.
#[derive(Debug, Clone)]
pub struct Files {
    place: Place,
}

#[derive(Debug, Clone)]
enum Place {
    /// A directory: `aa/aabbcc…` under it.
    Directory(PathBuf),
    /// An object store: `aa/aabbcc…` under the URL's prefix.
    Objects {
        url: String,
        store: Arc<object_store::prefix::PrefixStore<object_store::aws::AmazonS3>>,
    },
}

impl Files {
    /// Files under this directory (created on first write).
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self {
            place: Place::Directory(root.into()),
        }
    }

    /// Files in the S3-compatible bucket and prefix of `url` (`s3://bucket/prefix`), with
    /// the endpoint, region and keys of the usual `AWS_*` variables (`AWS_ENDPOINT`,
    /// `AWS_ALLOW_HTTP=true` for a store inside the network, `AWS_ACCESS_KEY_ID`…).
    pub fn in_bucket(url: &str) -> Result<Self, StoreError> {
        let parsed = url
            .strip_prefix("s3://")
            .filter(|rest| !rest.is_empty())
            .ok_or_else(|| StoreError::Files(format!("{url}: not an s3://bucket/prefix URL")))?;
        let (bucket, prefix) = parsed.split_once('/').unwrap_or((parsed, ""));
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| StoreError::Files(format!("{url}: {e}")))?;
        Ok(Self {
            place: Place::Objects {
                url: url.to_owned(),
                store: Arc::new(object_store::prefix::PrefixStore::new(
                    store,
                    prefix.trim_matches('/'),
                )),
            },
        })
    }

    /// Where they are, for messages: the directory or the URL.
    pub fn location(&self) -> String {
        match &self.place {
            Place::Directory(root) => root.display().to_string(),
            Place::Objects { url, .. } => url.clone(),
        }
    }

    /// The name of the bytes of a SHA-256 under the place: `aa/aabbcc…`.
    fn name_of(sha256: &str) -> String {
        format!("{}/{sha256}", &sha256[..2])
    }

    /// Stores bytes and returns their SHA-256 (hex). Storing the same bytes twice keeps one
    /// copy.
    pub async fn write(&self, bytes: Vec<u8>) -> Result<String, StoreError> {
        let sha256 = crate::secret::digest_bytes(&bytes);
        let name = Self::name_of(&sha256);
        match &self.place {
            Place::Directory(root) => write_file(root.join(name), bytes).await?,
            Place::Objects { url, store } => {
                let location = object_store::path::Path::from(name);
                let failed = |e: object_store::Error| StoreError::Files(format!("{url}: {e}"));
                match store.head(&location).await {
                    Ok(_) => {}
                    Err(object_store::Error::NotFound { .. }) => {
                        store.put(&location, bytes.into()).await.map_err(failed)?;
                    }
                    Err(e) => return Err(failed(e)),
                }
            }
        }
        Ok(sha256)
    }

    /// The bytes stored under a SHA-256.
    pub async fn read(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound);
        }
        let name = Self::name_of(sha256);
        match &self.place {
            Place::Directory(root) => {
                let path = root.join(name);
                tokio::fs::read(&path)
                    .await
                    .map_err(|e| StoreError::Files(format!("{}: {e}", path.display())))
            }
            Place::Objects { url, store } => {
                let failed = |e: object_store::Error| StoreError::Files(format!("{url}: {e}"));
                let got = store
                    .get(&object_store::path::Path::from(name))
                    .await
                    .map_err(failed)?;
                Ok(got.bytes().await.map_err(failed)?.to_vec())
            }
        }
    }
}

/// Writes `bytes` to `target` unless it exists, through a synced temporary file renamed
/// into place.
async fn write_file(target: PathBuf, bytes: Vec<u8>) -> Result<(), StoreError> {
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
    written.map_err(failed)
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
        lantoa_domain::format::file_size(self.size_bytes.max(0) as u64)
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
