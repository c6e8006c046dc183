//! The `icp` command.
#![allow(
    clippy::disallowed_methods,
    reason = "the CLI is where IO and the clock live"
)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod backtest;
mod check;
mod diff;
mod explain;
mod fmt;
mod init;
mod input;
mod load;
mod lsp;
mod render;
mod score;
mod status;
mod sweep;
mod test_cmd;

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
    Check(check::CheckArgs),
    /// Score every account of a CSV / JSON / JSON Lines file against a profile.
    Score(score::ScoreArgs),
    /// Explain the score and tier of one account, criterion by criterion.
    Explain(explain::ExplainArgs),
    /// Run the `test` blocks of ICP files.
    Test(test_cmd::TestArgs),
    /// Format ICP files in the one canonical layout (`-`: standard input to output).
    Fmt(fmt::FmtArgs),
    /// Run the language server on stdin/stdout (for editors).
    Lsp(lsp::LspArgs),
    /// Measure the profile's situation: days left, goals, milestones.
    Status(status::StatusArgs),
    /// Compare two versions of a program on the same accounts (tier moves, score shifts).
    Diff(diff::DiffArgs),
    /// Test the profile against outcomes: rates and lift per tier, criterion, exclusion.
    Backtest(backtest::BacktestArgs),
    /// Infer a schema and a starter program from an accounts file.
    Init(init::InitArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Score(args) => score::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Test(args) => test_cmd::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Lsp(args) => lsp::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Backtest(args) => backtest::run(&args),
        Command::Init(args) => init::run(&args),
    }
}
