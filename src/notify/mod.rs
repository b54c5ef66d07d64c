//! Notifiers deliver what a renderer made to where people look. They decide nothing about
//! findings, and every one of them is idempotent: a re-run with nothing new posts nothing.

pub mod email;
pub mod github;
pub mod hub;

/// What a delivery did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Posted {
    Created,
    Updated,
    /// The existing post already says this: nothing was sent.
    Unchanged,
}

/// The invisible line that marks Pedigree's own posts, so it finds and updates them later
/// instead of posting again.
pub fn marker(kind: &str, key: &str) -> String {
    // `--` would end an HTML comment early; ids never hold it, but keys come from user input.
    format!("<!-- pedigree:{kind}:{} -->", key.replace("--", "- -"))
}
