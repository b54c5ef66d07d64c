//! Where a run's models live, as the reader of annotations and SARIF sees them.
//!
//! A finding names a file relative to its model's repo (`README.md`). GitHub resolves the paths
//! of annotations and SARIF against the repository root, so a card audited in `models/my-ft`
//! must be named `models/my-ft/README.md`, and a card that is not in the workspace at all (a
//! Hub model) by its Hub URL. That mapping is a fact about the run, not about a finding: the
//! CLI, which knows the file system, sets it on the report, and renderers only read it.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use std::path::{Component, Path, PathBuf};

/// Where a file of a model is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Artifact {
    /// A path relative to the workspace, `/`-separated (`.` for the workspace itself).
    Workspace(String),
    /// A file outside the workspace: an absolute path.
    Outside(PathBuf),
    /// A page or file on the Hub.
    Url(String),
}

/// The places of a run's models.
#[derive(Clone, Debug)]
pub struct Places {
    /// The local model repo under audit (`audit DIR`): its id and its directory.
    local: Option<(String, Located)>,
    /// The mirror the other models were read from, when it lies inside the workspace.
    mirror: Option<String>,
    /// The Hub the other models stand for (a mirror or snapshot is a copy of it).
    hub: String,
}

#[derive(Clone, Debug)]
enum Located {
    Inside(String),
    Outside(PathBuf),
}

impl Default for Places {
    /// Every model on the public Hub: what a library caller that sets nothing gets.
    fn default() -> Self {
        Places {
            local: None,
            mirror: None,
            hub: crate::source::hub::DEFAULT_ENDPOINT.to_string(),
        }
    }
}

impl Places {
    /// `workspace`: the directory paths are written relative to; `local`: the id and directory
    /// of a local repo under audit; `mirror`: the mirror directory read; `hub`: the Hub's URL.
    pub fn new(
        workspace: &Path,
        local: Option<(&str, &Path)>,
        mirror: Option<&Path>,
        hub: &str,
    ) -> Places {
        let workspace = absolute(workspace);
        let locate = |dir: &Path| {
            let dir = absolute(dir);
            match dir.strip_prefix(&workspace) {
                Ok(rel) => Located::Inside(slashed(rel)),
                Err(_) => Located::Outside(dir),
            }
        };
        Places {
            local: local.map(|(id, dir)| (id.to_string(), locate(dir))),
            mirror: mirror.and_then(|m| match locate(m) {
                Located::Inside(rel) => Some(rel),
                Located::Outside(_) => None,
            }),
            hub: hub.trim_end_matches('/').to_string(),
        }
    }

    /// Where `file` (relative to the model's repo) of `model` is; `None` for the model itself.
    pub fn artifact(&self, model: &str, file: Option<&str>) -> Artifact {
        if let Some((id, dir)) = &self.local
            && id == model
        {
            return match dir {
                Located::Inside(rel) => Artifact::Workspace(join(rel, file.unwrap_or(""))),
                Located::Outside(abs) => Artifact::Outside(match file {
                    Some(f) => abs.join(f),
                    None => abs.clone(),
                }),
            };
        }
        if let Some(mirror) = &self.mirror {
            return Artifact::Workspace(join(&join(mirror, model), file.unwrap_or("")));
        }
        let model_url = format!("{}/{}", self.hub, encode(model));
        Artifact::Url(match file {
            Some(f) => format!("{model_url}/blob/main/{}", encode(f)),
            None => model_url,
        })
    }

    /// The workspace path of a file, for an annotation's `file=`; `None` when the file is not
    /// in the workspace (GitHub could not show it there).
    pub fn workspace_file(&self, model: &str, file: &str) -> Option<String> {
        match self.artifact(model, Some(file)) {
            Artifact::Workspace(path) => Some(path),
            Artifact::Outside(_) | Artifact::Url(_) => None,
        }
    }
}

impl Artifact {
    /// The artifact as a URI reference (SARIF `artifactLocation.uri`): relative paths resolve
    /// against the repository root.
    pub fn uri(&self) -> String {
        match self {
            Artifact::Workspace(path) => encode(path),
            Artifact::Outside(path) => format!("file://{}", encode(&slashed(path))),
            Artifact::Url(url) => url.clone(),
        }
    }
}

/// Characters kept out of a URI path: controls, space, and what would end or split the path.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn encode(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

fn join(dir: &str, file: &str) -> String {
    match (dir, file) {
        ("", "") => ".".to_string(),
        ("", f) => f.to_string(),
        (d, "") => d.to_string(),
        (d, f) => format!("{d}/{f}"),
    }
}

/// The path with `/` between components (the form GitHub and URIs use on every OS).
fn slashed(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let joined = parts.join("/");
    if path.has_root() {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The path made absolute and free of `.`/`..` and symlinks where it exists (a workspace
/// reached through a symlink still contains its directories).
fn absolute(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let joined = std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_repo_is_named_from_the_workspace_root() {
        let ws = tempfile::tempdir().unwrap();
        let dir = ws.path().join("models/my ft");
        std::fs::create_dir_all(&dir).unwrap();
        let places = Places::new(ws.path(), Some(("my ft", &dir)), None, "https://hf.co/");
        assert_eq!(
            places.artifact("my ft", Some("README.md")),
            Artifact::Workspace("models/my ft/README.md".into())
        );
        assert_eq!(
            places.artifact("my ft", Some("README.md")).uri(),
            "models/my%20ft/README.md"
        );
        assert_eq!(
            places.artifact("my ft", None),
            Artifact::Workspace("models/my ft".into())
        );
        // Its parents are not in the workspace: they are named on the Hub.
        assert_eq!(
            places.artifact("meta-llama/Llama-2-7b-hf", Some("README.md")),
            Artifact::Url("https://hf.co/meta-llama/Llama-2-7b-hf/blob/main/README.md".into())
        );
        assert_eq!(
            places.workspace_file("meta-llama/Llama-2-7b-hf", "README.md"),
            None
        );
    }

    #[test]
    fn the_workspace_root_itself_and_a_repo_outside_it() {
        let ws = tempfile::tempdir().unwrap();
        let places = Places::new(ws.path(), Some(("ws", ws.path())), None, "https://hf.co");
        assert_eq!(
            places.workspace_file("ws", "README.md").as_deref(),
            Some("README.md")
        );
        assert_eq!(places.artifact("ws", None).uri(), ".");
        let elsewhere = tempfile::tempdir().unwrap();
        let places = Places::new(
            ws.path(),
            Some(("x", elsewhere.path())),
            None,
            "https://hf.co",
        );
        let uri = places.artifact("x", Some("README.md")).uri();
        assert!(
            uri.starts_with("file:///") && uri.ends_with("/README.md"),
            "{uri}"
        );
        assert_eq!(places.workspace_file("x", "README.md"), None);
    }

    #[test]
    fn a_mirror_inside_the_workspace_names_its_files() {
        let ws = tempfile::tempdir().unwrap();
        let mirror = ws.path().join("mirror");
        std::fs::create_dir_all(&mirror).unwrap();
        let places = Places::new(ws.path(), None, Some(&mirror), "https://hf.co");
        assert_eq!(
            places.workspace_file("o/m", "LICENSE").as_deref(),
            Some("mirror/o/m/LICENSE")
        );
        let outside = tempfile::tempdir().unwrap();
        let places = Places::new(ws.path(), None, Some(outside.path()), "https://hf.co");
        assert_eq!(places.artifact("o/m", None).uri(), "https://hf.co/o/m");
    }
}
