//! What the earlier infusions of a split dose gave, read from an audit log: for each, the last
//! record of it, whatever that record says. A later record of an infusion is never hidden behind
//! an earlier one: if the last says the infusion was outside the protocol, under review or
//! refused, the log cannot say what was given, and the caller must.

use std::fs::File;
use std::path::Path;

use serde::Deserialize;

use super::key::AuditKey;
use super::verify::check_chain;
use super::{RECORD_MAX_BYTES, audit_error};
use crate::error::Result;

#[derive(Deserialize)]
struct Earlier {
    seq: u64,
    command: String,
    #[serde(default)]
    input: std::collections::BTreeMap<String, String>,
    result: EarlierResult,
}

#[derive(Deserialize)]
struct EarlierResult {
    patient: Option<String>,
    protocol: Option<String>,
    arm: Option<String>,
    verdict: Option<String>,
    actual_cells_exact: Option<String>,
    infusion: Option<EarlierInfusion>,
    /// A refused check (`check`, the page, the API).
    refused: Option<String>,
    /// A batch row in error.
    error: Option<String>,
}

#[derive(Deserialize)]
struct EarlierInfusion {
    infusion: u32,
}

/// The last record found of one earlier infusion.
struct Last {
    seq: u64,
    /// The counted cells where the record is a check within the protocol; otherwise what it says
    /// instead, in words.
    judged: core::result::Result<String, String>,
}

/// Which records are of the infusions asked about.
struct Search<'a> {
    patient: &'a str,
    protocol: &'a str,
    arm: Option<&'a str>,
    infusion: u32,
}

impl Search<'_> {
    /// The earlier infusion `record` is of, and what it says of it, where it is a check (or a
    /// batch row that is one) of this patient under this protocol and arm. A refused request is
    /// matched on its input as typed: it is of the infusion it named.
    fn of(&self, record: &Earlier) -> Option<(u32, Last)> {
        if record.command != "check" && record.command != "batch" {
            return None;
        }
        let r = &record.result;
        let earlier = |n: u32| (1..self.infusion).contains(&n);
        if let Some(reason) = r.refused.as_ref().or(r.error.as_ref()) {
            let input = |name: &str| record.input.get(name).map(|v| v.trim_matches(' '));
            let number = input("infusion")?.parse::<u32>().ok()?;
            let same = input("patient") == Some(self.patient)
                && input("protocol").is_some_and(|p| p.eq_ignore_ascii_case(self.protocol))
                && input("arm").is_none_or(|arm| Some(arm) == self.arm || self.arm.is_none());
            return (same && earlier(number)).then(|| {
                (
                    number,
                    Last {
                        seq: record.seq,
                        judged: Err(format!("was refused ({reason})")),
                    },
                )
            });
        }
        let number = r.infusion.as_ref()?.infusion;
        let cells = r.actual_cells_exact.as_ref()?;
        let same = r.patient.as_deref() == Some(self.patient)
            && r.protocol.as_deref() == Some(self.protocol)
            && r.arm.as_deref() == self.arm;
        if !same || !earlier(number) {
            return None;
        }
        let judged = match r.verdict.as_deref() {
            Some("within") => Ok(cells.clone()),
            Some("outside") => Err("is outside the protocol".to_owned()),
            Some("review") => Err("is under review, not acknowledged".to_owned()),
            Some(other) => Err(format!("has the verdict {}", crate::text::Shown(other))),
            None => Err("has no verdict".to_owned()),
        };
        Some((
            number,
            Last {
                seq: record.seq,
                judged,
            },
        ))
    }
}

/// The counted cells given in the earlier infusions of a split dose, read from an audit log: for
/// each infusion before `infusion`, the last record of a check of it (by `celldose check`, the
/// page, the API or a batch row) for this patient under this protocol and arm. That last record
/// must say the infusion was within the protocol: a later outside, unacknowledged or refused check
/// of the same infusion is never passed over for an earlier one that was within. The whole chain
/// is verified first (under `key`, every HMAC too): a log that does not hold cannot say what was
/// given.
///
/// Returns each earlier infusion's number, the sequence number of its record, and its count.
///
/// # Errors
/// A log that cannot be read or whose chain is broken; an earlier infusion with no record, or
/// whose last record is not within the protocol (the message names the record, and says to give
/// the count instead).
///
/// ```
/// use celldose::audit::{self, AuditLog};
/// let path = std::env::temp_dir().join(format!("celldose-given-doc-{}.jsonl", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let mut log = AuditLog::open(&path)?;
/// let check = |verdict: &str, cells: &str| serde_json::json!({"patient": "S-014", "protocol": "DEMO-SPLIT", "arm": "all",
///     "verdict": verdict, "actual_cells_exact": cells, "infusion": {"infusion": 1}});
/// log.append("check", &[], &check("within", "60000000"))?;
/// drop(log);
/// let earlier = audit::given_before(&path, "S-014", "DEMO-SPLIT", Some("all"), 2, None)?;
/// assert_eq!(earlier, vec![(1, 1, "60000000".parse()?)]);
/// assert!(audit::given_before(&path, "S-014", "DEMO-SPLIT", Some("all"), 3, None).unwrap_err().to_string().contains("no record of infusion 2"));
/// // Infusion 1 checked again, outside: the log no longer says what was given.
/// AuditLog::open(&path)?.append("check", &[], &check("outside", "90000000"))?;
/// let error = audit::given_before(&path, "S-014", "DEMO-SPLIT", Some("all"), 2, None).unwrap_err().to_string();
/// assert!(error.contains("the last record of infusion 1 (record 2) is outside the protocol"), "{error}");
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), celldose::Error>(())
/// ```
pub fn given_before(
    path: &Path,
    patient: &str,
    protocol: &str,
    arm: Option<&str>,
    infusion: u32,
    key: Option<&AuditKey>,
) -> Result<Vec<(u32, u64, crate::ExactCells)>> {
    let open = || {
        crate::named_file::check_regular(path).map_err(|reason| audit_error(path, reason))?;
        File::open(path).map_err(|e| audit_error(path, format!("cannot be read: {e}")))
    };
    check_chain(open()?, key).map_err(|e| {
        audit_error(
            path,
            format!("its chain does not hold, so it cannot say what was given: {e}"),
        )
    })?;
    let search = Search {
        patient,
        protocol,
        arm,
        infusion,
    };
    let mut last: std::collections::BTreeMap<u32, Last> = std::collections::BTreeMap::new();
    let mut lines = crate::lines::BoundedLines::new(
        std::io::BufReader::with_capacity(1 << 16, open()?),
        RECORD_MAX_BYTES,
    );
    let mut line = Vec::new();
    while lines
        .read(&mut line)
        .map_err(|e| audit_error(path, e))?
        .is_some()
    {
        let Ok(record) = serde_json::from_slice::<Earlier>(&line) else {
            continue;
        };
        if let Some((number, found)) = search.of(&record) {
            last.insert(number, found);
        }
    }
    let missing: Vec<String> = (1..infusion)
        .filter(|n| !last.contains_key(n))
        .map(|n| n.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(audit_error(
            path,
            format!(
                "it holds no record of infusion{} {} of patient {patient} under protocol {protocol} checked within the protocol; give what was given before as a count instead",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
            ),
        ));
    }
    let mut found = Vec::with_capacity(last.len());
    for (number, record) in last {
        match record.judged {
            Ok(cells) => found.push((number, record.seq, cells.parse()?)),
            Err(said) => {
                return Err(audit_error(
                    path,
                    format!(
                        "the last record of infusion {number} (record {}) {said}, so the log cannot say what was given in it; a later check of an infusion replaces an earlier one; give what was given before as a count instead",
                        record.seq
                    ),
                ));
            }
        }
    }
    Ok(found)
}
