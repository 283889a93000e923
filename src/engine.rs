//! Runs the pipeline on one document: normalise → match → score → compose, and gathers the
//! result into the [`DocumentReport`] printers see. Holds the compiled lexicons, so one
//! engine serves every document of a run (it is `Sync`: share it across threads).

use crate::compose;
use crate::input::Document;
use crate::lexicon::LexiconSet;
use crate::matcher::Matcher;
use crate::normalize::NormalizedText;
use crate::report::WordingReport;
use crate::report::{
    DocumentReport, ExcludedReport, FeatureReport, MatchReport, Missing, ModelReport, StaleNumber,
    SupportReport, SuppressedTopic, TopicReport,
};
use crate::score::{Level, TopicVerdict, score_topics};
use crate::support::{INTERNATIONAL, LineStatus, NumberSighting, SupportIndex, SupportLine};
use std::ops::Range;

/// How many sentences from the top (the headline first) are searched for an existing
/// warning. Counted in sentences, not paragraphs, so a warning is found whether the body
/// comes as paragraphs, as one paragraph or one sentence a line.
const NOTICE_SENTENCES: usize = 12;

/// Options for one run.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {
    /// Region code for support lines; `None` for the international fallback.
    pub region: Option<String>,
    /// Also report topics below the mention threshold (for `explain`).
    pub include_below_threshold: bool,
    /// The lowest level that needs a warning and support line (`warn` unless configured).
    pub require: Option<Level>,
    /// Overrides every safe-messaging rule's severity.
    pub safe_messaging: Option<crate::safe_messaging::Severity>,
}

/// Compiled lexicons, ready to analyse documents.
#[derive(Debug, Clone)]
pub struct Engine {
    /// The data the engine was built from.
    pub lexicons: LexiconSet,
    /// All topics' terms and patterns, compiled.
    pub matcher: Matcher,
    /// The opening words of the warning templates, normalised (see [`Engine::find_notices`]).
    own_prefixes: std::sync::OnceLock<Vec<String>>,
    /// The directory's numbers, prepared for searching documents.
    support: SupportIndex,
    /// One regex matching wherever any safe-messaging pattern may match: documents it
    /// does not match skip the rules one by one. `None` if it could not be compiled.
    wording_gate: Option<regex::bytes::Regex>,
}

/// An existing content warning found in a document.
#[derive(Debug, Clone)]
pub struct Notice {
    /// Its byte range in the original.
    pub range: Range<usize>,
    /// Indexes of the topics it names.
    pub covers: Vec<usize>,
    /// True for a front-matter `content_warnings` entry rather than text in the body.
    pub declared: bool,
}

impl Engine {
    /// Compiles `lexicons`.
    pub fn new(lexicons: LexiconSet) -> Engine {
        let context = crate::lexicon::context::as_topic(&lexicons.context);
        let matcher = Matcher::with_counted(&lexicons.topics, &context);
        let support = SupportIndex::new(&lexicons.support);
        let wording_gate = crate::safe_messaging::gate(&lexicons.safe_messaging);
        Engine {
            lexicons,
            matcher,
            own_prefixes: Default::default(),
            support,
            wording_gate,
        }
    }

    /// Checks a region code against the directory; returns it upper-cased.
    pub fn resolve_region(&self, region: &str) -> Result<String, String> {
        let upper = region.trim().to_ascii_uppercase();
        let upper = if upper == "GB" {
            "UK".to_string()
        } else {
            upper
        };
        let known = self.lexicons.support.regions();
        if known.contains(&upper) {
            Ok(upper)
        } else {
            let list: Vec<&str> = known
                .iter()
                .map(String::as_str)
                .filter(|r| *r != INTERNATIONAL)
                .collect();
            Err(format!(
                "unknown region {region:?}; known regions: {}",
                list.join(", ")
            ))
        }
    }

    /// Scores every topic of `text` as body text (no headline or lead bonus).
    pub fn score_plain(&self, text: &str) -> Vec<TopicVerdict> {
        let normalized = NormalizedText::new(text);
        let (hits, context) = self.matcher.find_counted(&normalized);
        score_topics(
            &self.lexicons.topics,
            &self.lexicons.model,
            &context,
            &hits,
            &normalized,
            &Default::default(),
            false,
        )
    }

    /// The opening words of this engine's own warning templates, normalised.
    fn own_warning_prefixes(&self) -> &[String] {
        self.own_prefixes.get_or_init(|| {
            std::iter::once(self.lexicons.templates_for(None))
                .chain(
                    self.lexicons
                        .region_templates
                        .keys()
                        .map(|r| self.lexicons.templates_for(Some(r))),
                )
                .map(|t| {
                    crate::normalize::normalize_str(
                        t.warning.split("{topics}").next().unwrap_or(""),
                    )
                })
                .collect()
        })
    }

    /// Existing content warnings among the headline and first paragraphs of `doc`. `whole`
    /// is the document's normalised prose: in plain text it lets paragraphs that cannot be
    /// notices be passed over without normalising each on its own.
    pub fn find_notices(&self, doc: &Document, whole: &NormalizedText) -> Vec<Notice> {
        // forewarn's own warning blocks come first, wherever they stand (a draft whose only
        // heading is at its end has its warning there); then the story's sentences.
        let own_warnings: Vec<Range<usize>> = doc
            .structure
            .own_blocks
            .iter()
            .filter(|b| b.kind == crate::input::OwnBlockKind::Warning)
            .map(|b| b.content.clone())
            .collect();
        let candidates = own_warnings.iter().cloned().chain(
            doc.layout()
                .headline
                .iter()
                .chain(doc.layout().paragraphs.iter())
                .flat_map(|p| compose::sentences(&doc.text, p.clone()))
                .filter(|r| !own_warnings.iter().any(|w| w.contains(&r.start))),
        );
        let mut notices = Vec::new();
        // A warning written from this run's own templates is always recognised, so that
        // `fix` never inserts twice even with a house-style template.
        let own_prefixes = self.own_warning_prefixes();
        let looks_like_notice = |text: &str| {
            compose::is_notice(text, &self.lexicons.notices.patterns)
                || own_prefixes
                    .iter()
                    .any(|p| !p.is_empty() && text.trim_start().starts_with(p.as_str()))
        };
        // In plain text the document's normalised text holds each sentence's normalised
        // text; markup (kept in a paragraph, left out of the prose) needs the slow way.
        let whole = (doc.format == crate::input::InputFormat::Text).then_some(whole);
        // Notices are looked for among the first sentences of the story; notices themselves
        // do not count, so a warning `fix` inserts never pushes another out of reach.
        for (seen, range) in candidates.enumerate() {
            if seen - notices.len() >= NOTICE_SENTENCES {
                break;
            }
            // forewarn's own support block is rewritten whole by `fix`: no notice there.
            let in_own_support = doc.structure.own_blocks.iter().any(|b| {
                b.kind == crate::input::OwnBlockKind::Support && b.content.contains(&range.start)
            });
            let is_notice = || {
                if in_own_support {
                    return None;
                }
                if let Some(slice) =
                    whole.and_then(|w| w.text.get(w.normalized_range(range.clone())))
                    && !looks_like_notice(slice)
                {
                    return None;
                }
                // Only a short sentence is a notice: one that goes on is the story.
                if !compose::is_note_sized(&doc.text, &range) {
                    return None;
                }
                // Only the prose of the sentence: markup inside it is no part of the words.
                let normalized = NormalizedText::from_ranges(
                    &doc.text,
                    doc.structure.prose.iter().filter_map(|p| {
                        let r = p.start.max(range.start)..p.end.min(range.end);
                        (r.start < r.end).then_some(r)
                    }),
                );
                looks_like_notice(&normalized.text).then_some(normalized)
            };
            let Some(normalized) = is_notice() else {
                continue;
            };
            let hits = self.matcher.find(&normalized);
            let covers = (0..self.lexicons.topics.len())
                .filter(|&t| {
                    compose::notice_covers(t, &self.lexicons.topics[t], &normalized, &hits)
                })
                .collect();
            notices.push(Notice {
                range,
                covers,
                declared: false,
            });
        }
        notices
    }

    /// Normalises `doc`'s prose, finds the notices and support numbers it carries, and
    /// matches every topic in what is left once its own notes are set aside.
    fn read(&self, doc: &Document) -> ReadDocument {
        let prose = &doc.structure.prose;
        let normalized = NormalizedText::from_ranges(&doc.text, prose.iter().cloned());
        let notices = self.find_notices(doc, &normalized);
        // A number in a comment or an attribute is neither a support line nor a reason to
        // leave text out: only numbers readers see count.
        let mut sightings = self
            .support
            .find_in_paragraphs(&doc.text, &normalized, |at| paragraph_around(doc, at).start);
        sightings.retain(|s| prose.iter().any(|p| p.contains(&s.range.start)));
        // forewarn's own warning block holds a warning, and `fix` rewrites it whole: a number
        // typed into it is not a support line that will still be there.
        sightings.retain(|s| {
            !doc.structure.own_blocks.iter().any(|b| {
                b.kind == crate::input::OwnBlockKind::Warning && b.content.contains(&s.range.start)
            })
        });
        // The document's own warning and support notes are not evidence: their words
        // ("…child abuse.", "National Domestic Violence Hotline") must not raise a topic,
        // nor their words push the story's opening out of the lead, or a fix could change
        // the verdict it was made for. Only short notes count as notes; whatever stands in
        // forewarn's own marked blocks is set aside too, since `fix` rewrites them whole.
        let own_notes: Vec<Range<usize>> = notices
            .iter()
            .map(|n| n.range.clone())
            .chain(doc.structure.own_blocks.iter().map(|b| b.content.clone()))
            .chain(sightings.iter().filter_map(|s| {
                compose::support_note_extent(
                    &doc.text,
                    paragraph_around(doc, s.range.start),
                    s.range.start,
                )
            }))
            .collect();
        let normalized = if own_notes.is_empty() {
            normalized
        } else {
            NormalizedText::from_ranges(&doc.text, without(prose, &own_notes))
        };
        let (hits, context) = self.matcher.find_counted(&normalized);
        ReadDocument {
            normalized,
            notices,
            sightings,
            hits,
            context,
        }
    }

    /// Every topic's evidence features in `doc`, before any decision (what `forewarn
    /// train` fits the models on; `deferred` is left at 0).
    pub fn topic_features(&self, doc: &Document) -> Vec<crate::score::TopicFeatures> {
        let read = self.read(doc);
        crate::score::topic_features(
            &self.lexicons.topics,
            &read.context,
            &read.hits,
            &read.normalized,
            doc.layout(),
        )
    }

    /// Runs the whole pipeline on `doc`.
    pub fn analyze(&self, doc: &Document, opts: &AnalyzeOptions) -> DocumentReport {
        let topics = &self.lexicons.topics;
        let directory = &self.lexicons.support;
        let front = doc.structure.front_matter.as_ref();
        // A region set in front matter applies when none was given on the command line.
        let front_region = front
            .and_then(|f| f.region.as_deref())
            .and_then(|r| self.resolve_region(r).ok());
        let region_owned = opts.region.clone().or(front_region);
        let region = region_owned.as_deref();
        let ReadDocument {
            normalized,
            mut notices,
            sightings,
            hits: all_hits,
            context,
        } = self.read(doc);
        let layout = doc.layout();
        let (verdicts, suppressed) =
            self.score_with_directives(doc, layout, &normalized, all_hits, &context);
        let mut declared_not_found = Vec::new();
        if let Some(declared) = front.and_then(|f| f.content_warnings.as_ref()) {
            for value in declared {
                let n = NormalizedText::new(value);
                let hits = self.matcher.find(&n);
                let covers: Vec<usize> = (0..topics.len())
                    .filter(|&t| {
                        topics[t].id == value.trim()
                            || compose::notice_covers(t, &topics[t], &n, &hits)
                    })
                    .collect();
                if !verdicts
                    .iter()
                    .any(|v| v.level.is_some() && covers.contains(&v.topic))
                {
                    declared_not_found.push(value.clone());
                }
                notices.push(Notice {
                    range: 0..0,
                    covers,
                    declared: true,
                });
            }
        }
        let lines = LineIndex::new(&doc.text);
        let feature_names = self.lexicons.feature_names();

        let mut reports: Vec<TopicReport> = verdicts
            .iter()
            .filter(|v| {
                v.level.is_some()
                    || (opts.include_below_threshold
                        && !(v.matches.is_empty() && v.excluded.is_empty()))
            })
            .map(|v| {
                let topic = &topics[v.topic];
                TopicReport {
                    id: topic.id.clone(),
                    label: topic.label.clone(),
                    level: v.level,
                    score: round2(v.score),
                    warn_threshold: round2(v.warn_threshold),
                    mention_threshold: round2(v.mention_threshold),
                    warned: notices.iter().any(|n| n.covers.contains(&v.topic)),
                    supported: notices
                        .iter()
                        .any(|n| n.declared && n.covers.contains(&v.topic))
                        || sightings.iter().any(|s| {
                            let row = &directory.lines[s.row];
                            row.serves(&topic.id) || row.is_general()
                        }),
                    deferred_to: v.deferred_to.clone(),
                    too_few_places: v.too_few_places,
                    model: v.model.as_ref().map(|m| {
                        model_report(m, &self.lexicons.model, &topic.id, &feature_names, opts)
                    }),
                    matches: v
                        .matches
                        .iter()
                        .map(|m| {
                            let (line, column) = lines.line_col(&doc.text, m.range.start);
                            MatchReport {
                                line,
                                column,
                                start: m.range.start,
                                end: m.range.end,
                                text: doc.text[m.range.clone()].to_string(),
                                snippet: snippet(&doc.text, m.range.clone()),
                                weight: m.weight,
                                contribution: round2(m.contribution),
                                position: m.position,
                                weak: m.weak,
                            }
                        })
                        .collect(),
                    excluded: v
                        .excluded
                        .iter()
                        .map(|e| {
                            let (line, column) = lines.line_col(&doc.text, e.range.start);
                            ExcludedReport {
                                line,
                                column,
                                text: doc.text[e.range.clone()].to_string(),
                                by: doc.text[e.by.clone()].to_string(),
                                reason: topic.exclusions[e.group].reason.clone(),
                            }
                        })
                        .collect(),
                    unsupported_weak: v.unsupported_weak,
                }
            })
            .collect();
        reports.sort_by_key(|r| std::cmp::Reverse(r.level));
        cover_deferring_topics(&mut reports, topics);

        let warn: Vec<&TopicReport> = reports
            .iter()
            .filter(|r| r.level == Some(Level::Warn))
            .collect();
        let templates = self.lexicons.templates_for(region);
        let (warning, support, support_text) = self.compose(&templates, region, &warn);
        let unwarned: Vec<&TopicReport> = warn.iter().copied().filter(|r| !r.warned).collect();
        let unsupported: Vec<&TopicReport> =
            warn.iter().copied().filter(|r| !r.supported).collect();
        // A topic that defers to another at warn is covered with it (see
        // `cover_deferring_topics`): it is named in what to insert, not reported apart.
        let on_its_own = |r: &&&TopicReport| {
            self.lexicons
                .topic(&r.id)
                .is_none_or(|t| !warn.iter().any(|o| t.defer_to.contains(&o.id)))
        };
        let missing = Missing {
            warning: unwarned
                .iter()
                .filter(on_its_own)
                .map(|r| r.id.clone())
                .collect(),
            support: unsupported
                .iter()
                .filter(on_its_own)
                .map(|r| r.id.clone())
                .collect(),
            warning_text: self.compose(&templates, region, &unwarned).0,
            support_text: self.compose(&templates, region, &unsupported).2,
        };
        let stale_numbers = self.stale_numbers(doc, &sightings, region, &warn, &lines);
        DocumentReport {
            path: doc.path.clone(),
            id: doc.id.clone(),
            region: region_owned.clone(),
            region_note: region.is_none().then(|| templates.fallback_note.clone()),
            topics: reports.clone(),
            warning,
            support,
            support_text,
            has_warning: notices.iter().any(|n| !n.declared),
            has_support: !sightings.is_empty(),
            missing,
            stale_numbers,
            suppressed,
            safe_messaging: self.wording(doc, &normalized, opts, &lines),
            declared_not_found,
        }
    }

    /// Safe-messaging findings in `doc`, at the configured severity.
    fn wording(
        &self,
        doc: &Document,
        normalized: &NormalizedText,
        opts: &AnalyzeOptions,
        lines: &LineIndex,
    ) -> Vec<WordingReport> {
        use crate::safe_messaging::{Severity, find};
        if opts.safe_messaging == Some(Severity::Off) {
            return Vec::new();
        }
        if self
            .wording_gate
            .as_ref()
            .is_some_and(|g| !g.is_match(normalized.text.as_bytes()))
        {
            return Vec::new();
        }
        let rules = &self.lexicons.safe_messaging;
        find(rules, normalized)
            .into_iter()
            .filter_map(|f| {
                let rule = &rules[f.rule];
                let severity = opts.safe_messaging.unwrap_or(rule.severity);
                if severity == Severity::Off {
                    return None;
                }
                let (line, column) = lines.line_col(&doc.text, f.range.start);
                Some(WordingReport {
                    rule: rule.id.clone(),
                    severity,
                    line,
                    column,
                    text: doc.text[f.range].to_string(),
                    message: rule.message.clone(),
                    preferred: rule.preferred.clone(),
                })
            })
            .collect()
    }

    /// Scores `hits`, leaving out those silenced by the document's inline directives, and
    /// says which topics the directives lowered.
    fn score_with_directives(
        &self,
        doc: &Document,
        layout: &crate::score::Layout,
        normalized: &NormalizedText,
        hits: Vec<crate::matcher::Hit>,
        context: &[usize],
    ) -> (Vec<TopicVerdict>, Vec<SuppressedTopic>) {
        let topics = &self.lexicons.topics;
        let s = &doc.structure;
        let model = &self.lexicons.model;
        let score = |hits: &[crate::matcher::Hit]| {
            score_topics(topics, model, context, hits, normalized, layout, true)
        };
        if s.ignored_topics.is_empty() && s.disabled.is_empty() {
            return (score(&hits), Vec::new());
        }
        let before = score(&hits);
        let ignored = |h: &crate::matcher::Hit| {
            // Context words (past the last topic) belong to no topic.
            topics
                .get(h.topic)
                .is_some_and(|x| s.ignored_topics.contains(&x.id))
        };
        let disabled = |h: &crate::matcher::Hit| {
            let at = normalized.original_offset(h.range.start);
            s.disabled.iter().any(|d| d.contains(&at))
        };
        let kept: Vec<_> = hits
            .iter()
            .filter(|h| !ignored(h) && !disabled(h))
            .cloned()
            .collect();
        let after = score(&kept);
        let mut suppressed = Vec::new();
        for b in &before {
            let Some(level) = b.level else { continue };
            let now = after
                .iter()
                .find(|a| a.topic == b.topic)
                .and_then(|a| a.level);
            if now < Some(level) {
                let id = topics[b.topic].id.clone();
                let directive = if s.ignored_topics.contains(&id) {
                    "forewarn-ignore"
                } else {
                    "forewarn-disable"
                };
                suppressed.push(SuppressedTopic {
                    id,
                    level,
                    now,
                    directive: directive.to_string(),
                });
            }
        }
        (after, suppressed)
    }

    /// The warning sentence, the support lines and the support insert for `topics`.
    fn compose(
        &self,
        templates: &crate::lexicon::TemplateSet,
        region: Option<&str>,
        topics: &[&TopicReport],
    ) -> (Option<String>, Vec<SupportReport>, Option<String>) {
        if topics.is_empty() {
            return (None, Vec::new(), None);
        }
        let labels: Vec<&str> = topics.iter().map(|r| r.label.as_str()).collect();
        let warning = compose::warning_sentence(templates, &labels);
        let mut chosen: Vec<(&SupportLine, Vec<String>)> = Vec::new();
        // A topic that defers to another one here is served by that one's line (a
        // pregnancy-loss helpline for the grief of a stillbirth story), not a line of its own.
        let served_by = |r: &TopicReport| {
            let defer_to = &self.lexicons.topic(&r.id)?.defer_to;
            topics
                .iter()
                .find(|o| defer_to.contains(&o.id))
                .map(|o| o.id.clone())
        };
        let (deferring, own): (Vec<&&TopicReport>, Vec<&&TopicReport>) =
            topics.iter().partition(|r| served_by(r).is_some());
        for r in own.into_iter().chain(deferring) {
            if let Some(target) = served_by(r)
                && let Some((_, ts)) = chosen.iter_mut().find(|(_, ts)| ts.contains(&target))
            {
                ts.push(r.id.clone());
                continue;
            }
            if let Some(row) = self.lexicons.support.suggest(region, &r.id) {
                match chosen
                    .iter_mut()
                    .find(|(c, _)| c.organisation == row.organisation && c.phone == row.phone)
                {
                    Some((_, ts)) => ts.push(r.id.clone()),
                    None => chosen.push((row, vec![r.id.clone()])),
                }
            }
        }
        let support = chosen
            .iter()
            .map(|(row, ts)| SupportReport {
                organisation: row.organisation.clone(),
                phone: row.phone.clone(),
                hours: row.hours.clone(),
                url: row.url.clone(),
                region: row.region.clone(),
                topics: ts.clone(),
                text: compose::support_line_text(templates, row),
            })
            .collect();
        let rows: Vec<&SupportLine> = chosen.iter().map(|(r, _)| *r).collect();
        let insert = (!rows.is_empty()).then(|| compose::support_insert(templates, &rows));
        (Some(warning), support, insert)
    }

    /// Numbers printed in the document that are retired, or belong to another region.
    fn stale_numbers(
        &self,
        doc: &Document,
        sightings: &[NumberSighting],
        region: Option<&str>,
        warn: &[&TopicReport],
        lines: &LineIndex,
    ) -> Vec<StaleNumber> {
        let directory = &self.lexicons.support;
        let mut out: Vec<StaleNumber> = Vec::new();
        let mut ranges: Vec<Range<usize>> = sightings.iter().map(|s| s.range.clone()).collect();
        ranges.dedup();
        for range in ranges {
            let rows: Vec<&SupportLine> = sightings
                .iter()
                .filter(|s| s.range == range)
                .map(|s| &directory.lines[s.row])
                .collect();
            let current_here = rows.iter().any(|r| {
                r.status == LineStatus::Current
                    && region.is_none_or(|reg| r.region == reg || r.region == INTERNATIONAL)
            });
            if current_here {
                continue;
            }
            let row = rows[0];
            let foreign =
                region.is_some_and(|reg| row.region != reg && row.region != INTERNATIONAL);
            // In another region's piece, the line to use is that region's, whatever the
            // number's own replacement is.
            let regional = || {
                let topic = warn
                    .iter()
                    .map(|t| t.id.as_str())
                    .find(|t| row.serves(t))
                    .unwrap_or("*");
                directory
                    .suggest(region, topic)
                    .map(|s| format!("{} on {}", s.organisation, s.phone))
            };
            let mut reasons = Vec::new();
            let mut suggestion = None;
            if let Some(retired) = rows.iter().find(|r| r.status == LineStatus::Retired) {
                reasons.push(format!(
                    "{} is a retired number of {}",
                    retired.phone, retired.organisation
                ));
                suggestion = (!retired.replaced_by.is_empty()).then(|| retired.replaced_by.clone());
            }
            if foreign {
                reasons.push(format!(
                    "{} is a {} number, but the region is {}",
                    row.phone,
                    row.region,
                    region.unwrap_or_default()
                ));
                suggestion = regional();
            }
            let reason = reasons.join("; ");
            let (line, column) = lines.line_col(&doc.text, range.start);
            out.push(StaleNumber {
                line,
                column,
                text: doc.text[range].to_string(),
                reason,
                suggestion,
            });
        }
        out
    }
}

/// A topic that defers to another (`defer_to`) is covered by that topic's warning and
/// support line when that topic is at warn: a reader told that a piece discusses
/// miscarriage, and given a pregnancy-loss helpline, has been prepared for the grief and
/// the fertility treatment around it. Its own level stays as decided.
fn cover_deferring_topics(reports: &mut [TopicReport], topics: &[crate::lexicon::Topic]) {
    // Deferral chains are short; two passes cover a chain of two.
    for _ in 0..2 {
        let covering: Vec<(String, bool, bool)> = reports
            .iter()
            .filter(|r| r.level == Some(Level::Warn))
            .map(|r| (r.id.clone(), r.warned, r.supported))
            .collect();
        for r in reports.iter_mut() {
            let Some(topic) = topics.iter().find(|t| t.id == r.id) else {
                continue;
            };
            for (id, warned, supported) in &covering {
                if topic.defer_to.contains(id) {
                    r.warned |= warned;
                    r.supported |= supported;
                }
            }
        }
    }
}

/// What [`Engine::read`] finds in a document.
struct ReadDocument {
    /// The prose, normalised, without the document's own notes.
    normalized: NormalizedText,
    /// Existing content warnings.
    notices: Vec<Notice>,
    /// Directory numbers readers see.
    sightings: Vec<NumberSighting>,
    /// Every topic's hits in `normalized`.
    hits: Vec<crate::matcher::Hit>,
    /// How often each context group's words occur.
    context: Vec<usize>,
}

/// `ranges` (sorted, disjoint) with the parts inside any of `holes` cut out.
fn without(ranges: &[Range<usize>], holes: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut holes = holes.to_vec();
    holes.sort_by_key(|h| h.start);
    let mut out = Vec::with_capacity(ranges.len() + holes.len());
    for r in ranges {
        let mut at = r.start;
        for h in holes.iter().filter(|h| h.start < r.end && h.end > r.start) {
            if h.start > at {
                out.push(at..h.start);
            }
            at = at.max(h.end);
        }
        if at < r.end {
            out.push(at..r.end);
        }
    }
    out
}

/// The report of a model's decision; the feature terms only for `explain`.
fn model_report(
    m: &crate::score::ModelVerdict,
    model: &crate::lexicon::DecisionModel,
    topic: &str,
    names: &[String],
    opts: &AnalyzeOptions,
) -> ModelReport {
    let fitted = model
        .topics
        .get(topic)
        .filter(|_| opts.include_below_threshold);
    let features = if let Some(w) = fitted {
        let contributions = w.contributions(&m.features);
        std::iter::once(FeatureReport {
            name: "bias".into(),
            value: 1.0,
            weight: w.bias,
            contribution: round2(w.bias),
        })
        .chain(names.iter().enumerate().map(|(i, name)| FeatureReport {
            name: name.to_string(),
            value: (m.features[i] * 1000.0).round() / 1000.0,
            weight: w.weights[i],
            contribution: round2(contributions[i]),
        }))
        .collect()
    } else {
        Vec::new()
    };
    ModelReport {
        probability: (m.probability * 1000.0).round() / 1000.0,
        threshold: m.threshold,
        features,
    }
}

/// The paragraph holding byte `at` (the headline counts as one), or else its line within
/// its run of prose.
fn paragraph_around(doc: &Document, at: usize) -> Range<usize> {
    let layout = doc.layout();
    if let Some(p) = layout
        .headline
        .iter()
        .chain(&layout.paragraphs)
        .find(|p| p.contains(&at))
    {
        return p.clone();
    }
    let start = doc.text[..at].rfind(['\n', '\r']).map_or(0, |p| p + 1);
    let end = doc.text[at..]
        .find(['\n', '\r'])
        .map_or(doc.text.len(), |p| at + p);
    // Never across markup: text in the next tag's element is not part of it.
    match doc.structure.prose.iter().find(|p| p.contains(&at)) {
        Some(p) => start.max(p.start)..end.min(p.end),
        None => start..end,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Byte offsets of line starts (lines end as [`crate::input::text::line_break`] says), for
/// fast line and column lookups. Columns are counted from a remembered position when
/// offsets move forward on one line, so many matches on one very long line cost time
/// linear in the line.
struct LineIndex {
    starts: Vec<usize>,
    last: std::cell::Cell<(usize, usize, usize)>, // (offset, line, column)
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let brk = crate::input::text::line_break(text);
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(brk, text.as_bytes()).map(|i| i + 1))
            .collect();
        LineIndex {
            starts,
            last: std::cell::Cell::new((0, 1, 1)),
        }
    }

    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let (last_offset, last_line, last_col) = self.last.get();
        let col = if last_line == line && last_offset >= start && last_offset <= offset {
            last_col + text[last_offset..offset].chars().count()
        } else {
            text[start..offset].chars().count() + 1
        };
        self.last.set((offset, line, col));
        (line, col)
    }
}

/// The largest char boundary of `text` at or before `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `text` at or after `at`.
fn ceil_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The text around `range` on its line, at most ~40 characters either side, on one line.
/// Looks at no more than a few hundred bytes, however long the line.
fn snippet(text: &str, range: Range<usize>) -> String {
    const SIDE: usize = 40;
    const WINDOW: usize = SIDE * 4 + 4;
    let from = floor_boundary(text, range.start.saturating_sub(WINDOW));
    let to = ceil_boundary(text, range.end + WINDOW);
    let line_start = text[from..range.start]
        .rfind(['\n', '\r'])
        .map_or(from, |p| from + p + 1);
    let line_end = text[range.end..to]
        .find(['\n', '\r'])
        .map_or(to, |p| range.end + p);
    let before: Vec<char> = text[line_start..range.start].chars().collect();
    let after: Vec<char> = text[range.end..line_end].chars().collect();
    let mut s = String::new();
    if before.len() > SIDE || (line_start == from && from > 0) {
        s.push('…');
    }
    s.extend(before.iter().skip(before.len().saturating_sub(SIDE)));
    s.push_str(&text[range]);
    s.extend(after.iter().take(SIDE));
    if after.len() > SIDE || (line_end == to && to < text.len()) {
        s.push('…');
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_is_cut_on_characters() {
        let text = format!("{}stillborn{}", "é".repeat(50), "ü".repeat(50));
        let s = snippet(&text, 100..109);
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert_eq!(s.chars().count(), 40 + 9 + 40 + 2);
    }

    #[test]
    fn line_index_agrees_with_input() {
        let text = "a\nbé c\n\nd";
        let idx = LineIndex::new(text);
        for offset in [0, 2, 5, 7, 8, 9] {
            assert_eq!(
                idx.line_col(text, offset),
                crate::input::line_col(text, offset),
                "{offset}"
            );
        }
    }
}
