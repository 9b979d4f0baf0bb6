//! S3-compatible object stores (through the `object_store` crate): where `s3://` targets write
//! and `s3://` inputs are read from. Owns the store's address and credentials (the standard
//! AWS variables, `AWS_ENDPOINT_URL` or `--endpoint` for MinIO and moto) and reading a prefix
//! back as one stream of lines.

use std::io::Read;

use anyhow::{Context, bail};
use object_store::{ObjectStore, ObjectStoreExt};

/// `s3://BUCKET/PREFIX` as (bucket, prefix without slashes at its ends).
pub fn parse_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (!bucket.is_empty()).then(|| (bucket, prefix.trim_matches('/')))
}

/// The store holding `bucket`: credentials and region from the AWS variables; the address
/// from `endpoint`, else `$AWS_ENDPOINT_URL`, else AWS.
pub fn store(bucket: &str, endpoint: Option<&str>) -> anyhow::Result<object_store::aws::AmazonS3> {
    Ok(builder(bucket, endpoint).build()?)
}

/// [`store`] before it is built.
fn builder(bucket: &str, endpoint: Option<&str>) -> object_store::aws::AmazonS3Builder {
    // reqwest is built without a provider of its own (see Cargo.toml); a second call finds
    // it installed, which is what it needs.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let from_env = std::env::var("AWS_ENDPOINT_URL").ok();
    let mut b = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
    if let Some(e) = endpoint.or(from_env.as_deref()) {
        b = b
            .with_endpoint(e)
            .with_allow_http(e.starts_with("http://"))
            .with_virtual_hosted_style_request(false);
    }
    b
}

/// A runtime for the store's calls, on the calling thread: binge is synchronous elsewhere.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Every object under `url`'s prefix, in key order, as one stream: objects whose key ends in
/// `.gz` are decompressed. Objects are fetched one at a time, as the stream is read.
pub fn reader(url: &str) -> anyhow::Result<Box<dyn Read + Send>> {
    let (bucket, prefix) =
        parse_url(url).with_context(|| format!("{url}: expected s3://BUCKET/PREFIX"))?;
    let store = store(bucket, None)?;
    let runtime = runtime()?;
    let listed = runtime.block_on(async {
        use futures_util::TryStreamExt;
        let prefix = (!prefix.is_empty()).then(|| object_store::path::Path::from(prefix));
        store.list(prefix.as_ref()).try_collect::<Vec<_>>().await
    });
    let mut keys: Vec<object_store::path::Path> = listed
        .with_context(|| format!("cannot list {url}"))?
        .into_iter()
        .map(|m| m.location)
        .collect();
    keys.sort_by(|a, b| a.as_ref().cmp(b.as_ref()));
    if keys.is_empty() {
        bail!("no objects under {url}");
    }
    Ok(Box::new(Objects {
        store,
        runtime,
        keys: keys.into_iter(),
        current: None,
    }))
}

struct Objects {
    store: object_store::aws::AmazonS3,
    runtime: tokio::runtime::Runtime,
    keys: std::vec::IntoIter<object_store::path::Path>,
    current: Option<Box<dyn Read + Send>>,
}

impl Read for Objects {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(r) = &mut self.current {
                let n = r.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                self.current = None;
            }
            let Some(key) = self.keys.next() else {
                return Ok(0);
            };
            let bytes = self
                .runtime
                .block_on(async { self.store.get(&key).await?.bytes().await })
                .map_err(|e| std::io::Error::other(format!("cannot read {key}: {e}")))?;
            let raw = std::io::Cursor::new(bytes);
            self.current = Some(if key.as_ref().ends_with(".gz") {
                Box::new(flate2::read::MultiGzDecoder::new(raw))
            } else {
                Box::new(raw)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TLS goes through the crypto provider `store` installs: a store at an `https://` address
    /// is made and asked, and nothing there is an error to report, not a missing provider.
    #[test]
    fn a_store_over_https_is_made_and_a_store_not_there_is_an_error() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let at = format!("https://{}", closed.local_addr().unwrap());
        drop(closed);
        // Credentials given, so none are looked for beyond loopback (instance metadata).
        let s = builder("bucket", Some(&at))
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .with_region("us-east-1")
            .with_retry(object_store::RetryConfig {
                max_retries: 0,
                ..Default::default()
            })
            .build()
            .unwrap();
        let got = runtime().unwrap().block_on(async {
            use futures_util::TryStreamExt;
            s.list(None).try_collect::<Vec<_>>().await
        });
        let e = got.unwrap_err().to_string();
        assert!(
            e.contains("error sending request") || e.contains("connect"),
            "{e}"
        );
    }
}
