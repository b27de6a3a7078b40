//! A fund's partial overrides of the model and the constraints; anything left out keeps its default.
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::constraints::Constraints;
use super::model::{ModelParams, StageParams};
use super::stage::Stage;

/// Per-fund changes to `ModelParams` (`"model"` in the JSON portfolio). Fields left out are not
/// written either, so a stored override lists only what the fund changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelOverrides {
    pub stages: StageOverrides,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liquidation_preference: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StageOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_seed: Option<StageOverride>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<StageOverride>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_a: Option<StageOverride>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_b: Option<StageOverride>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_c: Option<StageOverride>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_d_plus: Option<StageOverride>,
}

/// Any subset of one stage's parameters (see `StageParams` for their meaning).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StageOverride {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graduation: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_up_median: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_up_sigma: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dilution_min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dilution_max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_multiple_median: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_multiple_sigma: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years: Option<f64>,
}

impl StageOverrides {
    fn get(&self, stage: Stage) -> Option<&StageOverride> {
        match stage {
            Stage::PreSeed => self.pre_seed.as_ref(),
            Stage::Seed => self.seed.as_ref(),
            Stage::SeriesA => self.series_a.as_ref(),
            Stage::SeriesB => self.series_b.as_ref(),
            Stage::SeriesC => self.series_c.as_ref(),
            Stage::SeriesDPlus => self.series_d_plus.as_ref(),
        }
    }
}

impl StageOverride {
    fn apply(&self, p: &mut StageParams) {
        let fields = [
            (self.graduation, &mut p.graduation),
            (self.exit, &mut p.exit),
            (self.step_up_median, &mut p.step_up_median),
            (self.step_up_sigma, &mut p.step_up_sigma),
            (self.dilution_min, &mut p.dilution_min),
            (self.dilution_max, &mut p.dilution_max),
            (self.exit_multiple_median, &mut p.exit_multiple_median),
            (self.exit_multiple_sigma, &mut p.exit_multiple_sigma),
            (self.years, &mut p.years),
        ];
        for (value, param) in fields {
            if let Some(v) = value {
                param.override_with(v);
            }
        }
    }
}

impl ModelOverrides {
    /// Writes the overrides into `model`, marking each replaced value's source as a fund override.
    pub fn apply(&self, model: &mut ModelParams) {
        for stage in Stage::ALL {
            if let Some(o) = self.stages.get(stage) {
                o.apply(model.stages.get_mut(stage));
            }
        }
        if let Some(v) = self.liquidation_preference {
            model.liquidation_preference.override_with(v);
        }
    }
}

/// Per-fund changes to `Constraints` (`"constraints"` in the JSON portfolio).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConstraintOverrides {
    #[serde(
        deserialize_with = "super::amount::deserialize_fraction_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_fund_share_per_company: Option<Decimal>,
    #[serde(
        deserialize_with = "super::amount::deserialize_fraction_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_reserve_share_per_company: Option<Decimal>,
    #[serde(
        deserialize_with = "super::amount::deserialize_fraction_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub floor_initial_multiple: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hurdle: Option<f64>,
    #[serde(
        deserialize_with = "super::amount::deserialize_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub allocation_increment: Option<Decimal>,
}

impl ConstraintOverrides {
    pub fn apply(&self, c: &mut Constraints) {
        for (value, param) in [
            (
                self.max_fund_share_per_company,
                &mut c.max_fund_share_per_company,
            ),
            (
                self.max_reserve_share_per_company,
                &mut c.max_reserve_share_per_company,
            ),
            (self.floor_initial_multiple, &mut c.floor_initial_multiple),
            (self.allocation_increment, &mut c.allocation_increment),
        ] {
            if let Some(v) = value {
                param.override_with(v);
            }
        }
        if let Some(v) = self.hurdle {
            c.hurdle.override_with(v);
        }
    }
}
