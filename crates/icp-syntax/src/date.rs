//! Calendar dates as days since 1970-01-01 (defined in `icp-base`, re-exported here).

pub use icp_base::date::*;
