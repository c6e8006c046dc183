//! The host: what the `icp` command and the language server read from the machine, written
//! once so that they agree. Source files are read by [`load_file`] (regular files only, at
//! most [`MAX_SOURCE_BYTES`], UTF-8 checked; [`FsLoader`] is the checker's [`Loader`] over
//! it), today's date comes from [`today_utc`], and whether to colour output from
//! [`no_color`] (no-color.org: `NO_COLOR` present and not empty turns colour off).
//!
//! The core crates (syntax, check, model, eval, data) do no IO and read no clock:
//! `clippy.toml` disallows those calls everywhere but here, the CLI and the language server.
#![allow(
    clippy::disallowed_methods,
    reason = "the host is where the file system, the environment and the clock are read"
)]

use std::ffi::OsStr;
use std::fs::File;
use std::io::Read as _;
use std::path::Path;

use icp_check::{LoadError, Loader};
use icp_syntax::Date;

/// The largest source file [`load_file`] reads: 16 MiB (a program is a few hundred KiB at
/// most; anything bigger is not a program, and reading it whole would only cost memory).
pub const MAX_SOURCE_BYTES: u64 = 16 << 20;

/// Today's date by the system clock, in UTC (the epoch if the clock is before it).
pub fn today_utc() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date(i32::try_from(secs / 86_400).unwrap_or(i32::MAX))
}

/// Whether the user turned colour off: `NO_COLOR` is set to a non-empty value
/// (<https://no-color.org>: "when present and not an empty string").
pub fn no_color() -> bool {
    no_color_in(std::env::var_os("NO_COLOR").as_deref())
}

/// [`no_color`] for a given value of `NO_COLOR` (`None`: not set).
pub fn no_color_in(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

/// Reads the source file at `path`: a regular file (a directory, FIFO, socket or device is
/// refused before it is opened, so reading never blocks) of at most [`MAX_SOURCE_BYTES`],
/// in UTF-8.
pub fn load_file(path: &Path) -> Result<String, LoadError> {
    load_file_capped(path, MAX_SOURCE_BYTES)
}

/// [`load_file`] with another size cap, in bytes.
pub fn load_file_capped(path: &Path, cap: u64) -> Result<String, LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(&e))?;
    check_kind(path, &meta)?;
    check_size(path, meta.len(), cap)?;
    let file = File::open(path).map_err(|e| io_error(&e))?;
    // The path may have been replaced between the two looks: check what was opened.
    let opened = file.metadata().map_err(|e| io_error(&e))?;
    check_kind(path, &opened)?;
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len().min(cap)).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&e))?;
    check_size(path, bytes.len() as u64, cap)?;
    String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// [`load_file`] for a file of the project whose root is `root`: the path is resolved to
/// its real path (every symbolic link followed) first, and refused when that lies outside
/// the root's real path, so that a link such as `env.icp -> /proc/self/environ` is never
/// opened and its content never shown. The refusal names no outside path.
pub fn load_file_within(path: &Path, root: &Path) -> Result<String, LoadError> {
    let real = std::fs::canonicalize(path).map_err(|e| io_error(&e))?;
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if !real.starts_with(&real_root) {
        return Err(LoadError::OutsideRoot);
    }
    load_file(&real).map_err(|e| match e {
        // Name the path the user wrote, not where its links lead.
        LoadError::Other(why) => LoadError::Other(why.replace(
            &format!("`{}`", real.display()),
            &format!("`{}`", path.display()),
        )),
        other => other,
    })
}

/// Every `*.icp` file under `dir`, sorted, at most `cap` of them (the language server's
/// project scan). Hidden directories, `target/` and `node_modules/` are skipped; symbolic
/// links to directories are not followed, and a directory that cannot be read is skipped.
/// Iterative, so a deep tree cannot overflow the stack.
pub fn icp_files(dir: &Path, cap: usize) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "icp") {
                if out.len() >= cap {
                    out.sort();
                    return out;
                }
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn io_error(e: &std::io::Error) -> LoadError {
    if e.kind() == std::io::ErrorKind::NotFound {
        LoadError::NotFound
    } else {
        LoadError::Other(e.to_string())
    }
}

fn check_kind(path: &Path, meta: &std::fs::Metadata) -> Result<(), LoadError> {
    let t = meta.file_type();
    if t.is_file() {
        return Ok(());
    }
    if t.is_dir() {
        return Err(LoadError::Other(format!(
            "`{}` is a directory",
            path.display()
        )));
    }
    Err(LoadError::Other(format!(
        "`{}` is {}, not a regular file",
        path.display(),
        kind_name(t)
    )))
}

#[cfg(unix)]
fn kind_name(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn kind_name(_: std::fs::FileType) -> &'static str {
    "a special file"
}

fn check_size(path: &Path, len: u64, cap: u64) -> Result<(), LoadError> {
    if len <= cap {
        return Ok(());
    }
    Err(LoadError::Other(format!(
        "`{}` is larger than {}, the size limit for a project file",
        path.display(),
        human_size(cap)
    )))
}

fn human_size(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// The checker's [`Loader`] over the file system, through [`load_file`].
#[derive(Debug, Clone, Copy, Default)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        load_file(path)
    }

    fn load_within(&self, path: &Path, root: &Path) -> Result<String, LoadError> {
        load_file_within(path, root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icp_files_skips_hidden_and_build_directories_and_caps() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for p in [
            "a.icp",
            "sub/b.icp",
            "sub/c.txt",
            ".git/d.icp",
            "target/e.icp",
            "node_modules/f.icp",
        ] {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let found: Vec<_> = icp_files(root, 100)
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            found,
            [std::path::PathBuf::from("a.icp"), "sub/b.icp".into()]
        );
        assert_eq!(icp_files(root, 1).len(), 1);
        assert!(icp_files(&root.join("missing"), 10).is_empty());
    }

    #[test]
    fn no_color_is_set_only_when_not_empty() {
        assert!(!no_color_in(None));
        assert!(!no_color_in(Some(OsStr::new(""))));
        assert!(no_color_in(Some(OsStr::new("1"))));
        assert!(no_color_in(Some(OsStr::new("0"))));
        assert!(no_color_in(Some(OsStr::new("false"))));
    }

    #[test]
    fn clock_is_sane() {
        assert!(today_utc() > Date::from_ymd(2024, 1, 1).unwrap());
    }

    #[test]
    fn reads_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.icp");
        std::fs::write(&p, "schema A {}\n").unwrap();
        assert_eq!(load_file(&p).unwrap(), "schema A {}\n");
        assert_eq!(FsLoader.load(&p).unwrap(), "schema A {}\n");
    }

    #[test]
    fn missing_directory_and_bad_utf8() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            load_file(&dir.path().join("none.icp")),
            Err(LoadError::NotFound)
        );
        let Err(LoadError::Other(why)) = load_file(dir.path()) else {
            panic!("a directory was read");
        };
        assert!(why.ends_with("is a directory"), "{why}");
        let p = dir.path().join("bad.icp");
        std::fs::write(&p, b"ab\xffc").unwrap();
        assert_eq!(load_file(&p), Err(LoadError::NotUtf8 { offset: 2 }));
    }

    #[test]
    fn a_file_over_the_cap_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.icp");
        std::fs::write(&p, vec![b'x'; 101]).unwrap();
        let Err(LoadError::Other(why)) = load_file_capped(&p, 100) else {
            panic!("a file over the cap was read");
        };
        assert!(why.contains("big.icp"), "{why}");
        assert!(why.contains("100 bytes"), "{why}");
        assert_eq!(load_file_capped(&p, 101).unwrap().len(), 101);
        // The real cap is named in MiB.
        let over = MAX_SOURCE_BYTES + 1;
        std::fs::File::create(&p).unwrap().set_len(over).unwrap();
        let Err(LoadError::Other(why)) = load_file(&p) else {
            panic!("a file over 16 MiB was read");
        };
        assert!(why.contains("16 MiB"), "{why}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pipe.icp");
        let made = std::process::Command::new("mkfifo").arg(&p).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo is not available: skipped");
            return;
        }
        // Opening a FIFO with no writer would block: the check must come first.
        let Err(LoadError::Other(why)) = load_file(&p) else {
            panic!("a FIFO was read");
        };
        assert!(why.contains("a FIFO"), "{why}");
        assert!(why.contains("pipe.icp"), "{why}");
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_root_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.icp");
        std::fs::write(&secret, "SECRET=1\n").unwrap();
        let root = tempfile::tempdir().unwrap();
        let link = root.path().join("env.icp");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let sub = root.path().join("sub");
        std::os::unix::fs::symlink(outside.path(), &sub).unwrap();
        for p in [link.clone(), sub.join("secret.icp")] {
            assert_eq!(
                load_file_within(&p, root.path()),
                Err(LoadError::OutsideRoot),
                "{}",
                p.display()
            );
        }
        // A link inside the root is fine, and the root may itself be reached by a link.
        let inner = root.path().join("a.icp");
        std::fs::write(&inner, "schema A {}\n").unwrap();
        let alias = root.path().join("b.icp");
        std::os::unix::fs::symlink(&inner, &alias).unwrap();
        assert_eq!(
            load_file_within(&alias, root.path()).unwrap(),
            "schema A {}\n"
        );
        let via = outside.path().join("root-link");
        std::os::unix::fs::symlink(root.path(), &via).unwrap();
        assert_eq!(
            load_file_within(&via.join("b.icp"), &via).unwrap(),
            "schema A {}\n"
        );
        // A link to a device inside is still refused as a device, named by the link.
        let dev = root.path().join("zero.icp");
        std::os::unix::fs::symlink("/dev/zero", &dev).unwrap();
        assert!(load_file_within(&dev, root.path()).is_err());
        assert_eq!(
            load_file_within(&root.path().join("none.icp"), root.path()),
            Err(LoadError::NotFound)
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused() {
        let Err(LoadError::Other(why)) = load_file(Path::new("/dev/null")) else {
            panic!("a device was read");
        };
        assert!(why.contains("character device"), "{why}");
    }
}
