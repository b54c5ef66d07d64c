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

/// The relation of a child to its parents: the declared relation wins; otherwise several
/// parents make a merge, and what the repo ships tells an adapter or a quantization from a
/// fine-tune (the same evidence the accusations rest on, see [`super::Shipped`]).
pub fn infer(declared: Option<Relation>, parents: usize, shipped: super::Shipped) -> Relation {
    if let Some(r) = declared {
        return r;
    }
    if parents > 1 {
        return Relation::Merge;
    }
    match shipped {
        super::Shipped::Adapter => Relation::Adapter,
        super::Shipped::Quantized => Relation::Quantized,
        _ => Relation::Finetune,
    }
}
