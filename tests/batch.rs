//! Batch runs: CSV and JSON Lines in and out keep ids and order over a large generated
//! input with malformed records in it, which are reported while the rest is processed.

mod common;
use common::forewarn;

use forewarn::report::DocumentReport;
use std::fmt::Write as _;

const RECORDS: usize = 10_000;

/// Article text for record `i`: every seventh is about a stillbirth.
fn body(i: usize) -> String {
    if i.is_multiple_of(7) {
        format!(
            "Record {i}. Their daughter was stillborn at 39 weeks. After the stillbirth they lost the baby's room too."
        )
    } else {
        format!("Record {i}. The council met to discuss bike lanes and parking.")
    }
}

fn is_bad(i: usize) -> bool {
    i % 2500 == 1234
}

#[test]
fn csv_in_csv_out_keeps_ids_and_order_and_reports_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("articles.csv");
    let mut csv = Vec::new();
    csv.extend_from_slice(b"id,headline,body\n");
    for i in 0..RECORDS {
        if is_bad(i) {
            // Invalid UTF-8 in the text field.
            csv.extend_from_slice(format!("a{i},Bad,broken ").as_bytes());
            csv.extend_from_slice(b"\xff bytes\n");
        } else {
            csv.extend_from_slice(format!("a{i},Headline {i},\"{}\"\n", body(i)).as_bytes());
        }
    }
    std::fs::write(&input, csv).unwrap();
    let output = dir.path().join("out.csv");
    let out = forewarn()
        .args(["scan", "--input"])
        .arg(&input)
        .args([
            "--text-column",
            "body",
            "--title-column",
            "headline",
            "--format",
            "csv",
            "--region",
            "UK",
            "-o",
        ])
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "some records failed");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let bad: Vec<usize> = (0..RECORDS).filter(|&i| is_bad(i)).collect();
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("not valid UTF-8"))
            .count(),
        bad.len(),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("articles.csv:{}:", bad[0] + 2)),
        "error names the line: {stderr}"
    );
    let mut rows = csv::Reader::from_path(&output).unwrap();
    let got: Vec<(String, String)> = rows
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[1].to_string(), r[2].to_string()))
        .collect();
    let want: Vec<String> = (0..RECORDS)
        .filter(|&i| !is_bad(i))
        .map(|i| format!("a{i}"))
        .collect();
    assert_eq!(
        got.iter().map(|g| g.0.clone()).collect::<Vec<_>>(),
        want,
        "ids in input order"
    );
    for (id, warn) in &got {
        let i: usize = id[1..].parse().unwrap();
        assert_eq!(
            warn == "pregnancy-loss",
            i.is_multiple_of(7),
            "{id}: {warn}"
        );
    }
}

#[test]
fn jsonl_in_jsonl_out_keeps_ids_and_order_and_reports_bad_lines() {
    let mut input = String::new();
    for i in 0..RECORDS {
        if is_bad(i) {
            writeln!(input, "{{\"id\": \"b{i}\", \"text\": unquoted}}").unwrap();
        } else {
            writeln!(
                input,
                "{}",
                serde_json::json!({"id": format!("b{i}"), "text": body(i)})
            )
            .unwrap();
        }
    }
    let out = forewarn()
        .args([
            "scan",
            "--input",
            "-",
            "--input-format",
            "jsonl",
            "--format",
            "jsonl",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("malformed JSON"))
            .count(),
        (0..RECORDS).filter(|&i| is_bad(i)).count()
    );
    let reports: Vec<DocumentReport> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<String> = reports.iter().map(|r| r.id.clone().unwrap()).collect();
    let want: Vec<String> = (0..RECORDS)
        .filter(|&i| !is_bad(i))
        .map(|i| format!("b{i}"))
        .collect();
    assert_eq!(ids, want);
    assert!(reports.iter().all(|r| r.path == "-"));
}

#[test]
fn a_batch_file_with_no_readable_record_is_an_error() {
    forewarn()
        .args(["scan", "--input", "-", "--input-format", "jsonl"])
        .write_stdin("not json\n")
        .assert()
        .code(2);
    forewarn()
        .args(["scan", "--input", "missing.csv"])
        .assert()
        .code(2);
}
