//! `celldose escalation`: what the escalation rule recommends, and BOIN's count table.

use celldose::Catalogue;
use celldose::escalation::{Assessment, Boin, BoundaryRow, Design, Variant};
use serde::Serialize;

use crate::cli::{EscalationArgs, EscalationTable, Format};
use crate::refusal::Refusal;

fn decimal(what: &str, text: &str) -> Result<rust_decimal::Decimal, Refusal> {
    text.trim()
        .parse()
        .map_err(|_| Refusal(format!("{what}: {text:?} is not a decimal rate, as in 0.3")))
}

/// The design from the flags, where `--design` is given.
fn design_from_flags(args: &EscalationArgs) -> Result<Option<Design>, Refusal> {
    let boin_flags = args.target.is_some() || args.cohort_size.is_some() || args.max_n.is_some();
    if args.variant.is_some() && args.design.as_deref() != Some("3+3") {
        return Err(Refusal(
            "--variant applies to --design 3+3: standard or deescalate".into(),
        ));
    }
    match args.design.as_deref() {
        None if boin_flags => Err(Refusal(
            "--target, --cohort-size and --max-n describe a BOIN design: give --design boin".into(),
        )),
        None => Ok(None),
        Some("3+3") if boin_flags => Err(Refusal(
            "--design 3+3 takes no --target, --cohort-size or --max-n".into(),
        )),
        Some("3+3") => Ok(Some(Design::ThreePlusThree(
            args.variant
                .as_deref()
                .map(Variant::parse)
                .transpose()?
                .unwrap_or_default(),
        ))),
        Some("boin") => {
            let target = args
                .target
                .as_deref()
                .ok_or_else(|| Refusal("--design boin needs --target, as in 0.3".into()))?;
            let boin = Boin::with(
                decimal("--target", target)?,
                None,
                None,
                args.cohort_size.unwrap_or(3),
                args.max_n,
                None,
                false,
            )?;
            Ok(Some(Design::Boin(boin)))
        }
        Some(other) => Err(Refusal(format!(
            "--design: {:?} is not a design; accepted: 3+3 or boin",
            celldose::text::Shown(other).to_string()
        ))),
    }
}

/// `celldose escalation`: the text or JSON of the decision.
pub fn run(args: &EscalationArgs, catalogue: Option<&Catalogue>) -> Result<String, Refusal> {
    if let Some(EscalationTable::Boundaries {
        design,
        target,
        cohort_size,
        max_n,
        output,
    }) = &args.table
    {
        return boundaries(design, target, *cohort_size, *max_n, output.format);
    }
    if args.output.format == Format::Fhir {
        return Err(crate::fhir::not_here("escalation"));
    }
    let flagged = design_from_flags(args)?;
    let assessment = match (&args.protocol, catalogue) {
        (Some(id), Some(catalogue)) => Assessment::of_protocol(
            catalogue,
            id,
            args.arm.as_deref(),
            flagged,
            args.final_selection,
        )?,
        (Some(_), None) => return Err(Refusal("the protocols could not be loaded".into())),
        (None, _) => {
            let design = flagged.ok_or_else(|| {
                Refusal(
                    "give --protocol ID (with --trial-state FILE), or --design, --levels and --outcomes"
                        .into(),
                )
            })?;
            let (Some(levels), Some(outcomes)) = (args.levels, args.outcomes.as_deref()) else {
                return Err(Refusal(
                    "without --protocol, give --levels N and --outcomes '1NNN 2NTN'".into(),
                ));
            };
            if !(1..=100).contains(&levels) {
                return Err(Refusal(format!("--levels: {levels} is not 1 to 100")));
            }
            Assessment::of_outcomes(design, levels, outcomes.parse()?, args.final_selection)?
        }
    };
    Ok(match args.output.format {
        Format::Json => assessment.json(),
        _ => assessment.text(),
    })
}

#[derive(Serialize)]
struct BoundariesJson {
    design: &'static str,
    target: String,
    cohort_size: u32,
    lambda_e: String,
    lambda_d: String,
    n: Vec<u32>,
    escalate_at_most: Vec<u32>,
    de_escalate_at_least: Vec<Option<u32>>,
    eliminate_at_least: Vec<Option<u32>>,
}

fn boundaries(
    design: &str,
    target: &str,
    cohort_size: u32,
    max_n: u32,
    format: Format,
) -> Result<String, Refusal> {
    if design != "boin" {
        return Err(Refusal(
            "escalation boundaries: only --design boin has a count table".into(),
        ));
    }
    let boin = Boin::with(
        decimal("--target", target)?,
        None,
        None,
        cohort_size,
        Some(max_n),
        None,
        false,
    )?;
    let rows: Vec<BoundaryRow> = boin.boundaries(max_n);
    let na = |v: Option<u32>| v.map_or_else(|| "NA".to_owned(), |v| v.to_string());
    Ok(match format {
        Format::Json => {
            let json = BoundariesJson {
                design: "boin",
                target: boin.target().to_string(),
                cohort_size,
                lambda_e: boin.lambda_e().to_string(),
                lambda_d: boin.lambda_d().to_string(),
                n: rows.iter().map(|r| r.n).collect(),
                escalate_at_most: rows.iter().map(|r| r.escalate_at_most).collect(),
                de_escalate_at_least: rows.iter().map(|r| r.de_escalate_at_least).collect(),
                eliminate_at_least: rows.iter().map(|r| r.eliminate_at_least).collect(),
            };
            let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Fhir => return Err(crate::fhir::not_here("escalation boundaries")),
        Format::Text => {
            let width = rows
                .iter()
                .map(|r| r.n.to_string().len())
                .max()
                .unwrap_or(2)
                .max(2);
            let line = |label: &str, cells: Vec<String>| {
                let cells: Vec<String> = cells.iter().map(|c| format!("{c:>width$}")).collect();
                format!("{label:<32}{}\n", cells.join(" "))
            };
            let mut out = format!(
                "BOIN, target DLT rate {} (φ1 {}, φ2 {}), cohorts of {cohort_size}: λe = {}, λd = {}\n",
                boin.target(),
                boin.phi1(),
                boin.phi2(),
                boin.lambda_e(),
                boin.lambda_d()
            );
            out.push_str(&line(
                "Number of patients treated",
                rows.iter().map(|r| r.n.to_string()).collect(),
            ));
            out.push_str(&line(
                "Escalate if # of DLT <=",
                rows.iter()
                    .map(|r| r.escalate_at_most.to_string())
                    .collect(),
            ));
            out.push_str(&line(
                "De-escalate if # of DLT >=",
                rows.iter().map(|r| na(r.de_escalate_at_least)).collect(),
            ));
            out.push_str(&line(
                "Eliminate if # of DLT >=",
                rows.iter().map(|r| na(r.eliminate_at_least)).collect(),
            ));
            out.push_str("NA: no count up to that number treated. Counts compared exactly; see docs/escalation.md.\n");
            out
        }
    })
}
