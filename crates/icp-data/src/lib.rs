//! Reading account files (CSV, JSON, JSON Lines, gzip) into typed row values.
