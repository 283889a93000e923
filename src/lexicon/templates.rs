//! Wording templates (`templates.toml`, and the `[templates]` table of `forewarn.toml`):
//! the warning sentence and the support insert, with per-region overrides merged field by
//! field.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Wording templates; every field optional so that files and regions override field by field.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TemplateFields {
    /// The warning sentence; `{topics}` is the labels joined naturally.
    pub warning: Option<String>,
    /// The support insert; `{lines}` is the support lines joined naturally.
    pub support: Option<String>,
    /// One support line with phone and hours.
    pub line: Option<String>,
    /// One support line with a phone and no hours.
    pub line_no_hours: Option<String>,
    /// One support line with no phone (web only).
    pub line_web: Option<String>,
    /// Said when no region was chosen.
    pub fallback_note: Option<String>,
}

impl TemplateFields {
    /// Fills every unset field of `self` from `lower`.
    pub fn or(self, lower: &TemplateFields) -> TemplateFields {
        TemplateFields {
            warning: self.warning.or_else(|| lower.warning.clone()),
            support: self.support.or_else(|| lower.support.clone()),
            line: self.line.or_else(|| lower.line.clone()),
            line_no_hours: self.line_no_hours.or_else(|| lower.line_no_hours.clone()),
            line_web: self.line_web.or_else(|| lower.line_web.clone()),
            fallback_note: self.fallback_note.or_else(|| lower.fallback_note.clone()),
        }
    }
}

/// Fully resolved templates for one region: every field set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateSet {
    /// See [`TemplateFields::warning`].
    pub warning: String,
    /// See [`TemplateFields::support`].
    pub support: String,
    /// See [`TemplateFields::line`].
    pub line: String,
    /// See [`TemplateFields::line_no_hours`].
    pub line_no_hours: String,
    /// See [`TemplateFields::line_web`].
    pub line_web: String,
    /// See [`TemplateFields::fallback_note`].
    pub fallback_note: String,
}

/// House-style templates: base fields and per-region overrides.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TemplateConfig {
    /// The warning sentence (`{topics}`).
    pub warning: Option<String>,
    /// The support insert (`{lines}`).
    pub support: Option<String>,
    /// One support line with hours.
    pub line: Option<String>,
    /// One support line without hours.
    pub line_no_hours: Option<String>,
    /// One web-only support line.
    pub line_web: Option<String>,
    /// Said when no region is set.
    pub fallback_note: Option<String>,
    /// Overrides per region code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub regions: BTreeMap<String, TemplateFields>,
}

impl TemplateConfig {
    /// Lays these templates over `base` and `regions`, field by field: what is set here wins.
    /// Used for `templates.toml` files and for the `[templates]` table of `forewarn.toml`.
    pub fn apply_to(
        &self,
        base: &mut TemplateFields,
        regions: &mut BTreeMap<String, TemplateFields>,
    ) {
        let fields = TemplateFields {
            warning: self.warning.clone(),
            support: self.support.clone(),
            line: self.line.clone(),
            line_no_hours: self.line_no_hours.clone(),
            line_web: self.line_web.clone(),
            fallback_note: self.fallback_note.clone(),
        };
        *base = fields.or(base);
        for (region, fields) in &self.regions {
            let region = region.to_ascii_uppercase();
            let lower = regions.remove(&region).unwrap_or_default();
            regions.insert(region, fields.clone().or(&lower));
        }
    }
}
