//! Language server for the ICP language.
