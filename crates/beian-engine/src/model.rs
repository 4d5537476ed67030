//! The fitted ranking model: a logistic regression over [`FEATURE_NAMES`] orders the candidates (its
//! output is the evidence), and a second one turns the evidence, the margin to the neighbouring
//! candidate and whether the candidate is the first into a calibrated confidence — the probability
//! that the candidate is a right answer. Both are fitted by `beian kb fit` (see [`crate::fit`]) and
//! stored as `ranker.toml` beside the entries, with how they were fitted. This module knows nothing of
//! entries or texts: the knowledge base holds a model, the ranker computes what it reads.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The number of features the model reads.
pub const FEATURE_COUNT: usize = 40;

/// The features in the order `rank::Features::vector` writes them: the names `ranker.toml` uses.
pub const FEATURE_NAMES: [&str; FEATURE_COUNT] = [
    "name_coverage",
    "coverage",
    "english_coverage",
    "coverage_behind_best",
    "name_coverage_behind_best",
    "relative_bm25",
    "log_bm25",
    "bm25_first",
    "bm25_reciprocal_rank",
    "pattern",
    "pattern_chars",
    "pattern_among_several",
    "quoted_chars",
    "quoted_whole",
    "rejection_cue",
    "kind_rejection",
    "kind_process",
    "kind_scenario",
    "kind_risk",
    "text_on_topic",
    "text_rejection_cue",
    "text_latin",
    "text_latin_coverage",
    "text_latin_name_coverage",
    "text_content_terms",
    "text_few_terms",
    "text_log_chars",
    "text_notice_part",
    "text_notice_whole",
    "text_no_topic_no_pattern",
    "text_neighbour_cues",
    "text_neighbour_no_pattern",
    "encoder_best",
    "encoder_mean_of_top3",
    "encoder_reciprocal_rank",
    "encoder_behind_best",
    "encoder_z",
    "encoder_lead",
    "encoder_rank_weak_words",
    "encoder_rank_latin",
];

/// The names of the features only a sentence encoder gives (see `crate::semantic`): a model fitted
/// without one may leave them out of its file, and reads them as 0.
pub const ENCODER_PREFIX: &str = "encoder_";

/// The margin is clamped to this many logits either way: beyond it, more distance says nothing new.
pub const MARGIN_CAP: f32 = 6.0;

/// A fitted model, ready to score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Per feature, in the order of [`FEATURE_NAMES`].
    pub weights: Vec<f32>,
    pub bias: f32,
    pub calibration: Calibration,
    /// How the model was fitted: shown by `kb fit`, kept in the file.
    pub fit: FitInfo,
}

/// How evidence becomes confidence. A piece's best candidate is the answer people read, so it has a
/// calibration of its own that also reads the candidate's features (what makes a first answer right
/// is not only how far it leads); the runners-up have `sigmoid(bias + evidence × evidence_weight +
/// margin × margin_weight)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub bias: f32,
    pub evidence: f32,
    pub margin: f32,
    pub first: FirstCalibration,
}

/// `sigmoid(bias + evidence × evidence_weight + margin × margin_weight + Σ weight × feature)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstCalibration {
    pub bias: f32,
    pub evidence: f32,
    pub margin: f32,
    /// Per feature, in the order of [`FEATURE_NAMES`] (by name in the file).
    pub weights: Vec<f32>,
}

/// Where a model came from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FitInfo {
    /// The command that fitted it.
    #[serde(default)]
    pub command: String,
    /// The labelled sets it was fitted on, with how many texts each.
    #[serde(default)]
    pub sets: BTreeMap<String, usize>,
    /// (text, candidate) rows fitted.
    #[serde(default)]
    pub rows: usize,
    /// Folds of the cross-validation that gave the calibration its held-out evidence.
    #[serde(default)]
    pub folds: usize,
    /// The L2 penalty of both regressions.
    #[serde(default)]
    pub l2: f32,
    /// The sentence encoder whose features the model read, if any (its shape).
    #[serde(default)]
    pub encoder: Option<String>,
}

/// The file form: weights by feature name, so a reader sees what each weighs.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    fit: FitInfo,
    ranker: RankerSection,
    calibration: CalibrationSection,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalibrationSection {
    bias: f32,
    evidence: f32,
    margin: f32,
    first: FirstSection,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FirstSection {
    bias: f32,
    evidence: f32,
    margin: f32,
    weights: BTreeMap<String, f32>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RankerSection {
    bias: f32,
    weights: BTreeMap<String, f32>,
}

/// What is wrong with a `ranker.toml`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("invalid TOML: {0}")]
    Toml(String),
    #[error("unknown feature '{0}' (known: {known})", known = FEATURE_NAMES.join(", "))]
    UnknownFeature(String),
    #[error("no weight for feature '{0}': refit with `beian kb fit`")]
    MissingFeature(String),
    #[error("the weight of '{0}' is not a finite number")]
    NotFinite(String),
}

impl Model {
    /// The model of a knowledge base that has none fitted: the formula the ranker used before models
    /// were fitted (coverage first, then notice patterns and quoted names), so a `--kb` directory of
    /// its own still ranks sensibly until `beian kb fit` fits one.
    pub fn prior() -> Model {
        let mut weights = vec![0.0; FEATURE_COUNT];
        let mut set = |name: &str, weight: f32| {
            let i = FEATURE_NAMES.iter().position(|n| *n == name).unwrap();
            weights[i] = weight;
        };
        set("name_coverage", 3.0);
        set("coverage", 4.0);
        set("relative_bm25", 1.0);
        set("pattern", 3.0);
        set("quoted_chars", 4.0);
        set("rejection_cue", 1.5);
        set("text_on_topic", 2.0);
        Model {
            weights,
            bias: -4.0,
            calibration: Calibration {
                bias: 0.0,
                evidence: 1.0,
                margin: 0.5,
                first: FirstCalibration {
                    bias: 0.0,
                    evidence: 1.0,
                    margin: 0.5,
                    weights: vec![0.0; FEATURE_COUNT],
                },
            },
            fit: FitInfo {
                command: "none: the prior formula".to_string(),
                ..FitInfo::default()
            },
        }
    }

    /// The evidence (a logit) of a feature vector: the ranking key.
    pub fn evidence(&self, x: &[f32; FEATURE_COUNT]) -> f32 {
        self.bias + self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f32>()
    }

    /// The logit of the confidence of a piece's best candidate, whose features are `x`.
    pub fn first_logit(&self, x: &[f32; FEATURE_COUNT], evidence: f32, margin: f32) -> f32 {
        let f = &self.calibration.first;
        f.bias
            + f.evidence * evidence
            + f.margin * margin.clamp(-MARGIN_CAP, MARGIN_CAP)
            + f.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f32>()
    }

    /// The logit of the confidence of a runner-up (which reads no features of its own).
    pub fn other_logit(&self, evidence: f32, margin: f32) -> f32 {
        let c = &self.calibration;
        c.bias + c.evidence * evidence + c.margin * margin.clamp(-MARGIN_CAP, MARGIN_CAP)
    }

    /// Reads a `ranker.toml`.
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        let file: ModelFile = toml::from_str(text).map_err(|err| {
            let message = err.message().split_whitespace().collect::<Vec<_>>();
            ModelError::Toml(message.join(" "))
        })?;
        let weights = by_position(&file.ranker.weights)?;
        let c = &file.calibration;
        let f = &c.first;
        let first_weights = by_position(&f.weights)?;
        let numbers = [
            ("bias", file.ranker.bias),
            ("calibration.bias", c.bias),
            ("calibration.evidence", c.evidence),
            ("calibration.margin", c.margin),
            ("calibration.first.bias", f.bias),
            ("calibration.first.evidence", f.evidence),
            ("calibration.first.margin", f.margin),
        ];
        if let Some((name, _)) = numbers.iter().find(|(_, v)| !v.is_finite()) {
            return Err(ModelError::NotFinite(name.to_string()));
        }
        Ok(Model {
            weights,
            bias: file.ranker.bias,
            calibration: Calibration {
                bias: c.bias,
                evidence: c.evidence,
                margin: c.margin,
                first: FirstCalibration {
                    bias: f.bias,
                    evidence: f.evidence,
                    margin: f.margin,
                    weights: first_weights,
                },
            },
            fit: file.fit,
        })
    }

    /// The `ranker.toml` text of the model, with a header saying how to refit it.
    pub fn to_toml(&self) -> String {
        let c = &self.calibration;
        let file = ModelFile {
            fit: self.fit.clone(),
            ranker: RankerSection {
                bias: self.bias,
                weights: by_name(&self.weights),
            },
            calibration: CalibrationSection {
                bias: c.bias,
                evidence: c.evidence,
                margin: c.margin,
                first: FirstSection {
                    bias: c.first.bias,
                    evidence: c.first.evidence,
                    margin: c.first.margin,
                    weights: by_name(&c.first.weights),
                },
            },
        };
        let body = toml::to_string(&file).expect("a model always serializes");
        format!(
            "# The fitted ranking model. Written by `beian kb fit` (see knowledge/AUTHORING.md,\n\
             # \"Refitting the ranker\"); refit rather than edit it by hand.\n\n{body}"
        )
    }
}

/// Weights by feature name, as the file has them.
fn by_name(weights: &[f32]) -> BTreeMap<String, f32> {
    FEATURE_NAMES
        .iter()
        .zip(weights)
        .map(|(name, w)| (name.to_string(), *w))
        .collect()
}

/// Weights in the order of [`FEATURE_NAMES`]; every name must be known and present, but the encoder's
/// (absent: 0, a model fitted without an encoder).
fn by_position(weights: &BTreeMap<String, f32>) -> Result<Vec<f32>, ModelError> {
    if let Some(unknown) = weights
        .keys()
        .find(|name| !FEATURE_NAMES.contains(&name.as_str()))
    {
        return Err(ModelError::UnknownFeature(unknown.clone()));
    }
    FEATURE_NAMES
        .iter()
        .map(|name| {
            let weight = match weights.get(*name) {
                Some(weight) => *weight,
                None if name.starts_with(ENCODER_PREFIX) => 0.0,
                None => return Err(ModelError::MissingFeature(name.to_string())),
            };
            if weight.is_finite() {
                Ok(weight)
            } else {
                Err(ModelError::NotFinite(name.to_string()))
            }
        })
        .collect()
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_survives_its_file_form() {
        let model = Model::prior();
        assert_eq!(Model::parse(&model.to_toml()).unwrap(), model);
    }

    #[test]
    fn a_file_with_an_unknown_or_missing_feature_is_refused() {
        let text = Model::prior().to_toml();
        let unknown = text.replace("name_coverage =", "name_coverag =");
        assert!(matches!(
            Model::parse(&unknown),
            Err(ModelError::UnknownFeature(name)) if name == "name_coverag"
        ));
        // The first of the two tables that weigh every feature loses one.
        let missing = text.replacen("pattern_chars = ", "# pattern_chars = ", 1);
        assert_eq!(
            Model::parse(&missing),
            Err(ModelError::MissingFeature("pattern_chars".to_string()))
        );
    }
}
