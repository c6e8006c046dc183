//! The client's settings: `initializationOptions` of `initialize` and the `settings` of
//! `workspace/didChangeConfiguration`. Both take the same object, either bare or under an
//! `icp` key (`{"icp": {"codeLens": false}}`), so an editor can pass its settings section
//! as it is. A later `didChangeConfiguration` replaces the whole set: a key it leaves out
//! goes back to its default.
//!
//! | key | type | default | effect |
//! |---|---|---|---|
//! | `sample` | string or null | `[lsp] sample` of `icp.toml` | the sample accounts file behind the figures lenses, relative to the project root; `""` turns the figures off |
//! | `today` | `"YYYY-MM-DD"` or null | the clock | the date of every check (`today`, situations, milestones) |
//! | `codeLens` | boolean | `true` | code lenses (sample figures, run test) |
//! | `inlayHints` | boolean | `true` | each criterion's share of the score after its weight |
//!
//! A key of the wrong type is ignored with a warning naming it; an unknown key is a
//! warning too (a misspelt `codelens` must not silently do nothing).

use icp_syntax::Date;
use serde_json::Value;

/// The settings a client can change (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Overrides `[lsp] sample` of `icp.toml`: `Some("")` turns the figures off.
    pub sample: Option<String>,
    /// Overrides the clock (and the server's own fixed date, if any).
    pub today: Option<Date>,
    /// Whether code lenses are answered.
    pub code_lens: bool,
    /// Whether inlay hints are answered.
    pub inlay_hints: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            sample: None,
            today: None,
            code_lens: true,
            inlay_hints: true,
        }
    }
}

/// The keys [`parse`] knows, for the did-you-mean of an unknown key.
pub const KEYS: [&str; 4] = ["sample", "today", "codeLens", "inlayHints"];

/// Read the settings from a client's JSON value; the second part lists, one message each,
/// what was ignored and why. `null` (a client without settings) is the default.
pub fn parse(value: &Value) -> (ClientConfig, Vec<String>) {
    let mut config = ClientConfig::default();
    let mut warnings = Vec::new();
    let object = match value {
        Value::Null => return (config, warnings),
        Value::Object(o) => match o.get("icp") {
            Some(Value::Object(inner)) => inner,
            Some(Value::Null) => return (config, warnings),
            Some(_) => {
                warnings.push("icp settings: `icp` should be an object of settings".to_owned());
                return (config, warnings);
            }
            None => o,
        },
        _ => {
            warnings.push("icp settings: expected an object of settings".to_owned());
            return (config, warnings);
        }
    };
    for (key, v) in object {
        match key.as_str() {
            "sample" => match v {
                Value::Null => {}
                Value::String(s) => config.sample = Some(s.clone()),
                _ => warnings.push(wrong(key, "a path (string) or null", v)),
            },
            "today" => match v {
                Value::Null => {}
                Value::String(s) => match Date::parse_iso(s.trim()) {
                    Some(d) => config.today = Some(d),
                    None => warnings.push(format!(
                        "icp settings: `today` is `{s}`, not a date; write it as \"2027-01-15\" \
                         (year-month-day); using the clock"
                    )),
                },
                _ => warnings.push(wrong(key, "a date such as \"2027-01-15\" or null", v)),
            },
            "codeLens" => match v {
                Value::Bool(b) => config.code_lens = *b,
                _ => warnings.push(wrong(key, "true or false", v)),
            },
            "inlayHints" => match v {
                Value::Bool(b) => config.inlay_hints = *b,
                _ => warnings.push(wrong(key, "true or false", v)),
            },
            _ => {
                let hint = icp_syntax::did_you_mean(key, KEYS.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                warnings.push(format!(
                    "icp settings: unknown setting `{key}` (known: {}){hint}",
                    KEYS.join(", ")
                ));
            }
        }
    }
    (config, warnings)
}

fn wrong(key: &str, expected: &str, got: &Value) -> String {
    format!("icp settings: `{key}` should be {expected}, not `{got}`; ignored")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bare_and_nested_objects_read_the_same() {
        let bare = json!({"sample": "a.csv", "today": "2027-01-15", "codeLens": false});
        let nested = json!({"icp": bare.clone()});
        let (a, wa) = parse(&bare);
        let (b, wb) = parse(&nested);
        assert_eq!(a, b);
        assert!(wa.is_empty() && wb.is_empty());
        assert_eq!(a.sample.as_deref(), Some("a.csv"));
        assert_eq!(a.today, Date::from_ymd(2027, 1, 15));
        assert!(!a.code_lens);
        assert!(a.inlay_hints);
    }

    #[test]
    fn null_is_the_default() {
        assert_eq!(parse(&Value::Null), (ClientConfig::default(), Vec::new()));
        assert_eq!(
            parse(&json!({"icp": null})),
            (ClientConfig::default(), Vec::new())
        );
    }

    #[test]
    fn bad_values_are_ignored_with_a_warning() {
        let (c, w) = parse(&json!({"today": "15/01/2027", "codeLens": "no", "codelens": true}));
        assert_eq!(c, ClientConfig::default());
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w.iter().any(|m| m.contains("`today` is `15/01/2027`")));
        assert!(
            w.iter()
                .any(|m| m.contains("`codeLens` should be true or false"))
        );
        assert!(w.iter().any(|m| m.contains("did you mean `codeLens`")));
    }
}
