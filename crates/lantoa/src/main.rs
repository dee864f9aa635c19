//! The `lantoa` command: parses the command line and hands over to one file per subcommand.

mod cli;

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LANTOA_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn,usvg=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = cli::Cli::parse();
    match cli.run().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Lỗi: {e:#}");
            ExitCode::from(2)
        }
    }
}
