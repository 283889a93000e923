//! Expands a written term into the literal variants the matcher searches: brace
//! alternatives (`miscarr{y,ied}`) and space/hyphen variants (`self-harm`, `self harm`).

use crate::normalize::normalize_str;

/// Terms of up to this many joints (three words) mix space and hyphen at every joint:
/// compounds are written both ways (`self-harm`, `self harm`, `cot-death`). In a longer
/// phrase only a written hyphen also matches a space: "images of children" is never
/// hyphenated, and mixing every joint of long phrases multiplied the literals to search.
const MIXED_JOINTS: usize = 2;

/// The most joints for which every mix is generated; more get only the all-space and
/// all-hyphen forms.
const MAX_MIXED_JOINTS: usize = 4;

/// Expands `written` into its normalised literal variants, sorted and without duplicates.
pub fn expand_term(written: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for alternative in expand_braces(written)? {
        let normal = normalize_str(&alternative);
        if normal.is_empty() {
            continue;
        }
        out.extend(joint_variants(&normal));
    }
    if out.is_empty() {
        return Err(format!("term {written:?} expands to nothing"));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The most brace alternatives one term may expand to: a term of thirty `{a,b}` groups
/// would otherwise ask for a billion strings.
pub const MAX_VARIANTS: usize = 4096;

/// Expands every `{a,b,}` group (groups may not nest) into the cartesian product; more
/// than [`MAX_VARIANTS`] is an error that says how many.
pub fn expand_braces(written: &str) -> Result<Vec<String>, String> {
    let count = written
        .split('{')
        .skip(1)
        .map(|g| g.split('}').next().unwrap_or("").split(',').count())
        .fold(1usize, usize::saturating_mul);
    if count > MAX_VARIANTS {
        return Err(format!(
            "term {:?} expands to {count} variants; at most {MAX_VARIANTS} are allowed (split it into several terms)",
            written.chars().take(60).collect::<String>()
        ));
    }
    let mut results = vec![String::new()];
    let mut rest = written;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err(format!("unbalanced '}}' in term {written:?}"));
        }
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| format!("unclosed '{{' in term {written:?}"))?;
        let inner = &rest[open + 1..close];
        if inner.contains('{') {
            return Err(format!("nested braces in term {written:?}"));
        }
        let prefix = &rest[..open];
        let alternatives: Vec<&str> = inner.split(',').collect();
        results = results
            .iter()
            .flat_map(|r| {
                alternatives.iter().map(move |a| {
                    let mut joined = String::with_capacity(r.len() + prefix.len() + a.len());
                    joined.push_str(r);
                    joined.push_str(prefix);
                    joined.push_str(a);
                    joined
                })
            })
            .collect();
        rest = &rest[close + 1..];
    }
    for r in &mut results {
        r.push_str(rest);
    }
    Ok(results)
}

/// Every mix of space and hyphen at the joints between words of `term` (all joints in a
/// short term, the written hyphens in a longer one; see [`MIXED_JOINTS`]).
fn joint_variants(term: &str) -> Vec<String> {
    let mut joints: Vec<usize> = term
        .bytes()
        .enumerate()
        .filter(|&(i, b)| {
            (b == b' ' || b == b'-')
                && i > 0
                && i + 1 < term.len()
                && term.as_bytes()[i - 1].is_ascii_alphanumeric()
                && term.as_bytes()[i + 1].is_ascii_alphanumeric()
        })
        .map(|(i, _)| i)
        .collect();
    if joints.len() > MIXED_JOINTS {
        joints.retain(|&j| term.as_bytes()[j] == b'-');
    }
    let with = |choose_hyphen: &dyn Fn(usize) -> bool| {
        let mut bytes = term.as_bytes().to_vec();
        for (n, &j) in joints.iter().enumerate() {
            bytes[j] = if choose_hyphen(n) { b'-' } else { b' ' };
        }
        String::from_utf8(bytes).expect("only ASCII bytes were replaced")
    };
    if joints.is_empty() {
        return vec![term.to_string()];
    }
    if joints.len() > MAX_MIXED_JOINTS {
        return vec![term.to_string(), with(&|_| false), with(&|_| true)];
    }
    (0..1u32 << joints.len())
        .map(|mask| with(&|n| mask & (1 << n) != 0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_expand_with_empty_alternative() {
        assert_eq!(
            expand_term("stillbirth{,s}").unwrap(),
            vec!["stillbirth", "stillbirths"]
        );
        assert_eq!(
            expand_braces("f{e,oe}tal death{,s}").unwrap(),
            vec![
                "fetal death",
                "fetal deaths",
                "foetal death",
                "foetal deaths"
            ]
        );
    }

    #[test]
    fn spaces_and_hyphens_are_interchangeable() {
        assert_eq!(
            expand_term("self-harm").unwrap(),
            vec!["self harm", "self-harm"]
        );
        assert_eq!(
            expand_term("Still Born").unwrap(),
            vec!["still born", "still-born"]
        );
        // A longer phrase mixes only its written hyphens.
        assert_eq!(
            expand_term("images of a child").unwrap(),
            vec!["images of a child"]
        );
        assert_eq!(
            expand_term("took an over-dose of pills").unwrap(),
            vec!["took an over dose of pills", "took an over-dose of pills"]
        );
    }

    #[test]
    fn curly_apostrophes_are_straightened() {
        assert_eq!(expand_term("didn’t survive").unwrap().len(), 2);
        assert!(
            expand_term("didn’t survive")
                .unwrap()
                .contains(&"didn't survive".to_string())
        );
    }

    #[test]
    fn bad_braces_are_errors() {
        assert!(expand_term("miscarr{y,ied").is_err());
        assert!(expand_term("miscarr}y").is_err());
        assert!(expand_term("a{b{c}}").is_err());
        assert!(expand_term("{,}").is_err());
    }

    #[test]
    fn a_term_with_too_many_variants_is_refused_before_any_is_built() {
        let bomb = "{a,b}".repeat(30);
        let e = expand_term(&bomb).unwrap_err();
        assert!(e.contains("1073741824 variants"), "{e}");
        assert!(expand_term(&"{a,b}".repeat(12)).is_ok());
    }
}
