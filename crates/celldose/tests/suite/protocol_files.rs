//! Protocol files: the built-ins load through the checked path, and malformed files are refused.

use celldose::{Catalogue, DoseRule, Protocol, Stated};

#[test]
fn the_five_built_in_protocols_load_with_their_contract_ids_and_arms() {
    let catalogue = Catalogue::builtin().unwrap();
    let shape: Vec<(String, Vec<String>)> = catalogue
        .protocols()
        .iter()
        .map(|p| {
            (
                p.id().to_owned(),
                p.arms().iter().map(|a| a.id().to_owned()).collect(),
            )
        })
        .collect();
    let expected = [
        ("NCT07276568", vec!["alf", "aclf", "clf", "sfss"]),
        ("NCT05727722", vec!["clf", "aclf"]),
        ("NCT01218464", vec!["msc", "placebo"]),
        ("NCT05227846", vec!["msc"]),
        ("NCT06167473", vec!["low-dose", "medium-high-dose"]),
    ];
    let expected: Vec<(String, Vec<String>)> = expected
        .iter()
        .map(|(id, arms)| (id.to_string(), arms.iter().map(|a| a.to_string()).collect()))
        .collect();
    assert_eq!(shape, expected);
    for protocol in catalogue.protocols() {
        assert!(!protocol.source().quote().is_empty());
        assert_eq!(protocol.source().record(), protocol.id());
    }
}

#[test]
fn what_a_record_leaves_out_stays_not_stated() {
    let catalogue = Catalogue::builtin().unwrap();
    let regimen = |id: &str| catalogue.find(id).unwrap().arms()[0].regimen().clone();
    assert_eq!(regimen("NCT07276568").infusions(), Stated::NotStated);
    assert_eq!(
        regimen("NCT07276568").levels().len(),
        1,
        "no intermediate steps are invented"
    );
    assert_eq!(regimen("NCT01218464").infusions(), Stated::NotStated);
    assert_eq!(regimen("NCT05727722").infusions(), Stated::Value(1));
    assert!(
        catalogue
            .find("NCT07276568")
            .unwrap()
            .age_window()
            .is_none()
    );
    assert_eq!(
        regimen("NCT01218464").rule(),
        Some(DoseRule::PerKgRange {
            min: "0.5e6/kg".parse().unwrap(),
            max: "1e6/kg".parse().unwrap()
        })
    );
}

const GOOD: &str = r#"format = 1
id = "DEMO-1"
version = "1"
title = "Demo"
product = "cells"
route = "intravenous"

[source]
registry = "none"
record = "DEMO-1"
quote = "quoted"

[[arm]]
id = "all"
name = "All"
regimen = "main"

[[regimen]]
id = "main"
min_dose = "1e6/kg"
max_dose = "2e6/kg"
infusions = 1
"#;

#[test]
fn malformed_files_are_refused_with_file_line_and_column() {
    assert!(Protocol::from_toml("good.toml", GOOD).is_ok());
    let table = [
        (GOOD.replace("format = 1", "format = 2"), "protocol file demo.toml: line 1, column 10: format 2 is not supported; this celldose reads format 1"),
        (GOOD.replace("route =", "rout ="), "protocol file demo.toml: line 6, column 1: unknown field `rout`, expected one of `format`, `id`, `version`, `title`, `product`, `route`, `follow_up`, `cohort_size`, `counts`, `source`, `infusion_limits`, `dosing_weight`, `handling`, `eligibility`, `arm`, `regimen`"),
        (GOOD.replace("\"2e6/kg\"", "\"2e6\""), "protocol file demo.toml: line 18, column 1: regimen \"main\": min_dose 1,000,000 cells/kg (1 × 10⁶ cells/kg) and max_dose 2,000,000 cells (2 × 10⁶) mix a per-kg dose and a total; write both with /kg or both without"),
        (GOOD.replace("\"2e6/kg\"", "\"0.5e6/kg\""), "protocol file demo.toml: line 18, column 1: regimen \"main\": min_dose 1,000,000 cells/kg (1 × 10⁶ cells/kg) is not below max_dose 500,000 cells/kg (5 × 10⁵ cells/kg); a single dose is written dose = \"...\""),
        (GOOD.replace("\"1e6/kg\"", "\"0/kg\""), "protocol file demo.toml: line 18, column 1: regimen \"main\": min_dose is zero; a regimen without cells is written placebo = true"),
        (GOOD.replace("\"1e6/kg\"", "\"-1e6/kg\""), "protocol file demo.toml: line 20, column 12: dose per kg -1,000,000 cells/kg (-1 × 10⁶ cells/kg) is negative; accepted: from 0 cells/kg to 1,000,000,000,000 cells/kg (1 × 10¹² cells/kg)"),
        (GOOD.replace("\"1e6/kg\"", "\"1e6/lb\""), "protocol file demo.toml: line 20, column 12: cell count \"1e6/lb\" has unit \"/lb\", which is not accepted; write it with one of: a count of cells (1.5e9) or a dose per kg (5e7/kg)"),
        (GOOD.replace("regimen = \"main\"", "regimen = \"other\""), "protocol file demo.toml: line 13, column 1: arm \"all\" follows regimen \"other\", which is not defined; defined regimens: main"),
        (GOOD.replace("infusions = 1", "infusions = 0"), "protocol file demo.toml: line 22, column 13: infusions 0 is not accepted; write a whole number from 1, or \"not stated\""),
        (GOOD.replace("infusions = 1", "infusions = \"unknown\""), "protocol file demo.toml: line 22, column 13: infusions \"unknown\" is not accepted; write a whole number from 1, or \"not stated\""),
        (GOOD.replace("infusions = 1\n", "infusions = 1\nlevels = [{ number = 2, dose = \"1.5e6/kg\" }, { number = 1, dose = \"1e6/kg\" }]\n"), "protocol file demo.toml: line 23, column 46: regimen \"main\" level 1: levels must be listed in ascending order, and 1 follows 2"),
        (GOOD.replace("infusions = 1\n", "infusions = 1\nlevels = [{ number = 1, dose = \"1.5e6/kg\" }, { number = 1, dose = \"1.6e6/kg\" }]\n"), "protocol file demo.toml: line 23, column 46: regimen \"main\" level 1: this level number is used twice"),
        (GOOD.replace("infusions = 1\n", "infusions = 1\nlevels = [{ number = 1, dose = \"1.5e6/kg\" }, { number = 2, dose = \"1.4e6/kg\" }]\n"), "protocol file demo.toml: line 23, column 46: regimen \"main\" level 2: its dose 1,400,000 cells/kg (1.4 × 10⁶ cells/kg) is not above level 1's dose 1,500,000 cells/kg (1.5 × 10⁶ cells/kg); an escalation ladder rises level by level"),
        (GOOD.replace("infusions = 1\n", "infusions = 1\nlevels = [{ number = 1, dose = \"3e6/kg\" }]\n"), "protocol file demo.toml: line 23, column 11: regimen \"main\" level 1: its dose 3,000,000 cells/kg (3 × 10⁶ cells/kg) is outside the regimen's range 1,000,000 cells/kg (1 × 10⁶ cells/kg) to 2,000,000 cells/kg (2 × 10⁶ cells/kg)"),
        (GOOD.replace("[source]", "[eligibility]\nweight = { above = \"40 kg\", at_least = \"41 kg\" }\n\n[source]"), "protocol file demo.toml: line 9, column 10: the weight window has both at_least and above; give one of them"),
        (GOOD.replace("[source]", "[eligibility]\nage = { above = \"65 years\", below = \"18 years\" }\n\n[source]"), "protocol file demo.toml: line 9, column 7: the age window from 65 years to 18 years admits no value"),
        (GOOD.replace("[source]", "[eligibility]\nweight = { above = \"40\" }\n\n[source]"), "protocol file demo.toml: line 9, column 20: body weight \"40\" has no unit; write it with one of: kg, g or lb (as in 72.5kg, 72500g, 160lb)"),
        (GOOD.replace("infusions = 1\n", "infusions = 1\nsplit = [{ day = 0, fraction = \"10%\" }, { day = 1, fraction = \"90%\" }]\n"), "protocol file demo.toml: line 18, column 1: regimen \"main\": a split dose needs split_limits = \"per-infusion\" or \"cumulative\": whether the limits apply to each infusion or to the running total"),
        (GOOD.replace("infusions = 1\n", "infusions = 2\nsplit_limits = \"cumulative\"\nsplit = [{ day = 0, fraction = \"10%\" }, { day = 1, fraction = \"80%\" }]\n"), "protocol file demo.toml: line 18, column 1: regimen \"main\": the split's shares add up to 90%, not 100%"),
        (GOOD.replace("infusions = 1\n", "infusions = 1\nsplit_limits = \"cumulative\"\nsplit = [{ day = 0, fraction = \"10%\" }, { day = 1, fraction = \"90%\" }]\n"), "protocol file demo.toml: line 18, column 1: regimen \"main\": infusions = 1, but the split has 2 infusions"),
        (GOOD.replace("infusions = 1\n", "infusions = 2\nsplit_limits = \"cumulative\"\nsplit = [{ day = 2, fraction = \"10%\" }, { day = 1, fraction = \"90%\" }]\n"), "protocol file demo.toml: line 18, column 1: regimen \"main\": the split's days must be in order"),
        (GOOD.replace("[source]", "[infusion_limits]\nmax_dmso = \"1 mg/kg\"\n\n[source]"), "protocol file demo.toml: line 9, column 12: DMSO per kg \"1 mg/kg\" has unit \"mg/kg\", which is not accepted; write it with one of: g/kg or mL/kg"),
        (GOOD.replace("[source]", "[dosing_weight]\nweight = \"yesterday\"\n\n[source]"), "protocol file demo.toml: line 9, column 10: unknown variant `yesterday`, expected one of `screening`, `apheresis`, `baseline`, `day-of-infusion`"),
    ];
    let mismatches: Vec<String> = table
        .iter()
        .filter_map(|(text, message)| {
            let error = Protocol::from_toml("demo.toml", text)
                .unwrap_err()
                .to_string();
            (error != *message).then(|| format!("got:      {error}\nexpected: {message}"))
        })
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

const BANDS: &str = r#"format = 1
id = "DEMO-BANDS"
version = "1"
title = "Demo"
product = "cells"
route = "intravenous"

[source]
registry = "none"
record = "DEMO-BANDS"
quote = "quoted"

[[arm]]
id = "all"
name = "All"
regimen = "by-weight"

[[regimen]]
id = "by-weight"
infusions = 1

[[regimen.band]]
at_most = "40 kg"
dose = "2.5e6/kg"

[[regimen.band]]
above = "40 kg"
dose = "2e6/kg"
max_total = "1.6e8"
"#;

#[test]
fn malformed_bands_caps_and_tolerances_are_refused() {
    assert!(Protocol::from_toml("bands.toml", BANDS).is_ok());
    let table = [
        (
            BANDS.replace("above = \"40 kg\"", "above = \"41 kg\""),
            "protocol file demo.toml: line 26, column 1: regimen \"by-weight\" weight band: it does not meet the band before it without a gap or an overlap (that band ends at_most 40 kg, this one starts above 41 kg); the edges must be the same weight, one inclusive and one not, such as at_most = \"40 kg\" then above = \"40 kg\"",
        ),
        (
            BANDS.replace("above = \"40 kg\"", "at_least = \"40 kg\""),
            "protocol file demo.toml: line 26, column 1: regimen \"by-weight\" weight band: it does not meet the band before it without a gap or an overlap (that band ends at_most 40 kg, this one starts at_least 40 kg); the edges must be the same weight, one inclusive and one not, such as at_most = \"40 kg\" then above = \"40 kg\"",
        ),
        (
            BANDS.replace("at_most = \"40 kg\"", "below = \"40 kg\""),
            "protocol file demo.toml: line 26, column 1: regimen \"by-weight\" weight band: it does not meet the band before it without a gap or an overlap (that band ends below 40 kg, this one starts above 40 kg); the edges must be the same weight, one inclusive and one not, such as at_most = \"40 kg\" then above = \"40 kg\"",
        ),
        (
            BANDS.replace("infusions = 1\n", "infusions = 1\ndose = \"1e6/kg\"\n"),
            "protocol file demo.toml: line 18, column 1: regimen \"by-weight\": weight bands state the dose for each weight; give no dose, max_total or levels beside them",
        ),
        (
            BANDS.replace(
                "dose = \"2e6/kg\"\nmax_total = \"1.6e8\"",
                "min_dose = \"2e6/kg\"\nmax_total = \"5e7\"",
            ),
            "protocol file demo.toml: line 26, column 1: regimen \"by-weight\" weight band: max_total 50,000,000 cells (5 × 10⁷) is below the smallest dose the regimen gives, 2,000,000 cells/kg (2 × 10⁶ cells/kg), which just above the lightest weight the protocol admits (40 kg) comes to 80,000,000 cells (8 × 10⁷); no patient could receive both, so the cap must be at least that",
        ),
        (
            BANDS
                .split("\n[[regimen.band]]\nabove")
                .next()
                .unwrap()
                .to_owned(),
            "protocol file demo.toml: line 22, column 1: regimen \"by-weight\" has one weight band; one rule for every weight is written without [[regimen.band]], and bands need at least two",
        ),
        (
            GOOD.replace(
                "max_dose = \"2e6/kg\"\n",
                "max_dose = \"2e6/kg\"\nmax_total = \"1e8\"\n",
            )
            .replace("\"1e6/kg\"", "\"1e8\"")
            .replace("\"2e6/kg\"", "\"2e8\""),
            "protocol file demo.toml: line 18, column 1: regimen \"main\": max_total 100,000,000 cells (1 × 10⁸) caps a total that weight × dose per kg could exceed, but this dose is not per kg",
        ),
        (
            GOOD.replace("min_dose = \"1e6/kg\"\n", ""),
            "protocol file demo.toml: line 18, column 1: regimen \"main\": max_dose needs a min_dose; a limit on the total alone is written max_total",
        ),
        (
            GOOD.replace(
                "infusions = 1",
                "infusions = 1\ntolerance = { hard = \"20%\" }",
            ),
            "protocol file demo.toml: line 23, column 13: regimen \"main\" tolerance: a tolerance applies around a single dose, and this regimen states only ranges",
        ),
        (
            GOOD.replace(
                "min_dose = \"1e6/kg\"\nmax_dose = \"2e6/kg\"",
                "dose = \"1e6/kg\"",
            )
            .replace(
                "infusions = 1",
                "infusions = 1\ntolerance = { soft = \"30%\", hard = \"20%\" }",
            ),
            "protocol file demo.toml: line 22, column 13: regimen \"main\" tolerance: soft 30% is wider than hard 20%; the soft band must lie inside the hard one",
        ),
    ];
    let mismatches: Vec<String> = table
        .iter()
        .filter_map(|(text, message)| {
            let error = match Protocol::from_toml("demo.toml", text) {
                Ok(_) => "accepted".to_owned(),
                Err(error) => error.to_string(),
            };
            (error != *message).then(|| format!("got:      {error}\nexpected: {message}"))
        })
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn an_id_already_defined_is_refused() {
    let mut catalogue = Catalogue::builtin().unwrap();
    let copy = Protocol::from_toml("mine.toml", &GOOD.replace("DEMO-1", "nct07276568")).unwrap();
    assert_eq!(
        catalogue.add(copy).unwrap_err().to_string(),
        "protocol id nct07276568 from mine.toml is already defined by built-in:NCT07276568; each protocol needs its own id, and one definition never replaces another"
    );
}

#[test]
fn the_sha256_is_of_the_exact_bytes() {
    let a = Protocol::from_toml("a.toml", GOOD).unwrap();
    let b = Protocol::from_toml("b.toml", &format!("{GOOD}\n")).unwrap();
    assert_eq!(a.arms(), b.arms());
    assert_ne!(
        a.sha256(),
        b.sha256(),
        "one byte more is another definition"
    );
    // `printf %s "$GOOD" | sha256sum`, worked outside the library.
    assert_eq!(a.sha256().len(), 64);
    assert!(
        a.sha256()
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
}
