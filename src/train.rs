//! Fitting the decision models (`forewarn train`): per-topic logistic regressions over the
//! evidence features of hand-labelled documents. Topics with few labelled articles borrow
//! strength from the rest: a pooled model is fitted on every topic's examples first, and
//! each topic's model is then pulled towards it (an L2 penalty on the difference), so a
//! topic strays from the pooled weights only as far as its own examples justify.
//!
//! Everything here is arithmetic on feature vectors; reading documents and labels is the
//! command's job.

use crate::lexicon::TopicModel;

/// Coefficients: the intercept, then one weight per feature.
type Coefficients = Vec<f64>;

/// One labelled (document, topic) pair with at least one counted strong cue.
#[derive(Debug, Clone)]
pub struct Example {
    /// The topic's features in the document.
    pub features: Vec<f64>,
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
    mean: Vec<f64>,
    sd: Vec<f64>,
}

impl Scaler {
    fn new<'a>(dims: usize, examples: impl Iterator<Item = &'a Example> + Clone) -> Scaler {
        let n = examples.clone().count().max(1) as f64;
        let mut mean = vec![0.0; dims];
        for e in examples.clone() {
            for (m, x) in mean.iter_mut().zip(&e.features) {
                *m += x / n;
            }
        }
        let mut sd = vec![0.0; dims];
        for e in examples {
            for i in 0..dims {
                sd[i] += (e.features[i] - mean[i]).powi(2) / n;
            }
        }
        Scaler {
            mean,
            sd: sd.into_iter().map(f64::sqrt).collect(),
        }
    }

    /// `[1, standardised features…]`; a constant feature standardises to 0.
    fn row(&self, e: &Example) -> Coefficients {
        std::iter::once(1.0)
            .chain((0..self.mean.len()).map(|i| {
                if self.sd[i] > 1e-9 {
                    (e.features[i] - self.mean[i]) / self.sd[i]
                } else {
                    0.0
                }
            }))
            .collect()
    }

    /// The model on raw features equal to `c` on standardised ones.
    fn to_model(&self, c: &[f64], threshold: f64) -> TopicModel {
        let mut weights = vec![0.0; self.mean.len()];
        let mut bias = c[0];
        for i in 0..self.mean.len() {
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

/// The linear predictor `x · c`.
fn dot(x: &[f64], c: &[f64]) -> f64 {
    x.iter().zip(c).map(|(a, b)| a * b).sum()
}

/// Minimises the logistic loss over `rows` plus `penalty/2 · |c − prior|²` (the intercept
/// penalised a tenth as much, so that a topic with one class only still has an answer), by
/// Newton's method with a backtracking line search (separable data cannot make it diverge).
fn fit(rows: &[(Coefficients, bool)], prior: &[f64], penalty: f64) -> Coefficients {
    let k = prior.len();
    let lambda = |i: usize| if i == 0 { penalty * 0.1 } else { penalty };
    let objective = |c: &[f64]| {
        let loss: f64 = rows
            .iter()
            .map(|(x, y)| {
                let z = dot(x, c);
                // log(1 + e^-z) for a warn, log(1 + e^z) otherwise, computed stably.
                let m = if *y { -z } else { z };
                m.max(0.0) + (-m.abs()).exp().ln_1p()
            })
            .sum();
        loss + (0..k)
            .map(|i| 0.5 * lambda(i) * (c[i] - prior[i]).powi(2))
            .sum::<f64>()
    };
    let mut c = prior.to_vec();
    let mut current = objective(&c);
    for _ in 0..100 {
        let mut grad = vec![0.0; k];
        let mut hess = vec![vec![0.0; k]; k];
        for (x, y) in rows {
            let p = 1.0 / (1.0 + (-dot(x, &c)).exp());
            let r = p - f64::from(u8::from(*y));
            let w = p * (1.0 - p);
            for i in 0..k {
                grad[i] += r * x[i];
                for j in 0..k {
                    hess[i][j] += w * x[i] * x[j];
                }
            }
        }
        for i in 0..k {
            grad[i] += lambda(i) * (c[i] - prior[i]);
            hess[i][i] += lambda(i);
        }
        let step = solve(hess, grad);
        let mut scale = 1.0;
        let mut next = c.clone();
        while scale > 1e-6 {
            next = (0..k).map(|i| c[i] - scale * step[i]).collect();
            if objective(&next) <= current {
                break;
            }
            scale /= 2.0;
        }
        let moved = (0..k).map(|i| (next[i] - c[i]).abs()).fold(0.0, f64::max);
        c = next;
        current = objective(&c);
        if moved < 1e-9 {
            break;
        }
    }
    c
}

/// Solves `a · x = b` for a symmetric positive-definite `a` (Gaussian elimination with
/// partial pivoting).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let k = b.len();
    for col in 0..k {
        let pivot = (col..k)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < 1e-15 {
            continue;
        }
        let pivot_row = a[col].clone();
        for row in col + 1..k {
            let f = a[row][col] / d;
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; k];
    for row in (0..k).rev() {
        let s: f64 = (row + 1..k).map(|j| a[row][j] * x[j]).sum();
        x[row] = if a[row][row].abs() < 1e-15 {
            0.0
        } else {
            (b[row] - s) / a[row][row]
        };
    }
    x
}

/// Fits one model per topic: `examples[t]` are topic `t`'s labelled examples, each with
/// `dims` features. Every model gets `threshold`.
pub fn fit_models(
    dims: usize,
    examples: &[Vec<Example>],
    options: FitOptions,
    threshold: f64,
) -> Vec<TopicModel> {
    let scaler = Scaler::new(dims, examples.iter().flatten());
    let rows: Vec<Vec<(Coefficients, bool)>> = examples
        .iter()
        .map(|es| es.iter().map(|e| (scaler.row(e), e.warn)).collect())
        .collect();
    let all: Vec<(Coefficients, bool)> = rows.iter().flatten().cloned().collect();
    let pooled = fit(&all, &vec![0.0; dims + 1], options.pooled_penalty);
    rows.iter()
        .map(|r| scaler.to_model(&fit(r, &pooled, options.topic_penalty), threshold))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(evidence: f64, warn: bool) -> Example {
        // The second feature is constant: it gets no weight.
        Example {
            features: vec![evidence, 1.0],
            warn,
        }
    }

    #[test]
    fn solves_a_small_system() {
        let x = solve(vec![vec![4.0, 1.0], vec![1.0, 3.0]], vec![1.0, 2.0]);
        assert!((x[0] - 1.0 / 11.0).abs() < 1e-12 && (x[1] - 7.0 / 11.0).abs() < 1e-12);
    }

    #[test]
    fn more_evidence_means_warn_and_the_threshold_sits_between_the_classes() {
        let topic: Vec<Example> = (0..40).map(|i| example(i as f64 / 10.0, i >= 20)).collect();
        let models = fit_models(2, &[topic], FitOptions::default(), 0.5);
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
        let models = fit_models(2, &[big, small], FitOptions::default(), 0.5);
        assert!(models[1].weights[0] > 0.0, "{:?}", models[1]);
        assert!(models[1].weights[0] < models[0].weights[0]);
    }
}
