//! `server admin …`: accounts from the command line, for first start and for scripts.
//!
//! ```text
//! server admin create-user <email>                  password from FUNDLENS_PASSWORD or stdin
//! server admin set-password <email>                 same; ends the user's sessions
//! server admin grant <email> <fund-id> <role>       role: viewer, analyst or admin
//! server admin mint-token <email> <name> [role]     prints the token once (role caps it; default analyst)
//! server admin list-funds                           ids and names
//! ```
//! Needs DATABASE_URL; applies migrations first. Exit status 2 for bad input, 1 for failures.

use std::io::BufRead;

use app::store::{Store, StoreError};
use domain::access::Role;
use sqlx::postgres::PgPoolOptions;

pub const USAGE: &str = "usage: server admin create-user <email> | set-password <email> | grant <email> <fund-id> <role> | mint-token <email> <name> [role] | list-funds | rotate-share-key";

/// Runs one admin command; returns the process exit status.
pub async fn run(args: &[String]) -> i32 {
    match execute(args).await {
        Ok(output) => {
            println!("{output}");
            0
        }
        Err(AdminError::Usage(message)) => {
            eprintln!("fundlens admin: {message}\n{USAGE}");
            2
        }
        Err(AdminError::Invalid(message)) => {
            eprintln!("fundlens admin: {message}");
            2
        }
        Err(AdminError::Failed(message)) => {
            eprintln!("fundlens admin: {message}");
            1
        }
    }
}

enum AdminError {
    Usage(String),
    Invalid(String),
    Failed(String),
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid { .. } | StoreError::FundNotFound(_) => AdminError::Invalid(e.to_string()),
            other => AdminError::Failed(other.to_string()),
        }
    }
}

async fn execute(args: &[String]) -> Result<String, AdminError> {
    let arg = |i: usize, name: &str| args.get(i).cloned().ok_or_else(|| AdminError::Usage(format!("missing <{name}>")));
    let command = arg(0, "command")?;
    let store = connect().await?;
    match command.as_str() {
        "create-user" => {
            let email = arg(1, "email")?;
            let hash = app::accounts::password::hash_password(read_password()?).await?;
            let user = store.create_user(&email, &hash).await?;
            Ok(format!("created user {} ({})", user.email, user.id))
        }
        "set-password" => {
            let email = arg(1, "email")?;
            let user = store.user_by_email(&email).await?.ok_or_else(|| AdminError::Invalid(format!("email: no account for {email}")))?;
            let hash = app::accounts::password::hash_password(read_password()?).await?;
            store.set_password_hash(user.id, &hash).await?;
            Ok(format!("password changed for {}; their sessions have ended and their API tokens are revoked", user.email))
        }
        "grant" => {
            let (email, fund, role) = (arg(1, "email")?, arg(2, "fund-id")?, arg(3, "role")?);
            let user = store.user_by_email(&email).await?.ok_or_else(|| AdminError::Invalid(format!("email: no account for {email}")))?;
            let fund_id = fund.parse().map_err(|_| AdminError::Invalid(format!("fund-id: {fund:?} is not a fund id (see list-funds)")))?;
            let role: Role = role.parse().map_err(|e| AdminError::Invalid(format!("role: {e}")))?;
            store.grant_role(&app::store::AuditActor::command_line(), fund_id, user.id, role).await?;
            Ok(format!("{} is now {role} of fund {fund_id}", user.email))
        }
        "mint-token" => {
            let (email, name) = (arg(1, "email")?, arg(2, "name")?);
            let role: Role = match args.get(3) {
                Some(r) => r.parse().map_err(|e| AdminError::Invalid(format!("role: {e}")))?,
                None => Role::Analyst,
            };
            let user = store.user_by_email(&email).await?.ok_or_else(|| AdminError::Invalid(format!("email: no account for {email}")))?;
            let (_, token) = store.create_api_token(user.id, &name, role).await?;
            Ok(token)
        }
        "rotate-share-key" => {
            store.rotate_server_secret(app::accounts::share_token::SECRET_NAME).await?;
            Ok(format!(
                "share links are now signed with a new key; links signed with the old one keep working until they expire (at most {} days)",
                app::accounts::service::MAX_SHARE_DAYS
            ))
        }
        "list-funds" => Ok(store.funds().await?.iter().map(|f| format!("{}  {}", f.id, f.name)).collect::<Vec<_>>().join("\n")),
        other => Err(AdminError::Usage(format!("unknown command {other:?}"))),
    }
}

async fn connect() -> Result<Store, AdminError> {
    let url = std::env::var("DATABASE_URL").map_err(|_| AdminError::Usage("DATABASE_URL is not set".into()))?;
    let pool = PgPoolOptions::new().max_connections(2).connect(&url).await.map_err(|e| AdminError::Failed(format!("cannot connect to the database: {e}")))?;
    app::store::MIGRATOR.run(&pool).await.map_err(|e| AdminError::Failed(format!("migrations failed: {e}")))?;
    Ok(Store::new(pool, 100))
}

/// FUNDLENS_PASSWORD, or the first line of standard input (so it stays out of shell history).
fn read_password() -> Result<String, AdminError> {
    if let Ok(p) = std::env::var("FUNDLENS_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| AdminError::Failed(format!("reading the password from stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
