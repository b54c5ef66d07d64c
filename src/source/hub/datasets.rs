//! Datasets on the Hub: `GET /api/datasets/{id}` (its `cardData` is the card's front matter,
//! `sha` its commit), then the card from the resolvers at that commit, cached for good like a
//! model's. Both requests go through the same client: bounded, paced, counted and cached.

use super::http::Caching;
use super::{HubClient, is_commit};
use crate::source::{
    DatasetInfo, DatasetRecord, MAX_FILE_BYTES, SourceError, card_text, valid_dataset_id,
};

impl HubClient {
    pub(super) async fn dataset_record(&self, id: &str) -> Result<DatasetRecord, SourceError> {
        if !valid_dataset_id(id) {
            return Err(SourceError::NotFound(format!(
                "`{id}` is not a valid dataset id"
            )));
        }
        let what = format!("dataset {id} (info)");
        let mut segments: Vec<&str> = vec!["api", "datasets"];
        segments.extend(id.split('/'));
        let fetched = self
            .http
            .get(
                self.http.url(&segments),
                &what,
                Caching::Revalidate,
                MAX_FILE_BYTES,
            )
            .await?;
        let info: DatasetInfo = serde_json::from_slice(&fetched.body).map_err(|e| {
            SourceError::Invalid(format!("{what}: invalid JSON at line {}: {e}", e.line()))
        })?;
        // A card is read when the repo lists one; without it, the Hub's cardData stands in.
        if !info.siblings.iter().any(|s| s.rfilename == "README.md") {
            return Ok(DatasetRecord::of(id, info, (None, None)));
        }
        let revision = info
            .sha
            .clone()
            .filter(|s| is_commit(s))
            .unwrap_or_else(|| "main".into());
        let caching = if is_commit(&revision) {
            Caching::Immutable
        } else {
            Caching::Revalidate
        };
        let mut segments: Vec<&str> = vec!["datasets"];
        segments.extend(id.split('/'));
        segments.extend(["resolve", revision.as_str(), "README.md"]);
        let what = format!("dataset {id}/README.md");
        let card = match self
            .http
            .get(self.http.url(&segments), &what, caching, MAX_FILE_BYTES)
            .await
        {
            Ok(fetched) => {
                let (text, error) = card_text(fetched.body);
                (Some(text), error)
            }
            Err(SourceError::Invalid(e)) => (None, Some(e)),
            // Not known, so the dataset is not known: the run is incomplete.
            Err(e) if e.is_transport() => return Err(e),
            Err(e) => {
                tracing::debug!("{e}; using the card data of the dataset info");
                (None, None)
            }
        };
        Ok(DatasetRecord::of(id, info, card))
    }
}
