//! Diagnostics shared by every stage (defined in `icp-base`, re-exported here). Rendering
//! them for a terminal is `icp-cli`'s job.

pub use icp_base::diagnostic::*;
pub use icp_base::suggest::did_you_mean;
