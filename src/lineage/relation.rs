//! How a child relates to its parent: declared in `base_model_relation`, else inferred.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    Finetune,
    Adapter,
    Quantized,
    Merge,
}

impl Relation {
    pub fn parse(text: &str) -> Option<Relation> {
        match text.trim().to_ascii_lowercase().as_str() {
            "finetune" => Some(Relation::Finetune),
            "adapter" => Some(Relation::Adapter),
            "quantized" => Some(Relation::Quantized),
            "merge" => Some(Relation::Merge),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Finetune => "finetune",
            Relation::Adapter => "adapter",
            Relation::Quantized => "quantized",
            Relation::Merge => "merge",
        }
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Tags that mark quantized weights (Hub tags and common card tags).
const QUANTIZED_TAGS: &[&str] = &[
    "gguf",
    "ggml",
    "gptq",
    "awq",
    "exl2",
    "4-bit",
    "8-bit",
    "bitsandbytes",
    "quantized",
];

/// Files that mark quantized weights.
fn is_quantized_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.ends_with(".gguf")
        || name.ends_with(".ggml")
        || (name.starts_with("ggml-") && name.ends_with(".bin"))
        || name == "quantize_config.json"
        || name == "quant_config.json"
}

/// The relation of a child to its parents, per HUB-MIRROR.md: the declared relation wins;
/// otherwise several parents make a merge, an adapter config an adapter, quantized files or tags a
/// quantization, and anything else a fine-tune.
pub fn infer<'a>(
    declared: Option<Relation>,
    parents: usize,
    files: impl IntoIterator<Item = &'a str> + Clone,
    tags: impl IntoIterator<Item = &'a str>,
) -> Relation {
    if let Some(r) = declared {
        return r;
    }
    if parents > 1 {
        return Relation::Merge;
    }
    if files
        .clone()
        .into_iter()
        .any(|f| f.rsplit('/').next() == Some("adapter_config.json"))
    {
        return Relation::Adapter;
    }
    let quantized_tag = tags
        .into_iter()
        .any(|t| QUANTIZED_TAGS.contains(&t.to_ascii_lowercase().as_str()));
    if quantized_tag || files.into_iter().any(is_quantized_file) {
        return Relation::Quantized;
    }
    Relation::Finetune
}
