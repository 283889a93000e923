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
            InputFormat::Text if s.lines_are_paragraphs => {
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
            InputFormat::Text if s.lines_are_paragraphs => {
                append_line(text, s.support_at, only_missing, eol)
            }
            InputFormat::Text => append_block(text, s.support_at, only_missing, eol),
            InputFormat::Markdown => replace_own_block(doc, OwnBlockKind::Support, all)
                .unwrap_or_else(|| {
                    let block = format!("{MARKDOWN_SUPPORT_MARKER}{eol}{only_missing}");
                    if s.support_at < text.len() {
                        // Before a last block that never closes.
                        insert_block(text, s.support_at, &block, eol)
                    } else {
                        append_block(text, s.support_at, &block, eol)
                    }
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

/// True when `before` ends a line: at `\n`, or at `\r` in a file whose lines end in `\r`
/// (a stray `\r` elsewhere is no line break; see [`crate::input::text::line_break`]).
fn ends_line(before: &str, eol: &str) -> bool {
    before.ends_with('\n') || (eol == "\r" && before.ends_with('\r'))
}

/// Inserts `line` as a line of its own at `at` (a line start, or the end of the text).
fn insert_line(text: &str, at: usize, line: &str, eol: &str) -> Edit {
    let before_ends_line = at == 0 || ends_line(&text[..at], eol);
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
    let s = if ends_line(&text[..at], eol) {
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
    let before_ends_line = at == 0 || ends_line(&text[..at], eol);
    let after = &text[at..];
    let before_is_blank = ["\n\n", "\n\r\n"].iter().any(|e| text[..at].ends_with(e))
        || (eol == "\r" && text[..at].ends_with("\r\r"));
    let mut s = String::new();
    if at > 0 && !before_is_blank {
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
        if !(after.starts_with('\n')
            || after.starts_with("\r\n")
            || (eol == "\r" && after.starts_with('\r')))
        {
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
    /// The path is a symbolic link and links are not followed.
    #[error("is a symbolic link; not rewritten (--follow-symlinks rewrites the file it points to)")]
    Symlink,
    /// Not a regular file (a FIFO, a device, a socket).
    #[error("is not a regular file; not rewritten")]
    NotRegular,
    /// The file belongs to someone else and its owner could not be kept.
    #[error("belongs to another user, whose ownership a rewrite could not keep; not rewritten")]
    Owner,
    /// An I/O error.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The prefix and suffix of the temporary files `fix` writes next to a file.
const TEMP_PREFIX: &str = ".forewarn-";
const TEMP_SUFFIX: &str = ".tmp";

/// How old a temporary file of forewarn's naming must be before it is taken for one a
/// killed run left behind.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// Removes the temporary files of forewarn's own naming in `dir` that a killed run (or a
/// file-size limit) left behind; returns how many. Only regular files named
/// `.forewarn-*.tmp` and older than a minute are touched.
pub fn remove_stale_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
        })
        .filter(|e| {
            e.metadata().is_ok_and(|m| {
                m.is_file()
                    && m.modified()
                        .ok()
                        .and_then(|t| now.duration_since(t).ok())
                        .is_some_and(|age| age >= STALE_AFTER)
            })
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// Replaces `path` (whose content was `original`) with `new` atomically. A symbolic link is
/// refused unless `follow_symlinks` (then the target is fixed and the link kept); so is
/// anything but a regular file, a file the user may not write (asked of the system, so
/// ACLs and the effective ids count), a file with other hard links (the other names would
/// keep the old text), and a file of another owner whose ownership cannot be kept.
pub fn write_atomic(
    path: &Path,
    original: &[u8],
    new: &[u8],
    follow_symlinks: bool,
) -> Result<(), WriteError> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() && !follow_symlinks {
        return Err(WriteError::Symlink);
    }
    let target = std::fs::canonicalize(path)?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let meta = std::fs::metadata(&target)?;
    if !meta.is_file() {
        return Err(WriteError::NotRegular);
    }
    if meta.permissions().readonly() {
        return Err(
            std::io::Error::new(std::io::ErrorKind::PermissionDenied, "file is read-only").into(),
        );
    }
    // Opening for writing asks the kernel, which knows ACLs and the effective ids; nothing
    // is written through this handle.
    drop(std::fs::OpenOptions::new().write(true).open(&target)?);
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
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // The new file is ours; keep the original owner and group, or refuse.
        let ours = tmp.as_file().metadata()?;
        if (ours.uid(), ours.gid()) != (meta.uid(), meta.gid())
            && std::os::unix::fs::chown(tmp.path(), Some(meta.uid()), Some(meta.gid())).is_err()
        {
            return Err(WriteError::Owner);
        }
    }
    tmp.write_all(new)?;
    tmp.as_file().sync_all()?;
    std::fs::set_permissions(tmp.path(), meta.permissions())?;
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
