//! Batch files: one document per CSV row or JSON Lines object, read as a stream so memory
//! does not grow with the number of records. A malformed record is an error of its own;
//! the records after it are still read.

use super::{Document, InputFormat};
use std::io::{BufRead, BufReader, Read};

/// The layout of a batch file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl RecordFormat {
    /// The format implied by a file name (`.csv`, `.jsonl`, `.ndjson`), if any.
    pub fn from_name(name: &str) -> Option<RecordFormat> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(RecordFormat::Csv)
        } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(RecordFormat::Jsonl)
        } else {
            None
        }
    }
}

/// Which columns or fields hold the id, the text and the title.
#[derive(Debug, Clone)]
pub struct RecordFields {
    /// Id column/field.
    pub id: String,
    /// Text column/field.
    pub text: String,
    /// Optional title column/field: becomes the headline.
    pub title: Option<String>,
}

/// A record that could not be turned into a document.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct RecordError {
    /// The batch file.
    pub source_name: String,
    /// 1-based line of the record in the batch file.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// Streams documents out of a batch file.
pub struct RecordReader {
    name: String,
    fields: RecordFields,
    max_bytes: u64,
    inner: Inner,
}

enum Inner {
    Csv {
        records: RawRecords,
        id: Option<usize>,
        text: usize,
        title: Option<usize>,
    },
    Jsonl {
        lines: RawRecords,
    },
    Failed(Option<RecordError>),
}

/// How much larger than `--max-bytes` a raw record may be (quotes, escapes, the other
/// columns or fields) before it is rejected unread.
const RECORD_OVERHEAD: u64 = 64 * 1024;

/// One raw record of a batch file, or why it was skipped.
enum Raw {
    /// The record's bytes (without its line ending) and its first line.
    Record(Vec<u8>, u64),
    /// The record ran past the limit: its first line; the rest was skipped unread.
    TooLarge(u64),
}

/// Splits a batch file into raw records without holding more than a limit of any one: a
/// record ends at a line break (outside double quotes, for CSV). A record over the limit
/// is skipped to its end without being kept, so a huge line or field costs no memory.
struct RawRecords {
    input: BufReader<Box<dyn Read + Send>>,
    /// CSV: quotes may hold line breaks.
    quoted: bool,
    limit: u64,
    /// Line number where the next record starts.
    line: u64,
}

impl RawRecords {
    fn next_raw(&mut self) -> std::io::Result<Option<Raw>> {
        let start_line = self.line;
        let mut record = Vec::new();
        let mut too_large = false;
        let mut in_quotes = false;
        let mut any = false;
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            any = true;
            let mut end = None;
            for (i, &b) in buf.iter().enumerate() {
                match b {
                    b'"' if self.quoted => in_quotes = !in_quotes,
                    b'\n' => {
                        self.line += 1;
                        if !in_quotes {
                            end = Some(i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let take = end.unwrap_or(buf.len());
            if !too_large {
                if (record.len() + take) as u64 > self.limit {
                    too_large = true;
                    record = Vec::new();
                } else {
                    record.extend_from_slice(&buf[..take]);
                }
            }
            let consumed = end.map_or(take, |e| e + 1);
            self.input.consume(consumed);
            if end.is_some() {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        if record.last() == Some(&b'\r') {
            record.pop();
        }
        Ok(Some(if too_large {
            Raw::TooLarge(start_line)
        } else {
            Raw::Record(record, start_line)
        }))
    }
}

impl RecordReader {
    /// Opens a batch file (`-` for stdin).
    pub fn open(
        name: &str,
        format: RecordFormat,
        fields: RecordFields,
        max_bytes: u64,
    ) -> Result<RecordReader, RecordError> {
        let fail = |message: String| RecordError {
            source_name: name.to_string(),
            line: 1,
            message,
        };
        let source: Box<dyn Read + Send> = if name == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(name).map_err(|e| fail(e.to_string()))?)
        };
        let limit = max_bytes.saturating_add(RECORD_OVERHEAD);
        let mut records = RawRecords {
            input: BufReader::new(source),
            quoted: format == RecordFormat::Csv,
            limit,
            line: 1,
        };
        let inner = match format {
            RecordFormat::Csv => {
                let header = match records.next_raw().map_err(|e| fail(e.to_string()))? {
                    Some(Raw::Record(bytes, _)) => parse_csv_row(&bytes)
                        .map_err(|e| fail(format!("reading the header: {e}")))?,
                    Some(Raw::TooLarge(_)) => {
                        return Err(fail("the header row is too large".into()));
                    }
                    None => return Err(fail("reading the header: the file is empty".into())),
                };
                let find = |col: &str| header.iter().position(|h| h == col.as_bytes());
                let text = find(&fields.text)
                    .ok_or_else(|| fail(format!("no column {:?} in the header", fields.text)))?;
                let title = match &fields.title {
                    Some(t) => Some(
                        find(t).ok_or_else(|| fail(format!("no column {t:?} in the header")))?,
                    ),
                    None => None,
                };
                Inner::Csv {
                    id: find(&fields.id),
                    text,
                    title,
                    records,
                }
            }
            RecordFormat::Jsonl => Inner::Jsonl { lines: records },
        };
        Ok(RecordReader {
            name: name.to_string(),
            fields,
            max_bytes,
            inner,
        })
    }

    fn document(
        &self,
        line: u64,
        id: Option<String>,
        title: Option<&str>,
        text: &str,
    ) -> Result<Document, RecordError> {
        let err = |message: String| RecordError {
            source_name: self.name.clone(),
            line,
            message,
        };
        if (text.len() + title.map_or(0, str::len)) as u64 > self.max_bytes {
            return Err(err(format!(
                "record is larger than the {}-byte limit",
                self.max_bytes
            )));
        }
        let full = match title {
            Some(t) if !t.trim().is_empty() => format!("{}\n\n{text}", t.trim()),
            _ => text.to_string(),
        };
        let mut doc = Document::from_bytes(&self.name, full.into_bytes(), InputFormat::Text)
            .map_err(|e| err(e.to_string()))?;
        doc.id = Some(id.unwrap_or_else(|| format!("line {line}")));
        Ok(doc)
    }
}

impl Iterator for RecordReader {
    type Item = Result<Document, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        let got = match &mut self.inner {
            Inner::Failed(e) => return e.take().map(Err),
            Inner::Csv { records, .. } | Inner::Jsonl { lines: records } => records.next_raw(),
        };
        let (bytes, line) = match self.raw(got)? {
            Ok(raw) => raw,
            Err(e) => return Some(Err(e)),
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return self.next();
        }
        Some(match &self.inner {
            Inner::Csv {
                id, text, title, ..
            } => self.csv_document(&bytes, line, *id, *text, *title),
            Inner::Jsonl { .. } => self.json_document(&bytes, line),
            Inner::Failed(_) => unreachable!("a failed reader returned above"),
        })
    }
}

impl RecordReader {
    /// The document of one CSV record.
    fn csv_document(
        &self,
        bytes: &[u8],
        line: u64,
        id: Option<usize>,
        text: usize,
        title: Option<usize>,
    ) -> Result<Document, RecordError> {
        let record =
            parse_csv_row(bytes).map_err(|e| self.error(line, format!("malformed CSV: {e}")))?;
        let field = |i: Option<usize>| -> Result<Option<String>, RecordError> {
            match i.and_then(|i| record.get(i)) {
                None => Ok(None),
                Some(b) => String::from_utf8(b.to_vec()).map(Some).map_err(|e| {
                    self.error(
                        line,
                        format!(
                            "not valid UTF-8 at byte {} of a field",
                            e.utf8_error().valid_up_to()
                        ),
                    )
                }),
            }
        };
        let body = field(Some(text))?
            .ok_or_else(|| self.error(line, format!("row has no {:?} field", self.fields.text)))?;
        self.document(line, field(id)?, field(title)?.as_deref(), &body)
    }

    /// The document of one JSON Lines object.
    fn json_document(&self, raw: &[u8], n: u64) -> Result<Document, RecordError> {
        let err = |message: String| self.error(n, message);
        let value: serde_json::Value =
            serde_json::from_slice(raw).map_err(|e| err(format!("malformed JSON: {e}")))?;
        let get = |key: &str| -> Option<String> {
            match value.get(key)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Null => None,
                other => Some(other.to_string()),
            }
        };
        let text = get(&self.fields.text)
            .ok_or_else(|| err(format!("object has no string field {:?}", self.fields.text)))?;
        let title = self.fields.title.as_deref().and_then(get);
        self.document(n, get(&self.fields.id), title.as_deref(), &text)
    }

    /// A record error at `line`.
    fn error(&self, line: u64, message: String) -> RecordError {
        RecordError {
            source_name: self.name.clone(),
            line,
            message,
        }
    }

    /// Turns what the raw reader gave into the record's bytes and line, or an error to
    /// report for this record (`Some(Err)`), or the end (`None`). An I/O error ends the
    /// stream after it is reported.
    fn raw(
        &mut self,
        got: std::io::Result<Option<Raw>>,
    ) -> Option<Result<(Vec<u8>, u64), RecordError>> {
        match got {
            Ok(None) => None,
            Ok(Some(Raw::Record(bytes, line))) => Some(Ok((bytes, line))),
            Ok(Some(Raw::TooLarge(line))) => Some(Err(self.error(
                line,
                format!(
                    "record is larger than the {}-byte limit; skipped unread (raise it with --max-bytes)",
                    self.max_bytes
                ),
            ))),
            Err(e) => {
                let failed = self.error(0, e.to_string());
                self.inner = Inner::Failed(None);
                Some(Err(failed))
            }
        }
    }
}

/// Parses one CSV record (quotes and doubled quotes as in RFC 4180).
fn parse_csv_row(bytes: &[u8]) -> Result<csv::ByteRecord, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    reader.read_byte_record(&mut record)?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> RecordFields {
        RecordFields {
            id: "id".into(),
            text: "text".into(),
            title: Some("title".into()),
        }
    }

    fn read(format: RecordFormat, content: &[u8]) -> Vec<Result<Document, RecordError>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in");
        std::fs::write(&path, content).unwrap();
        RecordReader::open(path.to_str().unwrap(), format, fields(), 1 << 20)
            .unwrap()
            .collect()
    }

    #[test]
    fn csv_rows_become_documents_and_bad_rows_errors() {
        let out = read(
            RecordFormat::Csv,
            b"id,title,text\na1,Head,Body one\na2,,\"Body, two\"\na3,T,\xff bad\na4,T,ok\n",
        );
        assert_eq!(out.len(), 4);
        let d = out[0].as_ref().unwrap();
        assert_eq!(d.id.as_deref(), Some("a1"));
        assert_eq!(d.text, "Head\n\nBody one");
        assert_eq!(out[1].as_ref().unwrap().text, "Body, two");
        assert_eq!(out[2].as_ref().unwrap_err().line, 4);
        assert_eq!(out[3].as_ref().unwrap().id.as_deref(), Some("a4"));
    }

    #[test]
    fn jsonl_objects_become_documents_and_bad_lines_errors() {
        let out = read(RecordFormat::Jsonl, b"{\"id\":1,\"text\":\"one\"}\n{broken\n\n{\"id\":\"x\",\"title\":\"T\",\"text\":\"two\"}\n{\"id\":2}\n");
        assert_eq!(out.len(), 4);
        assert_eq!(out[0].as_ref().unwrap().id.as_deref(), Some("1"));
        assert_eq!(out[1].as_ref().unwrap_err().line, 2);
        assert_eq!(out[2].as_ref().unwrap().text, "T\n\ntwo");
        assert!(out[3].as_ref().unwrap_err().message.contains("\"text\""));
    }
}
