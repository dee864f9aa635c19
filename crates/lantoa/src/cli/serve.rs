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
    /// Load the demo city when the database is empty, and give the demo accounts new
    /// passwords, printed at start.
    #[arg(long)]
    demo: bool,
    /// Mark the session cookie Secure: set it when users reach the server over HTTPS.
    #[arg(long, env = "LANTOA_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Minutes without use after which a session ends.
    #[arg(long, env = "LANTOA_SESSION_IDLE_MINUTES", default_value_t = 120)]
    session_idle_minutes: i64,
    /// Hours after sign-in after which a session ends whatever its use.
    #[arg(long, env = "LANTOA_SESSION_MAX_HOURS", default_value_t = 12)]
    session_max_hours: i64,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = args.database.open().await?;
    anyhow::ensure!(
        args.session_idle_minutes > 0 && args.session_max_hours > 0,
        "Thời hạn phiên phải lớn hơn 0."
    );
    if args.demo {
        super::demo::load_if_empty(&store).await?;
        print_demo_accounts(&lantoa_store::demo::accounts(store.db()).await?);
    }
    let listener = tokio::net::TcpListener::bind(&args.bind).await?;
    println!(
        "Lan Tỏa đang chạy: http://{}/quan-ly",
        listener.local_addr()?
    );
    let mut state = lantoa_web::AppState::new(store);
    state.auth = lantoa_web::auth::AuthSettings {
        secure_cookies: args.secure_cookies,
        lifetimes: lantoa_store::sessions::Lifetimes {
            idle: chrono::Duration::minutes(args.session_idle_minutes),
            absolute: chrono::Duration::hours(args.session_max_hours),
        },
    };
    lantoa_web::serve(listener, state, shutdown_signal()).await?;
    println!("Đã dừng.");
    Ok(ExitCode::SUCCESS)
}

fn print_demo_accounts(accounts: &[lantoa_store::demo::DemoAccount]) {
    use lantoa_domain::ClosedList;
    println!("Tài khoản mẫu (mật khẩu mới ở mỗi lần chạy --demo):");
    for a in accounts {
        println!(
            "  {:<18} {:<16} {} — {}",
            a.username,
            a.password,
            a.role.label(),
            a.unit.unwrap_or("toàn hệ thống")
        );
    }
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
