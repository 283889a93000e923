//! CSV output: one row per document, for spreadsheets and batch pipelines.

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

fn write_row(out: &mut dyn Write, fields: &[&str]) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(fields).map_err(io::Error::other)?;
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
