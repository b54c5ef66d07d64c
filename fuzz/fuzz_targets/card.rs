//! A model card as a stranger may write it: parsing returns a card (with problems), never panics,
//! and every problem's line points into the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pedigree::card::Card;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let card = Card::parse(&text);
    let lines = text.lines().count() + 2;
    for problem in &card.problems {
        if let Some(line) = problem.line {
            assert!((1..=lines).contains(&line), "line {line} of {lines}");
        }
    }
});
