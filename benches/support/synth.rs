//! A synthetic Hub snapshot of N models, seeded, with family shapes and a licence mix taken from
//! `pedigree stats` on the shared crawl: about 1% roots; most children one generation down,
//! some deeper; 2% merges; children keep their parent's licence about half the time, else drop
//! it or re-license permissively.

use std::io::Write;

const ROOT_LICENCES: &[(&str, u32)] = &[
    ("llama2", 20),
    ("mit", 25),
    ("apache-2.0", 25),
    ("openrail++", 10),
    ("gemma", 5),
    ("cc-by-nc-4.0", 5),
    ("", 10),
];
const CHILD_LICENCES: &[(&str, u32)] = &[
    ("=", 45),
    ("mit", 15),
    ("apache-2.0", 10),
    ("", 25),
    ("creativeml-openrail-m", 5),
];
const WORDS: &[&str] = &[
    "model",
    "fine-tuned",
    "dataset",
    "training",
    "evaluation",
    "tokens",
    "learning",
    "rate",
    "epochs",
    "chat",
    "instruct",
    "medical",
    "legal",
    "code",
    "summaries",
    "dialogue",
    "support",
    "language",
    "english",
    "results",
    "accuracy",
    "loss",
    "adapter",
    "quantized",
    "weights",
    "license",
    "intended",
    "use",
    "limitations",
    "bias",
];

fn pick<'a>(rng: &mut fastrand::Rng, table: &'a [(&'a str, u32)]) -> &'a str {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut roll = rng.u32(0..total);
    for (value, weight) in table {
        if roll < *weight {
            return value;
        }
        roll -= weight;
    }
    table[0].0
}

/// Writes `n` models to `out`, the same for the same seed.
pub fn write_synthetic(out: &mut dyn Write, n: usize, seed: u64) -> std::io::Result<()> {
    write_with_roots(out, n, (n / 100).max(1), seed)
}

/// Writes `n` models in `roots` families (`org0/model-0` is the first root).
pub fn write_with_roots(
    out: &mut dyn Write,
    n: usize,
    roots: usize,
    seed: u64,
) -> std::io::Result<()> {
    let mut rng = fastrand::Rng::with_seed(seed);
    // (id, licence, depth) of every model written so far.
    let mut models: Vec<(String, String, u8)> = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("org{}/model-{i}", i % 997);
        let (parents, licence, depth): (Vec<usize>, String, u8) = if i < roots {
            (Vec::new(), pick(&mut rng, ROOT_LICENCES).to_string(), 0)
        } else {
            // Big families are few: a root drawn with a square bias; sometimes a deeper model.
            let first = if rng.u8(0..10) < 7 || models.len() <= roots {
                let r = rng.f64();
                (r * r * roots as f64) as usize
            } else {
                rng.usize(roots..models.len())
            };
            let mut parents = vec![first];
            if rng.u8(0..100) < 2 {
                parents.push(rng.usize(0..roots));
            }
            let parent = &models[first];
            let licence = match pick(&mut rng, CHILD_LICENCES) {
                "=" => parent.1.clone(),
                other => other.to_string(),
            };
            (parents, licence, parent.2.saturating_add(1))
        };
        let base: Vec<&str> = parents.iter().map(|&p| models[p].0.as_str()).collect();
        let mut front = String::new();
        if !licence.is_empty() {
            front.push_str(&format!("license: {licence}\n"));
        }
        match base.as_slice() {
            [] => {}
            [one] => front.push_str(&format!("base_model: {one}\n")),
            many => front.push_str(&format!("base_model: [{}]\n", many.join(", "))),
        }
        let body: Vec<&str> = (0..rng.usize(20..120))
            .map(|_| WORDS[rng.usize(0..WORDS.len())])
            .collect();
        let readme = format!("---\n{front}---\n# {id}\n\n{}\n", body.join(" "));
        let mut tags: Vec<String> = base
            .iter()
            .flat_map(|b| {
                [
                    format!("base_model:{b}"),
                    format!("base_model:finetune:{b}"),
                ]
            })
            .collect();
        if !licence.is_empty() {
            tags.push(format!("license:{licence}"));
        }
        let line = serde_json::json!({
            "id": id, "sha": format!("{:040x}", rng.u128(..)), "private": false,
            "gated": if licence == "llama2" && depth == 0 { serde_json::json!("manual") } else { serde_json::json!(false) },
            "tags": tags,
            "siblings": [{"rfilename": "README.md"}, {"rfilename": "config.json"}, {"rfilename": "model.safetensors"}],
            "createdAt": format!("2024-{:02}-{:02}T00:00:00.000Z", 1 + depth.min(11), 1 + i % 28),
            "readme": readme,
        });
        writeln!(out, "{line}")?;
        models.push((id, licence, depth));
    }
    Ok(())
}
