use std::sync::Arc;

use app::features::Features;
use app::store::Store;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos_axum::AxumRouteListing;

use crate::config::Config;

/// Everything a request handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub features: Features,
    pub config: Arc<Config>,
    /// The page routes, shared: axum clones the state for every extractor of every request, and
    /// a deep copy of this list made that the main allocation cost of a small API call.
    pub routes: Arc<Vec<AxumRouteListing>>,
    /// The alert delivery worker, when this process runs one (ALERT_WORKER).
    pub alert_worker: Option<Arc<crate::alerts::AlertWorker>>,
    /// The reserve-run worker, when this process runs one (RESERVE_WORKER and FF_OPTIMAL_RESERVES).
    pub reserve_worker: Option<Arc<crate::reserves::ReserveWorker>>,
    /// Fans run progress out to this process's SSE streams (when FF_OPTIMAL_RESERVES).
    pub reserve_hub: Option<Arc<crate::reserves::ProgressHub>>,
}

impl AppState {
    /// Stops background work cleanly (after the HTTP server has drained).
    pub async fn shutdown(&self) {
        if let Some(w) = &self.alert_worker {
            w.shutdown().await;
        }
        if let Some(w) = &self.reserve_worker {
            w.shutdown().await;
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
