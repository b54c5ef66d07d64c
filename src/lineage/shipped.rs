//! What a repo distributes, read from its file list: the evidence an accusation rests on.
//! Licence duties attach to distributing the licensed material or a derivative of it; a repo
//! that holds only a README, a config or a search index distributes nothing derived.

use serde::Serialize;
use std::fmt;

/// The most derived material a repo's files show, most telling first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shipped {
    /// Full model weights (any format, sharded or not).
    Weights,
    /// Quantized weights (GGUF, GGML, GPTQ, AWQ, EXL2 ...).
    Quantized,
    /// Adapter weights only (PEFT, diffusers LoRA, textual-inversion embeddings).
    Adapter,
    /// A tokenizer, but no weights.
    TokenizerOnly,
    /// No model material at all (README, configs, images, code, an index).
    Nothing,
    /// The file list is not known (a mirror's info without `siblings`).
    Unknown,
}

impl Shipped {
    /// True when the repo distributes weights derived from its ancestors.
    pub fn is_derived_material(self) -> bool {
        matches!(
            self,
            Shipped::Weights | Shipped::Quantized | Shipped::Adapter
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Shipped::Weights => "weights",
            Shipped::Quantized => "quantized weights",
            Shipped::Adapter => "an adapter",
            Shipped::TokenizerOnly => "a tokenizer only",
            Shipped::Nothing => "no model files",
            Shipped::Unknown => "an unknown file list",
        }
    }
}

impl fmt::Display for Shipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one file is, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileRole {
    Weights,
    Quantized,
    Adapter,
    /// Marks the repo's weights as an adapter or a quantization without being weights itself.
    AdapterConfig,
    QuantConfig,
    Tokenizer,
    Other,
}

/// Extensions of serialised weights, across frameworks.
const WEIGHT_EXTENSIONS: &[&str] = &[
    "safetensors",
    "bin",
    "pt",
    "pth",
    "ckpt",
    "onnx",
    "h5",
    "keras",
    "msgpack",
    "tflite",
    "mlmodel",
    "pdparams",
    "nemo",
    "npz",
    "llamafile",
    "joblib",
    "ort",
];

/// Names of training artefacts saved beside weights that are not weights themselves.
const NOT_WEIGHTS: &[&str] = &[
    "training_args",
    "optimizer",
    "scheduler",
    "rng_state",
    "trainer_state",
    "scaler",
];

/// Tokenizer files (Hugging Face tokenizers, SentencePiece, BPE vocabularies).
fn is_tokenizer(name: &str) -> bool {
    name.starts_with("tokenizer")
        || name.starts_with("vocab.")
        || name == "merges.txt"
        || name == "special_tokens_map.json"
        || name == "added_tokens.json"
        || name.ends_with(".spm")
        || (name.ends_with(".model") && (name.contains("spiece") || name.contains("sentencepiece")))
}

// With memchr's reverse search: std's `rsplit` is a byte loop, and every file every repo of a
// run lists comes through here.

/// The part of a path after its last `/`.
fn file_name(path: &str) -> &str {
    memchr::memrchr(b'/', path.as_bytes()).map_or(path, |at| &path[at + 1..])
}

/// A name split at its last `.`, if it has one.
fn stem_and_extension(name: &str) -> Option<(&str, &str)> {
    memchr::memrchr(b'.', name.as_bytes()).map(|at| (&name[..at], &name[at + 1..]))
}

fn role(path: &str) -> FileRole {
    let name = file_name(path);
    // Most names are lowercase already: a copy only for those that are not.
    let name: std::borrow::Cow<'_, str> = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        name.to_ascii_lowercase().into()
    } else {
        name.into()
    };
    if name == "adapter_config.json" {
        return FileRole::AdapterConfig;
    }
    if matches!(
        &*name,
        "quantize_config.json"
            | "quant_config.json"
            | "quantization_config.json"
            | "measurement.json"
    ) {
        return FileRole::QuantConfig;
    }
    // GGUF and GGML, also split (`x.gguf.part1of4`, `x-00001-of-00003.gguf`).
    if name.ends_with(".gguf")
        || name.contains(".gguf.part")
        || name.ends_with(".ggml")
        || (name.starts_with("ggml-") && name.ends_with(".bin"))
    {
        return FileRole::Quantized;
    }
    if is_tokenizer(&name) {
        return FileRole::Tokenizer;
    }
    let Some((stem, ext)) = stem_and_extension(&name) else {
        return FileRole::Other;
    };
    // `model.safetensors.index.json` lists shards; the shards themselves are the weights.
    let pickled_model =
        ext == "pkl" && (stem.contains("model") || stem.contains("weight") || stem == "export");
    if !(WEIGHT_EXTENSIONS.contains(&ext) || pickled_model)
        || NOT_WEIGHTS.iter().any(|n| stem.starts_with(n))
    {
        return FileRole::Other;
    }
    if stem.starts_with("adapter_model")
        || stem.contains("lora")
        || stem.starts_with("learned_embeds")
        || stem.contains("lycoris")
    {
        return FileRole::Adapter;
    }
    FileRole::Weights
}

/// Repo tags that mark quantized weights (the Hub's and common card tags).
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

/// Tags that mark an adapter (diffusers LoRA templates, PEFT).
const ADAPTER_TAGS: &[&str] = &["lora", "peft", "template:sd-lora", "textual_inversion"];

/// What a repo distributes, from its file list and tags. An empty list is unknown, not
/// nothing: every Hub repo lists at least its `.gitattributes`.
pub fn classify<'a>(
    files: impl IntoIterator<Item = &'a str>,
    tags: impl IntoIterator<Item = &'a str> + Clone,
) -> Shipped {
    let (mut any, mut weights, mut quantized, mut adapter) = (false, false, false, false);
    let (mut adapter_config, mut quant_config, mut tokenizer) = (false, false, false);
    for f in files {
        any = true;
        match role(f) {
            FileRole::Weights => weights = true,
            FileRole::Quantized => quantized = true,
            FileRole::Adapter => adapter = true,
            FileRole::AdapterConfig => adapter_config = true,
            FileRole::QuantConfig => quant_config = true,
            FileRole::Tokenizer => tokenizer = true,
            FileRole::Other => {}
        }
    }
    if !any {
        return Shipped::Unknown;
    }
    let tagged = |list: &[&str]| {
        tags.clone()
            .into_iter()
            .any(|t| list.contains(&t.to_ascii_lowercase().as_str()))
    };
    if quantized || (weights && (quant_config || tagged(QUANTIZED_TAGS))) {
        return Shipped::Quantized;
    }
    // Adapter files alone; or plainly named weights that an adapter config or tag marks as the
    // adapter's (older tools did not write `adapter_model.*`). Full weights beside a LoRA file
    // with neither say more than the LoRA.
    if (adapter && !weights) || (weights && (adapter_config || tagged(ADAPTER_TAGS))) {
        return Shipped::Adapter;
    }
    if weights || adapter {
        return Shipped::Weights;
    }
    if tokenizer {
        return Shipped::TokenizerOnly;
    }
    Shipped::Nothing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(files: &[&str], tags: &[&str]) -> Shipped {
        classify(files.iter().copied(), tags.iter().copied())
    }

    proptest::proptest! {
        #[test]
        fn names_split_as_std_splits_them(path in "[a./é]{0,12}") {
            let name = path.rsplit('/').next().unwrap_or(&path);
            proptest::prop_assert_eq!(file_name(&path), name);
            proptest::prop_assert_eq!(stem_and_extension(name), name.rsplit_once('.'));
        }
    }

    #[test]
    fn real_naming_is_classified() {
        assert_eq!(of(&["README.md"], &[]), Shipped::Nothing);
        assert_eq!(of(&[], &[]), Shipped::Unknown);
        assert_eq!(
            of(&["pytorch_lora_weights.safetensors", "README.md"], &[]),
            Shipped::Adapter
        );
        assert_eq!(
            of(&["adapter_config.json", "adapter_model.bin"], &[]),
            Shipped::Adapter
        );
        assert_eq!(
            of(&["model-00001-of-00002.safetensors", "config.json"], &[]),
            Shipped::Weights
        );
        assert_eq!(of(&["llama-2-7b.Q4_K_M.gguf"], &[]), Shipped::Quantized);
        assert_eq!(of(&["x.gguf.part1of4"], &[]), Shipped::Quantized);
        assert_eq!(
            of(&["model.safetensors", "quantize_config.json"], &[]),
            Shipped::Quantized
        );
        assert_eq!(of(&["output.safetensors"], &["exl2"]), Shipped::Quantized);
        assert_eq!(of(&["my_style.safetensors"], &["lora"]), Shipped::Adapter);
        assert_eq!(
            of(&["tokenizer.json", "tokenizer_config.json"], &[]),
            Shipped::TokenizerOnly
        );
        assert_eq!(of(&["index.faiss", "index.pkl"], &[]), Shipped::Nothing);
        assert_eq!(
            of(&["training_args.bin", "config.json"], &[]),
            Shipped::Nothing
        );
        assert_eq!(of(&["model.onnx"], &[]), Shipped::Weights);
        assert_eq!(of(&["sd-v1-5.ckpt"], &[]), Shipped::Weights);
        assert_eq!(
            of(&["unet/diffusion_pytorch_model.safetensors"], &[]),
            Shipped::Weights
        );
        assert_eq!(
            of(&["openvino_model.bin", "openvino_model.xml"], &[]),
            Shipped::Weights
        );
    }
}
