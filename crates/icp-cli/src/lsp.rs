//! `icp lsp`: the language server, on stdin/stdout.

use std::process::ExitCode;

/// Arguments of `icp lsp`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LspArgs {
    /// Talk over stdin/stdout (the only transport; accepted because editors pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// Serve the language server on stdin/stdout until the editor sends `exit`; exit code 1 if
/// it did so without `shutdown` first.
pub fn run(args: &LspArgs) -> ExitCode {
    let _ = args.stdio;
    match icp_lsp::run_stdio() {
        // 1 when the editor sent `exit` without `shutdown` (the LSP specification).
        Ok(ending) => ExitCode::from(ending.code()),
        Err(e) => {
            eprintln!("icp lsp: cannot start the server: {e}");
            ExitCode::FAILURE
        }
    }
}
