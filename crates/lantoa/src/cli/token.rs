//! `lantoa token create`: an API token for an account, printed once (only its digest is
//! kept). The token acts with the account's grants, whatever they are at each call.

use super::DatabaseArgs;
use clap::{Args, Subcommand};
use lantoa_store::audit::Actor;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    /// Create an API token and print it.
    Create(CreateArgs),
}

#[derive(Debug, Args)]
struct CreateArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The account the token acts for.
    #[arg(long)]
    username: String,
    /// A name to recognise the token by on the account page.
    #[arg(long, default_value = "Tạo bằng lệnh trên máy chủ")]
    name: String,
}

pub async fn run(args: TokenArgs) -> anyhow::Result<ExitCode> {
    let What::Create(args) = args.what;
    let store = args.database.open().await?;
    let Some(account) = lantoa_store::accounts::find_for_login(store.db(), &args.username).await?
    else {
        eprintln!("Không có tài khoản «{}».", args.username.trim());
        return Ok(ExitCode::from(1));
    };
    if !account.is_active {
        eprintln!("Tài khoản «{}» đang bị khóa.", account.username);
        return Ok(ExitCode::from(1));
    }
    let (_, token) =
        lantoa_store::sessions::create_token(store.db(), &Actor::cli(), account.id, &args.name)
            .await?;
    eprintln!(
        "Mã API của «{}» (chỉ hiện một lần; gửi trong tiêu đề «Authorization: Bearer …»):",
        account.username
    );
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}
