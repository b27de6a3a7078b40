use std::net::SocketAddr;

use server::config::Config;
use server::{build_state, leptos_options, observability, router};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("admin") {
        std::process::exit(server::admin_cli::run(&args[1..]).await);
    }
    observability::init_tracing();
    if let Err(e) = run().await {
        tracing::error!(error = %e, "server failed to start");
        eprintln!("fundlens: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), server::StartupError> {
    let config = Config::from_env()?;
    let addr = config.bind_addr;
    let state = build_state(config, leptos_options()?).await?;
    let app = router::router(state.clone());
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| server::StartupError::Leptos(format!("bind {addr}: {e}")))?;
    tracing::info!(%addr, "listening on http://{addr}");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
        })
        .await
        .map_err(|e| server::StartupError::Leptos(e.to_string()))?;
    state.shutdown().await;
    tracing::info!("background work stopped");
    Ok(())
}
