//! Evaluation plans: score accounts against a checked ICP profile, purely.
