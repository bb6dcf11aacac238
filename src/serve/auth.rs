//! The bearer token: read from a file only its owner can read (the rule every secret file
//! follows, `paths::exposed_mode`), kept only as its SHA-256 digest (so no Debug, log line or
//! crash report can show it), compared in constant time.

use std::path::Path;

use axum::http::{Request, header};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;

/// Shortest token accepted: a short one can be guessed even at the rate limit.
pub const MIN_TOKEN_CHARS: usize = 16;

/// The query parameter RFC 6750 §2.3 allows instead of the header, for feed readers that
/// cannot send headers (the URL then holds the token: prefer the header).
pub(crate) const QUERY_PARAM: &str = "access_token";

#[derive(Clone)]
pub struct Token {
    digest: [u8; 32],
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "token file {path} is readable by group or others (mode {mode:o}); run `chmod 600 {path}`"
    )]
    Exposed { path: String, mode: u32 },
    #[error("token file {path}: the token is shorter than {MIN_TOKEN_CHARS} characters")]
    TooShort { path: String },
}

impl Token {
    /// The first line of `path`, trimmed; the file must be private (mode 0600 or stricter).
    pub fn from_file(path: &Path) -> Result<Token, TokenError> {
        let shown = path.display().to_string();
        let read = |source| TokenError::Read {
            path: shown.clone(),
            source,
        };
        if let Some(mode) = crate::paths::exposed_mode(path).map_err(read)? {
            return Err(TokenError::Exposed { path: shown, mode });
        }
        let text = std::fs::read_to_string(path).map_err(read)?;
        let token = text.lines().next().unwrap_or("").trim();
        if token.chars().count() < MIN_TOKEN_CHARS {
            return Err(TokenError::TooShort { path: shown });
        }
        Ok(Token::new(token))
    }

    pub fn new(token: &str) -> Token {
        Token {
            digest: Sha256::digest(token.as_bytes()).into(),
        }
    }

    /// Digests of equal length compared in constant time: neither the content nor the length
    /// of the real token leaks through timing.
    pub fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(self.digest.ct_eq(&digest))
    }
}

/// `Authorization: Bearer <token>`, else `?access_token=<token>`.
pub(crate) fn check<B>(token: &Token, req: &Request<B>) -> Result<(), ApiError> {
    let from_header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_string())
        });
    let presented = from_header.or_else(|| {
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == QUERY_PARAM)
            .map(|(_, v)| v.into_owned())
    });
    match presented {
        Some(p) if token.matches(&p) => Ok(()),
        Some(_) => Err(ApiError::unauthorized("wrong token")),
        None => Err(ApiError::unauthorized(
            "this feed needs a token: send `Authorization: Bearer <token>`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(auth: Option<&str>, uri: &str) -> Request<()> {
        let mut b = Request::get(uri);
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        b.body(()).unwrap()
    }

    #[test]
    fn bearer_header_or_query_parameter() {
        let t = Token::new("0123456789abcdef-secret");
        assert!(
            check(
                &t,
                &req(Some("Bearer 0123456789abcdef-secret"), "/api/lists")
            )
            .is_ok()
        );
        assert!(check(&t, &req(Some("bearer  0123456789abcdef-secret "), "/")).is_ok());
        assert!(
            check(
                &t,
                &req(None, "/feed/x.rss?access_token=0123456789abcdef-secret")
            )
            .is_ok()
        );
        for (auth, uri) in [
            (None, "/api/lists"),
            (Some("Bearer wrong"), "/api/lists"),
            (Some("Basic 0123456789abcdef-secret"), "/api/lists"),
            (Some("Bearer 0123456789abcdef-secre"), "/api/lists"),
            (None, "/x?access_token=0123456789abcdef-secretX"),
        ] {
            let e = check(&t, &req(auth, uri)).unwrap_err();
            assert_eq!(e.status.as_u16(), 401, "{auth:?} {uri}");
        }
        assert_eq!(format!("{t:?}"), "Token(***)");
    }

    #[cfg(unix)]
    #[test]
    fn token_files_are_private_and_long_enough() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("token");
        std::fs::write(&p, "0123456789abcdef-secret\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Token::from_file(&p).unwrap_err().to_string();
        assert!(e.contains("chmod 600") && e.contains("644"), "{e}");
        assert!(!e.contains("secret"), "{e}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(
            Token::from_file(&p)
                .unwrap()
                .matches("0123456789abcdef-secret")
        );
        std::fs::write(&p, "short\n").unwrap();
        let e = Token::from_file(&p).unwrap_err().to_string();
        assert!(e.contains("shorter than 16"), "{e}");
        let e = Token::from_file(&dir.path().join("none")).unwrap_err();
        assert!(matches!(e, TokenError::Read { .. }), "{e}");
    }
}
