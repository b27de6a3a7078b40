//! Range checks on the path model, reported with the JSON path of the offending parameter.
use super::error::ReserveError;
use super::model::{ModelParams, StageParams};
use super::stage::Stage;

impl ModelParams {
    /// Checks every parameter is usable; the error names it as `model.stages.<stage>.<parameter>`.
    pub fn validate(&self) -> Result<(), ReserveError> {
        for stage in Stage::ALL {
            validate_stage(stage, self.stages.get(stage))?;
        }
        Ok(())
    }
}

fn validate_stage(stage: Stage, p: &StageParams) -> Result<(), ReserveError> {
    let field = |name: &str| format!("model.stages.{}.{}", stage.key(), name);
    let probability = |name: &str, v: f64| {
        if (0.0..=1.0).contains(&v) {
            Ok(())
        } else {
            Err(ReserveError::invalid(field(name), "must be in [0, 1]"))
        }
    };
    let positive = |name: &str, v: f64| {
        if v > 0.0 && v.is_finite() {
            Ok(())
        } else {
            Err(ReserveError::invalid(
                field(name),
                "must be a positive number",
            ))
        }
    };
    let non_negative = |name: &str, v: f64| {
        if v >= 0.0 && v.is_finite() {
            Ok(())
        } else {
            Err(ReserveError::invalid(
                field(name),
                "must be zero or positive",
            ))
        }
    };
    probability("graduation", p.graduation.value)?;
    probability("exit", p.exit.value)?;
    if p.graduation.value + p.exit.value > 1.0 + 1e-12 {
        return Err(ReserveError::invalid(
            field("exit"),
            "graduation + exit must not exceed 1",
        ));
    }
    if stage.is_last() && p.graduation.value != 0.0 {
        return Err(ReserveError::invalid(
            field("graduation"),
            "must be 0 at the last stage, which ends in exit or failure",
        ));
    }
    positive("step_up_median", p.step_up_median.value)?;
    non_negative("step_up_sigma", p.step_up_sigma.value)?;
    for (name, v) in [
        ("dilution_min", p.dilution_min.value),
        ("dilution_max", p.dilution_max.value),
    ] {
        if !(0.0..1.0).contains(&v) {
            return Err(ReserveError::invalid(field(name), "must be in [0, 1)"));
        }
    }
    if p.dilution_min.value > p.dilution_max.value {
        return Err(ReserveError::invalid(
            field("dilution_max"),
            "must not be below dilution_min",
        ));
    }
    positive("exit_multiple_median", p.exit_multiple_median.value)?;
    non_negative("exit_multiple_sigma", p.exit_multiple_sigma.value)?;
    positive("years", p.years.value)?;
    Ok(())
}
