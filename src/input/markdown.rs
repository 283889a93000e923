//! Markdown (CommonMark through pulldown-cmark): prose is the text of paragraphs,
//! headings, lists and quotes; code blocks, inline code, raw HTML, link URLs and front
//! matter are left out. The headline is the first heading, else the front-matter `title`.
//! `<!-- forewarn-… -->` comments are directives.

use super::text::{apply_directive, parse_directive, trim_range};
use super::{
    FrontMatter, MARKDOWN_SUPPORT_MARKER, MARKDOWN_WARNING_MARKER, OwnBlock, OwnBlockKind,
    Structure,
};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// Prose ranges, layout, insertion points and front matter of a Markdown document.
pub fn structure(text: &str) -> Structure {
    // pulldown-cmark ends an HTML block only at a `\n`: in a file whose lines end in a lone
    // `\r` (a classic Mac file), a marker comment would run to the end of the file and hide
    // the story after it. Such a file is read as a copy with `\n` for `\r`: same offsets.
    if super::text::line_break(text) == b'\r' {
        return structure(&text.replace('\r', "\n"));
    }
    let (mut s, last_block) = read(text);
    // A document that ends inside an HTML or code block that never closes (`<pre`, `<!--`,
    // a fence) would swallow a support paragraph appended at the end: it goes before that
    // block instead, where readers see it (and where a later fix finds it).
    if let Some(start) = last_block
        && !read(&format!("{text}\n\n{MARKDOWN_SUPPORT_MARKER}\nx\n"))
            .0
            .own_blocks
            .iter()
            .any(|b| b.kind == OwnBlockKind::Support)
    {
        s.support_at = start;
    }
    s
}

/// Reads `text` as Markdown (see [`structure`]); also returns the start of the last
/// top-level block when it is an HTML or code block, which may never close.
fn read(text: &str) -> (Structure, Option<usize>) {
    let bom = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let front = front_matter(text, bom);
    let body_start = front.as_ref().map_or(bom, |f| f.range.end);
    let mut s = Structure {
        support_at: text.len(),
        warning_at: body_start,
        ..Structure::default()
    };
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut open_disable = None;
    let mut skip_depth = 0usize;
    let mut heading: Option<(Range<usize>, Option<Range<usize>>)> = None; // (block, text span)
    let mut first_heading_done = false;
    // A marker comment block forewarn wrote, waiting for the paragraph it marks; forewarn
    // writes them at the top level only (not in quotes, lists or tables).
    let mut marker: Option<(OwnBlockKind, usize)> = None;
    let mut containers = 0usize;
    let mut depth = 0usize;
    let mut last_block = None;
    let body = &text[body_start..];
    for (event, r) in Parser::new_ext(body, options).into_offset_iter() {
        let range = body_start + r.start..body_start + r.end;
        match &event {
            Event::Start(tag) => {
                if depth == 0 {
                    last_block =
                        matches!(tag, Tag::HtmlBlock | Tag::CodeBlock(_)).then_some(range.start);
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ if depth == 0 => last_block = None,
            _ => {}
        }
        match &event {
            // The marked paragraph must be the very next block, one line long.
            Event::Start(Tag::Paragraph) => {
                if let Some((kind, after)) = marker.take() {
                    let p = trim_range(text, range.clone());
                    if p.start == after && !text[p.clone()].contains(['\n', '\r']) {
                        s.own_blocks.push(OwnBlock { kind, content: p });
                    }
                }
            }
            // The parser may hand a block's line ending over as an event of its own.
            Event::Html(html) if html.trim().is_empty() => {}
            Event::Start(_) | Event::Html(_) => marker = None,
            _ => {}
        }
        match &event {
            Event::Start(
                Tag::BlockQuote(_) | Tag::List(_) | Tag::Table(_) | Tag::FootnoteDefinition(_),
            ) => containers += 1,
            Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Table
                | TagEnd::FootnoteDefinition,
            ) => containers = containers.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::MetadataBlock(_)) => skip_depth += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::MetadataBlock(_)) => {
                skip_depth = skip_depth.saturating_sub(1)
            }
            Event::Start(Tag::Heading { .. }) if !first_heading_done => {
                heading = Some((range, None))
            }
            Event::End(TagEnd::Heading(_)) if !first_heading_done => {
                first_heading_done = true;
                if let Some((block, span)) = heading.take() {
                    s.layout.headline = span.or(Some(trim_range(text, block.clone())));
                    s.warning_at = line_end(text, block.end);
                }
            }
            Event::Start(Tag::Paragraph | Tag::Heading { .. }) => {
                let p = trim_range(text, range);
                if !p.is_empty() {
                    s.layout.paragraphs.push(p);
                }
            }
            Event::Text(_) if skip_depth == 0 => {
                if let Some((_, span)) = &mut heading {
                    *span = Some(match span.take() {
                        Some(sp) => sp.start..range.end,
                        None => range.clone(),
                    });
                }
                s.prose.push(range);
            }
            Event::Html(html) if skip_depth == 0 && containers == 0 && !html.trim().is_empty() => {
                let kind = match html.trim() {
                    MARKDOWN_WARNING_MARKER => Some(OwnBlockKind::Warning),
                    MARKDOWN_SUPPORT_MARKER => Some(OwnBlockKind::Support),
                    _ => None,
                };
                marker = kind.map(|k| (k, super::text::after_line(text, range.end - 1)));
                for (body, at) in comments(&text[range.clone()]) {
                    if let Some(d) = parse_directive(body) {
                        let at = range.start + at.start..range.start + at.end;
                        apply_directive(&mut s, d, at, &mut open_disable);
                    }
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                for (body, at) in comments(&text[range.clone()]) {
                    if let Some(d) = parse_directive(body) {
                        let at = range.start + at.start..range.start + at.end;
                        apply_directive(&mut s, d, at, &mut open_disable);
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(from) = open_disable {
        s.disabled.push(from..text.len());
    }
    if s.layout.headline.is_none()
        && let Some((_, r)) = front.as_ref().and_then(|f| f.title.clone())
    {
        s.prose.insert(0, r.clone());
        s.layout.headline = Some(r);
    }
    s.front_matter = front;
    (s, last_block)
}

/// The start of the line after the one containing byte `at` (or the end of the text).
/// Lines end at LF, CRLF or a lone CR.
fn next_line(text: &str, at: usize) -> usize {
    super::text::after_line(text, at)
}

/// The offset just past the line ending at or after `at` (`at` itself when it follows a
/// line ending, as a block's end often does).
fn line_end(text: &str, at: usize) -> usize {
    if at > 0 && matches!(text.as_bytes().get(at - 1), Some(b'\n' | b'\r')) {
        return at;
    }
    super::text::after_line(text, at)
}

/// The bodies of `<!-- … -->` comments in `html` with the byte range of each comment.
pub fn comments(html: &str) -> Vec<(&str, Range<usize>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = html[from..].find("<!--") {
        let start = from + open;
        let Some(close) = html[start + 4..].find("-->") else {
            break;
        };
        let end = start + 4 + close + 3;
        out.push((html[start + 4..start + 4 + close].trim(), start..end));
        from = end;
    }
    out
}

/// Finds YAML (`---`) or TOML (`+++`) front matter at the start of the document.
pub fn front_matter(text: &str, start: usize) -> Option<FrontMatter> {
    let rest = &text[start..];
    let delimiter = if rest.starts_with("---") {
        "---"
    } else if rest.starts_with("+++") {
        "+++"
    } else {
        return None;
    };
    let first_end = next_line(text, start);
    if text[start..first_end].trim() != delimiter {
        return None;
    }
    let mut at = first_end;
    while at < text.len() {
        let end = next_line(text, at);
        let line = text[at..end].trim();
        if line == delimiter || (delimiter == "---" && line == "...") {
            let inner = first_end..at;
            let mut fm = FrontMatter {
                range: start..end,
                toml: delimiter == "+++",
                ..FrontMatter::default()
            };
            if fm.toml {
                read_toml(text, inner, &mut fm);
            } else {
                read_yaml(text, inner, &mut fm);
            }
            return Some(fm);
        }
        at = end;
    }
    None
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// Reads the keys forewarn uses from YAML front matter: `title`, `region`, and
/// `content_warnings` as a flow list (`[a, b]`) or a block list (`- a` lines).
fn read_yaml(text: &str, inner: Range<usize>, fm: &mut FrontMatter) {
    let mut in_list = false;
    let mut at = inner.start;
    while at < inner.end {
        let end = next_line(text, at).min(inner.end);
        let raw = &text[at..end];
        let line = raw.trim_end();
        if in_list {
            if let Some(item) = line.trim_start().strip_prefix("- ") {
                fm.content_warnings
                    .get_or_insert_with(Vec::new)
                    .push(unquote(item).to_string());
                at = end;
                continue;
            }
            in_list = false;
        }
        if let Some((key, value)) = line.split_once(':')
            && !key.starts_with(' ')
        {
            let value_trimmed = value.trim();
            match key.trim() {
                "title" if !value_trimmed.is_empty() => {
                    let v = unquote(value_trimmed);
                    let offset = at + raw.find(v).unwrap_or(0);
                    fm.title = Some((v.to_string(), offset..offset + v.len()));
                }
                "region" => fm.region = Some(unquote(value_trimmed).to_string()),
                "content_warnings" => {
                    let list = fm.content_warnings.get_or_insert_with(Vec::new);
                    if let Some(flow) = value_trimmed
                        .strip_prefix('[')
                        .and_then(|v| v.strip_suffix(']'))
                    {
                        list.extend(
                            flow.split(',')
                                .map(unquote)
                                .filter(|v| !v.is_empty())
                                .map(String::from),
                        );
                    } else if value_trimmed.is_empty() {
                        in_list = true;
                    } else {
                        list.push(unquote(value_trimmed).to_string());
                    }
                }
                _ => {}
            }
        }
        at = end;
    }
}

/// Reads `title`, `region` and `content_warnings` from TOML front matter.
fn read_toml(text: &str, inner: Range<usize>, fm: &mut FrontMatter) {
    let Ok(value) = text[inner.clone()].parse::<toml::Table>() else {
        return;
    };
    if let Some(title) = value.get("title").and_then(|v| v.as_str())
        && let Some(pos) = text[inner.clone()].find(title)
    {
        let offset = inner.start + pos;
        fm.title = Some((title.to_string(), offset..offset + title.len()));
    }
    fm.region = value
        .get("region")
        .and_then(|v| v.as_str())
        .map(String::from);
    fm.content_warnings = value
        .get("content_warnings")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(text: &str, s: &Structure) -> String {
        s.prose
            .iter()
            .map(|r| &text[r.clone()])
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn code_urls_html_and_front_matter_are_not_prose() {
        let text = "---\ntitle: \"Draft\"\ncontent_warnings: [miscarriage, suicide]\nregion: AU\n---\n# Losing Jack\n\nText with `suicide` code and [a link](https://x.org/suicide).\n\n```\nsuicide in code\n```\n\n<!-- suicide in a comment -->\nEnd.\n";
        let s = structure(text);
        let p = prose(text, &s);
        assert!(!p.contains("suicide"), "{p}");
        assert!(p.contains("a link") && p.contains("Losing Jack"));
        let fm = s.front_matter.as_ref().unwrap();
        assert_eq!(fm.title.as_ref().unwrap().0, "Draft");
        assert_eq!(
            fm.content_warnings.as_deref(),
            Some(&["miscarriage".to_string(), "suicide".to_string()][..])
        );
        assert_eq!(fm.region.as_deref(), Some("AU"));
        assert_eq!(&text[s.layout.headline.clone().unwrap()], "Losing Jack");
        assert!(text[..s.warning_at].ends_with("# Losing Jack\n"));
    }

    #[test]
    fn title_is_the_headline_without_a_heading_and_block_lists_read() {
        let text = "+++\ntitle = \"A stillbirth story\"\ncontent_warnings = [\"stillbirth\"]\n+++\nBody text.\n";
        let s = structure(text);
        assert_eq!(
            &text[s.layout.headline.clone().unwrap()],
            "A stillbirth story"
        );
        assert_eq!(s.warning_at, s.front_matter.as_ref().unwrap().range.end);
        let yaml = "---\ncontent_warnings:\n  - suicide\n  - 'self-harm'\ntags: [x]\n---\nBody\n";
        let s = structure(yaml);
        assert_eq!(
            s.front_matter.unwrap().content_warnings.unwrap(),
            vec!["suicide", "self-harm"]
        );
    }

    #[test]
    fn comment_directives() {
        let text = "# T\n\n<!-- forewarn-ignore violence -->\n\nA\n\n<!-- forewarn-disable -->\n\nB\n\n<!-- forewarn-enable -->\n\nC\n";
        let s = structure(text);
        assert_eq!(s.ignored_topics, vec!["violence"]);
        assert_eq!(s.disabled.len(), 1);
        assert!(
            text[s.disabled[0].clone()].contains('B') && !text[s.disabled[0].clone()].contains('C')
        );
    }

    #[test]
    fn unterminated_front_matter_and_all_code_do_not_panic() {
        let s = structure("---\ntitle: x\nno end\n");
        assert!(s.front_matter.is_none());
        let s = structure("```\nall code\n");
        assert!(s.prose.is_empty());
    }
}
