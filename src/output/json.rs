//! JSON (one array) and JSON Lines (one object per document) output. The schema is the
//! serde form of [`DocumentReport`].

use super::{Printer, Summary};
use crate::report::DocumentReport;
use std::io::{self, Write};

/// Prints reports as a JSON array or as JSON Lines.
pub struct JsonPrinter {
    lines: bool,
    count: usize,
}

impl JsonPrinter {
    /// A printer for one pretty JSON array.
    pub fn array() -> Self {
        JsonPrinter {
            lines: false,
            count: 0,
        }
    }

    /// A printer for JSON Lines.
    pub fn lines() -> Self {
        JsonPrinter {
            lines: true,
            count: 0,
        }
    }
}

impl Printer for JsonPrinter {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.lines {
            out.write_all(b"[")?;
        }
        Ok(())
    }

    fn document(&mut self, out: &mut dyn Write, report: &DocumentReport) -> io::Result<()> {
        if self.lines {
            serde_json::to_writer(&mut *out, report)?;
        } else {
            out.write_all(if self.count == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer_pretty(&mut *out, report)?;
        }
        self.count += 1;
        if self.lines {
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        if !self.lines {
            out.write_all(if self.count == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        Ok(())
    }
}
