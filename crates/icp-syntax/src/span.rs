//! Byte spans and the line index that turns them into lines and columns (defined in
//! `icp-base`, re-exported here).

pub use icp_base::span::*;
