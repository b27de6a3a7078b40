//! Forecast-versus-actual variance: which forecast an actual is compared with, the variance
//! figures, alert rules and their cooldown, and the CSV import format. Pure: the store loads the
//! facts, this module decides.

pub mod accuracy;
pub mod breaches;
pub mod chance;
pub mod coming;
pub mod compare;
pub mod csv_rows;
pub mod facts;
pub mod heat_map;
pub mod matching;
pub mod math;
pub mod predict;
pub mod rules;
pub mod settings;

pub use accuracy::{accuracy_from, forecast_accuracy, period_errors, AccuracyStats, ForecastAccuracy, PeriodErrors};
pub use breaches::{back_within_plan, AlertPlan, Breach, BreachBook, BreachRule, OpenAlert, Side};
pub use compare::{compare_all, compare_with, VarianceLine};
pub use csv_rows::{parse_actuals_csv, spreadsheet_safe, CsvActual, CsvContext, CompanyDirectory, RowError, CSV_COLUMNS, CSV_TEMPLATE, MAX_CSV_ROWS};
pub use heat_map::{heat_cells, HeatCell};
pub use facts::{facts_from_events, ActualFact, ForecastVersion};
pub use matching::{forecast_known_at, ForecastBasis, ForecastIndex};
pub use chance::breach_chance;
pub use coming::{coming_periods, ComingPeriod, FLAG_CHANCE};
pub use predict::{back_test, predict, BackTest, ChanceBucket, ErrorBand, Prediction, CHANCE_BUCKETS, MIN_HISTORY};
pub use math::{variance_of, Direction, VarianceFigures};
pub use rules::{in_cooldown, DEFAULT_COOLDOWN_DAYS, AlertState, Channel, Comparison, RuleSpec, Severity, ThresholdUnit};
pub use settings::NotificationSettings;
