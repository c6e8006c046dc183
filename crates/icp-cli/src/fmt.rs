//! `icp fmt [PATHS...] [--check] [--diff]`: write ICP files in the one canonical layout.
//!
//! Exit codes: 0 when every file is formatted (or, with `--check`, already was), 1 when a
//! file has syntax errors, would change under `--check`, or could not be formatted, 2 on
//! bad usage or a file that cannot be read or written.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use icp_fmt::{FmtError, Options};

use crate::load::{self, display_path};
use crate::render;

/// Arguments of `icp fmt`.
#[derive(Debug, Clone, clap::Args)]
pub struct FmtArgs {
    /// Files or directories (every `*.icp` file under them) to format; `-` formats standard
    /// input to standard output. Default: the current project (the nearest ancestor
    /// directory with an `icp.toml`, else the current directory).
    pub paths: Vec<PathBuf>,
    /// Change nothing: list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
    /// Change nothing: print a unified diff of what formatting would change (exit 1 if
    /// anything would).
    #[arg(long)]
    pub diff: bool,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    Failed,
}

/// Run `icp fmt`.
pub fn run(args: &FmtArgs) -> ExitCode {
    match run_inner(args) {
        Ok(code) => code,
        Err(msg) => {
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run_inner(args: &FmtArgs) -> Result<ExitCode, String> {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            return Err("`-` (standard input) cannot be mixed with paths".to_owned());
        }
        return stdin(args);
    }
    let paths = if args.paths.is_empty() {
        let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
        vec![icp_check::find_root(&cwd, Path::is_file)]
    } else {
        args.paths.clone()
    };
    let mut files = Vec::new();
    for p in &paths {
        if !p.exists() {
            return Err(format!("`{}` does not exist", display_path(p)));
        }
        files.extend(load::entry_files(p)?);
    }
    files.sort();
    files.dedup();
    let mut changed = 0usize;
    let mut failed = 0usize;
    for f in &files {
        match file(f, args)? {
            Outcome::Unchanged => {}
            Outcome::Changed => changed += 1,
            Outcome::Failed => failed += 1,
        }
    }
    let dry = args.check || args.diff;
    if failed > 0 || (dry && changed > 0) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The width of the project of `path`: `[fmt] width` of its `icp.toml`.
fn options_for(path: &Path) -> Result<Options, String> {
    let dir = path.parent().unwrap_or(path);
    let root = icp_check::find_root(dir, Path::is_file);
    let toml = root.join("icp.toml");
    if !toml.is_file() {
        return Ok(Options::default());
    }
    let text = icp_host::load_file(&toml)
        .map_err(|e| format!("cannot read `{}`: {e}", display_path(&toml)))?;
    options_from_toml(&text).map_err(|e| format!("`{}`: {e}", display_path(&toml)))
}

/// `[fmt] width = N` of an `icp.toml`'s text (default 100).
pub fn options_from_toml(text: &str) -> Result<Options, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let Some(fmt) = table.get("fmt") else {
        return Ok(Options::default());
    };
    let Some(width) = fmt.get("width") else {
        return Ok(Options::default());
    };
    match width.as_integer() {
        Some(w) if (20..=1000).contains(&w) => Ok(Options { width: w as usize }),
        _ => Err(format!(
            "`[fmt] width` must be a whole number from 20 to 1000, not `{width}`"
        )),
    }
}

fn file(path: &Path, args: &FmtArgs) -> Result<Outcome, String> {
    let shown = display_path(path);
    let src = icp_host::load_file(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    let opts = options_for(path)?;
    let out = match icp_fmt::format(&src, &opts) {
        Ok(out) => out,
        Err(e) => {
            report(&e, &shown, &src);
            return Ok(Outcome::Failed);
        }
    };
    if out == src {
        return Ok(Outcome::Unchanged);
    }
    if args.diff {
        print(&diff(&src, &out, &shown))?;
    } else if args.check {
        print(&format!("{shown}\n"))?;
    } else {
        write_atomic(path, &out).map_err(|e| format!("cannot write `{shown}`: {e}"))?;
    }
    Ok(Outcome::Changed)
}

fn stdin(args: &FmtArgs) -> Result<ExitCode, String> {
    let mut src = String::new();
    std::io::stdin()
        .read_to_string(&mut src)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    let opts = options_for(&cwd.join("-"))?;
    match icp_fmt::format(&src, &opts) {
        Ok(out) => {
            if args.diff {
                if out != src {
                    print(&diff(&src, &out, "<stdin>"))?;
                    return Ok(ExitCode::from(1));
                }
            } else if args.check {
                if out != src {
                    print("<stdin>\n")?;
                    return Ok(ExitCode::from(1));
                }
            } else {
                print(&out)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            report(&e, "<stdin>", &src);
            Ok(ExitCode::from(1))
        }
    }
}

fn print(text: &str) -> Result<(), String> {
    load::print_stdout(text)
        .map(|_| ())
        .map_err(|e| format!("cannot write to standard output: {e}"))
}

fn report(e: &FmtError, shown: &str, src: &str) {
    use std::fmt::Write as _;
    let color = load::color(false);
    let mut text = String::new();
    match e {
        FmtError::Syntax(diags) => {
            for d in diags {
                text.push_str(&render::render(d, shown, src, color));
            }
            let _ = writeln!(text, "{shown}: not formatted: it has syntax errors");
        }
        FmtError::Unsound(why) => {
            let _ = writeln!(
                text,
                "error: internal error: formatting `{shown}` would change its meaning ({why}); the file is left as it is. Please report this with the file."
            );
        }
    }
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// A unified diff of `old` to `new`, named `path` on both sides.
fn diff(old: &str, new: &str, path: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Replace `path` by `text` atomically: a temporary file in the same directory, with the
/// original's permissions, synced and renamed over it (a symbolic link has its target
/// replaced).
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let perms = std::fs::metadata(&target).ok().map(|m| m.permissions());
    let mut tmp = tempfile::Builder::new()
        .prefix(".icp-fmt-")
        .tempfile_in(&dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    if let Some(p) = perms {
        tmp.as_file().set_permissions(p)?;
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
