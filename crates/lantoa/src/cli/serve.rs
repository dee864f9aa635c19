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
    /// A read replica of the PostgreSQL database (a hot standby), postgres://…: the
    /// dashboards read their figures there once it has caught up, and this server counts
    /// changed units every second so that it can.
    #[arg(long, env = "LANTOA_REPLICA_URL")]
    replica_url: Option<String>,
    /// The reverse proxies or load balancers in front of this server, whose
    /// X-Forwarded-For names the client ("10.0.0.5,10.1.0.0/16"); from anyone else the
    /// header is ignored.
    #[arg(long, env = "LANTOA_TRUSTED_PROXIES", default_value = "")]
    trusted_proxies: String,
    /// Seconds a running job (import, report) may go without a sign of life from its
    /// server before it counts as interrupted and is run again, at most three times in
    /// all (a worker signals every quarter of this).
    #[arg(long, env = "LANTOA_JOB_TAKEOVER_SECONDS", default_value_t = 120)]
    job_takeover_seconds: u64,
    #[command(flatten)]
    mail: MailArgs,
    #[command(flatten)]
    backups: BackupArgs,
}

/// Backups the server makes every day (`lantoa backup`); with several servers, set them on
/// one.
#[derive(Debug, Args)]
struct BackupArgs {
    /// Folder of the daily backups (lantoa-YYYY-MM-DD.tar.gz); none without it.
    #[arg(long, env = "LANTOA_BACKUP_DIR")]
    backup_dir: Option<std::path::PathBuf>,
    /// Daily backups kept; older ones are removed.
    #[arg(long, env = "LANTOA_BACKUP_KEEP", default_value_t = 7)]
    backup_keep: usize,
    /// Time of day of the backup (HH:MM, the server's local time).
    #[arg(long, env = "LANTOA_BACKUP_AT", default_value = "02:00")]
    backup_at: String,
}

impl BackupArgs {
    /// Starts the daily backups in the background, when a folder is set.
    fn start(&self, store: &lantoa_store::Store, database_url: &str) -> anyhow::Result<()> {
        let Some(dir) = self.backup_dir.clone() else {
            return Ok(());
        };
        let at = chrono::NaiveTime::parse_from_str(&self.backup_at, "%H:%M")
            .map_err(|_| anyhow::anyhow!("--backup-at phải là giờ:phút, ví dụ 02:00."))?;
        anyhow::ensure!(self.backup_keep > 0, "--backup-keep phải lớn hơn 0.");
        std::fs::create_dir_all(&dir).map_err(|e| {
            anyhow::anyhow!("Không tạo được thư mục sao lưu {}: {e}", dir.display())
        })?;
        println!(
            "Sao lưu hằng ngày lúc {} vào {} (giữ {} bản).",
            self.backup_at,
            dir.display(),
            self.backup_keep
        );
        let (store, url, keep) = (store.clone(), database_url.to_owned(), self.backup_keep);
        tokio::spawn(async move {
            loop {
                let now = chrono::Local::now().naive_local();
                let due = lantoa_store::backup::next_run(now, at);
                let wait = (due - now).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
                let out = dir.join(lantoa_store::backup::daily_name(due.date()));
                if out.exists() {
                    // Another server sharing the folder made today's already.
                    continue;
                }
                match lantoa_store::backup::write(&store, &url, &out).await {
                    Ok(made) => tracing::info!(
                        file = %out.display(),
                        files = made.files,
                        bytes = made.archive_bytes,
                        "daily backup written"
                    ),
                    Err(e) => tracing::error!(error = %e, "daily backup failed"),
                }
                if let Err(e) = lantoa_store::backup::prune(&dir, keep) {
                    tracing::error!(error = %e, "removing old backups failed");
                }
            }
        });
        Ok(())
    }
}

/// The SMTP server reminders are e-mailed through; without a host, reminders are only
/// shown on each person's page.
#[derive(Debug, Args)]
struct MailArgs {
    /// SMTP server name.
    #[arg(long, env = "LANTOA_SMTP_HOST")]
    smtp_host: Option<String>,
    /// SMTP port.
    #[arg(long, env = "LANTOA_SMTP_PORT", default_value_t = 587)]
    smtp_port: u16,
    /// starttls (port 587), tls (port 465) or none (a relay on the same network only).
    #[arg(long, env = "LANTOA_SMTP_SECURITY", default_value = "starttls")]
    smtp_security: String,
    /// Login, if the server asks for one.
    #[arg(long, env = "LANTOA_SMTP_USER")]
    smtp_user: Option<String>,
    /// Password (prefer the environment variable to the command line).
    #[arg(long, env = "LANTOA_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// Sender, e.g. "Ban Tuyên giáo Thành ủy <tuyengiao@example.vn>".
    #[arg(long, env = "LANTOA_MAIL_FROM")]
    mail_from: Option<String>,
}

impl MailArgs {
    /// The mailer, when a host is given; an incomplete or unusable setting stops the start.
    fn mailer(&self) -> anyhow::Result<Option<lantoa_web::mail::Mailer>> {
        let Some(host) = &self.smtp_host else {
            return Ok(None);
        };
        let security = lantoa_web::mail::Security::parse(&self.smtp_security)
            .ok_or_else(|| anyhow::anyhow!("--smtp-security phải là starttls, tls hoặc none."))?;
        let from = self.mail_from.clone().ok_or_else(|| {
            anyhow::anyhow!("Có --smtp-host thì phải có --mail-from (người gửi).")
        })?;
        let settings = lantoa_web::mail::MailSettings {
            host: host.clone(),
            port: self.smtp_port,
            security,
            credentials: self
                .smtp_user
                .clone()
                .map(|user| (user, self.smtp_password.clone().unwrap_or_default())),
            from,
        };
        Ok(Some(
            lantoa_web::mail::Mailer::new(&settings).map_err(anyhow::Error::msg)?,
        ))
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = args
        .database
        .open_with_replica(args.replica_url.as_deref())
        .await?;
    anyhow::ensure!(
        args.session_idle_minutes > 0 && args.session_max_hours > 0,
        "Thời hạn phiên phải lớn hơn 0."
    );
    anyhow::ensure!(
        args.job_takeover_seconds > 0,
        "--job-takeover-seconds phải lớn hơn 0."
    );
    let trusted_proxies = lantoa_web::auth::TrustedProxies::parse(&args.trusted_proxies)
        .map_err(|e| anyhow::anyhow!("--trusted-proxies: {e}"))?;
    if args.demo {
        super::demo::load_if_empty(&store).await?;
        print_demo_accounts(&lantoa_store::demo::accounts(store.db()).await?);
    }
    args.backups.start(&store, &args.database.database_url)?;
    let listener = tokio::net::TcpListener::bind(&args.bind).await?;
    println!(
        "Lan Tỏa đang chạy: http://{}/quan-ly",
        listener.local_addr()?
    );
    let mailer = args.mail.mailer()?;
    let mut state = lantoa_web::AppState::new(store);
    if let Some(mailer) = &mailer {
        println!(
            "Nhắc nhở được gửi cả qua email (người gửi {}).",
            mailer.sender()
        );
    }
    state.mailer = mailer;
    state.job_takeover = std::time::Duration::from_secs(args.job_takeover_seconds);
    state.auth = lantoa_web::auth::AuthSettings {
        secure_cookies: args.secure_cookies,
        lifetimes: lantoa_store::sessions::Lifetimes {
            idle: chrono::Duration::minutes(args.session_idle_minutes),
            absolute: chrono::Duration::hours(args.session_max_hours),
        },
        trusted_proxies,
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
