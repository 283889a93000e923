//! CSV output: one row per document, for spreadsheets and batch pipelines. A cell that a
//! spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, tab or CR) gets a
//! leading `'`, as OWASP recommends against CSV injection: a file name or record id is
//! chosen by whoever wrote the document.

use super::{Printer, Summary};
use crate::report::DocumentReport;
use std::io::{self, Write};

/// The header of the CSV output.
pub const HEADER: [&str; 10] = [
    "path",
    "id",
    "warn",
    "mention",
    "warning",
    "support_organisations",
    "support_phones",
    "has_warning",
    "has_support",
    "missing",
];

/// Prints one CSV row per document.
#[derive(Default)]
pub struct CsvPrinter;

/// `cell` as a spreadsheet shows it: with a leading `'` when it would start a formula.
pub fn neutralised(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn write_row(out: &mut dyn Write, fields: &[&str]) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(fields.iter().map(|f| neutralised(f).into_owned()))
        .map_err(io::Error::other)?;
    out.write_all(
        &w.into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?,
    )
}

impl Printer for CsvPrinter {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        write_row(out, &HEADER)
    }

    fn document(&mut self, out: &mut dyn Write, r: &DocumentReport) -> io::Result<()> {
        let orgs: Vec<&str> = r.support.iter().map(|s| s.organisation.as_str()).collect();
        let phones: Vec<&str> = r.support.iter().map(|s| s.phone.as_str()).collect();
        let missing: Vec<String> = r
            .missing
            .warning
            .iter()
            .map(|t| format!("warning:{t}"))
            .chain(r.missing.support.iter().map(|t| format!("support:{t}")))
            .collect();
        write_row(
            out,
            &[
                &r.path,
                r.id.as_deref().unwrap_or(""),
                &r.warn_ids().join(";"),
                &r.mention_ids().join(";"),
                r.warning.as_deref().unwrap_or(""),
                &orgs.join(";"),
                &phones.join(";"),
                if r.has_warning { "true" } else { "false" },
                if r.has_support { "true" } else { "false" },
                &missing.join(";"),
            ],
        )
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for (cell, shown) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+61 1300 072 637", "'+61 1300 072 637"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("story.txt", "story.txt"),
        ] {
            assert_eq!(neutralised(cell), shown);
        }
    }
}
