//! docs/findings.md lists every finding code: a code emitted that the page does not list, or
//! listed that nothing emits, fails here. Each scenario below is the simplest that emits its code.

use std::collections::BTreeSet;
use std::sync::Arc;

use celldose::{DoseRequest, FindingCode, Product, Protocol, TrialState};

use super::{catalogue, request};

/// (code, severity) as the page lists them.
fn listed() -> BTreeSet<(String, String)> {
    let page =
        std::fs::read_to_string(format!("{}/docs/findings.md", super::repository())).unwrap();
    page.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let severity = cells.get(2)?;
            ["hard", "soft", "info"]
                .contains(severity)
                .then(|| (code.to_owned(), (*severity).to_owned()))
        })
        .collect()
}

fn example(name: &str) -> Protocol {
    let path = format!("{}/examples/protocols/{name}", env!("CARGO_MANIFEST_DIR"));
    Protocol::from_toml(name, &std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every (code, severity) the scenarios emit.
fn emitted() -> BTreeSet<(String, String)> {
    let catalogue = catalogue();
    let find = |id: &str| catalogue.find(id).unwrap().clone();
    let mut found = Vec::new();
    let mut note = |findings: Vec<&celldose::Finding>| {
        for f in findings {
            found.push((
                f.code().as_str().to_owned(),
                f.severity().as_str().to_owned(),
            ));
        }
    };
    let dose = |p: &Protocol, r: DoseRequest| p.calculate(&r).unwrap();
    let age = |a: &str| a.parse().unwrap();
    let state = |text: &str| Arc::new(TrialState::from_toml("s.toml", text).unwrap());
    let level_2 = "format = 1\n[[opened]]\nprotocol = \"NCT05227846\"\nlevel = 2\ndate = \"2026-03-14\"\ndecision = \"SRC\"\n";

    let calculations = [
        dose(
            &find("NCT05727722"),
            request(Some("clf"), "level 1", "40kg", Some("50")),
        ),
        dose(
            &find("NCT05727722"),
            request(Some("clf"), "level 1", "70kg", Some("70")),
        ),
        dose(
            &find("NCT05727722"),
            request(Some("clf"), "level 1", "70kg", None),
        ),
        dose(
            &find("NCT05727722"),
            request(Some("clf"), "2e8", "70kg", Some("50")),
        ),
        dose(
            &example("per-kg-capped.toml"),
            request(None, "", "60kg", None),
        ),
        dose(
            &example("per-kg-range-capped.toml"),
            request(None, "", "250kg", None),
        ),
        dose(
            &find("NCT05227846"),
            request(None, "level 2", "70kg", Some("50")),
        ),
        dose(
            &find("NCT05227846"),
            request(None, "level 3", "70kg", Some("50")).with_trial_state(state(level_2)),
        ),
        dose(
            &find("NCT05227846"),
            request(None, "level 2", "70kg", Some("50")).with_trial_state(state(level_2)),
        ),
        dose(
            &find("NCT01218464"),
            request(Some("msc"), "1e5/kg", "60kg", Some("40")),
        ),
        dose(
            &find("NCT01218464"),
            request(Some("msc"), "2e6/kg", "60kg", Some("40")),
        ),
        dose(
            &find("NCT01218464"),
            request(Some("msc"), "", "60kg", Some("40")),
        ),
        dose(
            &find("NCT01218464"),
            request(Some("placebo"), "1e6/kg", "60kg", Some("40")),
        ),
        dose(
            &example("tolerance.toml"),
            request(None, "1.15e6/kg", "70kg", None),
        ),
        dose(
            &find("NCT07276568"),
            request(Some("alf"), "level 1", "160lb", None),
        ),
        dose(
            &find("NCT06167473"),
            request(
                Some("low-dose"),
                "",
                "70kg",
                Some(age("50"))
                    .map(|a: celldose::AgeYears| a.to_string())
                    .as_deref(),
            ),
        ),
    ];
    for c in &calculations {
        note(c.findings().iter().collect());
    }
    let bands = example("weight-bands.toml")
        .to_toml()
        .unwrap()
        .replace("[eligibility]\nweight = { at_least = \"10 kg\" }\n", "");
    let bands = Protocol::from_toml(
        "bands.toml",
        &bands.replace(
            "at_most = \"40 kg\"",
            "at_least = \"10 kg\"\nat_most = \"40 kg\"",
        ),
    )
    .unwrap();
    note(
        dose(&bands, request(None, "", "5kg", None))
            .findings()
            .iter()
            .collect(),
    );

    let check = |p: &Protocol, r: DoseRequest, cells: &str, tolerance: Option<&str>| {
        p.check(
            &r,
            cells.parse().unwrap(),
            tolerance.map(|t| t.parse().unwrap()),
        )
        .unwrap()
    };
    for c in [
        check(
            &find("NCT01218464"),
            request(Some("msc"), "", "60kg", Some("40")),
            "1e7",
            None,
        ),
        check(
            &find("NCT01218464"),
            request(Some("msc"), "", "60kg", Some("40")),
            "1e8",
            None,
        ),
        check(
            &find("NCT01218464"),
            request(Some("msc"), "", "60kg", Some("40")),
            "4e7",
            Some("10%"),
        ),
        check(
            &find("NCT06167473"),
            request(Some("low-dose"), "", "70kg", Some("50")),
            "6.2e7",
            Some("10%"),
        ),
        check(
            &example("tolerance.toml"),
            request(None, "", "70kg", None),
            "6e7",
            None,
        ),
    ] {
        note(c.findings().collect());
    }

    let product = |conc: &str, available: &str| {
        Product::new(
            conc.parse().unwrap(),
            "100%".parse().unwrap(),
            None,
            available.parse().unwrap(),
        )
        .unwrap()
    };
    let prepare = |p: &Protocol, r: DoseRequest, product: Product, tolerance: Option<&str>| {
        p.prepare(
            &r,
            &product,
            "0.1mL".parse().unwrap(),
            tolerance.map(|t| t.parse().unwrap()),
        )
        .unwrap()
    };
    for prepared in [
        prepare(
            &find("NCT07276568"),
            request(Some("alf"), "1.6e7/kg", "60kg", None),
            product("4.5e7/mL", "50mL"),
            None,
        ),
        prepare(
            &find("NCT06167473"),
            request(Some("low-dose"), "", "70kg", Some("50")),
            product("1e6/mL", "5mL"),
            Some("10%"),
        ),
        prepare(
            &find("NCT07276568"),
            request(Some("alf"), "level 1", "72.5kg", None),
            product("8.9e7/mL", "20mL"),
            Some("10%"),
        ),
        prepare(
            &find("NCT06167473"),
            request(Some("low-dose"), "", "70kg", Some("50")),
            product("3e8/mL", "50mL"),
            Some("1%"),
        ),
    ] {
        note(prepared.findings().collect());
    }
    for findings in product_scenarios() {
        found.extend(findings);
    }
    found.extend(double_check_scenario());
    found.extend(custody_scenarios());
    found.into_iter().collect()
}

/// A preparation by alice that bob works out again with another weight.
fn double_check_scenario() -> Vec<(String, String)> {
    use celldose::audit::{AuditLog, Preparation, Signer, Stage};
    use celldose::double_check::DoubleCheck;
    let path = std::env::temp_dir().join(format!(
        "celldose-findings-double-check-{}.jsonl",
        std::process::id()
    ));
    std::fs::remove_file(&path).ok();
    let mut log = AuditLog::open(&path).unwrap();
    log.sign_as(Some(Signer::signed_in("alice", "pharmacist").unwrap()));
    log.at_stage(Some(Stage::Prepared));
    log.append("check", &[], &serde_json::json!({"weight_kg": "72.5"}))
        .unwrap();
    drop(log);
    let preparation = Preparation::read(&path, 1, None).unwrap();
    let bob = Signer::signed_in("bob", "pharmacist").unwrap();
    let check = DoubleCheck::compare(
        &preparation,
        &bob,
        "check",
        &serde_json::json!({"weight_kg": "70"}),
    )
    .unwrap();
    std::fs::remove_file(&path).ok();
    check
        .finding()
        .iter()
        .map(|f| {
            (
                f.code().as_str().to_owned(),
                f.severity().as_str().to_owned(),
            )
        })
        .collect()
}

/// Products, split doses and the dosing weight, from the example files.
fn product_scenarios() -> Vec<Vec<(String, String)>> {
    use celldose::calculation::{Course, Delivery};
    use celldose::{Certificate, DoseChoice, Rounding};
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |path: &str| std::fs::read_to_string(format!("{root}/{path}")).unwrap();
    let car_t = Protocol::from_toml(
        "c.toml",
        &read("examples/protocols/car-t-product-limits.toml"),
    )
    .unwrap();
    let split = example("split-dose.toml");
    let cumulative = Protocol::from_toml(
        "s.toml",
        &read("examples/protocols/split-dose.toml").replace("\"per-infusion\"", "\"cumulative\""),
    )
    .unwrap();
    let two_bags =
        Certificate::from_toml("p.toml", &read("examples/products/car-t-two-bags.toml")).unwrap();
    let one_bag =
        Certificate::from_toml("p.toml", &read("examples/products/one-bag-total.toml")).unwrap();
    let bag = |extra: &str| {
        Certificate::from_toml(
            "b.toml",
            &format!("format = 1\nid = \"P\"\ncounts = \"car-positive-viable\"\n[[bag]]\nid = \"1\"\nvolume = \"50mL\"\ntotal = \"1e7\"\npositive = \"50%\"\n{extra}"),
        )
        .unwrap()
    };
    let low_viability = bag("viability = \"79%\"\ndmso = \"5%\"\nendotoxin = \"0.1 EU/mL\"\n");
    let heavy = bag("viability = \"95%\"\ndmso = \"20%\"\nendotoxin = \"10 EU/mL\"\n");
    let patient = |weight: &str, current: Option<&str>| {
        let r = DoseRequest::new(
            weight.parse().unwrap(),
            DoseChoice::ArmDose,
            Rounding::HalfAwayFromZero,
        );
        match current {
            Some(c) => r.with_current_weight(c.parse().unwrap()),
            None => r,
        }
    };
    let all = |p: &Certificate| Delivery::bags(p, &p.select(&[]).unwrap()).unwrap();
    let codes = |findings: Vec<&celldose::Finding>| {
        findings
            .into_iter()
            .map(|f| {
                (
                    f.code().as_str().to_owned(),
                    f.severity().as_str().to_owned(),
                )
            })
            .collect::<Vec<_>>()
    };
    let check = |p: &Protocol, r: DoseRequest, d: &Delivery, course: Option<Course>| {
        codes(
            p.check_delivery(&r, d, None, course)
                .unwrap()
                .findings()
                .collect(),
        )
    };
    vec![
        codes(
            car_t
                .calculate(&patient("120kg", Some("118kg")))
                .unwrap()
                .findings()
                .iter()
                .collect(),
        ),
        codes(
            car_t
                .calculate(&patient("120kg", Some("105kg")))
                .unwrap()
                .findings()
                .iter()
                .collect(),
        ),
        codes(
            car_t
                .calculate(&patient("120kg", None))
                .unwrap()
                .findings()
                .iter()
                .collect(),
        ),
        codes(
            car_t
                .check(&patient("50kg", Some("50kg")), "1e8".parse().unwrap(), None)
                .unwrap()
                .findings()
                .collect(),
        ),
        check(&car_t, patient("46kg", Some("46kg")), &all(&one_bag), None),
        check(&car_t, patient("12kg", Some("12kg")), &all(&two_bags), None),
        check(
            &car_t,
            patient("5kg", Some("5kg")),
            &all(&low_viability),
            None,
        ),
        check(&car_t, patient("5kg", Some("5kg")), &all(&heavy), None),
        check(
            &split,
            patient("60kg", None),
            &Delivery::count("1.8e8".parse().unwrap()),
            Some(Course::infusion(2)),
        ),
        check(
            &cumulative,
            patient("60kg", None),
            &Delivery::count("1.8e8".parse().unwrap()),
            Some(Course::infusion(2)),
        ),
        check(
            &split,
            patient("60kg", None),
            &Delivery::count("1.8e8".parse().unwrap()),
            Some(
                Course::infusion(2)
                    .with_given_from_log(vec![(1, 7, "6e7".parse().unwrap())])
                    .unwrap(),
            ),
        ),
        {
            // Two infusions on day 0, the first one's DMSO not stated.
            let same_day =
                Protocol::from_toml("d.toml", &read("examples/protocols/same-day-split.toml"))
                    .unwrap();
            let dmso = Certificate::from_toml(
                "d.toml",
                "format = 1\nid = \"D\"\ncounts = \"viable\"\n[[bag]]\nid = \"1\"\nvolume = \"20mL\"\ntotal = \"1e7\"\nviability = \"100%\"\ndmso = \"10%\"\n",
            )
            .unwrap();
            check(
                &same_day,
                DoseRequest::new(
                    "10kg".parse().unwrap(),
                    DoseChoice::ArmDose,
                    Rounding::HalfAwayFromZero,
                ),
                &all(&dmso),
                Some(Course::infusion(2)),
            )
        },
        {
            // A dose chosen in a range, held to 3.6 mL by the DMSO limit.
            let range = Protocol::from_toml(
                "r.toml",
                "format = 1\nid = \"R\"\nversion = \"1\"\ntitle = \"R\"\nproduct = \"cells\"\nroute = \"iv\"\n[source]\nregistry = \"site\"\nrecord = \"R\"\nquote = \"q\"\n[infusion_limits]\nmax_dmso = \"0.1 g/kg\"\n[[arm]]\nid = \"all\"\nname = \"All\"\nregimen = \"r\"\n[[regimen]]\nid = \"r\"\nmin_dose = \"0.5e6/kg\"\nmax_dose = \"3e6/kg\"\ninfusions = 1\n",
            )
            .unwrap();
            let bag = Certificate::from_toml(
                "b.toml",
                "format = 1\nid = \"B\"\ncounts = \"viable\"\n[[bag]]\nid = \"1\"\nvolume = \"10mL\"\nconcentration = \"1e6/mL\"\nviability = \"100%\"\ndmso = \"10%\"\n",
            )
            .unwrap();
            codes(
                range
                    .prepare_from_bags(
                        &DoseRequest::new(
                            "4kg".parse().unwrap(),
                            DoseChoice::Explicit("2e6/kg".parse().unwrap()),
                            Rounding::HalfAwayFromZero,
                        ),
                        &bag,
                        &bag.select(&[]).unwrap(),
                        "0.1mL".parse().unwrap(),
                        None,
                        None,
                    )
                    .unwrap()
                    .findings()
                    .collect(),
            )
        },
        codes(
            car_t
                .prepare_from_bags(
                    &patient("120kg", Some("120kg")),
                    &two_bags,
                    &two_bags.select(&[]).unwrap(),
                    "0.1mL".parse().unwrap(),
                    None,
                    None,
                )
                .unwrap()
                .findings()
                .collect(),
        ),
    ]
}

#[test]
fn every_finding_code_is_listed_and_every_listed_code_is_emitted() {
    let listed = listed();
    let emitted = emitted();
    let not_listed: Vec<_> = emitted.difference(&listed).collect();
    let not_emitted: Vec<_> = listed.difference(&emitted).collect();
    assert!(
        not_listed.is_empty(),
        "emitted but not listed (or with another severity): {not_listed:?}"
    );
    assert!(
        not_emitted.is_empty(),
        "listed but emitted by no scenario: {not_emitted:?}"
    );
    // And the page lists exactly the codes the library defines.
    let defined: BTreeSet<String> = FindingCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    let on_page: BTreeSet<String> = listed.into_iter().map(|(code, _)| code).collect();
    assert_eq!(defined, on_page);
}

/// The chain of identity and custody: an autologous product checked for another patient, with a
/// label of another product, an unknown bag, past its expiry and its thaw window; then for its
/// patient in time, without a thaw time; and a product that names no recipient.
fn custody_scenarios() -> Vec<(String, String)> {
    use celldose::calculation::{Custody, Delivery};
    use celldose::{Certificate, DoseChoice, Rounding};
    let protocol = example("car-t-thaw.toml");
    let product = |name: &str| {
        let path = format!("{}/examples/products/{name}", env!("CARGO_MANIFEST_DIR"));
        Certificate::from_path(std::path::Path::new(&path)).unwrap()
    };
    let judged = |product: &Certificate, patient: &str, custody: Custody| {
        let request = DoseRequest::new(
            "100kg".parse().unwrap(),
            DoseChoice::ArmDose,
            Rounding::HalfAwayFromZero,
        )
        .with_patient(patient)
        .unwrap();
        let delivery = Delivery::bags(product, &product.select(&[]).unwrap()).unwrap();
        let check = protocol
            .check_delivery(&request, &delivery, None, None)
            .unwrap()
            .with_custody(&custody, product, &protocol.product_rules().handling)
            .unwrap();
        check
            .findings()
            .map(|f| {
                (
                    f.code().as_str().to_owned(),
                    f.severity().as_str().to_owned(),
                )
            })
            .collect::<Vec<_>>()
    };
    let autologous = product("car-t-autologous.toml");
    let late = Custody::default()
        .with_scan("=W12342600041700")
        .unwrap()
        .with_scan("=<S1234V09")
        .unwrap()
        .with_thawed_at("2027-03-01T11:00:00+01:00".parse().unwrap())
        .with_infusion_start("2027-03-01T12:01:00+01:00".parse().unwrap());
    let in_time = Custody::default()
        .with_thawed_at("2026-12-05T14:30:00+01:00".parse().unwrap())
        .with_infusion_start("2026-12-05T14:50:00+01:00".parse().unwrap());
    let no_thaw =
        Custody::default().with_infusion_start("2026-12-05T14:50:00+01:00".parse().unwrap());
    let mut found = judged(&autologous, "S-022", late);
    found.extend(judged(&autologous, "S-021", in_time));
    found.extend(judged(&autologous, "S-021", no_thaw.clone()));
    let mut unnamed = std::fs::read_to_string(format!(
        "{}/examples/products/car-t-two-bags.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    unnamed = unnamed.replace("recipient = \"any\"\n", "");
    let unnamed = Certificate::from_toml("unnamed.toml", &unnamed).unwrap();
    found.extend(judged(&unnamed, "S-021", no_thaw));
    found
}
