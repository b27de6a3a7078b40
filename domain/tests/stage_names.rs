//! Stages are read as people write them, by the fund's `Stage` and the engine's alike, and written
//! as the snake_case keys stored events hold.

use domain::fund::Stage as FundStage;
use domain::reserves::Stage as EngineStage;

/// Every form the forms, imports and API may send, with the stage it names.
const FORMS: &[(&str, FundStage)] = &[
    ("C", FundStage::SeriesC),
    ("c", FundStage::SeriesC),
    ("series c", FundStage::SeriesC),
    ("Series C", FundStage::SeriesC),
    ("series-c", FundStage::SeriesC),
    ("series_c", FundStage::SeriesC),
    ("SeriesC", FundStage::SeriesC),
    ("  Series  C ", FundStage::SeriesC),
    ("D", FundStage::SeriesDPlus),
    ("D+", FundStage::SeriesDPlus),
    ("d+", FundStage::SeriesDPlus),
    ("Series D+", FundStage::SeriesDPlus),
    ("series_d_plus", FundStage::SeriesDPlus),
    ("series-d-plus", FundStage::SeriesDPlus),
    ("Seed", FundStage::Seed),
    ("seed", FundStage::Seed),
    ("pre-seed", FundStage::PreSeed),
    ("Pre Seed", FundStage::PreSeed),
    ("preseed", FundStage::PreSeed),
    ("pre_seed", FundStage::PreSeed),
    ("A", FundStage::SeriesA),
    ("Series A", FundStage::SeriesA),
    ("series_a", FundStage::SeriesA),
    ("b", FundStage::SeriesB),
    ("Series B", FundStage::SeriesB),
];

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|e| e.to_string())
}

#[test]
fn every_written_form_parses_to_its_stage_in_both_enums() {
    for &(text, stage) in FORMS {
        assert_eq!(FundStage::parse(text), Some(stage), "fund stage {text:?}");
        assert_eq!(EngineStage::parse(text), Some(EngineStage::from(stage)), "engine stage {text:?}");
    }
}

#[test]
fn every_written_form_deserialises_in_both_enums() {
    for &(text, stage) in FORMS {
        assert_eq!(from_json::<FundStage>(text), Ok(stage), "fund stage {text:?}");
        assert_eq!(from_json::<EngineStage>(text), Ok(EngineStage::from(stage)), "engine stage {text:?}");
    }
}

#[test]
fn stages_serialise_as_the_stored_snake_case_keys_and_read_back() {
    let keys = ["pre_seed", "seed", "series_a", "series_b", "series_c", "series_d_plus"];
    for (stage, key) in FundStage::ALL.into_iter().zip(keys) {
        assert_eq!(serde_json::to_value(stage).unwrap(), key);
        assert_eq!(from_json::<FundStage>(key), Ok(stage));
        let engine = EngineStage::from(stage);
        assert_eq!(serde_json::to_value(engine).unwrap(), key);
        assert_eq!(engine.key(), key);
        assert_eq!(from_json::<EngineStage>(key), Ok(engine));
    }
}

#[test]
fn an_unknown_stage_is_rejected_with_the_accepted_forms() {
    for text in ["Series Z", "series", "", "E", "seed round", "a+"] {
        assert_eq!(FundStage::parse(text), None, "{text:?}");
        assert_eq!(EngineStage::parse(text), None, "{text:?}");
    }
    let message = from_json::<FundStage>("Series Z").unwrap_err();
    assert!(message.contains("\"Series Z\""), "{message}");
    assert!(message.contains("pre-seed, seed, A, B, C or D+"), "{message}");
    assert!(from_json::<EngineStage>("Series Z").is_err());
}

#[test]
fn a_stored_company_added_event_with_a_snake_case_stage_still_decodes() {
    use domain::fund::{EventPayload, CURRENT_SCHEMA_VERSION};
    let payload = r#"{"company_id": "00000000-0000-0000-0000-000000000007", "name": "Acme", "stage": "series_d_plus"}"#;
    let event = EventPayload::from_stored_text("COMPANY_ADDED", CURRENT_SCHEMA_VERSION, payload).unwrap();
    let EventPayload::CompanyAdded(added) = event else { panic!("{event:?}") };
    assert_eq!(added.stage, FundStage::SeriesDPlus);
    let typed = r#"{"company_id": "00000000-0000-0000-0000-000000000007", "name": "Acme", "stage": "Series C"}"#;
    let event = EventPayload::from_stored_text("COMPANY_ADDED", CURRENT_SCHEMA_VERSION, typed).unwrap();
    assert!(matches!(event, EventPayload::CompanyAdded(ref a) if a.stage == FundStage::SeriesC));
}
