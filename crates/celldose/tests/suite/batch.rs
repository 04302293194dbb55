//! Batch: every row in gives one record out, in order, whatever the row holds.

use celldose::batch::{self, BatchFormat, Summary};
use celldose::human::Notation;
use proptest::prelude::*;

use crate::catalogue;

fn run(input: &[u8], format: BatchFormat) -> (celldose::Result<Summary>, String) {
    let mut out = Vec::new();
    let summary = batch::run(&catalogue(), input, &mut out, format, Notation::Ascii, None);
    (summary, String::from_utf8(out).unwrap())
}

/// A log mixing valid, outside and malformed rows: a row with too many fields, an empty line,
/// a non-UTF-8 byte, a quoted field broken over two lines (two rows, each with an unclosed
/// quote), and an unparsable number.
const MIXED: &[u8] = b"protocol,arm,level,dose,weight,age,cells,tolerance\n\
NCT07276568,alf,1,,72.5kg,,,\n\
NCT05727722,clf,1,,40kg,30,,\n\
\n\
NCT07276568,alf,1,,72.5,,,\n\
NCT07276568,alf,1,,72.5kg,,1.2e9,10%,extra\n\
NCT0\xff,alf,1,,72.5kg,,,\n\
\"NCT06167473\",\"low-dose\",,,\"70\nkg\",,,\n\
NCT06167473,low-dose,,,70kg,50,6.2e7,10%\n\
NCT01218464,msc,,0.75e6/kg,60kg,40,,\n";

#[test]
fn rows_in_equal_records_out_in_order_in_jsonl() {
    let (summary, out) = run(MIXED, BatchFormat::Jsonl);
    let summary = summary.unwrap();
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(records.len(), 10);
    assert_eq!(
        summary,
        Summary {
            rows: 10,
            within: 2,
            review: 0,
            outside: 2,
            no_dose: 0,
            errors: 6
        }
    );
    let rows: Vec<u64> = records.iter().map(|r| r["row"].as_u64().unwrap()).collect();
    assert_eq!(rows, (1..=10).collect::<Vec<_>>());
    let expect = [
        (1, None, Some("within")),
        (2, None, Some("outside")),
        (3, Some("the row is empty"), None),
        (4, Some("weight: body weight \"72.5\" has no unit"), None),
        (5, Some("the row has 9 fields where the header has 8"), None),
        (6, Some("column protocol is not valid UTF-8"), None),
        (
            7,
            Some("a quote in this row is not closed on its line"),
            None,
        ),
        (
            8,
            Some("a quote in this row is not closed on its line"),
            None,
        ),
        (9, None, Some("outside")),
        (10, None, Some("within")),
    ];
    for (row, error, verdict) in expect {
        let record = &records[row - 1];
        match error {
            Some(error) => assert!(
                record["error"].as_str().unwrap().starts_with(error),
                "row {row}: {record}"
            ),
            None => assert_eq!(record["verdict"].as_str(), verdict, "row {row}: {record}"),
        }
    }
    // Rows carry the same fields as the single commands: a check row has the check fields.
    assert_eq!(records[8]["actual_cells"], "62000000");
    assert_eq!(records[8]["deviation_percent"], "-11.43");
    assert_eq!(records[0]["cells"], "1160000000");
}

#[test]
fn rows_in_equal_records_out_in_csv() {
    let (summary, out) = run(MIXED, BatchFormat::Csv);
    assert_eq!(summary.unwrap().rows, 10);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        batch::CSV_HEADER
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 10);
    assert_eq!(records[0].get(5), Some("1160000000"));
    assert_eq!(records[2].get(14), Some("the row is empty"));
    assert_eq!(
        records[8].get(12),
        Some("infusion-count-not-stated;delivered-outside-tolerance")
    );
}

#[test]
fn an_input_that_cannot_be_read_is_an_error_and_writes_nothing() {
    for (input, message) in [
        (
            &b""[..],
            "the batch input cannot be read: it is empty; the first line must be a header naming the columns",
        ),
        (
            b"protocol,weight,colour\n",
            "the batch input cannot be read: header column \"colour\" is not known; accepted columns: protocol, arm, level, dose, weight, age, born, on, cells, tolerance, acknowledge, rounding, current_weight, product, bags, infusion, given, patient, given_dmso, scan, thawed_at, thaw_started_at, infusion_start",
        ),
        (
            b"protocol,arm\nNCT07276568,alf\n",
            "the batch input cannot be read: the header has no \"weight\" column, which every row needs; accepted columns: protocol, arm, level, dose, weight, age, born, on, cells, tolerance, acknowledge, rounding, current_weight, product, bags, infusion, given, patient, given_dmso, scan, thawed_at, thaw_started_at, infusion_start",
        ),
        (
            b"protocol,weight,weight\n",
            "the batch input cannot be read: header column \"weight\" appears twice",
        ),
    ] {
        let (summary, out) = run(input, BatchFormat::Jsonl);
        assert_eq!(summary.unwrap_err().to_string(), message);
        assert!(out.is_empty());
    }
}

proptest! {
    #[test]
    fn any_mixture_of_rows_gives_one_record_per_row(
        rows in prop::collection::vec(prop::sample::select(vec![
            "NCT07276568,alf,1,,72.5kg,,\n",
            "NCT05727722,clf,4,,41kg,64,\n",
            "NCT05727722,clf,4,,40kg,64,\n",
            "NCT06167473,low-dose,,,70kg,,7.1e7\n",
            "NCT06167473,low-dose,,,70kg,,7.1e7,extra\n",
            "\n",
            "bogus\n",
            ",,,,,,\n",
            "NCT01218464,msc,,,60kg,,\n",
            "\"NCT01218464\",\"msc\",,,\"6\n0kg\",,\n",
            "\"NCT01218464\",\"placebo\",,,\"60\n\nkg\",,\n",
            "NCT06167473,low-dose,,,70kg,,7.1e7\r\n",
            "\r\n",
            "NCT07276568,alf,1,,1e99kg,,\n",
        ]), 0..40),
    ) {
        let mut input = b"protocol,arm,level,dose,weight,age,cells\n".to_vec();
        for row in &rows {
            input.extend_from_slice(row.as_bytes());
        }
        // Every physical line is a row, an empty one or one half of a broken quote included;
        // none vanishes and none swallows another.
        let expected = rows.iter().map(|row| row.matches('\n').count()).sum::<usize>();
        let (summary, out) = run(&input, BatchFormat::Jsonl);
        let summary = summary.unwrap();
        prop_assert_eq!(summary.rows as usize, expected);
        prop_assert_eq!(out.lines().count(), expected);
        prop_assert_eq!(summary.within + summary.review + summary.outside + summary.no_dose + summary.errors, summary.rows);
        for (index, line) in out.lines().enumerate() {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            prop_assert_eq!(record["row"].as_u64(), Some(index as u64 + 1));
        }
    }
}

/// The example files a product row may name, and names that cannot be read as one.
fn product_rows() -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let two = format!("{root}/products/car-t-two-bags.toml");
    let one = format!("{root}/products/one-bag-total.toml");
    let protocol = format!("{root}/protocols/tolerance.toml");
    vec![
        format!("NCT06167473,low-dose,70kg,{two},,10%\n"),
        format!("NCT06167473,low-dose,70kg,{two},\"2,1\",10%\n"),
        format!("NCT06167473,low-dose,70kg,{two},\"2=10mL\",10%\n"),
        format!("NCT06167473,low-dose,70kg,{two},\"3\",10%\n"),
        format!("NCT06167473,low-dose,92kg,{one},,10%\n"),
        format!("NCT06167473,low-dose,92kg,{one},\"A=25mL\",10%\n"),
        format!("NCT06167473,low-dose,70kg,{protocol},,10%\n"),
        "NCT06167473,low-dose,70kg,/dev/zero,,10%\n".to_owned(),
        "NCT06167473,low-dose,70kg,no-such-product.toml,,10%\n".to_owned(),
        format!("NCT06167473,low-dose,70kg,{two}\n"),
        "\n".to_owned(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Rows naming product files, readable or not, give one record each, in order.
    #[test]
    fn rows_naming_product_files_give_one_record_each(
        picks in prop::collection::vec(0usize..11, 0..30),
    ) {
        let rows = product_rows();
        let mut input = b"protocol,arm,weight,product,bags,tolerance\n".to_vec();
        for pick in &picks {
            input.extend_from_slice(rows[*pick].as_bytes());
        }
        let (summary, out) = run(&input, BatchFormat::Jsonl);
        let summary = summary.unwrap();
        prop_assert_eq!(summary.rows as usize, picks.len());
        prop_assert_eq!(out.lines().count(), picks.len());
        for (index, (line, pick)) in out.lines().zip(&picks).enumerate() {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            prop_assert_eq!(record["row"].as_u64(), Some(index as u64 + 1));
            // The readable files with bags they have give a check; the rest an error.
            prop_assert_eq!(record.get("error").is_none(), [0, 1, 2, 4, 5].contains(pick), "{}", line);
        }
    }
}

/// Runs `input` on `workers` threads; the summary (or error) and the bytes written.
fn run_on(
    input: &[u8],
    format: BatchFormat,
    notation: Notation,
    workers: usize,
) -> (String, Vec<u8>) {
    let mut out = Vec::new();
    let summary = batch::run_with_workers(
        &catalogue(),
        input,
        &mut out,
        format,
        notation,
        None,
        workers,
    );
    (format!("{summary:?}"), out)
}

#[test]
fn a_parallel_run_writes_the_same_bytes_as_one_thread() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let product = format!("{root}/products/one-bag-total.toml");
    // Every kind of row, across every built-in protocol: doses, checks, a product, errors of
    // every sort, an empty line, a broken quote, a row past 64 KiB, control characters.
    let kinds: Vec<String> = vec![
        "NCT07276568,alf,1,,72.5kg,45,,,".into(),
        "NCT07276568,alf,,2e7/kg,160lb,45,1.2e9,10%,".into(),
        "NCT05727722,clf,3,,70kg,52,,,".into(),
        "NCT05727722,clf,1,,40kg,30,,,".into(),
        "NCT06167473,low-dose,,,92kg,60,,10%,".to_owned() + &product,
        "NCT06167473,low-dose,,,160lb,60,7.2e7,10%,".into(),
        "NCT01218464,msc,,0.75e6/kg,60kg,40,4.5e7,5%,".into(),
        "NCT01218464,msc,,,60kg,40,,,".into(),
        "NCT01218464,placebo,,,60kg,40,1e6,,".into(),
        "NCT05227846,,2,,70kg,50,,,".into(),
        "NCT05227846,,9,,70kg,50,,,".into(),
        "NCT07276568,alf,1,,72.5,45,,,".into(),
        "NCT07276568,alf,1,,72.5kg,45,1.2e9,%10,".into(),
        String::new(),
        "\"broken,alf,1,,72.5kg,45,,,".into(),
        "NCT07276568,alf,1,,72.5kg,45,,,,extra".into(),
        "NCT0\u{1b}[2J,alf,1,,72.5kg,45,,,".into(),
        format!("NCT07276568,alf,1,,{},45,,,", "7".repeat(70_000)),
    ];
    let mut log = b"protocol,arm,level,dose,weight,age,cells,tolerance,product\n".to_vec();
    for i in 0..1_500 {
        log.extend_from_slice(kinds[(i * 7) % kinds.len()].as_bytes());
        log.push(b'\n');
    }
    let fhir = BatchFormat::Fhir("2026-11-30T08:15:00Z".parse().unwrap());
    for format in [BatchFormat::Jsonl, BatchFormat::Csv, fhir] {
        for notation in [Notation::Unicode, Notation::Ascii] {
            let one = run_on(&log, format, notation, 1);
            let lines = log.iter().filter(|b| **b == b'\n').count() - 1;
            assert!(
                one.0.contains(&format!("rows: {lines},")),
                "{lines}: {}",
                one.0
            );
            for workers in [2, 8] {
                let many = run_on(&log, format, notation, workers);
                assert_eq!(many.0, one.0, "{workers} workers, {format:?}, {notation:?}");
                assert!(
                    many.1 == one.1,
                    "{workers} workers, {format:?}, {notation:?}: the output differs"
                );
            }
        }
    }
    // Binary data stops a run the same way on any number of threads, after the same records.
    let mut binary = log.clone();
    binary.extend_from_slice(&vec![0u8; 70_000]);
    binary.extend_from_slice(b"\nNCT07276568,alf,1,,72.5kg,45,,,\n");
    let one = run_on(&binary, BatchFormat::Jsonl, Notation::Unicode, 1);
    let two = run_on(&binary, BatchFormat::Jsonl, Notation::Unicode, 2);
    assert!(one.0.starts_with("Err("), "{}", one.0);
    assert_eq!(one.0, two.0);
    assert!(one.1 == two.1, "the records before binary data differ");
    assert_eq!(String::from_utf8_lossy(&one.1).lines().count(), 1_500);
}

/// Every column a row may hold with the built-in protocols reaches the result: a column read but
/// dropped on the way to the request would leave its field empty in the record.
#[test]
fn every_column_of_a_row_reaches_its_record() {
    let log = b"protocol,arm,level,dose,weight,age,born,on,cells,tolerance,acknowledge,rounding,current_weight,patient\n\
NCT05227846,,2,,70kg,,1960-12-01,2026-11-29,,,,half-even,71kg,P-001\n\
NCT01218464,msc,,0.75e6/kg,60kg,40,,,4.5e7,5%,approved by the investigator,down,,P-002\n";
    let (summary, out) = run(log, BatchFormat::Jsonl);
    assert_eq!(summary.unwrap().errors, 0, "{out}");
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let field = |row: usize, name: &str| records[row][name].as_str().map(str::to_owned);
    let expected = [
        (0, "born", "1960-12-01"),
        (0, "age_on", "2026-11-29"),
        (0, "age_years", "65"),
        (0, "rounding", "half-even"),
        (0, "current_weight_kg", "71"),
        (0, "patient", "P-001"),
        (0, "level", "2"),
        (1, "arm", "msc"),
        (1, "dose", "750000/kg"),
        (1, "age_years", "40"),
        (1, "actual_cells", "45000000"),
        (1, "tolerance_percent", "5"),
        (1, "acknowledgement", "approved by the investigator"),
        (1, "rounding", "down"),
        (1, "patient", "P-002"),
    ];
    for (row, name, value) in expected {
        let got = match &records[row][name] {
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => field(row, name),
        };
        assert_eq!(got.as_deref(), Some(value), "row {row}, {name}");
    }
}

/// The columns that need a split dose, a product or a thaw clock reach their records too: each
/// row is run with the column and without it, and the field it sets differs. (Product paths are
/// relative to the directory the run is in: the crate's, under `cargo test`.)
#[test]
fn the_split_product_and_thaw_columns_reach_their_records() {
    let protocol = |name: &str| {
        let path = format!("{}/examples/protocols/{name}", env!("CARGO_MANIFEST_DIR"));
        celldose::Protocol::from_toml(name, &std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let mut catalogue = catalogue();
    for name in ["split-dose.toml", "same-day-split.toml", "car-t-thaw.toml"] {
        catalogue.add(protocol(name)).unwrap();
    }
    let records = |log: &str| -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        let summary = batch::run_with_workers(
            &catalogue,
            log.as_bytes(),
            &mut out,
            BatchFormat::Jsonl,
            Notation::Ascii,
            None,
            1,
        )
        .unwrap();
        assert_eq!(summary.errors, 0, "{}", String::from_utf8_lossy(&out));
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    };
    let codes = |record: &serde_json::Value| -> Vec<String> {
        record["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect()
    };

    // infusion and given: this infusion of a split dose, and what the earlier ones gave.
    let split = records(
        "protocol,weight,cells,infusion,given\nDEMO-SPLIT,70kg,2.1e8,2,7e7\nDEMO-SPLIT,70kg,2.1e8,2,\n",
    );
    assert_eq!(split[0]["infusion"]["infusion"], 2);
    assert_eq!(split[0]["infusion"]["given_before_cells_exact"], "70000000");
    assert_eq!(
        split[1]["infusion"]["given_before_cells_exact"],
        serde_json::Value::Null
    );

    // given_dmso: the DMSO given earlier the same day; without it, a finding asks for it.
    let dmso = records(
        "protocol,weight,product,infusion,given_dmso\n\
         DEMO-SAME-DAY,70kg,examples/products/one-bag-total.toml,2,5mL\n\
         DEMO-SAME-DAY,70kg,examples/products/one-bag-total.toml,2,\n",
    );
    assert!(!codes(&dmso[0]).contains(&"dmso-given-today-not-stated".to_owned()));
    assert!(codes(&dmso[1]).contains(&"dmso-given-today-not-stated".to_owned()));

    // scan, thawed_at, thaw_started_at, infusion_start, patient: the product's custody.
    let row = |started: &str| {
        format!(
            "DEMO-CART-THAW,100kg,examples/products/car-t-autologous.toml,S-021,=W12342600091200;=<S1234V01;=<S1234V02,2026-12-05T14:30:00+01:00,{started},2026-12-05T14:50:00+01:00\n"
        )
    };
    let thaw = records(&format!(
        "protocol,weight,product,patient,scan,thawed_at,thaw_started_at,infusion_start\n{}{}",
        row("2026-12-05T14:10:00+01:00"),
        row("")
    ));
    let custody = &thaw[0]["custody"];
    assert_eq!(custody["thaw_started_at"], "2026-12-05T14:10:00+01:00");
    assert_eq!(custody["thawed_at"], "2026-12-05T14:30:00+01:00");
    assert_eq!(custody["infusion_start"], "2026-12-05T14:50:00+01:00");
    assert_eq!(custody["minutes_since_thaw"], 20);
    assert_eq!(custody["patient"], "S-021");
    assert_eq!(custody["scans"].as_array().unwrap().len(), 3);
    assert_eq!(
        thaw[1]["custody"]["thaw_started_at"],
        serde_json::Value::Null
    );
}
