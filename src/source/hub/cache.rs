//! The Hub client's cache: one redb file, keyed by URL. Files read at a commit (`resolve/<sha>/`)
//! never change, so they are served from here without asking the Hub; API answers are kept with
//! their ETag and revalidated (a 304 costs a request but no body). Writes are batched into few
//! transactions; entries unused for [`KEEP_DAYS`] are dropped, once a day.
//!
//! A cache is a convenience: a file that cannot be opened (corrupt, locked by another run) is
//! replaced or done without, with a warning, and the run goes on.

use redb::{Database, Durability, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const RESPONSES: TableDefinition<&str, &[u8]> = TableDefinition::new("responses");
/// Per key, the day (since the epoch) it was last used.
const USED: TableDefinition<&str, u32> = TableDefinition::new("used");
/// `"purged"`: the day entries were last expired.
const META: TableDefinition<&str, u32> = TableDefinition::new("meta");

/// Entries not used for this many days are dropped.
const KEEP_DAYS: u32 = 30;
/// Writes held before they are committed together.
const BATCH_ENTRIES: usize = 512;
const BATCH_BYTES: usize = 16 << 20;

/// redb's errors are large; boxed, they keep results small.
type DbResult<T> = Result<T, Box<redb::Error>>;
/// A stored entry's bytes and the day it was last used.
type Row = (Vec<u8>, Option<u32>);

fn boxed(e: impl Into<redb::Error>) -> Box<redb::Error> {
    Box::new(e.into())
}

/// A cached answer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Entry {
    pub etag: Option<String>,
    /// The `Link: rel="next"` URL of a listing page.
    pub next: Option<String>,
    pub body: Vec<u8>,
    /// The file does not exist at that commit (a 404 `EntryNotFound`, which cannot change).
    pub absent: bool,
}

#[derive(Default)]
struct Pending {
    entries: Vec<(String, Vec<u8>)>,
    bytes: usize,
    /// Keys read this run whose last use was an earlier day.
    touched: Vec<String>,
}

pub struct Store {
    db: Database,
    path: PathBuf,
    today: u32,
    pending: Mutex<Pending>,
}

fn today() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (secs / 86_400) as u32
}

impl Store {
    /// Opens (or creates) `dir/hub.redb`. A file that is not a cache is replaced; `None`, with a
    /// warning, when there can be no cache this run.
    pub fn open(dir: &Path) -> Option<Store> {
        let path = dir.join("hub.redb");
        if let Err(e) = std::fs::create_dir_all(dir) {
            tracing::warn!("no HTTP cache this run: {}: {e}", dir.display());
            return None;
        }
        let db = match Self::open_file(&path) {
            Ok(db) => db,
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                tracing::warn!(
                    "no HTTP cache this run: {} is in use by another run",
                    path.display()
                );
                return None;
            }
            Err(e) => {
                tracing::warn!(
                    "the HTTP cache {} was unreadable ({e}); starting a new one",
                    path.display()
                );
                let _ = std::fs::remove_file(&path);
                match Self::open_file(&path) {
                    Ok(db) => db,
                    Err(e) => {
                        tracing::warn!("no HTTP cache this run: {}: {e}", path.display());
                        return None;
                    }
                }
            }
        };
        let store = Store {
            db,
            path,
            today: today(),
            pending: Mutex::default(),
        };
        if let Err(e) = store.prepare() {
            tracing::warn!("no HTTP cache this run: {}: {e}", store.path.display());
            return None;
        }
        Some(store)
    }

    fn open_file(path: &Path) -> Result<Database, redb::DatabaseError> {
        // Bounded: the cache serves one run's reads, each once.
        Database::builder().set_cache_size(32 << 20).create(path)
    }

    /// Creates the tables and drops entries unused for [`KEEP_DAYS`], once a day.
    fn prepare(&self) -> DbResult<()> {
        let txn = self.db.begin_write().map_err(boxed)?;
        {
            let mut meta = txn.open_table(META).map_err(boxed)?;
            let purged = meta.get("purged").map_err(boxed)?.map(|v| v.value());
            let mut responses = txn.open_table(RESPONSES).map_err(boxed)?;
            let mut used = txn.open_table(USED).map_err(boxed)?;
            if purged.is_none_or(|day| day < self.today) {
                let cutoff = self.today.saturating_sub(KEEP_DAYS);
                let mut stale = Vec::new();
                for row in used.iter().map_err(boxed)? {
                    let (key, day) = row.map_err(boxed)?;
                    if day.value() < cutoff {
                        stale.push(key.value().to_string());
                    }
                }
                for key in &stale {
                    responses.remove(key.as_str()).map_err(boxed)?;
                    used.remove(key.as_str()).map_err(boxed)?;
                }
                meta.insert("purged", self.today).map_err(boxed)?;
            }
        }
        txn.commit().map_err(boxed)?;
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<Entry> {
        let read = || -> DbResult<Option<Row>> {
            let txn = self.db.begin_read().map_err(boxed)?;
            let bytes = txn
                .open_table(RESPONSES)
                .map_err(boxed)?
                .get(key)
                .map_err(boxed)?
                .map(|v| v.value().to_vec());
            let day = txn
                .open_table(USED)
                .map_err(boxed)?
                .get(key)
                .map_err(boxed)?
                .map(|v| v.value());
            Ok(bytes.map(|b| (b, day)))
        };
        let (bytes, day) = match read() {
            Ok(found) => found?,
            Err(e) => {
                tracing::debug!("HTTP cache read failed: {e}");
                return None;
            }
        };
        // An entry that does not decode is a miss: the answer is fetched again and replaces it.
        let entry = postcard::from_bytes::<Stored>(&bytes)
            .ok()
            .and_then(|s| s.open())?;
        if day.is_none_or(|d| d < self.today) {
            self.lock().touched.push(key.to_string());
        }
        Some(entry)
    }

    pub fn put(&self, key: &str, entry: &Entry) {
        let Ok(bytes) = postcard::to_allocvec(&Stored::seal(entry)) else {
            return;
        };
        let full = {
            let mut pending = self.lock();
            pending.bytes += bytes.len();
            pending.entries.push((key.to_string(), bytes));
            pending.entries.len() >= BATCH_ENTRIES || pending.bytes >= BATCH_BYTES
        };
        if full {
            self.flush();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Commits what is held. Failures are warned about once per batch; the run goes on.
    pub fn flush(&self) {
        let pending = std::mem::take(&mut *self.lock());
        if pending.entries.is_empty() && pending.touched.is_empty() {
            return;
        }
        let write = || -> DbResult<()> {
            let mut txn = self.db.begin_write().map_err(boxed)?;
            txn.set_durability(Durability::Immediate);
            {
                let mut responses = txn.open_table(RESPONSES).map_err(boxed)?;
                let mut used = txn.open_table(USED).map_err(boxed)?;
                for (key, bytes) in &pending.entries {
                    responses
                        .insert(key.as_str(), bytes.as_slice())
                        .map_err(boxed)?;
                    used.insert(key.as_str(), self.today).map_err(boxed)?;
                }
                for key in &pending.touched {
                    used.insert(key.as_str(), self.today).map_err(boxed)?;
                }
            }
            txn.commit().map_err(boxed)?;
            Ok(())
        };
        if let Err(e) = write() {
            tracing::warn!(
                "the HTTP cache {} could not be written: {e}",
                self.path.display()
            );
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.flush();
    }
}

/// An entry as stored: the body LZ4-compressed (cards and listings are text).
#[derive(Serialize, Deserialize)]
struct Stored {
    etag: Option<String>,
    next: Option<String>,
    body: Vec<u8>,
    absent: bool,
}

impl Stored {
    fn seal(entry: &Entry) -> Stored {
        Stored {
            etag: entry.etag.clone(),
            next: entry.next.clone(),
            body: lz4_flex::compress_prepend_size(&entry.body),
            absent: entry.absent,
        }
    }

    fn open(self) -> Option<Entry> {
        Some(Entry {
            etag: self.etag,
            next: self.next,
            body: lz4_flex::decompress_size_prepended(&self.body).ok()?,
            absent: self.absent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_a_reopen_and_a_corrupt_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.put(
                "http://hub/a",
                &Entry {
                    etag: Some("\"1\"".into()),
                    next: None,
                    body: b"hello".to_vec(),
                    absent: false,
                },
            );
            // Not yet committed, but the run that wrote it is over when the store is dropped.
        }
        {
            let store = Store::open(dir.path()).unwrap();
            let entry = store.get("http://hub/a").expect("kept");
            assert_eq!(entry.body, b"hello");
            assert_eq!(entry.etag.as_deref(), Some("\"1\""));
            assert!(store.get("http://hub/b").is_none());
            // A second run at once finds the file locked and does without.
            assert!(Store::open(dir.path()).is_none());
        }
        std::fs::write(dir.path().join("hub.redb"), b"garbage").unwrap();
        let store = Store::open(dir.path()).expect("replaced");
        assert!(store.get("http://hub/a").is_none());
    }
}
