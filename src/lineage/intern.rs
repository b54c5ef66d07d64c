//! Strings many models of a run repeat, held once: ids (a model's own, and a base model's in
//! the `base_model` of each of its thousands of children) and the names of the licence and code
//! files repos list (`LICENSE`, `USE_POLICY.md`, ...). A whole-Hub audit
//! holds every model at once, and held a copy of these in each.
//!
//! One interner per thread's share of the reading (a part of a snapshot), not one for the run:
//! the threads would contend for the same few strings (a big family's root, `LICENSE`) on
//! every model, and a part of a few thousand models already repeats them.

use std::collections::HashSet;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct Interner(HashSet<Arc<str>, foldhash::fast::RandomState>);

impl Interner {
    /// The interner's one copy of `text`.
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(held) = self.0.get(text) {
            return Arc::clone(held);
        }
        let held: Arc<str> = Arc::from(text);
        self.0.insert(Arc::clone(&held));
        held
    }

    /// Takes `held` as the interner's copy of its text (the source's own, for its holders to
    /// share), unless it has one already.
    pub fn hold(&mut self, held: &Arc<str>) {
        if !self.0.contains(&**held) {
            self.0.insert(Arc::clone(held));
        }
    }

    /// The interner's copies of `texts`, in order.
    pub fn all<'t>(&mut self, texts: impl IntoIterator<Item = &'t str>) -> Box<[Arc<str>]> {
        texts.into_iter().map(|t| self.get(t)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_copy_of_each_text() {
        let mut names = Interner::default();
        let a = names.get("meta-llama/Llama-2-7b-hf");
        let b = names.get(&String::from("meta-llama/Llama-2-7b-hf"));
        let c = names.get("LICENSE");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(&*c, "LICENSE");
        let all = names.all(["LICENSE", "NOTICE", "LICENSE"]);
        assert!(Arc::ptr_eq(&all[0], &c) && Arc::ptr_eq(&all[2], &c));
        assert_eq!(&*all[1], "NOTICE");
        // A copy made elsewhere is taken as the one, unless there is one already.
        let theirs: Arc<str> = Arc::from("org/model");
        names.hold(&theirs);
        assert!(Arc::ptr_eq(&names.get("org/model"), &theirs));
        names.hold(&Arc::from("LICENSE"));
        assert!(Arc::ptr_eq(&names.get("LICENSE"), &c));
    }
}
