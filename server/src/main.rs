
use server::config::Config;

/// See server/Cargo.toml: page rendering is allocation-heavy and glibc's malloc was a third of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
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

/// SIGINT (Ctrl-C) or SIGTERM (what containers and systemd send): either starts the graceful
/// shutdown — requests in flight finish, background work stops.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only SIGINT shuts down gracefully");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => tracing::info!("SIGINT: shutting down"),
        _ = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}

async fn run() -> Result<(), server::StartupError> {
    let config = Config::from_env()?;
    let addr = config.bind_addr;
    let state = build_state(config, leptos_options()?).await?;
    let app = router::router(state.clone());
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| server::StartupError::Leptos(format!("bind {addr}: {e}")))?;
    tracing::info!(%addr, "listening on http://{addr}");
    server::serve::serve(listener, app, state.config.header_read_timeout, shutdown_signal()).await;
    state.shutdown().await;
    tracing::info!("background work stopped");
    Ok(())
}
