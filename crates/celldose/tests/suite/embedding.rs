//! What an embedder relies on: results stored and read back, the worst finding found by `max()`,
//! loading files with the command line's protections, judging a stored calculation, typed values
//! in and out, and refusals to match on.

use celldose::{FindingCode, Severity, Verdict};

use super::{calc, catalogue};

#[test]
fn verdicts_severities_and_codes_read_back_from_the_words_output_writes() {
    for code in FindingCode::ALL {
        assert_eq!(code.as_str().parse::<FindingCode>().unwrap(), *code);
        let json = serde_json::to_string(code).unwrap();
        assert_eq!(json, format!("\"{}\"", code.as_str()));
        assert_eq!(serde_json::from_str::<FindingCode>(&json).unwrap(), *code);
    }
    for verdict in [
        Verdict::Within,
        Verdict::Review,
        Verdict::Outside,
        Verdict::NoDoseChosen,
    ] {
        let json = serde_json::to_string(&verdict).unwrap();
        assert_eq!(serde_json::from_str::<Verdict>(&json).unwrap(), verdict);
        assert_eq!(verdict.as_str().parse::<Verdict>().unwrap(), verdict);
    }
    for severity in [Severity::Info, Severity::Soft, Severity::Hard] {
        let json = serde_json::to_string(&severity).unwrap();
        assert_eq!(serde_json::from_str::<Severity>(&json).unwrap(), severity);
    }
    let error = "WITHIN".parse::<Verdict>().unwrap_err();
    assert!(matches!(
        error,
        celldose::Error::UnknownWord {
            what: "verdict",
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "verdict \"WITHIN\" is not known; accepted: within, review, outside, no-dose-chosen"
    );
}

#[test]
fn the_worst_finding_is_the_max_of_the_severities() {
    // NCT06167473 at 90 years: a hard age finding beside the info that the infusions are not
    // stated.
    let calculation = calc("NCT06167473", Some("low-dose"), "", "70kg", Some("90"));
    let severities: Vec<Severity> = calculation
        .findings()
        .iter()
        .map(|f| f.severity())
        .collect();
    assert!(severities.contains(&Severity::Info) && severities.contains(&Severity::Hard));
    let worst = calculation.findings().iter().map(|f| f.severity()).max();
    assert_eq!(worst, Some(Severity::Hard));
    assert_eq!(calculation.verdict(), Verdict::Outside);
    assert!(Severity::Info < Severity::Soft && Severity::Soft < Severity::Hard);
}

#[test]
fn files_load_from_disk_with_the_command_lines_protections() {
    use std::path::Path;
    let root = env!("CARGO_MANIFEST_DIR");
    let protocol = celldose::Protocol::from_path(Path::new(&format!(
        "{root}/examples/protocols/tolerance.toml"
    )))
    .unwrap();
    assert_eq!(protocol.id(), "DEMO-TOLERANCE");
    let state =
        celldose::TrialState::from_path(Path::new(&format!("{root}/examples/trial-state.toml")))
            .unwrap();
    let mut built = catalogue();
    built.set_trial_state(state).unwrap();
    // A device, a directory and a file past the bound are refused, naming the file.
    for path in ["/dev/zero", "/dev/null", root] {
        let error = celldose::Protocol::from_path(Path::new(path)).unwrap_err();
        assert!(
            error.to_string().contains("not a regular file"),
            "{path}: {error}"
        );
        assert!(celldose::TrialState::from_path(Path::new(path)).is_err());
    }
    let dir = std::env::temp_dir().join(format!("celldose-from-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.toml");
    std::fs::write(&big, vec![b'#'; celldose::regimen::PROTOCOL_MAX_BYTES + 1]).unwrap();
    assert!(
        celldose::Protocol::from_path(&big)
            .unwrap_err()
            .to_string()
            .contains("larger than")
    );
    std::fs::remove_file(&big).unwrap();
    for name in ["tolerance.toml", "weight-bands.toml"] {
        std::fs::copy(format!("{root}/examples/protocols/{name}"), dir.join(name)).unwrap();
    }
    let site = celldose::Catalogue::from_dir(&dir).unwrap();
    let ids: Vec<&str> = site.protocols().iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["DEMO-TOLERANCE", "DEMO-BANDS"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stored_calculation_is_judged_as_the_protocol_judges_the_request() {
    use celldose::calculation::{CheckOptions, Delivery, PrepareFrom, PrepareOptions, Prepared};
    let catalogue = catalogue();
    let protocol = catalogue.find("NCT07276568").unwrap();
    let request = super::request(Some("alf"), "level 1", "160lb", None);
    let stored = protocol.calculate(&request).unwrap();
    for cells in ["1.2e9", "1.1e9", "1.4e9", "1161196468"] {
        let count = cells.parse().unwrap();
        let by_protocol = protocol
            .check(&request, count, Some("10%".parse().unwrap()))
            .unwrap();
        let by_stored = stored
            .check(
                &Delivery::count(count),
                &CheckOptions::new().with_tolerance("10%".parse().unwrap()),
            )
            .unwrap();
        assert_eq!(by_protocol, by_stored, "{cells}");
    }
    let product = celldose::Product::new(
        "1e8/mL".parse().unwrap(),
        "89%".parse().unwrap(),
        None,
        "20mL".parse().unwrap(),
    )
    .unwrap();
    let by_protocol = protocol
        .prepare(
            &request,
            &product,
            "0.1mL".parse().unwrap(),
            Some("10%".parse().unwrap()),
        )
        .unwrap();
    let Prepared::Volume(by_stored) = stored
        .prepare(
            PrepareFrom::Figures(&product),
            &PrepareOptions::new().with_tolerance("10%".parse().unwrap()),
        )
        .unwrap()
    else {
        panic!("figures gave bags");
    };
    assert_eq!(by_protocol, by_stored);
    // An infusion of a split dose is for a product file's bags.
    let course = celldose::calculation::Course::infusion(2);
    assert!(
        stored
            .prepare(
                PrepareFrom::Figures(&product),
                &PrepareOptions::new().course(course)
            )
            .is_err()
    );
}

#[test]
fn a_site_default_tolerance_yields_to_the_protocols_own_and_applies_where_it_is_silent() {
    use celldose::calculation::{CheckOptions, Delivery};
    let root = env!("CARGO_MANIFEST_DIR");
    let own = celldose::Protocol::from_path(std::path::Path::new(&format!(
        "{root}/examples/protocols/tolerance.toml"
    )))
    .unwrap();
    let silent = catalogue();
    let silent = silent.find("NCT06167473").unwrap();
    let site = CheckOptions::new().site_default("5%".parse().unwrap());
    let given = CheckOptions::new().with_tolerance("5%".parse().unwrap());
    // DEMO-TOLERANCE states soft 10 %, hard 20 %: 6.6e7 against 7e7 is 5.7 % short, inside its
    // soft band; the site's 5 % does not apply, and a tolerance given is refused.
    let stored = own
        .calculate(&super::request(None, "", "70kg", None))
        .unwrap();
    let delivered = Delivery::count("6.6e7".parse().unwrap());
    assert_eq!(
        stored.check(&delivered, &site).unwrap().verdict(),
        Verdict::Within
    );
    assert!(stored.check(&delivered, &given).is_err());
    // NCT06167473 states none: the site's 5 % applies, as a tolerance given would.
    let stored = silent
        .calculate(&super::request(Some("low-dose"), "", "70kg", None))
        .unwrap();
    let by_site = stored.check(&delivered, &site).unwrap();
    assert_eq!(by_site.verdict(), Verdict::Outside);
    assert_eq!(by_site, stored.check(&delivered, &given).unwrap());
    assert!(stored.check(&delivered, &CheckOptions::new()).is_err());
}

#[test]
fn refusals_are_data_to_match_on_and_typed_parse_errors_stay_typed_through_fields() {
    use celldose::{Error, FieldNames, Refusal, RequestText};
    let root = env!("CARGO_MANIFEST_DIR");
    // Two protocols with one id.
    let mut built = catalogue();
    let again = built.find("NCT06167473").unwrap().clone();
    match built.add(again).unwrap_err() {
        Error::Refused(Refusal::DuplicateProtocol { id, .. }) => assert_eq!(id, "NCT06167473"),
        other => panic!("{other:?}"),
    }
    // A bag named twice, and one the product does not have.
    let text =
        std::fs::read_to_string(format!("{root}/examples/products/car-t-two-bags.toml")).unwrap();
    let product = celldose::Certificate::from_toml("p.toml", &text).unwrap();
    assert!(matches!(
        product.select(&["1", "1"]).unwrap_err(),
        Error::Refused(Refusal::BagNamedTwice { bag }) if bag == "1"
    ));
    assert!(matches!(
        product.select(&["9"]).unwrap_err(),
        Error::Refused(Refusal::NoSuchBag { bag, .. }) if bag == "9"
    ));
    // A tolerance given where the protocol states its own.
    let own = celldose::Protocol::from_path(std::path::Path::new(&format!(
        "{root}/examples/protocols/tolerance.toml"
    )))
    .unwrap();
    let error = own
        .check(
            &super::request(None, "", "70kg", None),
            "7e7".parse().unwrap(),
            Some("5%".parse().unwrap()),
        )
        .unwrap_err();
    assert!(matches!(
        &error,
        Error::Refused(Refusal::ToleranceGivenTwice { given, .. }) if given == "5%"
    ));
    // A weight without its unit, typed in a field: the field is named, the refusal stays typed,
    // and its source is the refusal.
    let typed = RequestText {
        protocol: "NCT07276568",
        level: Some("1"),
        weight: "72.5",
        ..RequestText::default()
    };
    let error = typed
        .to_request(&catalogue(), FieldNames::Columns)
        .unwrap_err();
    assert!(matches!(&error, Error::Field { field, .. } if field == "weight"));
    assert!(matches!(error.root(), Error::MissingUnit { input, .. } if input == "72.5"));
    let source = std::error::Error::source(&error).map(ToString::to_string);
    assert_eq!(source, Some(error.root().to_string()));
    assert!(
        error
            .to_string()
            .starts_with("weight: body weight \"72.5\" has no unit")
    );
}

#[test]
fn the_operating_systems_and_the_toml_readers_errors_are_kept_as_sources() {
    use std::error::Error as _;
    let missing =
        std::env::temp_dir().join(format!("celldose-missing-{}.toml", std::process::id()));
    let error = celldose::Protocol::from_path(&missing).unwrap_err();
    assert!(error.to_string().contains("cannot be read"));
    let source = error.source().expect("the operating system's error");
    assert!(source.to_string().contains("No such file"), "{source}");
    let error = celldose::Protocol::from_toml("broken.toml", "format = = 1\n").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("protocol file broken.toml: line 1")
    );
    assert!(error.source().is_some());
    // A refusal of celldose's own has no outside cause.
    let error = "72.5".parse::<celldose::BodyWeight>().unwrap_err();
    assert!(error.source().is_none());
}

#[test]
fn preparing_from_a_product_files_bags_with_none_named_uses_them_all() {
    use celldose::calculation::{PrepareFrom, PrepareOptions, Prepared};
    let dir = env!("CARGO_MANIFEST_DIR");
    let protocol = celldose::Protocol::from_path(std::path::Path::new(&format!(
        "{dir}/examples/protocols/car-t-product-limits.toml"
    )))
    .unwrap();
    let product = celldose::Certificate::from_path(std::path::Path::new(&format!(
        "{dir}/examples/products/car-t-two-bags.toml"
    )))
    .unwrap();
    let stored = protocol
        .calculate(&super::request(None, "", "120kg", None))
        .unwrap();
    let every = product.select(&[]).unwrap();
    for bags in [&[][..], every.as_slice()] {
        let Prepared::Bags(chosen) = stored
            .prepare(PrepareFrom::Bags(&product, bags), &PrepareOptions::new())
            .unwrap()
        else {
            panic!("bags gave a volume");
        };
        // Bag 1 whole, then 69.6 mL of bag 2 (as the README's worked example).
        assert_eq!(chosen.actual_exact().to_string(), "199974000");
    }
}
