//! Reading the files of a mirror or a local repo without leaving it. A repo's files are written
//! by whoever published it: a `LICENSE` that is a symbolic link to `/etc/passwd`, or a model
//! directory linked to the home directory, must not be read (and then quoted in a report).
//! Every path is resolved first, and read only when it resolves inside the root.

use super::{MAX_FILE_BYTES, SourceError};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A directory whose files are read, and nothing outside it.
#[derive(Debug)]
pub(crate) struct Confined {
    /// The root, resolved (so paths inside it, resolved, start with it).
    root: PathBuf,
    /// What the root is, for messages: "mirror", "repo".
    place: &'static str,
}

impl Confined {
    pub(crate) fn new(root: &Path, place: &'static str) -> Result<Confined, SourceError> {
        let root = std::fs::canonicalize(root)
            .map_err(|e| SourceError::NotFound(format!("{place} {}: {e}", root.display())))?;
        Ok(Confined { root, place })
    }

    /// Where `path` leads: `Ok(None)` when nothing is there, an error when it is outside.
    fn resolve(&self, path: &Path, shown: &str) -> Result<Option<PathBuf>, SourceError> {
        let real = match std::fs::canonicalize(path) {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SourceError::Other(format!("{shown}: {e}"))),
        };
        if !real.starts_with(&self.root) {
            return Err(SourceError::Refused(format!(
                "{shown} is a symbolic link that leads out of the {}; it was not read",
                self.place
            )));
        }
        Ok(Some(real))
    }

    /// The file's bytes (at most [`MAX_FILE_BYTES`]); `None` when it does not exist.
    pub(crate) fn read(&self, path: &Path, shown: &str) -> Result<Option<Vec<u8>>, SourceError> {
        match self.resolve(path, shown)? {
            Some(real) => read_bounded(&real, shown),
            None => Ok(None),
        }
    }
}

/// Reads a file of at most [`MAX_FILE_BYTES`]; `None` when it does not exist.
fn read_bounded(path: &Path, shown: &str) -> Result<Option<Vec<u8>>, SourceError> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(SourceError::Other(format!("{shown}: {e}"))),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError::Other(format!("{shown}: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(SourceError::Invalid(format!(
            "{shown}: larger than the {MAX_FILE_BYTES} byte limit"
        )));
    }
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_out_of_the_root_are_refused_and_links_inside_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "root:x:0:0").unwrap();
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("org/model");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::write(repo.join("LICENSE-MIT"), "MIT License").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), repo.join("LICENSE")).unwrap();
        std::os::unix::fs::symlink("LICENSE-MIT", repo.join("LICENSE.txt")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("org/linked")).unwrap();
        let confined = Confined::new(root.path(), "mirror").unwrap();
        let err = confined
            .read(&repo.join("LICENSE"), "org/model/LICENSE")
            .unwrap_err();
        assert!(matches!(err, SourceError::Refused(_)));
        assert_eq!(
            err.to_string(),
            "org/model/LICENSE is a symbolic link that leads out of the mirror; it was not read"
        );
        let linked = root.path().join("org/linked/secret");
        assert!(matches!(
            confined.read(&linked, "org/linked/secret"),
            Err(SourceError::Refused(_))
        ));
        assert_eq!(
            confined
                .read(&repo.join("LICENSE.txt"), "x")
                .unwrap()
                .unwrap(),
            b"MIT License"
        );
        assert_eq!(confined.read(&repo.join("absent"), "x").unwrap(), None);
    }
}
