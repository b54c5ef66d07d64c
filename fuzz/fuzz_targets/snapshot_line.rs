//! Snapshot lines (JSON Lines of Hub model info with the card's text): indexed, then every model
//! read back, card included. Unreadable lines are skipped with a reason, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pedigree::source::{Snapshot, Source};
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let mut file = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .expect("a temporary file");
    file.write_all(data).expect("written");
    let Ok(snapshot) = Snapshot::open(file.path()) else {
        return;
    };
    let runtime = tokio_free::runtime();
    for id in runtime.block_on(snapshot.all_models()).unwrap_or_default() {
        if let Ok(record) = runtime.block_on(snapshot.model(&id)) {
            let _ = pedigree::card::Card::parse(record.readme.as_deref().unwrap_or(""));
        }
        let _ = runtime.block_on(snapshot.file(&id, "LICENSE"));
    }
});

/// The snapshot source is async only in its signature: a minimal executor polls it to the end.
mod tokio_free {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    pub struct Runtime;

    pub fn runtime() -> Runtime {
        Runtime
    }

    impl Runtime {
        pub fn block_on<F: Future>(&self, future: F) -> F::Output {
            let mut future = pin!(future);
            let mut cx = Context::from_waker(Waker::noop());
            loop {
                if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                    return out;
                }
            }
        }
    }
}
