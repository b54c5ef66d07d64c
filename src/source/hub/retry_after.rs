//! Waiting out 429 Too Many Requests. reqwest-retry retries 429s on its own exponential schedule
//! but cannot see the `Retry-After` header (its policy never sees the response), so this small
//! middleware owns 429 and 503-with-Retry-After, and reqwest-retry keeps everything else
//! transient (5xx, timeouts, broken connections).

use http::Extensions;
use reqwest::{Request, Response, StatusCode};
use reqwest_middleware::{Middleware, Next, Result};
use std::time::Duration;

pub struct RetryAfter {
    /// Retries of one request at most.
    pub max_retries: u32,
    /// A `Retry-After` longer than this is cut to it: the overall deadline bounds the rest.
    pub max_wait: Duration,
}

/// The wait a response asks for: `Retry-After` in seconds (HTTP dates are treated as 1 s).
fn asked_wait(response: &Response) -> Option<Duration> {
    let value = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    Some(
        value
            .trim()
            .parse::<f64>()
            .map(Duration::from_secs_f64)
            .unwrap_or(Duration::from_secs(1)),
    )
}

/// Up to a quarter of the wait again, so that clients told the same thing do not return together.
fn jitter(wait: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    wait.mul_f64(1.0 + f64::from(nanos % 1000) / 4000.0)
}

#[async_trait::async_trait]
impl Middleware for RetryAfter {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> Result<Response> {
        let mut attempt = 0;
        loop {
            // GET requests have no body, so they can always be cloned and replayed.
            let Some(retry) = req.try_clone() else {
                return next.run(req, extensions).await;
            };
            let response = next.clone().run(retry, extensions).await?;
            let status = response.status();
            let limited = status == StatusCode::TOO_MANY_REQUESTS
                || (status == StatusCode::SERVICE_UNAVAILABLE
                    && response
                        .headers()
                        .contains_key(reqwest::header::RETRY_AFTER));
            if !limited || attempt >= self.max_retries {
                return Ok(response);
            }
            let wait = asked_wait(&response)
                .unwrap_or(Duration::from_millis(500 << attempt))
                .min(self.max_wait);
            tracing::debug!(url = %req.url(), ?wait, attempt, "rate limited; waiting as Retry-After says");
            tokio::time::sleep(jitter(wait)).await;
            attempt += 1;
        }
    }
}
