//! A minimal HTTP/1 GET client for reading a running receiver's admin API.

use anyhow::{anyhow, bail, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A receiver base URL split into what a GET needs.
#[derive(Debug, Clone)]
pub struct BaseUrl {
    authority: String,
    prefix: String,
}

impl BaseUrl {
    /// Parses `http://HOST:PORT[/prefix]`; a missing scheme means `http://`.
    pub fn parse(url: &str) -> anyhow::Result<BaseUrl> {
        let rest = match url.split_once("://") {
            Some(("http", rest)) => rest,
            Some((scheme, _)) => bail!(
                "unsupported URL scheme `{scheme}` in `{url}`: the receiver speaks plain http"
            ),
            None => url,
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.is_empty() {
            bail!("no host in URL `{url}`");
        }
        let prefix = path.trim_end_matches('/');
        let prefix = prefix
            .strip_suffix("/_hooktest")
            .unwrap_or(prefix)
            .to_string();
        let authority = if authority.contains(':') && !authority.ends_with(']') {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        Ok(BaseUrl { authority, prefix })
    }

    /// GETs `path` (which starts with `/`) and returns the status and body.
    pub async fn get(&self, path: &str) -> anyhow::Result<(u16, Bytes)> {
        let stream = TcpStream::connect(&self.authority)
            .await
            .with_context(|| format!("cannot connect to the receiver at {}", self.authority))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .with_context(|| format!("cannot talk HTTP to {}", self.authority))?;
        tokio::spawn(connection);
        let request = http::Request::get(format!("{}{}", self.prefix, path))
            .header(http::header::HOST, &self.authority)
            .body(Empty::<Bytes>::new())
            .map_err(|e| anyhow!(e))?;
        let response = sender
            .send_request(request)
            .await
            .with_context(|| format!("request to {} failed", self.authority))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .with_context(|| format!("cannot read the answer of {}", self.authority))?
            .to_bytes();
        Ok((status, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let url = BaseUrl::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            (url.authority.as_str(), url.prefix.as_str()),
            ("127.0.0.1:8080", "")
        );
        let url = BaseUrl::parse("localhost/_hooktest/").unwrap();
        assert_eq!(
            (url.authority.as_str(), url.prefix.as_str()),
            ("localhost:80", "")
        );
        assert!(BaseUrl::parse("https://x").is_err());
    }
}
