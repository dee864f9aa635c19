//! Subcommands, one file each, each with its options and a `run` function.

mod backup;
mod check;
mod demo;
mod export;
mod generate;
mod import;
mod migrate;
mod report;
mod restore;
mod serve;
mod token;
mod user;

use clap::{Args, Parser, Subcommand};
use lantoa_store::Store;
use std::process::ExitCode;

/// Lan Tỏa — học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.
#[derive(Debug, Parser)]
#[command(name = "lantoa", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (migrates the database first).
    Serve(serve::ServeArgs),
    /// Apply pending database migrations.
    Migrate(DatabaseArgs),
    /// Load the demo city (Mỹ Tho) into an empty database.
    Demo(DatabaseArgs),
    /// Build a deterministic synthetic tree and people of any size.
    Generate(generate::GenerateArgs),
    /// Import units or people from .xlsx, .xls, .ods or .csv.
    Import(import::ImportArgs),
    /// Export people of a unit's subtree.
    Export(export::ExportArgs),
    /// Write the year-end report of a unit's subtree.
    Report(report::ReportArgs),
    /// Manage accounts.
    User(user::UserArgs),
    /// Manage API tokens.
    Token(token::TokenArgs),
    /// Check stored figures against a recount.
    Check(check::CheckArgs),
    /// Back up the database and its files while the servers run.
    Backup(backup::BackupArgs),
    /// Restore a backup into an empty database (or over one, with --force).
    Restore(restore::RestoreArgs),
}

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// sqlite://FILE or postgres://USER@HOST/DB
    #[arg(long, env = "LANTOA_DATABASE_URL", default_value = lantoa_store::DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// Where attached files are kept: `files/` beside a SQLite file by default, else
    /// ./lantoa-data/files. Servers sharing a PostgreSQL database must share this directory,
    /// or use `--files-url`.
    #[arg(long, env = "LANTOA_FILES_DIR", conflicts_with = "files_url")]
    pub files_dir: Option<std::path::PathBuf>,
    /// Keep attached files in an S3-compatible bucket instead (`s3://bucket/prefix`; the
    /// endpoint and keys from `AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_DEFAULT_REGION`, and `AWS_ALLOW_HTTP=true` for plain HTTP): what several
    /// servers share.
    #[arg(long, env = "LANTOA_FILES_URL")]
    pub files_url: Option<String>,
    /// Log every SQL statement that takes at least this many milliseconds.
    #[arg(long, env = "LANTOA_SLOW_SQL_MS")]
    pub slow_sql_ms: Option<u64>,
}

impl DatabaseArgs {
    /// Where attached files are kept: the directory or bucket given, else beside the
    /// database as `Store::connect` places them.
    pub fn files(&self) -> anyhow::Result<lantoa_store::files::Files> {
        Ok(match (&self.files_dir, &self.files_url) {
            (_, Some(url)) => lantoa_store::files::Files::in_bucket(url)?,
            (Some(dir), None) => lantoa_store::files::Files::at(dir),
            (None, None) => {
                lantoa_store::files::Files::at(lantoa_store::default_files_dir(&self.database_url))
            }
        })
    }

    /// Connects and migrates.
    pub async fn open(&self) -> anyhow::Result<Store> {
        self.open_with_replica(None).await
    }

    /// Connects, with the read replica at `replica_url` if given, and migrates.
    pub async fn open_with_replica(&self, replica_url: Option<&str>) -> anyhow::Result<Store> {
        let mut store = Store::connect(&self.database_url).await?;
        if let Some(url) = replica_url {
            store = store.with_replica(url).await?;
        }
        store = store.with_files(self.files()?);
        if let Some(ms) = self.slow_sql_ms {
            store = store.logging_slow_statements(std::time::Duration::from_millis(ms));
        }
        store.migrate().await?;
        Ok(store)
    }
}

impl Cli {
    /// Runs the chosen subcommand.
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Migrate(args) => migrate::run(args).await,
            Command::Demo(args) => demo::run(args).await,
            Command::Generate(args) => generate::run(args).await,
            Command::Import(args) => import::run(args).await,
            Command::Export(args) => export::run(args).await,
            Command::Report(args) => report::run(args).await,
            Command::User(args) => user::run(args).await,
            Command::Token(args) => token::run(args).await,
            Command::Check(args) => check::run(args).await,
            Command::Backup(args) => backup::run(args).await,
            Command::Restore(args) => restore::run(args).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
