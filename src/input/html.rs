//! Stage 1, input: HTML. Tokenizes with html5gum (with byte spans) and keeps as prose only
//! the visible text: tags, attributes, comments, the doctype, character references and the
//! content of `script`, `style`, `pre`, `code`, `textarea`, `noscript`, `template` and
//! `head` are left out. The headline is the first `<h1>`, else the `<title>`; paragraphs
//! are the text of `p`, `li`, `h2`–`h6`, `blockquote`, `figcaption`, `dd` and `td` elements
//! after it. `<!-- forewarn-… -->` comments are directives.
//!
//! There is no tree: open elements are counted, with the HTML parser's commonest implied
//! end tags (`<p>`, `<li>`, table cells, the head) applied, so time is linear and deep or
//! broken nesting costs nothing.

use super::text::{apply_directive, parse_directive, trim_range};
use super::{HTML_SUPPORT_CLASS, HTML_WARNING_CLASS, OwnBlock, OwnBlockKind, Structure};
use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
use html5gum::{Span, Tokenizer};
use std::convert::Infallible;
use std::ops::Range;

/// Prose ranges, layout, insertion points and directives of an HTML document.
///
/// Every range lies on character boundaries of `text`; prose ranges are in document order
/// and do not overlap. `warning_at` is just after the first `</h1>` (else after the `<body>`
/// start tag, else at the start, after a BOM); `support_at` is at the last `</body>` (else
/// `</html>`, else the end) and never before `warning_at`.
pub fn structure(text: &str) -> Structure {
    let mut scan = Scan::new(text);
    let mut emitter = CallbackEmitter::new(
        |event: CallbackEvent<'_>, span: Span<usize>| -> Option<Infallible> {
            scan.event(event, span.start..span.end);
            None
        },
    );
    // Switches to raw text after `<script>`, `<style>`, `<title>`, `<textarea>` …, as a
    // browser does.
    emitter.naively_switch_states(true);
    let Ok(()) = Tokenizer::new_with_emitter(text, emitter).finish();
    scan.finish()
}

/// Elements whose content is not prose. The first [`RAW_TEXT`] of them switch the tokenizer
/// to raw text, so they end only at their own end tag and `/>` does not close them.
const HIDDEN: [&[u8]; 13] = [
    b"script",
    b"style",
    b"textarea",
    b"noscript",
    b"iframe",
    b"xmp",
    b"noembed",
    b"plaintext",
    b"pre",
    b"code",
    b"template",
    b"noframes",
    b"head",
];

/// How many of [`HIDDEN`] are raw-text elements.
const RAW_TEXT: usize = 8;

/// Index of `head` in [`HIDDEN`].
const HEAD: usize = 12;

/// Elements that may stand in the head; any other start tag ends it.
const HEAD_CONTENT: [&[u8]; 12] = [
    b"base",
    b"basefont",
    b"bgsound",
    b"head",
    b"link",
    b"meta",
    b"noframes",
    b"noscript",
    b"script",
    b"style",
    b"template",
    b"title",
];

/// Character references the HTML tokenizer decodes without a closing `;` (the spec's
/// "legacy" names).
const LEGACY_REFERENCES: [&[u8]; 106] = [
    b"AElig", b"AMP", b"Aacute", b"Acirc", b"Agrave", b"Aring", b"Atilde", b"Auml", b"COPY",
    b"Ccedil", b"ETH", b"Eacute", b"Ecirc", b"Egrave", b"Euml", b"GT", b"Iacute", b"Icirc",
    b"Igrave", b"Iuml", b"LT", b"Ntilde", b"Oacute", b"Ocirc", b"Ograve", b"Oslash", b"Otilde",
    b"Ouml", b"QUOT", b"REG", b"THORN", b"Uacute", b"Ucirc", b"Ugrave", b"Uuml", b"Yacute",
    b"aacute", b"acirc", b"acute", b"aelig", b"agrave", b"amp", b"aring", b"atilde", b"auml",
    b"brvbar", b"ccedil", b"cedil", b"cent", b"copy", b"curren", b"deg", b"divide", b"eacute",
    b"ecirc", b"egrave", b"eth", b"euml", b"frac12", b"frac14", b"frac34", b"gt", b"iacute",
    b"icirc", b"iexcl", b"igrave", b"iquest", b"iuml", b"laquo", b"lt", b"macr", b"micro",
    b"middot", b"nbsp", b"not", b"ntilde", b"oacute", b"ocirc", b"ograve", b"ordf", b"ordm",
    b"oslash", b"otilde", b"ouml", b"para", b"plusmn", b"pound", b"quot", b"raquo", b"reg",
    b"sect", b"shy", b"sup1", b"sup2", b"sup3", b"szlig", b"thorn", b"times", b"uacute", b"ucirc",
    b"ugrave", b"uml", b"uuml", b"yacute", b"yen", b"yuml",
];

/// Where the scan stands with the document's first `<h1>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FirstHeading {
    /// No `<h1>` yet.
    NotSeen,
    /// Inside it (its start tag ends at this offset): its text is the headline.
    Open(usize),
    /// After it; the warning goes at this offset.
    Closed(usize),
}

/// What a start tag does to the paragraph structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boundary {
    /// Nothing (an inline element).
    Inline,
    /// Ends the paragraph being read.
    Block,
    /// Ends the paragraph being read and starts one.
    Paragraph,
}

/// Open block elements whose text makes paragraphs, counted, with the containers that
/// bound the implied end tags of list items and table cells.
#[derive(Debug, Default)]
struct Blocks {
    p: usize,
    li: usize,
    lists: usize,
    cells: usize,
    tables: usize,
    dd: usize,
    dls: usize,
    heading: usize,
    quote: usize,
    figcaption: usize,
}

impl Blocks {
    /// Whether text here belongs to a paragraph.
    fn open(&self) -> bool {
        [
            self.p,
            self.li,
            self.cells,
            self.dd,
            self.heading,
            self.quote,
            self.figcaption,
        ]
        .iter()
        .any(|&n| n > 0)
    }

    /// Applies a start tag.
    fn start(&mut self, name: &[u8]) -> Boundary {
        let boundary = match name {
            b"p" => Boundary::Paragraph,
            b"li" => {
                self.li = item(self.li, self.lists);
                Boundary::Paragraph
            }
            b"dd" => {
                self.dd = item(self.dd, self.dls);
                Boundary::Paragraph
            }
            b"dt" => {
                self.dd = self.dd.min(self.dls.saturating_sub(1));
                Boundary::Block
            }
            b"td" => {
                self.cells = item(self.cells, self.tables);
                Boundary::Paragraph
            }
            b"th" | b"tr" | b"tbody" | b"thead" | b"tfoot" | b"caption" => {
                self.cells = self.cells.min(self.tables.saturating_sub(1));
                Boundary::Block
            }
            b"ul" | b"ol" | b"menu" => {
                self.lists += 1;
                Boundary::Block
            }
            b"dl" => {
                self.dls += 1;
                Boundary::Block
            }
            b"table" => {
                self.tables += 1;
                Boundary::Block
            }
            b"h1" => {
                self.heading = 0;
                Boundary::Block
            }
            b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => {
                self.heading = 1;
                Boundary::Paragraph
            }
            b"blockquote" => {
                self.quote += 1;
                Boundary::Paragraph
            }
            b"figcaption" => {
                self.figcaption += 1;
                Boundary::Paragraph
            }
            _ if is_container(name) => Boundary::Block,
            _ => return Boundary::Inline,
        };
        // Every block start tag ends an open `<p>` (a new `<p>` then reopens it).
        self.p = usize::from(name == b"p");
        boundary
    }

    /// Applies an end tag; returns whether it ends the paragraph being read.
    fn end(&mut self, name: &[u8]) -> bool {
        match name {
            b"p" => {}
            b"li" => self.li = self.li.saturating_sub(1),
            b"dd" => self.dd = self.dd.saturating_sub(1),
            b"td" => self.cells = self.cells.saturating_sub(1),
            b"ul" | b"ol" | b"menu" => {
                self.lists = self.lists.saturating_sub(1);
                self.li = self.li.min(self.lists);
            }
            b"dl" => {
                self.dls = self.dls.saturating_sub(1);
                self.dd = self.dd.min(self.dls);
            }
            b"table" => {
                self.tables = self.tables.saturating_sub(1);
                self.cells = self.cells.min(self.tables);
            }
            b"th" | b"tr" | b"tbody" | b"thead" | b"tfoot" | b"caption" => {
                self.cells = self.cells.min(self.tables.saturating_sub(1));
            }
            b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => self.heading = 0,
            b"blockquote" => self.quote = self.quote.saturating_sub(1),
            b"figcaption" => self.figcaption = self.figcaption.saturating_sub(1),
            b"dt" => {}
            _ if is_container(name) => {}
            _ => return false,
        }
        self.p = 0;
        true
    }
}

/// The count of open items (list items, cells, definitions) after one more starts: it
/// ends the item open in the innermost container, if any.
fn item(open: usize, containers: usize) -> usize {
    open.min(containers.saturating_sub(1)) + 1
}

/// Block elements that hold paragraphs rather than being one.
fn is_container(name: &[u8]) -> bool {
    matches!(
        name,
        b"address"
            | b"article"
            | b"aside"
            | b"body"
            | b"center"
            | b"details"
            | b"dialog"
            | b"dir"
            | b"div"
            | b"fieldset"
            | b"figure"
            | b"footer"
            | b"form"
            | b"header"
            | b"hgroup"
            | b"hr"
            | b"html"
            | b"main"
            | b"nav"
            | b"pre"
            | b"search"
            | b"section"
            | b"summary"
    )
}

/// The state of one pass over the tokenizer's events.
struct Scan<'a> {
    text: &'a str,
    /// Where content starts (after a BOM).
    start: usize,
    out: Structure,
    /// Open elements of [`HIDDEN`], by index, and their sum.
    hidden: [usize; HIDDEN.len()],
    hidden_total: usize,
    /// Open `<svg>` elements (a `<title>` there is a tooltip, not the document's).
    svg: usize,
    /// Inside a `<title>` (raw text).
    in_title: bool,
    /// Inside the document's title, collecting its text.
    taking_title: bool,
    title_done: bool,
    /// Text pieces of the document's title.
    title: Vec<Range<usize>>,
    blocks: Blocks,
    /// The paragraph being read (trimmed text so far).
    paragraph: Option<Range<usize>>,
    first_heading: FirstHeading,
    /// Trimmed text of the first `<h1>` so far.
    heading_text: Option<Range<usize>>,
    /// The start tag being read: name, offset of its `<`, whether its name was seen.
    tag: Vec<u8>,
    tag_start: usize,
    tag_open: bool,
    /// The attribute being read in the start tag, and the tag's first `class` value.
    attribute: Vec<u8>,
    class: Option<Vec<u8>>,
    /// A paragraph of forewarn's own class being read: which, and where its text starts.
    own_open: Option<(OwnBlockKind, usize)>,
    /// End of the first `<body …>` start tag, starts of the last `</body>` and `</html>`.
    body_open: Option<usize>,
    body_close: Option<usize>,
    html_close: Option<usize>,
    /// Start of a comment the document never closes: nothing may be inserted after it.
    unclosed_comment: Option<usize>,
    /// Where the outermost element whose content readers do not see as the page's own
    /// paragraphs (code, script, a title…) opened, while one is open: a support paragraph
    /// written inside it would be hidden, so `support_at` is never past it.
    opaque_since: Option<usize>,
    /// Start of a `forewarn-disable` range not yet closed.
    open_disable: Option<usize>,
    /// Scratch space for splitting a text token.
    pieces: Vec<Range<usize>>,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Scan<'a> {
        Scan {
            text,
            start: if text.starts_with('\u{FEFF}') { 3 } else { 0 },
            out: Structure::default(),
            hidden: [0; HIDDEN.len()],
            hidden_total: 0,
            svg: 0,
            in_title: false,
            taking_title: false,
            title_done: false,
            title: Vec::new(),
            blocks: Blocks::default(),
            paragraph: None,
            first_heading: FirstHeading::NotSeen,
            heading_text: None,
            tag: Vec::new(),
            tag_start: 0,
            tag_open: false,
            attribute: Vec::new(),
            class: None,
            own_open: None,
            body_open: None,
            body_close: None,
            html_close: None,
            unclosed_comment: None,
            opaque_since: None,
            open_disable: None,
            pieces: Vec::new(),
        }
    }

    fn event(&mut self, event: CallbackEvent<'_>, span: Range<usize>) {
        match event {
            CallbackEvent::OpenStartTag { name } => {
                self.tag.clear();
                self.tag.extend_from_slice(name);
                self.tag_start = span.start;
                self.tag_open = true;
                self.class = None;
            }
            CallbackEvent::AttributeName { name } if self.tag_open => {
                self.attribute.clear();
                self.attribute.extend_from_slice(name);
            }
            CallbackEvent::AttributeValue { value }
                if self.tag_open && self.attribute == b"class" && self.class.is_none() =>
            {
                self.class = Some(value.to_vec());
            }
            CallbackEvent::CloseStartTag { self_closing } if self.tag_open => {
                self.tag_open = false;
                let name = std::mem::take(&mut self.tag);
                self.start_tag(&name, self_closing, span.end);
                self.tag = name;
                self.track_opaque(self.tag_start);
            }
            CallbackEvent::EndTag { name } => {
                self.end_tag(name, span.clone());
                self.track_opaque(span.start);
            }
            CallbackEvent::String { .. } => self.string(span),
            CallbackEvent::Comment { value } => {
                self.own_open = None;
                let raw = self.text.get(span.clone()).unwrap_or_default();
                // A `<!--` comment ends only at `-->` (or `--!>`, or at once as `<!-->`,
                // `<!--->`); a bogus comment (`<!x>`, `<?x>`) at its first `>`.
                let closed = if raw.starts_with("<!--") {
                    raw.ends_with("-->")
                        || raw.ends_with("--!>")
                        || raw == "<!-->"
                        || raw == "<!--->"
                } else {
                    raw.ends_with('>')
                };
                if !closed {
                    self.unclosed_comment.get_or_insert(span.start);
                }
                let body = std::str::from_utf8(value).unwrap_or_default();
                if let Some(d) = parse_directive(body.trim()) {
                    apply_directive(&mut self.out, d, span, &mut self.open_disable);
                }
            }
            _ => {}
        }
    }

    fn start_tag(&mut self, name: &[u8], self_closing: bool, end: usize) {
        // Forewarn's own paragraphs hold text only: any tag inside means it is not one.
        self.own_open = None;
        if name == b"p" && self.hidden_total == 0 && !self.in_title {
            let kind = match self.class.as_deref() {
                Some(c) if c == HTML_WARNING_CLASS.as_bytes() => Some(OwnBlockKind::Warning),
                Some(c) if c == HTML_SUPPORT_CLASS.as_bytes() => Some(OwnBlockKind::Support),
                _ => None,
            };
            self.own_open = kind.map(|k| (k, end));
        }
        if self.hidden[HEAD] > 0 && !HEAD_CONTENT.contains(&name) {
            self.close_head();
        }
        if name == b"title" {
            self.in_title = true;
            if !self.title_done && self.svg == 0 && self.hidden_total == self.hidden[HEAD] {
                self.taking_title = true;
            }
            return;
        }
        if let Some(i) = HIDDEN.iter().position(|&h| h == name) {
            if i < RAW_TEXT || !self_closing {
                self.hidden[i] += 1;
                self.hidden_total += 1;
            }
            return;
        }
        if self.hidden_total > 0 {
            return;
        }
        match name {
            b"svg" if !self_closing => self.svg += 1,
            b"body" => {
                self.body_open.get_or_insert(end);
            }
            _ => {}
        }
        let boundary = self.blocks.start(name);
        if boundary == Boundary::Paragraph && matches!(self.first_heading, FirstHeading::Open(_)) {
            // An `<h1>` left open ends where the first block after it starts.
            self.first_heading = FirstHeading::Closed(self.tag_start);
        }
        if boundary != Boundary::Inline {
            self.end_paragraph();
        }
        if name == b"h1" && self.first_heading == FirstHeading::NotSeen {
            self.first_heading = FirstHeading::Open(end);
            self.out.layout.paragraphs.clear();
        }
    }

    fn end_tag(&mut self, name: &[u8], span: Range<usize>) {
        if let Some((kind, start)) = self.own_open.take()
            && name == b"p"
        {
            self.out.own_blocks.push(OwnBlock {
                kind,
                content: start..span.start,
            });
        }
        match name {
            b"title" => {
                self.in_title = false;
                if self.taking_title {
                    self.taking_title = false;
                    self.title_done = true;
                }
                return;
            }
            // Inside an element that never closes, the page's end is where it opened.
            b"body" => self.body_close = Some(self.opaque_since.unwrap_or(span.start)),
            b"html" => self.html_close = Some(self.opaque_since.unwrap_or(span.start)),
            _ => {}
        }
        if let Some(i) = HIDDEN.iter().position(|&h| h == name) {
            if self.hidden[i] > 0 {
                self.hidden[i] -= 1;
                self.hidden_total -= 1;
            }
            return;
        }
        if matches!(self.first_heading, FirstHeading::Open(_)) {
            match name {
                b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => {
                    self.first_heading = FirstHeading::Closed(span.end);
                }
                b"body" | b"html" => self.first_heading = FirstHeading::Closed(span.start),
                _ => {}
            }
        }
        if self.hidden_total > 0 {
            return;
        }
        if name == b"svg" {
            self.svg = self.svg.saturating_sub(1);
        }
        if self.blocks.end(name) {
            self.end_paragraph();
        }
    }

    /// A run of character tokens at `span` (character references included).
    fn string(&mut self, span: Range<usize>) {
        let text = self.text;
        let start = span.start.max(self.start);
        if start >= span.end
            || span.end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(span.end)
        {
            return;
        }
        let span = start..span.end;
        if self.in_title {
            if self.taking_title {
                split_references(text, span, &mut self.title);
                self.title.retain(|r| !text[r.clone()].trim().is_empty());
            }
            return;
        }
        if self.hidden_total > 0 {
            // Text in the head ends it, as in a browser.
            let in_head_only = self.hidden_total == self.hidden[HEAD];
            if !in_head_only || text[span.clone()].trim().is_empty() {
                return;
            }
            self.close_head();
        }
        let mut pieces = std::mem::take(&mut self.pieces);
        pieces.clear();
        split_references(text, span, &mut pieces);
        for piece in pieces.drain(..) {
            let trimmed = trim_range(text, piece.clone());
            if trimmed.is_empty() || self.out.prose.last().is_some_and(|p| piece.start < p.end) {
                continue;
            }
            self.out.prose.push(piece);
            if matches!(self.first_heading, FirstHeading::Open(_)) {
                extend(&mut self.heading_text, trimmed);
            } else if self.blocks.open() {
                extend(&mut self.paragraph, trimmed);
            }
        }
        self.pieces = pieces;
    }

    /// Notes where the outermost open hidden element (the head aside) or title began.
    fn track_opaque(&mut self, at: usize) {
        if self.hidden_total > self.hidden[HEAD] || self.in_title {
            self.opaque_since.get_or_insert(at);
        } else {
            self.opaque_since = None;
        }
    }

    fn close_head(&mut self) {
        self.hidden_total -= self.hidden[HEAD];
        self.hidden[HEAD] = 0;
    }

    fn end_paragraph(&mut self) {
        if let Some(p) = self.paragraph.take() {
            self.out.layout.paragraphs.push(p);
        }
    }

    fn finish(mut self) -> Structure {
        self.end_paragraph();
        let len = self.text.len();
        if let Some(from) = self.open_disable.take() {
            self.out.disabled.push(from..len);
        }
        self.out.disabled.retain(|r| !r.is_empty());
        let title = match (self.title.first(), self.title.last()) {
            (Some(first), Some(last)) => Some(trim_range(self.text, first.start..last.end)),
            _ => None,
        };
        let heading_end = self.heading_text.as_ref().map(|h| h.end);
        self.out.layout.headline = match (self.heading_text, title) {
            (Some(h), _) => Some(h),
            (None, Some(t)) => {
                // The title is prose only as the headline; it holds no other prose.
                let at = self.out.prose.partition_point(|r| r.start < t.start);
                self.out.prose.splice(at..at, self.title);
                Some(t)
            }
            (None, None) => None,
        };
        // Past this point anything written would be hidden: in a comment, a tag or an
        // element that never closes.
        let open_end = self
            .unclosed_comment
            .unwrap_or(len)
            .min(self.opaque_since.unwrap_or(len))
            .min(unfinished_tag(self.text).unwrap_or(len))
            // A start tag the text ends inside (an attribute value's quote never closed).
            .min(if self.tag_open { self.tag_start } else { len });
        self.out.warning_at = match self.first_heading {
            FirstHeading::Closed(at) => at,
            // An `<h1>` open to the end: after its text (or its start tag, when it has none).
            FirstHeading::Open(tag_end) => heading_end.unwrap_or(tag_end),
            FirstHeading::NotSeen => self.body_open.unwrap_or(self.start),
        };
        self.out.warning_at = self.out.warning_at.min(open_end);
        self.out.support_at = self
            .body_close
            .or(self.html_close)
            .unwrap_or(len)
            .min(open_end)
            .max(self.out.warning_at);
        self.out
    }
}

/// Where a tag that the text ends inside (`…<script` with no `>`) starts: anything
/// appended would become part of it.
fn unfinished_tag(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let from = memchr::memrchr(b'>', b).map_or(0, |i| i + 1);
    (from..b.len()).find(|&i| {
        b[i] == b'<'
            && b.get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?'))
    })
}

/// Sets `slot` to run from its start (or `r`'s) to the end of `r`.
fn extend(slot: &mut Option<Range<usize>>, r: Range<usize>) {
    *slot = Some(match slot.take() {
        Some(s) => s.start..r.end,
        None => r,
    });
}

/// Pushes the pieces of the text token at `span` that are not character references (nor
/// an ignored `</>`) onto `out`.
fn split_references(text: &str, span: Range<usize>, out: &mut Vec<Range<usize>>) {
    let bytes = &text.as_bytes()[..span.end];
    let mut from = span.start;
    let mut i = span.start;
    while i < span.end {
        let skip = match bytes[i] {
            b'&' => reference_end(bytes, i),
            b'<' if bytes[i..].starts_with(b"</>") => Some(i + 3),
            _ => None,
        };
        match skip {
            Some(end) => {
                if from < i {
                    out.push(from..i);
                }
                from = end;
                i = end;
            }
            None => i += 1,
        }
    }
    if from < span.end {
        out.push(from..span.end);
    }
}

/// End of the character reference starting with the `&` at `at`, if there is one:
/// `&#123;` or `&#x7B;` (the `;` optional), `&name;`, or a legacy name without `;` (`&amp`).
fn reference_end(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = &bytes[at + 1..];
    let semicolon = |len: usize| at + 1 + len + usize::from(rest.get(len) == Some(&b';'));
    if let Some(num) = rest.strip_prefix(b"#") {
        let (digits, is_digit): (&[u8], fn(&u8) -> bool) = match num.first() {
            Some(b'x' | b'X') => (&num[1..], u8::is_ascii_hexdigit),
            _ => (num, u8::is_ascii_digit),
        };
        let n = digits.iter().take_while(|b| is_digit(b)).count();
        return (n > 0).then(|| semicolon(num.len() - digits.len() + 1 + n));
    }
    if !rest.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let name = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if rest.get(name) == Some(&b';') {
        return Some(at + 1 + name + 1);
    }
    LEGACY_REFERENCES
        .iter()
        .filter(|r| rest[..name].starts_with(r))
        .map(|r| at + 1 + r.len())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks the invariants every structure must keep and returns it.
    fn checked(text: &str) -> Structure {
        let s = structure(text);
        let on_boundaries = |r: &Range<usize>| {
            r.start <= r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
        };
        for r in s
            .prose
            .iter()
            .chain(&s.layout.paragraphs)
            .chain(&s.disabled)
        {
            assert!(on_boundaries(r), "{r:?} in {text:?}");
        }
        if let Some(h) = &s.layout.headline {
            assert!(on_boundaries(h), "{h:?} in {text:?}");
        }
        for pair in s.prose.windows(2) {
            assert!(pair[0].end <= pair[1].start, "{pair:?} in {text:?}");
        }
        for r in &s.prose {
            assert!(!r.is_empty() && !text[r.clone()].trim().is_empty());
            let mut again = Vec::new();
            split_references(text, r.clone(), &mut again);
            assert_eq!(
                again,
                vec![r.clone()],
                "reference left in {:?}",
                &text[r.clone()]
            );
        }
        for at in [s.warning_at, s.support_at] {
            assert!(
                at <= text.len() && text.is_char_boundary(at),
                "{at} in {text:?}"
            );
        }
        assert!(s.warning_at <= s.support_at);
        assert!(s.front_matter.is_none());
        s
    }

    fn prose(text: &str) -> String {
        let s = checked(text);
        s.prose
            .iter()
            .map(|r| &text[r.clone()])
            .collect::<Vec<_>>()
            .join("|")
    }

    fn paragraphs<'t>(text: &'t str, s: &Structure) -> Vec<&'t str> {
        s.layout
            .paragraphs
            .iter()
            .map(|r| &text[r.clone()])
            .collect()
    }

    #[test]
    fn scripts_styles_and_code_are_not_prose() {
        let text = "<html><head><style>.suicide{}</style><script>var overdose = 1 < 2;</script>\
                    </head><body><p>Keep <code>rm -rf</code> this</p><pre>pre text</pre>\
                    <textarea>area</textarea><noscript>enable js</noscript>\
                    <template><p>tpl</p></template><p>end</p></body></html>";
        assert_eq!(prose(text), "Keep | this|end");
    }

    #[test]
    fn tags_attributes_comments_and_doctype_are_not_prose() {
        let text = "<!DOCTYPE html><p class=\"x\">Read <a href=\"/suicide-prevention\" \
                    title='self-harm'>this</a><!-- overdose --> now</p>";
        assert_eq!(prose(text), "Read |this| now");
    }

    #[test]
    fn headline_is_the_first_h1() {
        let text = "<html><head><title>Site</title></head><body><ul><li>Nav</li></ul>\
                    <h1>\n  The <em>big</em> story \n</h1><p>One</p><h2>Two</h2><h1>Again</h1>\
                    <p>Three</p></body></html>";
        let s = checked(text);
        assert_eq!(
            &text[s.layout.headline.clone().unwrap()],
            "The <em>big</em> story"
        );
        assert_eq!(paragraphs(text, &s), vec!["One", "Two", "Three"]);
        assert!(!prose(text).contains("Site"));
        assert_eq!(s.warning_at, text.find("</h1>").unwrap() + 5);
        assert_eq!(s.support_at, text.find("</body>").unwrap());
    }

    #[test]
    fn headline_is_the_title_without_an_h1() {
        let text = "\u{FEFF}<!doctype html>\r\n<html>\r\n<head>\r\n<meta charset=utf-8>\r\n\
                    <title> Grief &amp; loss </title>\r\n</head>\r\n<body class=\"a\">\r\n\
                    <p>Text</p>\r\n</body>\r\n</html>\r\n";
        let s = checked(text);
        assert_eq!(
            &text[s.layout.headline.clone().unwrap()],
            "Grief &amp; loss"
        );
        assert_eq!(prose(text), " Grief | loss |Text");
        assert_eq!(s.warning_at, text.find("<body class=\"a\">").unwrap() + 16);
        assert_eq!(paragraphs(text, &s), vec!["Text"]);
    }

    #[test]
    fn insertion_points_without_body_or_html() {
        let text = "\u{FEFF}<p>Only a fragment</p>";
        let s = checked(text);
        assert_eq!(
            (s.layout.headline, s.warning_at, s.support_at),
            (None, 3, text.len())
        );
        let text = "<p>x</p></html>";
        assert_eq!(checked(text).support_at, text.find("</html>").unwrap());
        let text = "<h1>Unclosed<p>Body";
        let s = checked(text);
        assert_eq!(&text[s.layout.headline.clone().unwrap()], "Unclosed");
        assert_eq!(s.warning_at, text.find("<p>").unwrap());
        assert_eq!(paragraphs(text, &s), vec!["Body"]);
    }

    #[test]
    fn upper_case_tags_and_crlf() {
        let text = "<HTML>\r\n<BODY>\r\n<H1 CLASS=x>Big\r\nNews</H1 >\r\n<P>Para\r\none <CODE>x</CODE></P>\r\n</BODY></HTML>\r\n";
        let s = checked(text);
        assert_eq!(&text[s.layout.headline.clone().unwrap()], "Big\r\nNews");
        assert_eq!(s.warning_at, text.find("</H1 >").unwrap() + 6);
        assert_eq!(s.support_at, text.find("</BODY>").unwrap());
        assert_eq!(paragraphs(text, &s), vec!["Para\r\none"]);
    }

    #[test]
    fn paragraphs_follow_implied_end_tags() {
        let text = "<h1>T</h1><p>a<p>b<div>loose</div><ul><li>c<ul><li>d</ul>e<li>f</ul>\
                    <blockquote><p>g</p></blockquote><table><tr><td>h<td>i</table>\
                    <dl><dt>term<dd>j</dl><figure><figcaption>k</figcaption></figure>after";
        let s = checked(text);
        assert_eq!(
            paragraphs(text, &s),
            vec!["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]
        );
    }

    #[test]
    fn directives_in_comments() {
        let text = "<head><!-- forewarn-ignore suicide self-harm --></head><body>\
                    <p>A</p><!-- forewarn-disable --><p>B</p><!-- forewarn-enable --><p>C</p>\
                    <!-- forewarn-disable --><p>D</p>";
        let s = checked(text);
        assert_eq!(s.ignored_topics, vec!["suicide", "self-harm"]);
        let disabled: Vec<&str> = s.disabled.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(disabled, vec!["<p>B</p>", "<p>D</p>"]);
    }

    #[test]
    fn character_references_are_split_out() {
        let text = "<p>don&rsquo;t&#8217;s &#x2019;x &amp y &amplifier AT&T a &#; b &notit;</p>";
        assert_eq!(prose(text), "don|t|s |x | y |lifier AT&T a &#; b ");
        assert_eq!(prose("a</>b"), "a|b");
    }

    #[test]
    fn head_text_and_body_without_head_end() {
        let text = "<head><title>T</title><meta x>Stray text<p>More";
        assert_eq!(prose(text), "T|Stray text|More");
        let text = "<head><title>T</title><h1>H</h1>";
        assert_eq!(prose(text), "H");
    }

    #[test]
    fn svg_titles_are_not_the_document_title() {
        let text = "<body><svg><title>icon</title><text>Label</text></svg><p>x</p></body>";
        let s = checked(text);
        assert_eq!(s.layout.headline, None);
        assert_eq!(prose(text), "Label|x");
    }

    #[test]
    fn broken_input_does_not_panic() {
        for text in [
            "",
            "<",
            "&",
            "<!--",
            "<p>x</p><!-- forewarn-disable",
            "<p>x</p><!-- unterminated comment",
            "<p class=\"unterminated",
            "<p>text</",
            "</>",
            "<h1>",
            "<h1></h1>",
            "</h1></body></html>",
            "<b><i>bad</b></i>",
            "<title>",
            "<script>never closed",
            "<plaintext><p>x",
            "\u{FEFF}",
            "\u{FEFF}<",
            "é<é>é</é>é&é;é",
            "\r\n\r\n<p>\r\n</p>\r\n",
            "<![CDATA[x]]><?php y ?>z",
        ] {
            checked(text);
        }
        assert_eq!(prose("<p>x</p><!-- unterminated comment"), "x");
    }

    #[test]
    fn deep_nesting_is_fine() {
        let depth = 100_000;
        let text = format!(
            "<h1>T</h1>{}deep{}",
            "<div><p>".repeat(depth),
            "</p></div>".repeat(depth)
        );
        let s = checked(&text);
        assert_eq!(prose(&text), "T|deep");
        assert_eq!(paragraphs(&text, &s), vec!["deep"]);
        checked(&"<li><ul>".repeat(depth));
        checked(&"<code>".repeat(depth));
    }

    #[test]
    fn random_input_keeps_the_invariants() {
        const PARTS: &[&str] = &[
            "<",
            ">",
            "/",
            "&",
            "amp;",
            "#",
            "x",
            "41",
            ";",
            "<!--",
            "-->",
            "<!",
            "--",
            "=",
            "\"",
            "'",
            " ",
            "\r\n",
            "\n",
            "\u{FEFF}",
            "é",
            "中",
            "😀",
            "a",
            "word",
            "<p>",
            "</p>",
            "<h1>",
            "</h1>",
            "<h2>",
            "<li>",
            "<ul>",
            "</ul>",
            "<td>",
            "<table>",
            "<title>",
            "</title>",
            "<script>",
            "</script>",
            "<style>",
            "<pre>",
            "</pre>",
            "<code>",
            "<head>",
            "</head>",
            "<body>",
            "</body>",
            "</html>",
            "<svg>",
            "<textarea>",
            "<!-- forewarn-disable -->",
            "<!-- forewarn-enable -->",
            "forewarn-ignore",
            "</>",
            "<a href=",
            "&rsquo;",
            "&#8217",
            "&#x",
            "<?",
            "]]>",
            "\0",
            "\t",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..500 {
            let len = next() % 40;
            let mut text = String::new();
            for _ in 0..len {
                let r = next();
                if r % 5 == 0 {
                    text.push(char::from_u32((r >> 8) as u32 % 0x3000).unwrap_or('?'));
                } else {
                    text.push_str(PARTS[(r >> 8) as usize % PARTS.len()]);
                }
            }
            checked(&text);
        }
    }
}
