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
        reader: csv::Reader<Box<dyn Read + Send>>,
        id: Option<usize>,
        text: usize,
        title: Option<usize>,
    },
    Jsonl {
        lines: std::io::Split<BufReader<Box<dyn Read + Send>>>,
        line: u64,
    },
    Failed(Option<RecordError>),
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
        let inner = match format {
            RecordFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(source);
                let header = reader
                    .byte_headers()
                    .map_err(|e| fail(format!("reading the header: {e}")))?
                    .clone();
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
                    reader,
                }
            }
            RecordFormat::Jsonl => Inner::Jsonl {
                lines: BufReader::new(source).split(b'\n'),
                line: 0,
            },
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
        match &mut self.inner {
            Inner::Failed(e) => e.take().map(Err),
            Inner::Csv {
                reader,
                id,
                text,
                title,
            } => {
                let mut record = csv::ByteRecord::new();
                let (id, text, title) = (*id, *text, *title);
                match reader.read_byte_record(&mut record) {
                    Ok(false) => None,
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        let message = format!("malformed CSV: {e}");
                        // A broken quote can swallow the rest of the file; an I/O error
                        // ends the stream. Either way, report and go on if possible.
                        if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                            self.inner = Inner::Failed(None);
                        }
                        Some(Err(RecordError {
                            source_name: self.name.clone(),
                            line,
                            message,
                        }))
                    }
                    Ok(true) => {
                        let line = record.position().map_or(0, |p| p.line());
                        let field = |i: Option<usize>| -> Result<Option<String>, RecordError> {
                            match i.and_then(|i| record.get(i)) {
                                None => Ok(None),
                                Some(b) => String::from_utf8(b.to_vec()).map(Some).map_err(|e| {
                                    RecordError {
                                        source_name: self.name.clone(),
                                        line,
                                        message: format!(
                                            "not valid UTF-8 at byte {} of a field",
                                            e.utf8_error().valid_up_to()
                                        ),
                                    }
                                }),
                            }
                        };
                        let result = (|| {
                            let body = field(Some(text))?.ok_or_else(|| RecordError {
                                source_name: self.name.clone(),
                                line,
                                message: format!("row has no {:?} field", self.fields.text),
                            })?;
                            self.document(line, field(id)?, field(title)?.as_deref(), &body)
                        })();
                        Some(result)
                    }
                }
            }
            Inner::Jsonl { lines, line } => loop {
                let raw = match lines.next()? {
                    Ok(raw) => raw,
                    Err(e) => {
                        let failed = RecordError {
                            source_name: self.name.clone(),
                            line: *line + 1,
                            message: e.to_string(),
                        };
                        self.inner = Inner::Failed(Some(failed));
                        return self.next();
                    }
                };
                *line += 1;
                let n = *line;
                if raw.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let err = |message: String| RecordError {
                    source_name: self.name.clone(),
                    line: n,
                    message,
                };
                let value: serde_json::Value = match serde_json::from_slice(&raw) {
                    Ok(v) => v,
                    Err(e) => return Some(Err(err(format!("malformed JSON: {e}")))),
                };
                let get = |key: &str| -> Option<String> {
                    match value.get(key)? {
                        serde_json::Value::String(s) => Some(s.clone()),
                        serde_json::Value::Null => None,
                        other => Some(other.to_string()),
                    }
                };
                let Some(text) = get(&self.fields.text) else {
                    return Some(Err(err(format!(
                        "object has no string field {:?}",
                        self.fields.text
                    ))));
                };
                let title = self.fields.title.as_deref().and_then(get);
                return Some(self.document(n, get(&self.fields.id), title.as_deref(), &text));
            },
        }
    }
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
