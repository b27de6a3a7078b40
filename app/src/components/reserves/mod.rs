//! The Reserves tab's pieces: the ranking with its intervals, insight cards, charts, the
//! Calculate panel (an island following the run over SSE) and the parameters in force.

pub mod allocation_chart;
pub mod apply_forms;
pub mod calculate_panel;
pub mod curve_chart;
pub mod history_chart;
pub mod insight_cards;
pub mod parameters_panel;
pub mod ranking_table;
pub mod scenarios_panel;

use domain::reserves::Stage;

/// How the tab writes a stage.
pub fn stage_label(stage: Stage) -> &'static str {
    match stage {
        Stage::PreSeed => "Pre-seed",
        Stage::Seed => "Seed",
        Stage::SeriesA => "Series A",
        Stage::SeriesB => "Series B",
        Stage::SeriesC => "Series C",
        Stage::SeriesDPlus => "Series D+",
    }
}

/// A multiple as the tab writes it: `2.41×`.
pub fn times(x: f64) -> String {
    format!("{x:.2}×")
}
