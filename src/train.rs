//! Fitting the decision models (`forewarn train`): per-topic logistic regressions over the
//! evidence features of hand-labelled documents. Topics with few labelled articles borrow
//! strength from the rest: a pooled model is fitted on every topic's examples first, and
//! each topic's model is then pulled towards it (an L2 penalty on the difference), so a
//! topic strays from the pooled weights only as far as its own examples justify.
//!
//! Everything here is arithmetic on feature vectors; reading documents and labels is the
//! command's job.

use crate::lexicon::{FEATURE_COUNT, TopicModel};

/// Coefficients: the intercept, then one weight per feature.
type Coefficients = [f64; FEATURE_COUNT + 1];

/// One labelled (document, topic) pair with at least one counted strong cue.
#[derive(Debug, Clone)]
pub struct Example {
    /// The topic's evidence features in the document.
    pub features: [f64; FEATURE_COUNT],
    /// True when the labels say the topic needs a warning.
    pub warn: bool,
}

/// How strongly the fit is regularised.
#[derive(Debug, Clone, Copy)]
pub struct FitOptions {
    /// L2 penalty on the pooled model's standardised weights.
    pub pooled_penalty: f64,
    /// L2 penalty on a topic's distance from the pooled model.
    pub topic_penalty: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            pooled_penalty: 1.0,
            topic_penalty: 4.0,
        }
    }
}

/// Feature means and spreads, so that one penalty treats every feature alike.
#[derive(Debug, Clone)]
struct Scaler {
    mean: [f64; FEATURE_COUNT],
    sd: [f64; FEATURE_COUNT],
}

impl Scaler {
    fn new<'a>(examples: impl Iterator<Item = &'a Example> + Clone) -> Scaler {
        let n = examples.clone().count().max(1) as f64;
        let mut mean = [0.0; FEATURE_COUNT];
        for e in examples.clone() {
            for (m, x) in mean.iter_mut().zip(e.features) {
                *m += x / n;
            }
        }
        let mut sd = [0.0; FEATURE_COUNT];
        for e in examples {
            for i in 0..FEATURE_COUNT {
                sd[i] += (e.features[i] - mean[i]).powi(2) / n;
            }
        }
        Scaler {
            mean,
            sd: sd.map(f64::sqrt),
        }
    }

    /// `[1, standardised features…]`; a constant feature standardises to 0.
    fn row(&self, e: &Example) -> Coefficients {
        let mut row = [0.0; FEATURE_COUNT + 1];
        row[0] = 1.0;
        for i in 0..FEATURE_COUNT {
            if self.sd[i] > 1e-9 {
                row[i + 1] = (e.features[i] - self.mean[i]) / self.sd[i];
            }
        }
        row
    }

    /// The model on raw features equal to `c` on standardised ones.
    fn to_model(&self, c: &Coefficients, threshold: f64) -> TopicModel {
        let mut weights = [0.0; FEATURE_COUNT];
        let mut bias = c[0];
        for i in 0..FEATURE_COUNT {
            if self.sd[i] > 1e-9 {
                weights[i] = c[i + 1] / self.sd[i];
                bias -= weights[i] * self.mean[i];
            }
        }
        TopicModel {
            bias,
            weights,
            threshold,
        }
    }
}

/// Minimises the logistic loss over `rows` plus `penalty/2 · |c − prior|²` (the intercept
/// lightly penalised too, so that a topic with one class only still has an answer), by
/// Newton's method.
fn fit(rows: &[(Coefficients, bool)], prior: &Coefficients, penalty: f64) -> Coefficients {
    const K: usize = FEATURE_COUNT + 1;
    let mut c = *prior;
    for _ in 0..50 {
        let mut grad = [0.0; K];
        let mut hess = [[0.0; K]; K];
        for (x, y) in rows {
            let z: f64 = x.iter().zip(&c).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = p - f64::from(u8::from(*y));
            let w = (p * (1.0 - p)).max(1e-12);
            for i in 0..K {
                grad[i] += r * x[i];
                for j in 0..K {
                    hess[i][j] += w * x[i] * x[j];
                }
            }
        }
        for i in 0..K {
            let lambda = if i == 0 { penalty * 1e-3 } else { penalty };
            grad[i] += lambda * (c[i] - prior[i]);
            hess[i][i] += lambda;
        }
        let step = solve(hess, grad);
        for i in 0..K {
            c[i] -= step[i];
        }
        if step.iter().map(|s| s.abs()).fold(0.0, f64::max) < 1e-9 {
            break;
        }
    }
    c
}

/// Solves `a · x = b` for a symmetric positive-definite `a` (Gaussian elimination with
/// partial pivoting).
fn solve<const K: usize>(mut a: [[f64; K]; K], mut b: [f64; K]) -> [f64; K] {
    for col in 0..K {
        let pivot = (col..K)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < 1e-15 {
            continue;
        }
        let pivot_row = a[col];
        for row in col + 1..K {
            let f = a[row][col] / d;
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; K];
    for row in (0..K).rev() {
        let s: f64 = (row + 1..K).map(|k| a[row][k] * x[k]).sum();
        x[row] = if a[row][row].abs() < 1e-15 {
            0.0
        } else {
            (b[row] - s) / a[row][row]
        };
    }
    x
}

/// Fits one model per topic: `examples[t]` are topic `t`'s labelled examples. Every
/// model gets `threshold`.
pub fn fit_models(
    examples: &[Vec<Example>],
    options: FitOptions,
    threshold: f64,
) -> Vec<TopicModel> {
    let scaler = Scaler::new(examples.iter().flatten());
    let rows: Vec<Vec<(Coefficients, bool)>> = examples
        .iter()
        .map(|es| es.iter().map(|e| (scaler.row(e), e.warn)).collect())
        .collect();
    let all: Vec<(Coefficients, bool)> = rows.iter().flatten().copied().collect();
    let pooled = fit(&all, &[0.0; FEATURE_COUNT + 1], options.pooled_penalty);
    rows.iter()
        .map(|r| scaler.to_model(&fit(r, &pooled, options.topic_penalty), threshold))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(evidence: f64, warn: bool) -> Example {
        let mut features = [0.0; FEATURE_COUNT];
        features[0] = evidence;
        features[1] = 1.0; // a constant feature: no weight
        Example { features, warn }
    }

    #[test]
    fn solves_a_small_system() {
        let x = solve([[4.0, 1.0], [1.0, 3.0]], [1.0, 2.0]);
        assert!((x[0] - 1.0 / 11.0).abs() < 1e-12 && (x[1] - 7.0 / 11.0).abs() < 1e-12);
    }

    #[test]
    fn more_evidence_means_warn_and_the_threshold_sits_between_the_classes() {
        let topic: Vec<Example> = (0..40).map(|i| example(i as f64 / 10.0, i >= 20)).collect();
        let models = fit_models(&[topic], FitOptions::default(), 0.5);
        let m = &models[0];
        assert!(m.weights[0] > 0.0, "{m:?}");
        assert_eq!(m.weights[1], 0.0);
        let p = |x: f64| m.probability(&example(x, false).features);
        assert!(p(0.5) < 0.2 && p(3.5) > 0.8, "{} {}", p(0.5), p(3.5));
        assert!((p(1.95) - 0.5).abs() < 0.15, "{}", p(1.95));
    }

    #[test]
    fn a_topic_with_few_examples_stays_near_the_pooled_model() {
        let big: Vec<Example> = (0..200)
            .map(|i| example(i as f64 / 50.0, i >= 100))
            .collect();
        // Two contradictory examples cannot turn the pooled evidence weight around.
        let small = vec![example(0.2, true), example(3.8, false)];
        let models = fit_models(&[big, small], FitOptions::default(), 0.5);
        assert!(models[1].weights[0] > 0.0, "{:?}", models[1]);
        assert!(models[1].weights[0] < models[0].weights[0]);
    }
}
