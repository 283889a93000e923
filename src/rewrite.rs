//! Stage 7, rewrite (`fix`): inserts the missing warning after the headline and the missing
//! support insert at the end, leaving every other byte as it was, and writes the file
//! atomically (temp file in the same directory, fsync, permissions kept, rename) unless it
//! changed on disk since it was read.

use crate::input::{
    Document, InputFormat, MARKDOWN_SUPPORT_MARKER, MARKDOWN_WARNING_MARKER, OwnBlockKind,
};
use crate::report::DocumentReport;
use std::io::Write;
use std::path::Path;

/// Opening of the warning paragraph forewarn inserts in HTML.
const HTML_WARNING_OPEN: &str = "<p class=\"content-warning\">";
/// Opening of the support paragraph forewarn inserts in HTML.
const HTML_SUPPORT_OPEN: &str = "<p class=\"support-line\">";

/// One change to make: replace `range` of the original with `text`.
struct Edit {
    range: std::ops::Range<usize>,
    text: String,
}

/// The new text of `doc` with what `report` says is missing inserted (or, where forewarn
/// inserted a marked block before, replaced), or `None` when nothing is missing. Every
/// other byte is kept; line endings follow the document's own.
pub fn fixed_text(doc: &Document, report: &DocumentReport) -> Option<String> {
    let warning_missing = !report.missing.warning.is_empty();
    let support_missing = !report.missing.support.is_empty();
    if !warning_missing && !support_missing {
        return None;
    }
    let text = &doc.text;
    let eol = line_ending(text);
    let s = &doc.structure;
    let mut edits = Vec::new();
    if warning_missing {
        let all = report.warning.as_deref().unwrap_or_default();
        let only_missing = report.missing.warning_text.as_deref().unwrap_or(all);
        edits.push(match doc.format {
            InputFormat::Text if !has_blank_line(text) => {
                insert_line(text, s.warning_at, only_missing, eol)
            }
            InputFormat::Text => insert_block(text, s.warning_at, only_missing, eol),
            InputFormat::Markdown => replace_own_block(doc, OwnBlockKind::Warning, all)
                .unwrap_or_else(|| {
                    insert_block(
                        text,
                        s.warning_at,
                        &format!("{MARKDOWN_WARNING_MARKER}{eol}{only_missing}"),
                        eol,
                    )
                }),
            InputFormat::Html => replace_own_block(doc, OwnBlockKind::Warning, &escape_html(all))
                .unwrap_or_else(|| Edit {
                    range: s.warning_at..s.warning_at,
                    text: format!("{eol}{HTML_WARNING_OPEN}{}</p>", escape_html(only_missing)),
                }),
        });
    }
    if support_missing {
        let all = report.support_text.as_deref().unwrap_or_default();
        let only_missing = report.missing.support_text.as_deref().unwrap_or(all);
        edits.push(match doc.format {
            InputFormat::Text if !has_blank_line(text) => {
                append_line(text, s.support_at, only_missing, eol)
            }
            InputFormat::Text => append_block(text, s.support_at, only_missing, eol),
            InputFormat::Markdown => replace_own_block(doc, OwnBlockKind::Support, all)
                .unwrap_or_else(|| {
                    append_block(
                        text,
                        s.support_at,
                        &format!("{MARKDOWN_SUPPORT_MARKER}{eol}{only_missing}"),
                        eol,
                    )
                }),
            InputFormat::Html => replace_own_block(doc, OwnBlockKind::Support, &escape_html(all))
                .unwrap_or_else(|| Edit {
                    range: s.support_at..s.support_at,
                    text: format!("{HTML_SUPPORT_OPEN}{}</p>{eol}", escape_html(only_missing)),
                }),
        });
    }
    edits.sort_by_key(|e| e.range.start);
    let mut out = String::with_capacity(text.len() + 512);
    let mut at = 0;
    for e in edits {
        if e.range.start < at {
            continue; // overlapping edits cannot happen; never corrupt the text if they do
        }
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    (out != *text).then_some(out)
}

/// The document's own line ending: CRLF, a lone CR (old Mac files) or LF.
fn line_ending(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else if text.contains('\r') && !text.contains('\n') {
        "\r"
    } else {
        "\n"
    }
}

/// True when some line of `text` is blank. A text without blank lines uses single lines
/// as paragraphs, and its inserts must be single lines too, or they would merge its
/// paragraphs and change the verdict the fix was made for.
fn has_blank_line(text: &str) -> bool {
    crate::input::text::line_ranges(text, 0)
        .iter()
        .any(|r| text[r.clone()].trim().is_empty())
}

/// Inserts `line` as a line of its own at `at` (a line start, or the end of the text).
fn insert_line(text: &str, at: usize, line: &str, eol: &str) -> Edit {
    let before_ends_line = at == 0 || text[..at].ends_with(['\n', '\r']);
    let mut s = String::new();
    if !before_ends_line {
        s.push_str(eol);
    }
    s.push_str(line);
    if at < text.len() || before_ends_line {
        s.push_str(eol);
    }
    Edit {
        range: at..at,
        text: s,
    }
}

/// Appends `line` as the last line (at `at`, normally the end of the text).
fn append_line(text: &str, at: usize, line: &str, eol: &str) -> Edit {
    let s = if text[..at].ends_with(['\n', '\r']) {
        format!("{line}{eol}")
    } else {
        format!("{eol}{line}")
    };
    Edit {
        range: at..at,
        text: s,
    }
}

/// Inserts `block` as its own paragraph at `at` (a line start, or the end of the text).
fn insert_block(text: &str, at: usize, block: &str, eol: &str) -> Edit {
    let before_ends_line = at == 0 || text[..at].ends_with(['\n', '\r']);
    let after = &text[at..];
    let mut s = String::new();
    if at > 0 {
        s.push_str(eol);
        if !before_ends_line {
            s.push_str(eol);
        }
    }
    s.push_str(block);
    if at == 0 {
        s.push_str(eol);
        s.push_str(eol);
    } else if !after.is_empty() {
        s.push_str(eol);
        if !(after.starts_with('\n') || after.starts_with('\r')) {
            s.push_str(eol);
        }
    }
    Edit {
        range: at..at,
        text: s,
    }
}

/// Appends `block` as the last paragraph (at `at`, normally the end of the text).
fn append_block(text: &str, at: usize, block: &str, eol: &str) -> Edit {
    let s = if text[..at].ends_with('\n') {
        format!("{eol}{block}{eol}")
    } else {
        format!("{eol}{eol}{block}")
    };
    Edit {
        range: at..at,
        text: s,
    }
}

/// Replaces the content of the first block forewarn inserted before of `kind` (found by
/// the input reader where readers see it, never in code, comments or attributes) with
/// `content`, already escaped for the document's format.
fn replace_own_block(doc: &Document, kind: OwnBlockKind, content: &str) -> Option<Edit> {
    let block = doc.structure.own_blocks.iter().find(|b| b.kind == kind)?;
    Some(Edit {
        range: block.content.clone(),
        text: content.to_string(),
    })
}

/// Escapes text for HTML content.
fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
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

/// Replaces `path` (whose content was `original`) with `new` atomically. A symbolic link
/// is followed (the target is fixed, the link kept); a file with other hard links is
/// refused, since replacing it would leave the other names with the old text.
pub fn write_atomic(path: &Path, original: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let target = std::fs::canonicalize(path)?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let meta = std::fs::metadata(&target)?;
    if meta.permissions().readonly() {
        return Err(
            std::io::Error::new(std::io::ErrorKind::PermissionDenied, "file is read-only").into(),
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(std::io::Error::other(format!(
                "has {} hard links; not replaced, because the other names would keep the old text",
                meta.nlink()
            ))
            .into());
        }
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".forewarn-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(new)?;
    tmp.as_file().sync_all()?;
    std::fs::set_permissions(tmp.path(), meta.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Keep the owner when we may (root fixing someone's draft); otherwise it is ours.
        let _ = std::os::unix::fs::chown(tmp.path(), Some(meta.uid()), Some(meta.gid()));
    }
    if std::fs::read(&target)? != original {
        return Err(WriteError::ChangedOnDisk);
    }
    tmp.persist(&target).map_err(|e| WriteError::Io(e.error))?;
    if let Ok(dir_handle) = std::fs::File::open(dir) {
        let _ = dir_handle.sync_all();
    }
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

/// The new text of a Markdown `doc` with the `warn` topic ids of `report` written to the
/// front-matter `content_warnings` list (created, or the key replaced), or `None` when the
/// list already names them all.
pub fn fixed_front_matter(doc: &Document, report: &DocumentReport) -> Option<String> {
    if report.missing.warning.is_empty() {
        return None;
    }
    let text = &doc.text;
    let eol = line_ending(text);
    let fm = doc.structure.front_matter.as_ref();
    let mut ids: Vec<String> = fm
        .and_then(|f| f.content_warnings.clone())
        .unwrap_or_default();
    for id in &report.missing.warning {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    let toml = fm.is_some_and(|f| f.toml);
    let list = ids
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let line = if toml {
        format!("content_warnings = [{list}]")
    } else {
        format!("content_warnings: [{list}]")
    };
    let Some(fm) = fm else {
        return Some(format!("---{eol}{line}{eol}---{eol}{text}"));
    };
    // Find the key's line (and, in YAML, the block list under it) inside the front matter.
    let block = &text[fm.range.clone()];
    let mut offset = fm.range.start;
    let mut key: Option<std::ops::Range<usize>> = None;
    let mut lines = block.split_inclusive('\n').peekable();
    let first_len = lines.next().map_or(0, str::len);
    offset += first_len;
    while let Some(l) = lines.next() {
        let start = offset;
        offset += l.len();
        if l.starts_with("content_warnings") {
            let mut end = start + l.trim_end_matches(['\n', '\r']).len();
            while let Some(next) = lines.peek() {
                if next.trim_start().starts_with("- ") && next.starts_with(' ')
                    || next.starts_with("- ")
                {
                    end = offset + next.trim_end_matches(['\n', '\r']).len();
                    offset += next.len();
                    lines.next();
                } else {
                    break;
                }
            }
            key = Some(start..end);
            break;
        }
    }
    let mut out = String::with_capacity(text.len() + line.len() + 2);
    match key {
        Some(r) => {
            out.push_str(&text[..r.start]);
            out.push_str(&line);
            out.push_str(&text[r.end..]);
        }
        None => {
            // Before the closing delimiter line.
            let closing = fm.range.start
                + block
                    .trim_end_matches(['\n', '\r'])
                    .rfind('\n')
                    .map_or(0, |n| n + 1);
            out.push_str(&text[..closing]);
            out.push_str(&line);
            out.push_str(eol);
            out.push_str(&text[closing..]);
        }
    }
    Some(out)
}
