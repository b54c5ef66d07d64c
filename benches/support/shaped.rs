//! A real-shaped snapshot of N models: the families of a Hub crawl (../shared/data/hub-mirror)
//! grown K-fold, with synthetic text in real sizes.
//!
//! What is taken from the crawl, at run time: the family trees (every model that has a parent is
//! copied K times under its parents' copies; roots stay single, so the big families grow to
//! thousands of children), each model's info (its file list, tags and config: the metadata the
//! Hub serves), its card's declarations (licence keys, `base_model`, relation, language) and the
//! shape of everything else. What is written instead of the crawl's text: every string longer than
//! [`PROSE`] bytes, in the info and in the front matter, and the card's Markdown body, are
//! replaced by pseudo-words of the same length. A body keeps what the checks measure of the
//! real one: the catalogue notices it carries, whether it is the Hub's unfilled template,
//! whether it names its parent, and how alike it is to its parent's (a derived body is the
//! parent's with words swapped at a rate giving the same 5-word Jaccard). Nothing of the crawl
//! is written into the repository; the snapshot goes to a temporary file.

use pedigree::card::{Card, split};
use pedigree::license::{Catalogue, NoticeSet};
use pedigree::similarity::Shingles;
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Strings at least this long with a space or line break in them are prose, and are replaced;
/// the rest (ids, licence ids, file names, dates, tags, URLs) are kept.
const PROSE: usize = 64;

fn is_prose(s: &str) -> bool {
    s.len() >= PROSE && s.contains([' ', '\n'])
}

/// The Hub's card template, as `template-card` recognises it.
const TEMPLATE_MARK: &str =
    "<!-- Provide a quick summary of what the model is/does. -->\n\n[More Information Needed]\n";

/// One model of the crawl, as the generator repeats it.
struct Shape {
    /// The crawl's id; copies get `<owner>-c<k>/<name>`.
    id: String,
    /// Parents in the crawl, by index (`Err`: a parent the crawl lacks, kept as its id).
    parents: Vec<Result<usize, String>>,
    /// The info, with prose replaced; `id`, `modelId`, `author`, `sha`, the `base_model` tags and
    /// `cardData` are written per copy.
    info: serde_json::Map<String, Json>,
    /// The front matter, with prose replaced; `base_model` is written per copy. `None`: no card.
    front: Option<serde_yaml::Mapping>,
    body: Body,
}

/// What the checks measure of a card's body, to be kept in the synthetic one.
struct Body {
    bytes: usize,
    /// Catalogue notices (comparable form) the real body carries.
    notices: Vec<String>,
    template: bool,
    mentions_parent: bool,
    /// Jaccard of 5-word shingles with the first parent's body, when both are long enough.
    like_parent: Option<f64>,
}

/// The shapes of a crawl, parents before children.
pub struct Crawl {
    shapes: Vec<Shape>,
    /// Models written once (no parent in the crawl).
    roots: usize,
}

impl Crawl {
    /// Reads the shapes of the crawl in `mirror`.
    pub fn read(mirror: &Path) -> Crawl {
        let catalogue = Catalogue::builtin().expect("catalogue");
        let mut found: Vec<(String, serde_json::Map<String, Json>, Option<String>)> = Vec::new();
        let mut dirs: Vec<_> = std::fs::read_dir(mirror)
            .expect("mirror")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for owner in dirs {
            let mut repos: Vec<_> = std::fs::read_dir(&owner)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            repos.sort();
            for repo in repos {
                let Ok(bytes) = std::fs::read(repo.join("info.json")) else {
                    continue;
                };
                let Ok(Json::Object(info)) = serde_json::from_slice(&bytes) else {
                    continue;
                };
                let Some(id) = info.get("id").and_then(Json::as_str).map(str::to_string) else {
                    continue;
                };
                let readme = std::fs::read_to_string(repo.join("README.md")).ok();
                found.push((id, info, readme));
            }
        }
        let index: HashMap<String, usize> = found
            .iter()
            .enumerate()
            .map(|(i, (id, _, _))| (id.clone(), i))
            .collect();
        let mut rng = fastrand::Rng::with_seed(7);
        let cards: Vec<Option<Card>> = found
            .iter()
            .map(|(_, _, readme)| readme.as_deref().map(Card::parse))
            .collect();
        let mut shapes: Vec<Shape> = Vec::with_capacity(found.len());
        for (i, (id, info, readme)) in found.iter().enumerate() {
            let card = cards[i].as_ref();
            let parents: Vec<Result<usize, String>> = card
                .map(|c| c.meta.base_model.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|p| index.get(&p).copied().ok_or(p))
                .collect();
            let mut info = info.clone();
            for key in ["cardData", "_id", "modelId", "author", "sha", "id"] {
                info.remove(key);
            }
            let info = match replace_prose_json(Json::Object(info), &mut rng) {
                Json::Object(map) => map,
                _ => unreachable!("an object stays an object"),
            };
            let front = readme.as_deref().and_then(|text| {
                let yaml = split(text).yaml?;
                match serde_yaml::from_str::<Yaml>(&yaml).ok()? {
                    Yaml::Mapping(map) => match replace_prose_yaml(Yaml::Mapping(map), &mut rng) {
                        Yaml::Mapping(map) => Some(map),
                        _ => None,
                    },
                    _ => None,
                }
            });
            // A card without readable front matter is written with an empty one.
            let front = front.or_else(|| readme.as_ref().map(|_| serde_yaml::Mapping::new()));
            let body_text = card.map_or("", |c| c.body.as_str());
            let parent_body = parents
                .first()
                .and_then(|p| p.as_ref().ok())
                .and_then(|&p| cards[p].as_ref())
                .map(|c| c.body.as_str());
            let like_parent = parent_body.and_then(|theirs| {
                let (a, b) = (Shingles::of(body_text), Shingles::of(theirs));
                (a.len() >= 30 && b.len() >= 30).then(|| a.jaccard(&b))
            });
            let notices = NoticeSet::of(body_text, catalogue.notice_finder());
            let body = Body {
                bytes: body_text.len(),
                notices: catalogue
                    .notices()
                    .iter()
                    .enumerate()
                    .filter(|(n, _)| notices.contains(*n as u16))
                    .map(|(_, text)| text.clone())
                    .collect(),
                template: body_text.contains("[More Information Needed]"),
                mentions_parent: card.is_some_and(|c| {
                    c.meta
                        .base_model
                        .first()
                        .is_some_and(|p| body_text.contains(p.as_str()))
                }),
                like_parent,
            };
            shapes.push(Shape {
                id: id.clone(),
                parents,
                info,
                front,
                body,
            });
        }
        // Parents first, so a copy's parents are written (and their bodies made) before it; and
        // the roots (no parent in the crawl) before all, which keeps parents first.
        let is_root = |s: &Shape| !s.parents.iter().any(Result::is_ok);
        let topo = topological(&shapes);
        let order: Vec<usize> = topo
            .iter()
            .copied()
            .filter(|&i| is_root(&shapes[i]))
            .chain(topo.iter().copied().filter(|&i| !is_root(&shapes[i])))
            .collect();
        let mut renumber = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old] = new;
        }
        let mut slots: Vec<Option<Shape>> = shapes.into_iter().map(Some).collect();
        let mut shapes: Vec<Shape> = order
            .iter()
            .map(|&old| slots[old].take().expect("each once"))
            .collect();
        for shape in &mut shapes {
            for p in shape.parents.iter_mut().flatten() {
                *p = renumber[*p];
            }
        }
        let roots = shapes
            .iter()
            .filter(|s| !s.parents.iter().any(Result::is_ok))
            .count();
        Crawl { shapes, roots }
    }

    /// Models in the crawl.
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    /// Writes `n` models (at least the crawl's roots) to `out`: the roots once, then copies of
    /// the rest, copy by copy, until `n` are written. The same for the same seed.
    pub fn write(&self, out: &mut dyn Write, n: usize, seed: u64) -> std::io::Result<()> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let words = Words::new(&mut rng);
        let mut written = 0;
        // Bodies of the copy being written (and the roots'), for children derived from them.
        let mut root_bodies: Vec<Option<String>> = vec![None; self.shapes.len()];
        let mut k = 0;
        while written < n {
            let mut bodies: Vec<Option<String>> = vec![None; self.shapes.len()];
            for (i, shape) in self.shapes.iter().enumerate() {
                if written >= n {
                    break;
                }
                let root = i < self.roots;
                if root && k > 0 {
                    continue;
                }
                let id = |j: usize| -> String {
                    if j < self.roots || k == 0 {
                        self.shapes[j].id.clone()
                    } else {
                        copy_id(&self.shapes[j].id, k)
                    }
                };
                let own = id(i);
                let parents: Vec<String> = shape
                    .parents
                    .iter()
                    .map(|p| match p {
                        Ok(j) => id(*j),
                        Err(missing) => missing.clone(),
                    })
                    .collect();
                let parent_body = shape.parents.first().and_then(|p| match p {
                    Ok(j) if *j < self.roots => root_bodies[*j].as_deref(),
                    Ok(j) => bodies[*j].as_deref(),
                    Err(_) => None,
                });
                let body = words.body(&mut rng, &shape.body, parent_body, parents.first());
                let line = line(shape, &own, &parents, &body, &mut rng);
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
                if root {
                    root_bodies[i] = Some(body);
                } else {
                    bodies[i] = Some(body);
                }
                written += 1;
            }
            k += 1;
        }
        Ok(())
    }
}

/// A model's order with every crawl parent before it (a cycle is broken where it is found).
fn topological(shapes: &[Shape]) -> Vec<usize> {
    let mut state = vec![0u8; shapes.len()];
    let mut out = Vec::with_capacity(shapes.len());
    fn visit(i: usize, shapes: &[Shape], state: &mut [u8], out: &mut Vec<usize>) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        for p in shapes[i].parents.iter().flatten() {
            visit(*p, shapes, state, out);
        }
        state[i] = 2;
        out.push(i);
    }
    for i in 0..shapes.len() {
        visit(i, shapes, &mut state, &mut out);
    }
    out
}

fn copy_id(id: &str, k: usize) -> String {
    match id.split_once('/') {
        Some((owner, name)) => format!("{owner}-c{k}/{name}"),
        None => format!("c{k}/{id}"),
    }
}

/// One snapshot line: the info with this copy's ids, the card, and `cardData` as the Hub
/// derives it from the front matter.
fn line(
    shape: &Shape,
    id: &str,
    parents: &[String],
    body: &str,
    rng: &mut fastrand::Rng,
) -> String {
    let mut info = serde_json::Map::new();
    info.insert("id".into(), id.into());
    info.insert("modelId".into(), id.into());
    info.insert(
        "author".into(),
        id.split_once('/').map_or("", |(o, _)| o).into(),
    );
    info.insert(
        "sha".into(),
        format!("{:032x}{:08x}", rng.u128(..), rng.u32(..)).into(),
    );
    for (key, value) in &shape.info {
        let value = if key == "tags" {
            retag(value, parents)
        } else {
            value.clone()
        };
        info.insert(key.clone(), value);
    }
    if let Some(front) = &shape.front {
        let mut front = front.clone();
        let key = Yaml::from("base_model");
        if front.contains_key(&key) {
            let value = match parents {
                [one] => Yaml::from(one.as_str()),
                many => Yaml::Sequence(many.iter().map(|p| Yaml::from(p.as_str())).collect()),
            };
            front.insert(key, value);
        }
        let yaml = if front.is_empty() {
            String::new()
        } else {
            serde_yaml::to_string(&front).expect("YAML")
        };
        if let Ok(data) = serde_json::to_value(&front) {
            info.insert("cardData".into(), data);
        }
        info.insert("readme".into(), format!("---\n{yaml}---\n{body}").into());
    }
    serde_json::to_string(&info).expect("JSON")
}

/// The info's tags with the `base_model:` ones naming this copy's parents.
fn retag(tags: &Json, parents: &[String]) -> Json {
    let Some(list) = tags.as_array() else {
        return tags.clone();
    };
    let mut out: Vec<Json> = list
        .iter()
        .filter(|t| !t.as_str().is_some_and(|t| t.starts_with("base_model:")))
        .cloned()
        .collect();
    for parent in parents {
        out.push(format!("base_model:{parent}").into());
        out.push(format!("base_model:finetune:{parent}").into());
    }
    Json::Array(out)
}

fn replace_prose_json(value: Json, rng: &mut fastrand::Rng) -> Json {
    match value {
        Json::String(s) if is_prose(&s) => Json::String(gibberish(rng, s.len())),
        Json::Array(items) => Json::Array(
            items
                .into_iter()
                .map(|v| replace_prose_json(v, rng))
                .collect(),
        ),
        Json::Object(map) => Json::Object(
            map.into_iter()
                .map(|(k, v)| (k, replace_prose_json(v, rng)))
                .collect(),
        ),
        other => other,
    }
}

fn replace_prose_yaml(value: Yaml, rng: &mut fastrand::Rng) -> Yaml {
    match value {
        Yaml::String(s) if is_prose(&s) => Yaml::String(gibberish(rng, s.len())),
        Yaml::Sequence(items) => Yaml::Sequence(
            items
                .into_iter()
                .map(|v| replace_prose_yaml(v, rng))
                .collect(),
        ),
        Yaml::Mapping(map) => Yaml::Mapping(
            map.into_iter()
                .map(|(k, v)| (k, replace_prose_yaml(v, rng)))
                .collect(),
        ),
        other => other,
    }
}

/// Lowercase letters and spaces, `bytes` long: text standing for prose in the metadata.
fn gibberish(rng: &mut fastrand::Rng, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes);
    while out.len() < bytes {
        if !out.is_empty() && rng.u8(0..6) == 0 {
            out.push(' ');
        } else {
            out.push(rng.lowercase());
        }
    }
    out
}

/// A vocabulary of pseudo-words, picked with a Zipf-like skew as words are in prose.
struct Words(Vec<String>);

impl Words {
    fn new(rng: &mut fastrand::Rng) -> Words {
        Words(
            (0..4000)
                .map(|_| (0..rng.usize(2..10)).map(|_| rng.lowercase()).collect())
                .collect(),
        )
    }

    fn word(&self, rng: &mut fastrand::Rng) -> &str {
        // Squared draws favour the first words: a few are everywhere, most are rare.
        let r = rng.f64();
        &self.0[(r * r * self.0.len() as f64) as usize]
    }

    /// Markdown of `bytes` bytes: headings and paragraphs of pseudo-words.
    fn fill(&self, rng: &mut fastrand::Rng, out: &mut String, bytes: usize) {
        let end = out.len() + bytes;
        let mut since_break = 0;
        while out.len() < end {
            if since_break > 60 && rng.u8(0..20) == 0 {
                out.push_str(if rng.bool() { "\n\n## " } else { "\n\n" });
                since_break = 0;
            } else if !out.is_empty() && !out.ends_with(['\n', ' ']) {
                out.push(' ');
            }
            out.push_str(self.word(rng));
            since_break += 1;
        }
    }

    /// A card body of the shape's size, keeping what the checks measure (see the module doc).
    fn body(
        &self,
        rng: &mut fastrand::Rng,
        shape: &Body,
        parent: Option<&str>,
        parent_id: Option<&String>,
    ) -> String {
        let mut out = String::with_capacity(shape.bytes + 64);
        if shape.bytes == 0 {
            return out;
        }
        if shape.template {
            out.push_str(TEMPLATE_MARK);
        }
        if shape.mentions_parent
            && let Some(id) = parent_id
        {
            out.push_str(&format!(
                "Fine-tuned from [{id}](https://huggingface.co/{id}).\n\n"
            ));
        }
        for notice in &shape.notices {
            out.push_str(notice);
            out.push_str("\n\n");
        }
        match (shape.like_parent, parent) {
            (Some(j), Some(parent)) if j > 0.0 => {
                // A shingle survives when none of its 5 words is swapped: (1 - q)^5 = 2J / (1 + J).
                let survive = (2.0 * j / (1.0 + j)).min(1.0);
                let swap = 1.0 - survive.powf(1.0 / 5.0);
                for word in parent.split(' ') {
                    if out.len() >= shape.bytes {
                        break;
                    }
                    if !out.is_empty() && !out.ends_with(['\n', ' ']) {
                        out.push(' ');
                    }
                    if rng.f64() < swap {
                        out.push_str(self.word(rng));
                    } else {
                        out.push_str(word);
                    }
                }
                if out.len() < shape.bytes {
                    let rest = shape.bytes - out.len();
                    self.fill(rng, &mut out, rest);
                }
            }
            _ => {
                let rest = shape.bytes.saturating_sub(out.len());
                self.fill(rng, &mut out, rest);
            }
        }
        out
    }
}
