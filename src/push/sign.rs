//! Robot signatures. Feishu and DingTalk both use base64 HMAC-SHA256 over the timestamp and
//! the secret, but differ on every detail (unit, which string is the key, where it goes), and
//! mixing them up is the usual cause of "sign match fail" — so each has its own function and
//! its own test vector from the reference.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

fn hmac_b64(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Feishu custom bot: timestamp in **seconds**; the key is `"{ts}\n{secret}"` and the message
/// is empty. `timestamp` and `sign` go into the JSON body.
pub fn feishu(secret: &str, ts_secs: i64) -> String {
    hmac_b64(format!("{ts_secs}\n{secret}").as_bytes(), b"")
}

/// DingTalk robot: timestamp in **milliseconds**; the key is the secret and the message is
/// `"{ts}\n{secret}"`. Returned as plain base64: the caller adds it to the URL through a
/// query encoder, which percent-encodes it exactly once.
pub fn dingtalk(secret: &str, ts_ms: i64) -> String {
    hmac_b64(secret.as_bytes(), format!("{ts_ms}\n{secret}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feishu_reference_vector() {
        assert_eq!(
            feishu("example-secret", 1_700_000_000),
            "Gs3YRutIJpVN2FvEXKXHU6bEj2pVdSriQ0niig9EbUk="
        );
    }

    #[test]
    fn dingtalk_reference_vector_and_single_encoding() {
        let sign = dingtalk("SECexample0123456789", 1_700_000_000_000);
        assert_eq!(sign, "figG6qqCA/lRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ=");
        let mut url = url::Url::parse("https://oapi.dingtalk.com/robot/send").unwrap();
        url.query_pairs_mut().append_pair("sign", &sign);
        assert_eq!(
            url.query(),
            Some("sign=figG6qqCA%2FlRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ%3D")
        );
    }
}
