//! The parse floor of a snapshot: the least any audit of it must do. Reads every line and
//! JSON-parses it whole (every field is parsed, the unused ones skipped as serde skips them), and
//! pulls out the licence (`cardData.license`) and the parents (the `base_model:` tags), on every
//! core, each thread reading its own part of the file. What an audit does beyond this is its own
//! cost.

use serde::Deserialize;
use serde::de::IgnoredAny;
use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    tags: Vec<Cow<'a, str>>,
    #[serde(default, rename = "cardData")]
    card_data: Option<CardData>,
}

#[derive(Deserialize)]
struct CardData {
    #[serde(default)]
    license: Option<serde_json::Value>,
    #[serde(flatten)]
    _rest: IgnoredAny,
}

/// What the floor found, so that none of its work can be optimised away.
#[derive(Default, Debug)]
pub struct Found {
    pub models: usize,
    pub licensed: usize,
    pub parent_links: usize,
    pub id_bytes: usize,
}

/// Reads the byte range `start..end` of `path`, from the first line starting in it.
fn part(path: &Path, start: u64, end: u64) -> Found {
    let mut file = std::fs::File::open(path).expect("snapshot");
    let mut found = Found::default();
    let mut offset = start;
    file.seek(SeekFrom::Start(start)).expect("seek");
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    if start > 0 {
        // The line under way belongs to the part before.
        offset += reader.read_until(b'\n', &mut line).expect("read") as u64;
    }
    while offset < end {
        line.clear();
        let read = (&mut reader)
            .take(u64::MAX)
            .read_until(b'\n', &mut line)
            .expect("read");
        if read == 0 {
            break;
        }
        offset += read as u64;
        let Ok(parsed) = serde_json::from_slice::<Line>(&line) else {
            continue;
        };
        found.models += 1;
        found.id_bytes += parsed.id.len();
        found.licensed += usize::from(
            parsed
                .card_data
                .is_some_and(|c| c.license.is_some_and(|l| !l.is_null())),
        );
        found.parent_links += parsed
            .tags
            .iter()
            .filter(|t| {
                t.strip_prefix("base_model:")
                    .is_some_and(|p| !p.contains(':'))
            })
            .count();
    }
    found
}

/// The floor pass over `path` on `threads` threads.
pub fn run(path: &Path, threads: usize) -> Found {
    let len = std::fs::metadata(path).expect("snapshot").len();
    let threads = threads.max(1) as u64;
    let parts: Vec<Found> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (start, end) = (len * t / threads, len * (t + 1) / threads);
                scope.spawn(move || part(path, start, end))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("floor"))
            .collect()
    });
    parts.into_iter().fold(Found::default(), |a, b| Found {
        models: a.models + b.models,
        licensed: a.licensed + b.licensed,
        parent_links: a.parent_links + b.parent_links,
        id_bytes: a.id_bytes + b.id_bytes,
    })
}
