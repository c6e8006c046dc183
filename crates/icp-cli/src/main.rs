//! The `icp` command.
#![allow(clippy::disallowed_methods, reason = "the CLI is where IO and the clock live")]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Ideal Customer Profiles as code: check, score, explain and test them.
#[derive(Debug, Parser)]
#[command(name = "icp", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Type-check ICP files and report every problem.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check => ExitCode::SUCCESS,
    }
}
