//! `lantoa user create`: accounts from the server's command line — first of all the first
//! system administrator, before anyone can sign in.

use super::DatabaseArgs;
use clap::{Args, Subcommand};
use lantoa_domain::ClosedList;
use lantoa_domain::accounts::{Role, check_password, check_username};
use lantoa_store::StoreError;
use lantoa_store::accounts::{self, Grant};
use lantoa_store::audit::Actor;
use std::io::BufRead;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    /// Create an account.
    Create(CreateArgs),
}

#[derive(Debug, Args)]
struct CreateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Username (a–z, 0–9, . _ -).
    #[arg(long)]
    username: String,
    /// A system administrator: every unit, every setting.
    #[arg(long, conflicts_with_all = ["org", "role"])]
    admin: bool,
    /// Code of the unit whose subtree the role covers.
    #[arg(long, requires = "role")]
    org: Option<String>,
    /// Role on that unit: thanh_vien, lanh_dao, can_bo_nghiep_vu, quan_tri_don_vi.
    #[arg(long, requires = "org")]
    role: Option<String>,
    /// Read the password from the first line of standard input instead of asking.
    #[arg(long)]
    password_stdin: bool,
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password("Mật khẩu (ít nhất 10 ký tự): ")?;
    let again = rpassword::prompt_password("Nhập lại mật khẩu: ")?;
    anyhow::ensure!(first == again, "Hai lần nhập mật khẩu không khớp.");
    Ok(first)
}

pub async fn run(args: UserArgs) -> anyhow::Result<ExitCode> {
    let What::Create(args) = args.what;
    let username = match check_username(&args.username) {
        Ok(username) => username,
        Err(message) => {
            eprintln!("{message}.");
            return Ok(ExitCode::from(1));
        }
    };
    let store = args.database.open().await?;
    let grant = if args.admin {
        Grant {
            org_id: None,
            role: Role::SystemAdmin,
        }
    } else {
        let (Some(code), Some(role_text)) = (&args.org, &args.role) else {
            eprintln!("Cần --admin, hoặc --org MÃ_ĐƠN_VỊ và --role VAI_TRÒ.");
            return Ok(ExitCode::from(2));
        };
        let Some(role) = Role::from_user_text(role_text).filter(|r| *r != Role::SystemAdmin) else {
            let roles: Vec<&str> = Role::ALL
                .iter()
                .filter(|r| **r != Role::SystemAdmin)
                .map(|r| r.code())
                .collect();
            eprintln!(
                "Vai trò «{role_text}» không hợp lệ; chọn một trong: {}.",
                roles.join(", ")
            );
            return Ok(ExitCode::from(2));
        };
        let Some(unit) = lantoa_store::org::get_by_code(store.db(), code).await? else {
            eprintln!("Không có đơn vị mã «{code}».");
            return Ok(ExitCode::from(2));
        };
        Grant {
            org_id: Some(unit.id),
            role,
        }
    };
    let password = read_password(args.password_stdin)?;
    if let Err(message) = check_password(&username, &password) {
        eprintln!("{message}.");
        return Ok(ExitCode::from(1));
    }
    let hash = tokio::task::spawn_blocking(move || accounts::hash_password(&password)).await??;
    match accounts::create(store.db(), &Actor::cli(), &username, &hash, None, &[grant]).await {
        Ok(_) => {
            println!("Đã tạo tài khoản «{username}» ({}).", grant.role.label());
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Invalid(errors)) => {
            eprintln!("{}.", errors.joined());
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
