//! The parser rejection set and acceptance set, each with its message.

use celldose::{
    AgeYears, BodyWeight, CellCount, CellsPerKg, Dose, EnteredWeight, MassUnit, Percent,
};

fn weight_error(input: &str) -> String {
    input
        .parse::<BodyWeight>()
        .map(|w| w.to_string())
        .unwrap_err()
        .to_string()
}

#[test]
fn weights_need_a_unit_and_a_plausible_value() {
    let table = [
        (
            "72.5",
            "body weight \"72.5\" has no unit; write it with one of: kg, g or lb (as in 72.5kg, 72500g, 160lb)",
        ),
        (
            "70kgs",
            "body weight \"70kgs\" has unit \"kgs\", which is not accepted; write it with one of: kg, g or lb (as in 72.5kg, 72500g, 160lb)",
        ),
        (
            "70 mg",
            "body weight \"70 mg\" has unit \"mg\", which is not accepted; write it with one of: kg, g or lb (as in 72.5kg, 72500g, 160lb)",
        ),
        (
            "0kg",
            "body weight 0 kg is not above 0 kg; accepted: from 0.2 kg to 700 kg",
        ),
        (
            "-70kg",
            "body weight -70 kg is not above 0 kg; accepted: from 0.2 kg to 700 kg",
        ),
        (
            "0.1kg",
            "body weight 0.1 kg is below the plausible minimum of 0.2 kg; accepted: from 0.2 kg to 700 kg",
        ),
        (
            "700.001kg",
            "body weight 700.001 kg is above the plausible maximum of 700 kg; accepted: from 0.2 kg to 700 kg",
        ),
        (
            "2000lb",
            "body weight 907.18474 kg (entered as 2000 lb) is above the plausible maximum of 700 kg; accepted: from 0.2 kg to 700 kg",
        ),
        (
            "1e30kg",
            "body weight \"1e30kg\" is far above any plausible body weight; accepted: from 0.2 kg to 700 kg",
        ),
        (
            "1e20kg",
            "body weight 100000000000000000000 kg is far above any plausible body weight; accepted: from 0.2 kg to 700 kg",
        ),
        (
            "70.1234567890123456789kg",
            "body weight 70.1234567890123456789 kg is too precise to convert to kilograms exactly (give fewer decimal places); accepted: from 0.2 kg to 700 kg",
        ),
        (
            "NaN",
            "body weight \"NaN\" is not a valid number: it is not a finite number; write a plain decimal such as 72.5, 1.6e7 or 1.6x10^7",
        ),
        (
            "NaNkg",
            "body weight \"NaNkg\" is not a valid number: it must start with a digit, not 'N'; write a plain decimal such as 72.5, 1.6e7 or 1.6x10^7",
        ),
        (
            "inf kg",
            "body weight \"inf kg\" is not a valid number: it is not a finite number; write a plain decimal such as 72.5, 1.6e7 or 1.6x10^7",
        ),
        (
            ".5kg",
            "body weight \".5kg\" is not a valid number: a decimal point needs a digit before it (write 0.5, not .5)",
        ),
        (
            "72,5kg",
            "body weight \"72,5kg\" is not a valid number: commas are not accepted (write 1.5 for one and a half, 1500 for fifteen hundred)",
        ),
        (
            "",
            "body weight \"\" is not a valid number: it is empty; write a plain decimal such as 72.5, 1.6e7 or 1.6x10^7",
        ),
        (
            "kg",
            "body weight \"kg\" is not a valid number: it must start with a digit, not 'k'; write a plain decimal such as 72.5, 1.6e7 or 1.6x10^7",
        ),
    ];
    for (input, message) in table {
        assert_eq!(weight_error(input), message, "{input:?}");
    }
}

#[test]
fn weights_in_every_unit_convert_exactly() {
    let table = [
        ("72.5kg", "72.5 kg", MassUnit::Kilogram),
        ("72.5 kg", "72.5 kg", MassUnit::Kilogram),
        ("72.5KG", "72.5 kg", MassUnit::Kilogram),
        ("72500g", "72.5 kg", MassUnit::Gram),
        ("160lb", "72.5747792 kg", MassUnit::Pound),
        ("1lb", "0.45359237 kg", MassUnit::Pound),
        ("0.2kg", "0.2 kg", MassUnit::Kilogram),
        ("700kg", "700 kg", MassUnit::Kilogram),
    ];
    for (input, kg, unit) in table {
        let entered: EnteredWeight = input.parse().unwrap();
        assert_eq!(
            (entered.weight().to_string(), entered.unit()),
            (kg.to_owned(), unit),
            "{input}"
        );
    }
}

#[test]
fn counts_and_doses_accept_every_documented_form() {
    for input in [
        "1160000000",
        "1.16e9",
        "1.16x10^9",
        "1.16×10^9",
        "1.16 x 10^9",
        "1.16 × 10⁹",
        "1.16e9 cells",
    ] {
        assert_eq!(
            input.parse::<CellCount>().unwrap().to_string(),
            "1160000000",
            "{input}"
        );
    }
    for input in ["5e7/kg", "5x10^7/kg", "50000000/kg", "5e7 cells/kg"] {
        assert_eq!(
            input.parse::<CellsPerKg>().unwrap().to_string(),
            "50000000/kg",
            "{input}"
        );
        assert_eq!(
            input.parse::<Dose>().unwrap(),
            Dose::PerKg(input.parse().unwrap())
        );
    }
}

#[test]
fn malformed_counts_are_refused_with_their_reason() {
    let table = [
        (
            "-5e7",
            "cell count -50,000,000 cells (-5 × 10⁷ cells) is negative; accepted: from 0 cells to 1,000,000,000,000,000 cells (1 × 10¹⁵ cells)",
        ),
        (
            "5.",
            "cell count \"5.\" is not a valid number: a decimal point needs a digit after it (write 5 or 5.0, not 5.)",
        ),
        (
            "1..2",
            "cell count \"1..2\" is not a valid number: a decimal point needs a digit after it (write 5 or 5.0, not 5.)",
        ),
        (
            "1,5",
            "cell count \"1,5\" is not a valid number: commas are not accepted (write 1.5 for one and a half, 1500 for fifteen hundred)",
        ),
        (
            "inf",
            "cell count \"inf\" is not a valid number: it is not a finite number; write a plain decimal such as 72.5, 1.6e7 or 1.6x10^7",
        ),
        (
            "1.5",
            "cell count 1.5 cells is not a whole number; accepted: a whole number of cells",
        ),
        (
            "5e7/kg",
            "cell count \"5e7/kg\" has unit \"/kg\", which is not accepted; write it with one of: a total number of cells, without /kg (a per-kg dose is not a count)",
        ),
        (
            "2 x 106",
            "cell count \"2 x 106\" is not a valid number: \"106\" looks like 10^6 with its superscript lost; write the exponent after ^, as in 1.6x10^7",
        ),
        (
            "1e16",
            "cell count 10,000,000,000,000,000 cells (1 × 10¹⁶ cells) is above 1,000,000,000,000,000 cells (1 × 10¹⁵ cells); accepted: from 0 cells to 1,000,000,000,000,000 cells (1 × 10¹⁵ cells)",
        ),
        (
            "5e7 mL",
            "cell count \"5e7 mL\" has unit \"mL\", which is not accepted; write it with one of: no unit, or cells",
        ),
    ];
    for (input, message) in table {
        assert_eq!(
            input.parse::<CellCount>().unwrap_err().to_string(),
            message,
            "{input:?}"
        );
    }
    assert_eq!(
        "1.6e7".parse::<CellsPerKg>().unwrap_err().to_string(),
        "dose per kg \"1.6e7\" has no unit; write it with one of: /kg after the number, as in 1.6e7/kg"
    );
    assert_eq!(
        "1e6/lb".parse::<Dose>().unwrap_err().to_string(),
        "cell count \"1e6/lb\" has unit \"/lb\", which is not accepted; write it with one of: a count of cells (1.5e9) or a dose per kg (5e7/kg)"
    );
}

#[test]
fn ages_and_percentages() {
    assert_eq!("45".parse::<AgeYears>().unwrap().to_string(), "45 years");
    assert_eq!(
        "45 years".parse::<AgeYears>().unwrap().to_string(),
        "45 years"
    );
    assert_eq!(
        "131".parse::<AgeYears>().unwrap_err().to_string(),
        "age 131 years is above 130 years; accepted: from 0 years to 130 years"
    );
    assert_eq!(
        "-1".parse::<AgeYears>().unwrap_err().to_string(),
        "age -1 years is negative; accepted: from 0 years to 130 years"
    );
    assert_eq!(
        "45 months".parse::<AgeYears>().unwrap_err().to_string(),
        "age \"45 months\" has unit \"months\", which is not accepted; write it with one of: years, written as a number with no unit or with y or years (45, 45y, 45 years)"
    );
    assert_eq!("10%".parse::<Percent>().unwrap().to_string(), "10%");
    assert_eq!(
        "10".parse::<Percent>().unwrap_err().to_string(),
        "percentage \"10\" has no unit; write it with one of: a % sign after the number, as in 10%"
    );
    assert_eq!(
        "101%".parse::<Percent>().unwrap_err().to_string(),
        "percentage 101% is above 100%; accepted: from 0% to 100%"
    );
}
