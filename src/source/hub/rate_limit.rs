//! The Hub's rate limits as it states them (hub-docs `rate-limits.md`, the IETF draft it follows):
//! fixed windows per bucket (`api`, `resolvers`, `pages`), announced on every response as
//! `RateLimit: "api";r=<remaining>;t=<seconds to reset>` and
//! `RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window seconds>`.
//!
//! The client spends each window's quota and then waits for the reset, rather than sending
//! requests it knows will be refused: a 429 costs a round trip and may come without
//! `Retry-After`. What the Hub does not state, it is not assumed to limit.

use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// The Hub's rate-limit buckets: what a request is counted against.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Bucket {
    /// `/api/...`
    Api,
    /// `/{repo}/resolve/...`: file downloads, with a larger quota.
    Resolvers,
    /// Anything else.
    Pages,
}

impl Bucket {
    pub fn of_path(path: &str) -> Bucket {
        if path.contains("/resolve/") {
            Bucket::Resolvers
        } else if path.starts_with("/api/") || path.contains("/api/") {
            Bucket::Api
        } else {
            Bucket::Pages
        }
    }

    fn named(name: &str) -> Option<Bucket> {
        match name {
            "api" => Some(Bucket::Api),
            "resolvers" => Some(Bucket::Resolvers),
            "pages" => Some(Bucket::Pages),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Api => "api",
            Bucket::Resolvers => "resolvers",
            Bucket::Pages => "pages",
        }
    }
}

/// What one response says of its bucket's window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub bucket: Option<Bucket>,
    pub remaining: u64,
    pub reset_in: Duration,
    /// From `RateLimit-Policy`: requests per window, and the window.
    pub limit: Option<u64>,
    pub window: Option<Duration>,
}

/// `key=value` parameters of a structured header item, after its quoted name.
fn params(item: &str) -> impl Iterator<Item = (&str, &str)> {
    item.split(';')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
}

fn quoted_names(item: &str) -> impl Iterator<Item = &str> {
    item.split(';')
        .map(str::trim)
        .filter_map(|p| p.strip_prefix('"')?.strip_suffix('"'))
}

/// The `RateLimit` and `RateLimit-Policy` headers of a response, if it has them.
pub fn parse(headers: &HeaderMap) -> Option<Quota> {
    let value = headers.get("ratelimit")?.to_str().ok()?;
    let mut remaining = None;
    let mut reset = None;
    for (k, v) in params(value) {
        match k {
            "r" => remaining = v.parse::<u64>().ok(),
            "t" => reset = v.parse::<u64>().ok(),
            _ => {}
        }
    }
    let bucket = quoted_names(value).find_map(Bucket::named);
    let (mut limit, mut window) = (None, None);
    if let Some(policy) = headers
        .get("ratelimit-policy")
        .and_then(|v| v.to_str().ok())
    {
        for (k, v) in params(policy) {
            match k {
                "q" => limit = v.parse::<u64>().ok(),
                "w" => window = v.parse::<u64>().ok().map(Duration::from_secs),
                _ => {}
            }
        }
    }
    Some(Quota {
        bucket,
        remaining: remaining?,
        // A window is at most a day; a larger figure is a broken header, not a week's wait.
        reset_in: Duration::from_secs(reset?.min(86_400)),
        limit,
        window,
    })
}

/// `Retry-After` in seconds, or as an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds.min(86_400)));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let left = at.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(left).unwrap_or(Duration::ZERO))
}

/// Two resets within this of each other are the same window: `t` is in whole seconds.
const SAME_WINDOW: Duration = Duration::from_millis(1500);

#[derive(Debug, Default)]
struct Window {
    /// Requests this window still allows, as far as is known: what the Hub last said, less what
    /// was sent since (a request is counted when it is let through, before it is answered).
    remaining: Option<u64>,
    reset_at: Option<Instant>,
    limit: Option<u64>,
    /// When this client's view of the window began (its last reset): an answer to a request
    /// sent before then speaks of the window before.
    opened: Option<Instant>,
}

/// The known state of every bucket, shared by all requests of a client.
#[derive(Debug, Default)]
pub struct Limiter {
    windows: Mutex<HashMap<Bucket, Window>>,
}

impl Limiter {
    /// Takes one request from the bucket's quota; or, when it is spent, says until when to wait.
    pub fn take(&self, bucket: Bucket, now: Instant) -> Option<Instant> {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let w = windows.entry(bucket).or_default();
        if w.reset_at.is_some_and(|reset| now >= reset) {
            // A fresh window: its quota, if the policy said it, else unknown until the next answer.
            w.remaining = w.limit;
            w.reset_at = None;
            w.opened = Some(now);
        }
        match w.remaining {
            None => None,
            Some(0) => Some(w.reset_at.unwrap_or(now + Duration::from_secs(1))),
            Some(n) => {
                w.remaining = Some(n - 1);
                None
            }
        }
    }

    /// Learns from the headers of the answer to a request sent at `sent`.
    pub fn observe(&self, bucket: Bucket, quota: &Quota, sent: Instant, now: Instant) {
        let bucket = quota.bucket.unwrap_or(bucket);
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let w = windows.entry(bucket).or_default();
        if quota.limit.is_some() {
            w.limit = quota.limit;
        }
        if w.opened.is_some_and(|opened| sent < opened) {
            return;
        }
        let reset_at = now + quota.reset_in;
        match w.reset_at {
            // An older window's answer, arriving late.
            Some(current) if reset_at + SAME_WINDOW < current => {}
            // The same window: requests let through but not yet counted by the Hub are
            // already taken off ours, so the lower figure is the true one.
            Some(current) if reset_at <= current + SAME_WINDOW => {
                w.remaining = Some(
                    w.remaining
                        .map_or(quota.remaining, |r| r.min(quota.remaining)),
                );
            }
            // The first answer of a window this client opened: what it counted holds too.
            None => {
                w.remaining = Some(
                    w.remaining
                        .map_or(quota.remaining, |r| r.min(quota.remaining)),
                );
                w.reset_at = Some(reset_at);
            }
            // The Hub's window turned before this client expected.
            Some(_) => {
                w.remaining = Some(quota.remaining);
                w.reset_at = Some(reset_at);
                w.opened = Some(sent);
            }
        }
    }

    /// A 429: nothing more goes to the bucket until `until`.
    pub fn exhausted(&self, bucket: Bucket, until: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let w = windows.entry(bucket).or_default();
        w.remaining = Some(0);
        w.reset_at = Some(w.reset_at.map_or(until, |r| r.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn reads_the_hubs_headers() {
        let q = parse(&headers(&[
            ("ratelimit", "\"api\";r=12;t=55"),
            ("ratelimit-policy", "\"fixed window\";\"api\";q=500;w=300"),
        ]))
        .unwrap();
        assert_eq!(q.bucket, Some(Bucket::Api));
        assert_eq!(q.remaining, 12);
        assert_eq!(q.reset_in, Duration::from_secs(55));
        assert_eq!(q.limit, Some(500));
        assert_eq!(q.window, Some(Duration::from_secs(300)));
        assert!(parse(&headers(&[("ratelimit", "garbage")])).is_none());
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn a_spent_window_waits_for_its_reset_then_refills() {
        let limiter = Limiter::default();
        let now = Instant::now();
        let quota = Quota {
            bucket: Some(Bucket::Api),
            remaining: 2,
            reset_in: Duration::from_secs(10),
            limit: Some(5),
            window: Some(Duration::from_secs(10)),
        };
        assert_eq!(
            limiter.take(Bucket::Api, now),
            None,
            "unknown: no limit assumed"
        );
        limiter.observe(Bucket::Api, &quota, now, now);
        assert_eq!(limiter.take(Bucket::Api, now), None);
        assert_eq!(limiter.take(Bucket::Api, now), None);
        let wait = limiter.take(Bucket::Api, now).expect("spent");
        assert_eq!(wait, now + Duration::from_secs(10));
        // Another bucket is not held up.
        assert_eq!(limiter.take(Bucket::Resolvers, now), None);
        // A late answer from the same window with more left does not raise what is known.
        limiter.observe(
            Bucket::Api,
            &Quota {
                remaining: 4,
                ..quota
            },
            now,
            now,
        );
        assert!(limiter.take(Bucket::Api, now).is_some());
        // After the reset, the policy's quota is there again.
        let later = now + Duration::from_secs(11);
        for _ in 0..5 {
            assert_eq!(limiter.take(Bucket::Api, later), None);
        }
        assert!(limiter.take(Bucket::Api, later).is_some());
    }

    #[test]
    fn what_was_let_through_in_a_new_window_is_not_forgotten() {
        let limiter = Limiter::default();
        let t0 = Instant::now();
        let quota = |remaining, reset| Quota {
            bucket: Some(Bucket::Resolvers),
            remaining,
            reset_in: Duration::from_secs(reset),
            limit: Some(10),
            window: Some(Duration::from_secs(2)),
        };
        // A window spent, with the policy known.
        limiter.observe(Bucket::Resolvers, &quota(0, 2), t0, t0);
        let t1 = t0 + Duration::from_secs(2);
        // A new window: ten requests let through before any answer comes back.
        for _ in 0..10 {
            assert_eq!(limiter.take(Bucket::Resolvers, t1), None);
        }
        // An answer sent in the old window, arriving late, changes nothing.
        limiter.observe(Bucket::Resolvers, &quota(0, 1), t0, t1);
        // The first answer of the new window has counted one request: nine more would overrun.
        limiter.observe(Bucket::Resolvers, &quota(9, 2), t1, t1);
        assert!(limiter.take(Bucket::Resolvers, t1).is_some());
    }

    #[test]
    fn a_429_holds_the_bucket() {
        let limiter = Limiter::default();
        let now = Instant::now();
        limiter.exhausted(Bucket::Resolvers, now + Duration::from_secs(3));
        assert_eq!(
            limiter.take(Bucket::Resolvers, now),
            Some(now + Duration::from_secs(3))
        );
        assert_eq!(
            limiter.take(Bucket::Resolvers, now + Duration::from_secs(4)),
            None
        );
    }
}
