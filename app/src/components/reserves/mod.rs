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

/// An SVG coordinate, to a tenth of a unit (a pixel at most on screen; full-precision floats made
/// the charts several times larger).
pub fn coord(v: f64) -> String {
    crate::components::format::fixed(v, 1)
}

/// A multiple as the tab writes it: `2.41×`.
pub fn times(x: f64) -> String {
    let mut out = crate::components::format::fixed(x, 2);
    out.push('×');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn coordinates_are_written_to_a_tenth() {
        assert_eq!(super::coord(61.34824926295383), "61.3");
        assert_eq!(super::coord(131.25), "131.3");
        assert_eq!(super::coord(0.0), "0.0");
        assert_eq!(super::coord(-0.26), "-0.3");
        assert_eq!(super::coord(-12.04), "-12.0");
        assert_eq!(super::coord(9.96), "10.0");
    }
}
