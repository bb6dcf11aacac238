//! A5 "Sina Visitor System": genvisitor (tid) → incarnate (SUB/SUBP cookies), JSONP bodies.

use serde_json::{Value, json};

/// Success code of the visitor endpoints.
pub(crate) const OK: i64 = 20_000_000;

fn random_token(prefix: &str, len: usize) -> String {
    let mut s = String::from(prefix);
    s.extend(std::iter::repeat_with(fastrand::alphanumeric).take(len));
    s
}

pub(crate) fn new_tid() -> String {
    random_token("", 44)
}

/// Fresh visitor cookies `(SUB, SUBP)`, shaped like the real ones.
pub(crate) fn new_cookies() -> (String, String) {
    (
        random_token("_2AkM", 60),
        random_token("0033WrSXqPxfM72-Ws9jqgMF55529P9D9W", 30),
    )
}

pub(crate) fn jsonp(callback: &str, value: &Value) -> String {
    format!("window.{callback} && {callback}({value});")
}

pub(crate) fn gen_callback(tid: &str) -> String {
    jsonp(
        "gen_callback",
        &json!({"retcode": OK, "msg": "succ", "data": {"tid": tid, "new_tid": true, "confidence": 100}}),
    )
}

pub(crate) fn cross_domain(sub: &str, subp: &str) -> String {
    jsonp(
        "cross_domain",
        &json!({"retcode": OK, "msg": "succ", "data": {"sub": sub, "subp": subp}}),
    )
}

pub(crate) fn failure(callback: &str, retcode: i64, msg: &str) -> String {
    jsonp(
        callback,
        &json!({"retcode": retcode, "msg": msg, "data": {}}),
    )
}

/// Where the real `s.weibo.com` sends a request without a visitor cookie.
pub(crate) fn passport_url(original: &str) -> String {
    format!(
        "https://passport.weibo.com/visitor/visitor?entry=miniblog&a=enter&url={}&domain=weibo.com&ua=&_rand={}",
        super::wire::encode(original),
        fastrand::u32(..)
    )
}

/// The visitor page the passport redirect lands on (the real one runs genvisitor in JS).
pub(crate) const VISITOR_PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sina Visitor System</title></head>
<body><span id="message"></span>
<script type="text/javascript">
// The real page posts to /visitor/genvisitor, then loads /visitor/visitor?a=incarnate.
</script></body></html>
"#;
