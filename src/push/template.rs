//! Generic webhook templates: JSON with placeholders inside its strings. TrendRadar replaces
//! `{title}`/`{content}` in the raw text and hopes the result parses; here the template is
//! parsed once (at config load) and values are substituted into the parsed strings, so any
//! value is escaped by the JSON serialiser and cannot break out of its string.

use serde_json::Value;

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 7] = [
    "title", "content", "severity", "rule", "platform", "url", "ts",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    root: Value,
}

impl Default for Template {
    /// TrendRadar's fallback body.
    fn default() -> Self {
        Template {
            root: serde_json::json!({"title": "{title}", "content": "{content}"}),
        }
    }
}

impl Template {
    /// Parse and check a template: JSON object or array, placeholders only inside strings and
    /// only known ones.
    pub fn parse(text: &str) -> Result<Template, String> {
        let root: Value = serde_json::from_str(text).map_err(|e| {
            format!("not valid JSON ({e}); placeholders such as {{title}} must sit inside strings, e.g. {{\"text\": \"{{title}}\"}}")
        })?;
        if !root.is_object() && !root.is_array() {
            return Err("must be a JSON object or array".into());
        }
        let mut unknown = Vec::new();
        visit(&root, &mut |s| {
            for name in placeholders_in(s) {
                if !PLACEHOLDERS.contains(&name) && !unknown.contains(&name.to_string()) {
                    unknown.push(name.to_string());
                }
            }
        });
        if !unknown.is_empty() {
            return Err(format!(
                "unknown placeholder(s) {}; known: {}",
                unknown
                    .iter()
                    .map(|u| format!("{{{u}}}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" ")
            ));
        }
        Ok(Template { root })
    }

    /// The body with every placeholder replaced (one pass: a value containing `{title}` is
    /// not substituted again).
    pub fn render(&self, vars: &[(&str, &str)]) -> Value {
        let mut out = self.root.clone();
        substitute(&mut out, vars);
        out
    }
}

fn visit(v: &Value, f: &mut impl FnMut(&str)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().for_each(|v| visit(v, f)),
        Value::Object(o) => o.values().for_each(|v| visit(v, f)),
        _ => {}
    }
}

fn substitute(v: &mut Value, vars: &[(&str, &str)]) {
    match v {
        Value::String(s) => *s = fill(s, vars),
        Value::Array(a) => a.iter_mut().for_each(|v| substitute(v, vars)),
        Value::Object(o) => o.values_mut().for_each(|v| substitute(v, vars)),
        _ => {}
    }
}

/// `{name}` occurrences where name is lowercase ASCII letters/underscore (other braces, as in
/// `{}` or `{"a":1}` inside a string, are left alone).
fn placeholders_in(s: &str) -> impl Iterator<Item = &str> {
    s.match_indices('{').filter_map(move |(i, _)| {
        let rest = &s[i + 1..];
        let end = rest.find('}')?;
        let name = &rest[..end];
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            .then_some(name)
    })
}

fn fill(s: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let hit = after.find('}').and_then(|end| {
            let name = &after[..end];
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v, end))
        });
        match hit {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_inside_strings_with_json_escaping_once() {
        let t = Template::parse(
            r#"{"title":"{title}","desp":"[{severity}] {content}","n":{"x":["{ts}"]},"k":"{}"}"#,
        )
        .unwrap();
        let v = t.render(&[
            ("title", "a\"b\\c\n{content}"),
            ("content", "热搜 </script>"),
            ("severity", "red"),
            ("ts", "2026-01-01T00:00:00Z"),
        ]);
        assert_eq!(v["title"], "a\"b\\c\n{content}");
        assert_eq!(v["desp"], "[red] 热搜 </script>");
        assert_eq!(v["n"]["x"][0], "2026-01-01T00:00:00Z");
        assert_eq!(v["k"], "{}");
        // The serialised body is valid JSON whatever the values held.
        let text = v.to_string();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
    }

    #[test]
    fn bad_templates_are_refused_with_a_clear_reason() {
        let e = Template::parse(r#"{"n": {ts}}"#).unwrap_err();
        assert!(e.contains("inside strings"), "{e}");
        let e = Template::parse(r#"{"t":"{titel}"}"#).unwrap_err();
        assert!(e.contains("{titel}") && e.contains("{title}"), "{e}");
        assert!(
            Template::parse(r#""{title}""#)
                .unwrap_err()
                .contains("object")
        );
    }
}
