//! Property tests of protocol files: caps, weight-band edges, and parse → write → parse.

use celldose::{DoseChoice, DoseRequest, EnteredWeight, Protocol, Rounding};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn file(regimen: &str) -> String {
    format!(
        "format = 1\nid = \"PROP\"\nversion = \"1\"\ntitle = \"t\"\nproduct = \"p\"\nroute = \"r\"\n\n\
         [source]\nregistry = \"none\"\nrecord = \"PROP\"\nquote = \"q\"\n\n\
         [[arm]]\nid = \"all\"\nname = \"All\"\nregimen = \"main\"\n\n[[regimen]]\nid = \"main\"\n{regimen}"
    )
}

fn kg(micro_kg: i64) -> EnteredWeight {
    format!("{}kg", Decimal::new(micro_kg, 6)).parse().unwrap()
}

fn rounding() -> impl Strategy<Value = Rounding> {
    prop::sample::select(vec![
        Rounding::HalfEven,
        Rounding::HalfAwayFromZero,
        Rounding::Down,
        Rounding::Up,
    ])
}

/// A regimen of any shape the format allows, from a few numbers.
fn regimen() -> impl Strategy<Value = String> {
    let per_kg = 1u32..=50_000;
    (0usize..10, per_kg.clone(), per_kg, 1u32..=9, 1u32..=200, any::<bool>(), 1u32..=5).prop_map(
        |(shape, a, b, soft, edge, inclusive, infusions)| {
            let (low, high) = (a.min(b), a.max(b).saturating_add(1));
            let cap = u64::from(high) * 100_000;
            let infusions = if infusions == 5 { "\"not stated\"".to_owned() } else { infusions.to_string() };
            let body = match shape {
                0 => format!("dose = \"{low}e2/kg\"\n"),
                1 => format!("dose = \"{low}e4\"\n"),
                2 => format!("min_dose = \"{low}e2/kg\"\nmax_dose = \"{high}e2/kg\"\n"),
                3 => format!("min_dose = \"{low}e4\"\nmax_dose = \"{high}e4\"\n"),
                4 => format!("min_dose = \"{low}e2/kg\"\n"),
                5 => format!("dose = \"{low}e2/kg\"\nmax_total = \"{cap}\"\n"),
                6 => "placebo = true\n".to_owned(),
                7 => format!("dose = \"{low}e2/kg\"\ntolerance = {{ soft = \"{soft}%\", hard = \"{}%\" }}\n", soft * 2),
                8 => format!("levels = [{{ number = 1, dose = \"{low}e4\" }}, {{ number = 2, dose = \"{high}e4\" }}]\nescalation = {{ start_level = 1, ceiling = \"{high}e4\" }}\n"),
                _ => {
                    let (upper, lower) = if inclusive { ("at_most", "above") } else { ("below", "at_least") };
                    format!(
                        "\n[[regimen.band]]\n{upper} = \"{edge} kg\"\ndose = \"{low}e2/kg\"\n\n[[regimen.band]]\n{lower} = \"{edge} kg\"\ndose = \"{high}e4\"\n"
                    )
                }
            };
            // Bands are tables, so the plain keys come first.
            if shape == 9 {
                format!("infusions = {infusions}\n{body}")
            } else {
                format!("{body}infusions = {infusions}\n")
            }
        },
    )
}

proptest! {
    #[test]
    fn valid_files_round_trip_through_parse_write_parse(regimen in regimen()) {
        let text = file(&regimen);
        let first = Protocol::from_toml("prop.toml", &text).unwrap();
        let written = first.to_toml().unwrap();
        let second = Protocol::from_toml("again.toml", &written).unwrap();
        prop_assert_eq!(second.arms(), first.arms());
        prop_assert_eq!(second.to_toml().unwrap(), written);
    }

    #[test]
    fn a_capped_dose_never_exceeds_its_cap(
        per_kg in 1u32..=10_000_000, cap in 1u64..=1_000_000_000, weight in 200_000i64..=700_000_000, rounding in rounding(),
    ) {
        let loaded = Protocol::from_toml("cap.toml", &file(&format!("dose = \"{per_kg}/kg\"\nmax_total = \"{cap}\"\ninfusions = 1\n")));
        // A cap below the dose at the lightest plausible weight (0.2 kg) can never be met: refused.
        let impossible = Decimal::from(cap) < Decimal::from(per_kg) * Decimal::new(2, 1);
        prop_assert_eq!(loaded.is_err(), impossible, "{:?}", loaded.as_ref().err());
        let Ok(protocol) = loaded else { return Ok(()) };
        let weight = kg(weight);
        let c = protocol.calculate(&DoseRequest::new(weight, DoseChoice::ArmDose, rounding)).unwrap();
        let cells = c.cells().unwrap().get();
        let uncapped = Decimal::from(per_kg) * weight.weight().kg();
        prop_assert!(cells <= Decimal::from(cap), "{} above cap {}", cells, cap);
        if uncapped <= Decimal::from(cap) {
            prop_assert!((cells - uncapped).abs() < Decimal::ONE);
        } else {
            prop_assert_eq!(cells, Decimal::from(cap));
            prop_assert!(c.findings().iter().any(|f| f.code() == celldose::FindingCode::CapBinds));
        }
    }

    #[test]
    fn at_a_band_edge_the_edge_decides(edge_centi_kg in 100i64..=30_000, inclusive_below in any::<bool>()) {
        let edge = Decimal::new(edge_centi_kg, 2);
        let (upper, lower) = if inclusive_below { ("at_most", "above") } else { ("below", "at_least") };
        let text = file(&format!(
            "infusions = 1\n\n[[regimen.band]]\n{upper} = \"{edge} kg\"\ndose = \"1e6/kg\"\n\n[[regimen.band]]\n{lower} = \"{edge} kg\"\ndose = \"2e6/kg\"\n"
        ));
        let protocol = Protocol::from_toml("bands.toml", &text).unwrap();
        let per_kg_at = |weight: Decimal| {
            let request = DoseRequest::new(format!("{weight}kg").parse().unwrap(), DoseChoice::ArmDose, Rounding::HalfEven);
            protocol.calculate(&request).unwrap().dose().map(|d| d.to_string())
        };
        let (light, heavy) = (Some("1000000/kg".to_owned()), Some("2000000/kg".to_owned()));
        let epsilon = Decimal::new(1, 6);
        prop_assert_eq!(per_kg_at(edge), if inclusive_below { light.clone() } else { heavy.clone() });
        prop_assert_eq!(per_kg_at(edge - epsilon), light);
        prop_assert_eq!(per_kg_at(edge + epsilon), heavy);
    }
}
