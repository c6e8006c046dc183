//! Name resolution, type checking and lints for ICP programs.
