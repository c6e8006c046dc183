//! Run-time values. Numbers of every numeric type are one exact decimal (a percent is its
//! fraction: `70%` is `0.7`), since the contract's arithmetic and comparisons depend only on the
//! value; missing is its own value, and an unknown condition is a missing boolean.

use rust_decimal::Decimal;

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value: a missing cell, a division by zero, an unknown condition.
    Missing,
    /// `true` / `false`
    Bool(bool),
    /// `int`, `number`, `money`, `percent` (as a fraction).
    Num(Decimal),
    /// A date, as days since 1970-01-01.
    Date(i64),
    /// A duration in days.
    Dur(i64),
    /// Text as read (trimmed).
    Text(String),
    /// An enum value: the variant's name.
    Enum(String),
    /// A `set<text>`: its items as read.
    Set(Vec<String>),
    /// A list literal `[..]` (only after `in` and `contains any/all`).
    List(Vec<Value>),
}

impl Value {
    /// A truth value: `Some(b)` or unknown.
    pub fn truth(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// From a truth value.
    pub fn from_truth(t: Option<bool>) -> Value {
        t.map_or(Value::Missing, Value::Bool)
    }
}
