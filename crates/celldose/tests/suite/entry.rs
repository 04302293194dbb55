//! The one path from typed fields to a result (`celldose::entry`), which the command line, the
//! page and `celldose batch` all take: the same fields give the same result whatever they are
//! named, and each refusal names the field as the place it was typed names it.

use celldose::entry::{Job, LogInUse, Outcome, Prepared};
use celldose::{Certificate, FieldNames, RequestText, Verdict};

use super::catalogue;

fn car_t() -> (celldose::Catalogue, Certificate) {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut catalogue = catalogue();
    let protocol = std::fs::read_to_string(format!(
        "{root}/examples/protocols/car-t-product-limits.toml"
    ))
    .unwrap();
    catalogue
        .add(celldose::Protocol::from_toml("car-t.toml", &protocol).unwrap())
        .unwrap();
    let product =
        std::fs::read_to_string(format!("{root}/examples/products/car-t-two-bags.toml")).unwrap();
    (
        catalogue,
        Certificate::from_toml("car-t-two-bags.toml", &product).unwrap(),
    )
}

const ALL_NAMES: [FieldNames; 3] = [FieldNames::Flags, FieldNames::Columns, FieldNames::Form];

#[test]
fn the_same_fields_give_the_same_result_whatever_they_are_named() {
    let catalogue = catalogue();
    let text = RequestText {
        protocol: "NCT07276568",
        arm: Some("alf"),
        level: Some("1"),
        weight: "160lb",
        cells: Some("1.2e9"),
        tolerance: Some("10%"),
        ..RequestText::default()
    };
    let mut reports = Vec::new();
    for names in ALL_NAMES {
        let (protocol, request) = text.to_request(&catalogue, names).unwrap();
        let Outcome::Check(check) = text
            .compute(Job::Check, protocol, &request, names, None, None)
            .unwrap()
        else {
            panic!("a check gave another kind of result");
        };
        assert_eq!(check.actual_cells().to_string(), "1200000000");
        assert_eq!(
            check.calculation().cells().unwrap().to_string(),
            "1161196468"
        );
        reports.push(
            serde_json::to_string(&celldose::report::CheckReport::new(
                &check,
                celldose::human::Notation::Unicode,
            ))
            .unwrap(),
        );
    }
    assert!(reports.windows(2).all(|pair| pair[0] == pair[1]));
}

#[test]
fn a_check_needs_a_count_or_a_product_and_not_both() {
    let (catalogue, product) = car_t();
    let text = RequestText {
        protocol: "DEMO-CART",
        weight: "120kg",
        current_weight: Some("118kg"),
        ..RequestText::default()
    };
    let (protocol, request) = text.to_request(&catalogue, FieldNames::Flags).unwrap();
    let refusal = |text: RequestText<'_>, names, product| {
        text.check(protocol, &request, names, product, None)
            .unwrap_err()
            .to_string()
    };
    let neither = [
        "--cells or --product is required",
        "cells or product is required: the count that was delivered, or a product file's path",
        "cells: it is required: the count that was delivered, or paste the product file below",
    ];
    let both = [
        "--cells and --product cannot be used together; give one: a product's bags give the count",
        "cells and product are both given; give one: a product's bags give the count",
        "cells: give the delivered count or the product file, not both: the product's bags give the count",
    ];
    let counted = RequestText {
        cells: Some("2e8"),
        ..text
    };
    let bags_alone = RequestText {
        bags: Some("1"),
        ..counted
    };
    let bags_alone_words = [
        "--bags names bags of a product file; give --product too",
        "bags is given but product is empty; bags name bags of a product file",
        "bags names bags of a product file; give product_file too",
    ];
    for (index, names) in ALL_NAMES.into_iter().enumerate() {
        assert_eq!(refusal(text, names, None), neither[index]);
        assert_eq!(refusal(counted, names, Some(&product)), both[index]);
        assert_eq!(refusal(bags_alone, names, None), bags_alone_words[index]);
    }
    // The product's bags give the count; the same count typed gives the same check.
    let from_bags = text
        .check(protocol, &request, FieldNames::Flags, Some(&product), None)
        .unwrap();
    let typed = RequestText {
        cells: Some("200550000"),
        ..text
    }
    .check(protocol, &request, FieldNames::Flags, None, None)
    .unwrap();
    assert_eq!(from_bags.actual_cells(), typed.actual_cells());
    assert_eq!(from_bags.verdict(), Verdict::Outside);
    assert_eq!(typed.verdict(), Verdict::Outside);
}

#[test]
fn prepare_chooses_bags_from_a_product_file_or_a_volume_from_figures() {
    let (catalogue, product) = car_t();
    let text = RequestText {
        protocol: "DEMO-CART",
        weight: "120kg",
        current_weight: Some("118kg"),
        ..RequestText::default()
    };
    let (protocol, request) = text.to_request(&catalogue, FieldNames::Flags).unwrap();
    let Prepared::Bags(given) = text
        .prepare(protocol, &request, FieldNames::Flags, Some(&product), None)
        .unwrap()
    else {
        panic!("a product file's bags were not chosen");
    };
    assert_eq!(given.actual_cells().to_string(), "199974000");
    assert_eq!(given.verdict(), Verdict::Within);

    let figures = RequestText {
        concentration: Some("3e6/mL"),
        viability: Some("95%"),
        positive: Some("50%"),
        available: Some("200mL"),
        ..text
    };
    let Prepared::Volume(volume) = figures
        .prepare(protocol, &request, FieldNames::Flags, None, None)
        .unwrap()
    else {
        panic!("the figures did not give a volume");
    };
    assert_eq!(volume.volume().to_string(), "140.3 mL");
    assert_eq!(volume.verdict(), Verdict::Within);
    // An infusion of a split dose applies to a product file's bags only.
    let infusion = RequestText {
        infusion: Some("2"),
        ..figures
    };
    assert_eq!(
        infusion
            .prepare(protocol, &request, FieldNames::Flags, None, None)
            .unwrap_err()
            .to_string(),
        "--infusion applies to a product file (--product); with --concentration, prepare the volume for this infusion's share as its own dose"
    );
    assert_eq!(
        infusion
            .prepare(protocol, &request, FieldNames::Form, None, None)
            .unwrap_err()
            .to_string(),
        "infusion applies to a product file (product_file); with concentration, prepare the volume for this infusion's share as its own dose"
    );
    // A figure left out is required, named as the form names it.
    let missing = RequestText {
        available: None,
        ..figures
    };
    assert_eq!(
        missing
            .prepare(protocol, &request, FieldNames::Form, None, None)
            .unwrap_err()
            .to_string(),
        "available: it is required"
    );
}

#[test]
fn what_earlier_infusions_gave_is_read_from_the_log_only_for_a_patient_and_a_log() {
    let mut catalogue = catalogue();
    let split = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/protocols/split-dose.toml"
    ))
    .unwrap();
    catalogue
        .add(celldose::Protocol::from_toml("split-dose.toml", &split).unwrap())
        .unwrap();
    // Infusion 2 of 1e7/kg × 70 kg split 10 / 30 / 60 %: 30 % is 210,000,000 cells.
    let text = RequestText {
        protocol: "DEMO-SPLIT",
        weight: "70kg",
        cells: Some("2.1e8"),
        infusion: Some("2"),
        given_from_log: true,
        ..RequestText::default()
    };
    let (protocol, request) = text.to_request(&catalogue, FieldNames::Flags).unwrap();
    let log = std::env::temp_dir().join(format!("celldose-entry-{}.jsonl", std::process::id()));
    let in_use = Some(LogInUse {
        path: &log,
        key: None,
    });
    assert_eq!(
        text.check(protocol, &request, FieldNames::Flags, None, in_use)
            .unwrap_err()
            .to_string(),
        "--given-from-log reads the earlier infusions from --audit-log by --patient; give both"
    );
    assert_eq!(
        text.check(protocol, &request, FieldNames::Columns, None, None)
            .unwrap_err()
            .to_string(),
        "given_from_log reads the earlier infusions from audit_log by patient; give both"
    );
    // Without given_from_log, the log is not read at all: a log that does not exist is no matter.
    let typed = RequestText {
        given_from_log: false,
        ..text
    };
    let check = typed
        .check(protocol, &request, FieldNames::Flags, None, in_use)
        .unwrap();
    assert_eq!(check.verdict(), Verdict::Within);
    assert!(!log.exists());
}
