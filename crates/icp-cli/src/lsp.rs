//! `icp lsp`: the language server, on stdin/stdout.

use std::process::ExitCode;

/// Arguments of `icp lsp`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LspArgs {
    /// Talk over stdin/stdout (the only transport; accepted because editors pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// The environment variable that fixes glibc's mmap threshold (see [`return_freed_memory`]).
const MMAP_THRESHOLD: &str = "MALLOC_MMAP_THRESHOLD_";

/// Serve the language server on stdin/stdout until the editor sends `exit`; exit code 1 if
/// it did so without `shutdown` first.
pub fn run(args: &LspArgs) -> ExitCode {
    let _ = args.stdio;
    return_freed_memory();
    match icp_lsp::run_stdio() {
        // 1 when the editor sent `exit` without `shutdown` (the LSP specification).
        Ok(ending) => ExitCode::from(ending.code()),
        Err(e) => {
            eprintln!("icp lsp: cannot start the server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// On Linux with glibc, runs this program again (same arguments, same stdin and stdout) with
/// glibc's mmap threshold fixed at its default 128 KiB, unless the environment sets it.
///
/// glibc raises the threshold each time a large block is freed, and from then on serves big
/// vectors from its heap, where freed memory mostly stays resident: after edits of a 10 MB
/// file the server kept about 35 MiB more than with the threshold fixed (peak 310 MiB
/// against 274 MiB, bench/RESULTS.md). The threshold is read from the environment when the
/// process starts (setting it later needs `mallopt`, an `unsafe` call); nothing has been
/// read from stdin yet, so the editor does not notice. Where `exec` fails, the server runs
/// as it is.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt as _;
        if std::env::var_os(MMAP_THRESHOLD).is_some() {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let err = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(MMAP_THRESHOLD, "131072")
            .exec();
        // Only on failure does `exec` return.
        let _ = err;
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = MMAP_THRESHOLD;
}
