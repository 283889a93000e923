//! Stage 1, input: reads a document (a file, stdin or a record of a batch file), rejects
//! what is not text, and finds its prose, headline and paragraphs as byte ranges of the
//! original.

pub mod html;
pub mod markdown;
pub mod records;
pub mod text;

use crate::score::Layout;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

/// Documents larger than this are refused unless the caller raises the limit.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// How a document's bytes are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// Plain text: the first non-empty line is the headline.
    Text,
    /// Markdown (CommonMark), with optional YAML or TOML front matter.
    Markdown,
    /// HTML.
    Html,
}

impl InputFormat {
    /// The format a path's extension implies (text for anything unknown).
    pub fn from_path(path: &Path) -> InputFormat {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("md" | "markdown" | "mdx") => InputFormat::Markdown,
            Some("html" | "htm") => InputFormat::Html,
            _ => InputFormat::Text,
        }
    }
}

/// Front matter of a Markdown draft (YAML between `---` lines or TOML between `+++`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    /// Byte range of the whole block, delimiters and final line ending included.
    pub range: Range<usize>,
    /// True for TOML (`+++`), false for YAML (`---`).
    pub toml: bool,
    /// The `title` value, if any, with its byte range in the original.
    pub title: Option<(String, Range<usize>)>,
    /// The `region` value, if any.
    pub region: Option<String>,
    /// The `content_warnings` list, if the key is present (possibly empty).
    pub content_warnings: Option<Vec<String>>,
}

/// Marks the warning forewarn inserted in Markdown, so a re-run replaces it.
pub const MARKDOWN_WARNING_MARKER: &str = "<!-- forewarn:warning -->";
/// Marks the support insert forewarn inserted in Markdown.
pub const MARKDOWN_SUPPORT_MARKER: &str = "<!-- forewarn:support -->";
/// The class of the warning paragraph forewarn inserts in HTML.
pub const HTML_WARNING_CLASS: &str = "content-warning";
/// The class of the support paragraph forewarn inserts in HTML.
pub const HTML_SUPPORT_CLASS: &str = "support-line";

/// Which of forewarn's own inserts a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnBlockKind {
    /// The content warning.
    Warning,
    /// The support insert.
    Support,
}

/// A block forewarn inserted on an earlier `fix`, found where a reader sees it (never in
/// code, comments or attributes), which a later `fix` replaces rather than repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnBlock {
    /// Warning or support.
    pub kind: OwnBlockKind,
    /// The bytes `fix` may replace: the one-line paragraph after a Markdown marker, or
    /// the text inside an HTML paragraph of forewarn's class.
    pub content: Range<usize>,
}

/// What a format reader finds in a document: where the prose is and where things go.
#[derive(Debug, Clone, Default)]
pub struct Structure {
    /// Byte ranges of prose to match in, in order (markup, code, comments, URLs, front
    /// matter left out).
    pub prose: Vec<Range<usize>>,
    /// Headline and paragraphs (original byte offsets).
    pub layout: Layout,
    /// Byte offset where a warning is inserted (after the headline's block, or after front
    /// matter when there is no headline).
    pub warning_at: usize,
    /// Byte offset where the support insert goes (end of the body).
    pub support_at: usize,
    /// Plain text: no blank line separates the body's paragraphs, so each line is one
    /// (and `fix` must insert single lines, or it would change the layout).
    pub lines_are_paragraphs: bool,
    /// Byte ranges where matches are not counted (`forewarn-disable` … `forewarn-enable`).
    pub disabled: Vec<Range<usize>>,
    /// Topic ids ignored for the whole document (`forewarn-ignore TOPIC`).
    pub ignored_topics: Vec<String>,
    /// Markdown front matter.
    pub front_matter: Option<FrontMatter>,
    /// Blocks forewarn inserted before (Markdown and HTML).
    pub own_blocks: Vec<OwnBlock>,
}

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A directory was given where a file was expected.
    #[error("is a directory (scan walks directories only when given as a path argument)")]
    IsDirectory,
    /// The bytes are not UTF-8.
    #[error("not valid UTF-8 at line {line}, byte {byte} (convert it to UTF-8 first)")]
    NotUtf8 {
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 0-based byte offset of the first invalid byte.
        byte: usize,
    },
    /// UTF-16 text (a UTF-16 byte-order mark).
    #[error("is UTF-16 text; convert it to UTF-8 first (for example: iconv -f UTF-16 -t UTF-8)")]
    Utf16,
    /// The bytes look binary (a NUL byte).
    #[error("looks like a binary file (NUL byte at offset {0}); skipped")]
    Binary(usize),
    /// Nothing but white space.
    #[error("is empty")]
    Empty,
    /// Larger than the limit.
    #[error("is larger than the {limit}-byte limit ({size} bytes); raise it with --max-bytes")]
    TooLarge {
        /// Document size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
}

/// A readable document: its text and where its parts are.
#[derive(Debug, Clone)]
pub struct Document {
    /// The path as given (or `-` for stdin, or the batch file with a record id).
    pub path: String,
    /// The record id, for documents from a batch file.
    pub id: Option<String>,
    /// The original text, exactly as read (a BOM included).
    pub text: String,
    /// The format the text was read as.
    pub format: InputFormat,
    /// Where the prose, headline, paragraphs and insertion points are.
    pub structure: Structure,
}

impl Document {
    /// Builds a document from bytes, checking they are non-empty UTF-8 text.
    pub fn from_bytes(
        path: &str,
        bytes: Vec<u8>,
        format: InputFormat,
    ) -> Result<Document, InputError> {
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(InputError::Utf16);
        }
        if let Some(nul) = bytes.iter().take(8192).position(|&b| b == 0) {
            return Err(InputError::Binary(nul));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let byte = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..byte].iter().filter(|&&b| b == b'\n').count() + 1;
            InputError::NotUtf8 { line, byte }
        })?;
        if text.trim_start_matches('\u{FEFF}').trim().is_empty() {
            return Err(InputError::Empty);
        }
        Ok(Self::from_text(path, text, format))
    }

    /// Builds a document from text already known to be valid.
    pub fn from_text(path: &str, text: String, format: InputFormat) -> Document {
        let structure = match format {
            InputFormat::Text => text::structure(&text),
            InputFormat::Markdown => markdown::structure(&text),
            InputFormat::Html => html::structure(&text),
        };
        Document {
            path: path.to_string(),
            id: None,
            text,
            format,
            structure,
        }
    }

    /// Reads a file (or stdin for `-`), refusing more than `max_bytes`. The document's
    /// `path` is the path as given, shown lossily when it is not UTF-8.
    pub fn read(
        path: &Path,
        format: Option<InputFormat>,
        max_bytes: u64,
    ) -> Result<Document, InputError> {
        OpenDocument::open(path, max_bytes)?.read(format, max_bytes)
    }

    /// The headline and paragraphs.
    pub fn layout(&self) -> &Layout {
        &self.structure.layout
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }
}

/// A document opened but not yet read: its size is known (for a file), so a caller can
/// wait for room before reading it.
pub struct OpenDocument {
    path: std::path::PathBuf,
    /// The open file; `None` for stdin.
    file: Option<std::fs::File>,
    /// The file's size (0 for stdin).
    pub size: u64,
}

impl OpenDocument {
    /// Opens `path` (`-` for stdin) and learns its size; refuses a directory and a file
    /// over `max_bytes` without reading it.
    pub fn open(path: &Path, max_bytes: u64) -> Result<OpenDocument, InputError> {
        if path.as_os_str() == "-" {
            return Ok(OpenDocument {
                path: path.to_path_buf(),
                file: None,
                size: 0,
            });
        }
        // Opened first, then asked its size: the path is looked up once.
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(InputError::IsDirectory);
        }
        if meta.len() > max_bytes {
            return Err(InputError::TooLarge {
                size: meta.len(),
                limit: max_bytes,
            });
        }
        Ok(OpenDocument {
            path: path.to_path_buf(),
            file: Some(file),
            size: meta.len(),
        })
    }

    /// Reads the document, refusing more than `max_bytes`.
    pub fn read(self, format: Option<InputFormat>, max_bytes: u64) -> Result<Document, InputError> {
        let format = format.unwrap_or_else(|| InputFormat::from_path(&self.path));
        let mut bytes = Vec::new();
        match self.file {
            None => {
                std::io::stdin()
                    .lock()
                    .take(max_bytes + 1)
                    .read_to_end(&mut bytes)?;
            }
            Some(file) => {
                // The size is only a hint: the file may change while it is read.
                bytes.reserve_exact(self.size.min(max_bytes) as usize + 1);
                file.take(max_bytes + 1).read_to_end(&mut bytes)?;
            }
        }
        if bytes.len() as u64 > max_bytes {
            return Err(InputError::TooLarge {
                size: bytes.len() as u64,
                limit: max_bytes,
            });
        }
        Document::from_bytes(&self.path.to_string_lossy(), bytes, format)
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`; lines end as
/// [`text::line_break`] says.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let brk = text::line_break(text);
    let before = &text.as_bytes()[..offset];
    let line = 1 + memchr::memchr_iter(brk, before).count();
    let line_start = memchr::memrchr(brk, before).map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_binary_invalid_and_empty() {
        assert!(matches!(
            Document::from_bytes("x", b"\x89PNG\r\n\x1a\n\0\0".to_vec(), InputFormat::Text),
            Err(InputError::Binary(8))
        ));
        let e = Document::from_bytes("x", b"ok\nbad \xff here".to_vec(), InputFormat::Text)
            .unwrap_err();
        assert!(matches!(e, InputError::NotUtf8 { line: 2, byte: 7 }), "{e}");
        assert!(matches!(
            Document::from_bytes("x", b" \n\t ".to_vec(), InputFormat::Text),
            Err(InputError::Empty)
        ));
        assert!(matches!(
            Document::from_bytes("x", "\u{FEFF}\n".as_bytes().to_vec(), InputFormat::Text),
            Err(InputError::Empty)
        ));
    }

    #[test]
    fn line_and_column_count_characters() {
        let text = "héllo\nwörld stillborn";
        let at = text.find("stillborn").unwrap();
        assert_eq!(line_col(text, at), (2, 7));
    }
}
