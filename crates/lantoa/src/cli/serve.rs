//! `lantoa serve`: migrate, optionally load the demo, and serve until SIGINT or SIGTERM.

use super::DatabaseArgs;
use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, env = "LANTOA_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Load the demo city when the database is empty.
    #[arg(long)]
    demo: bool,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    if args.demo {
        super::demo::load_if_empty(&store).await?;
    }
    let listener = tokio::net::TcpListener::bind(&args.bind).await?;
    println!(
        "Lan Tỏa đang chạy: http://{}/quan-ly",
        listener.local_addr()?
    );
    lantoa_web::serve(
        listener,
        lantoa_web::AppState::new(store),
        shutdown_signal(),
    )
    .await?;
    println!("Đã dừng.");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
