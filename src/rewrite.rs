//! Stage 7, rewrite (`fix`): inserts the missing warning after the headline and the missing
//! support insert at the end, leaving every other byte as it was, and writes the file
//! atomically (temp file in the same directory, fsync, permissions kept, rename) unless it
//! changed on disk since it was read.

use crate::input::Document;
use crate::report::DocumentReport;
use std::io::Write;
use std::path::Path;

/// The new text of `doc` with what `report` says is missing inserted, or `None` when
/// nothing is missing.
pub fn fixed_text(doc: &Document, report: &DocumentReport) -> Option<String> {
    let warning = report.missing.warning_text.as_deref();
    let support = report.missing.support_text.as_deref();
    if warning.is_none() && support.is_none() {
        return None;
    }
    let text = &doc.text;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len() + 512);
    let mut rest_from = 0;
    if let Some(w) = warning {
        let at = warning_position(doc);
        out.push_str(&text[..at]);
        if at == 0 {
            out.push_str(w);
            out.push_str(eol);
            out.push_str(eol);
        } else if text[..at].ends_with('\n') {
            out.push_str(eol);
            out.push_str(w);
            out.push_str(eol);
        } else {
            out.push_str(eol);
            out.push_str(eol);
            out.push_str(w);
            if at < text.len() {
                out.push_str(eol);
            }
        }
        rest_from = at;
    }
    out.push_str(&text[rest_from..]);
    if let Some(s) = support {
        if out.ends_with('\n') {
            out.push_str(eol);
            out.push_str(s);
            out.push_str(eol);
        } else {
            out.push_str(eol);
            out.push_str(eol);
            out.push_str(s);
        }
    }
    Some(out)
}

/// Byte offset just past the headline's line (its line ending included), or 0 when the
/// document has no headline.
fn warning_position(doc: &Document) -> usize {
    match &doc.layout.headline {
        Some(h) => match doc.text[h.end..].find('\n') {
            Some(nl) => h.end + nl + 1,
            None => doc.text.len(),
        },
        None => 0,
    }
}

/// Why a fix could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file changed between reading and writing.
    #[error("changed on disk while forewarn was working; not overwritten (run fix again)")]
    ChangedOnDisk,
    /// An I/O error.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Replaces `path` (whose content was `original`) with `new` atomically.
pub fn write_atomic(path: &Path, original: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let meta = std::fs::metadata(path)?;
    if meta.permissions().readonly() {
        return Err(
            std::io::Error::new(std::io::ErrorKind::PermissionDenied, "file is read-only").into(),
        );
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".forewarn-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(new)?;
    tmp.as_file().sync_all()?;
    std::fs::set_permissions(tmp.path(), meta.permissions())?;
    if std::fs::read(path)? != original {
        return Err(WriteError::ChangedOnDisk);
    }
    tmp.persist(path).map_err(|e| WriteError::Io(e.error))?;
    Ok(())
}

/// A unified diff from `old` to `new` labelled with `path`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("a/{}", path.trim_start_matches('/')),
            &format!("b/{}", path.trim_start_matches('/')),
        )
        .to_string()
}
