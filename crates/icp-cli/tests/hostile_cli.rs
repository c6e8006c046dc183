//! The command line against hostile files and faults (issue 10): `-o` onto FIFOs, devices
//! and symbolic links, signals during `-o`, links out of the project root, FIFOs and
//! devices named `*.icp`, readers that go away (`| head -1`), `--keep-columns` name
//! clashes, output extensions, JSON on standard input, and messages that used to mislead.
//! Each test asserts the exact promise: the old `-o` file intact, no file outside the root
//! read, no hang, no panic, the exit code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests: fixtures are written to temporary directories, and fail loudly"
)]

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/score")
}

const TEST_BLOCK: &str = r#"
test "a small agency is not a fit" {
  profile mid_market
  as_of 2027-01-15
  account { id: "z1", name: "Zed", industry: agency, employees: 5, marketers: 1, tech: [] }
  expect tier not_fit
}
"#;

/// A project (`icp.toml`) with the `basic` score case: `profile.icp`, `accounts.csv`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let basic = cases_dir().join("basic");
    std::fs::write(dir.path().join("icp.toml"), "").unwrap();
    let profile = std::fs::read_to_string(basic.join("profile.icp")).unwrap();
    std::fs::write(dir.path().join("profile.icp"), profile + TEST_BLOCK).unwrap();
    std::fs::copy(basic.join("accounts.csv"), dir.path().join("accounts.csv")).unwrap();
    dir
}

fn icp(dir: &Path) -> Command {
    let mut c = Command::new(get_cargo_bin("icp"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null());
    c
}

fn score(dir: &Path) -> Command {
    let mut c = icp(dir);
    c.args([
        "score",
        "profile.icp",
        "accounts.csv",
        "--as-of",
        "2027-01-15",
    ]);
    c
}

/// Runs `cmd`, failing the test if it has not ended within `secs` (a hang).
fn run_within(mut cmd: Command, secs: u64) -> Output {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(cmd.output());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(out) => out.unwrap(),
        Err(e) => panic!("the command did not end within {secs} s ({e})"),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `s` with miette's wrapping undone: the gutter gone, white space collapsed.
fn flat(s: &str) -> String {
    s.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The hidden temporary files `-o` leaves in `dir`.
fn temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".icp-score-"))
        .collect()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0")
}

fn expected_csv(dir: &Path) -> Vec<u8> {
    let out = score(dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    out.stdout
}

// ----- `-o` onto what is not a regular file ------------------------------------------

#[cfg(unix)]
#[test]
fn output_onto_a_device_writes_through_and_keeps_the_device() {
    use std::os::unix::fs::FileTypeExt as _;
    if !is_root() {
        eprintln!("not root: mknod is not allowed, skipped");
        return;
    }
    let dir = project();
    let dev = dir.path().join("null-device");
    // The null device (1, 3), made here: never the system's own /dev/null.
    let made = Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status()
        .unwrap();
    if !made.success() || std::fs::OpenOptions::new().write(true).open(&dev).is_err() {
        eprintln!("mknod failed, or devices cannot be opened here (nodev): skipped");
        return;
    }
    for name in ["null-device", "link-to-device"] {
        if name == "link-to-device" {
            std::os::unix::fs::symlink("null-device", dir.path().join(name)).unwrap();
        }
        let out = score(dir.path()).args(["-o", name]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let kind = std::fs::symlink_metadata(&dev).unwrap().file_type();
        assert!(kind.is_char_device(), "{name}: the device was replaced");
        assert!(temps(dir.path()).is_empty());
    }
    assert!(
        std::fs::symlink_metadata(dir.path().join("link-to-device"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[cfg(unix)]
#[test]
fn output_onto_a_fifo_writes_through_to_its_reader() {
    use std::os::unix::fs::FileTypeExt as _;
    let dir = project();
    let fifo = dir.path().join("scores.csv");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut got = Vec::new();
            std::fs::File::open(&fifo)
                .unwrap()
                .read_to_end(&mut got)
                .unwrap();
            got
        })
    };
    let mut cmd = score(dir.path());
    cmd.args(["-o", "scores.csv"]);
    let out = run_within(cmd, 60);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let got = reader.join().unwrap();
    assert_eq!(text(&got), text(&expected_csv(dir.path())));
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced");
    assert!(temps(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn output_onto_a_symlink_replaces_its_target_not_the_link() {
    let dir = project();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("real.csv"), "old").unwrap();
    // A relative link into another directory, and a dangling one.
    std::os::unix::fs::symlink("data/real.csv", dir.path().join("link.csv")).unwrap();
    std::os::unix::fs::symlink("data/new.csv", dir.path().join("dangling.csv")).unwrap();
    let expected = expected_csv(dir.path());
    for (link, real) in [("link.csv", "real.csv"), ("dangling.csv", "new.csv")] {
        let out = score(dir.path()).args(["-o", link]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let meta = std::fs::symlink_metadata(dir.path().join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} was replaced");
        assert_eq!(std::fs::read(data.join(real)).unwrap(), expected);
        assert!(temps(dir.path()).is_empty());
        assert!(temps(&data).is_empty());
    }
    // `-o` onto a directory is refused, and leaves it alone.
    let out = score(dir.path()).args(["-o", "data"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: cannot write `data`: it is a directory\n"
    );
    assert!(data.is_dir());
}

// ----- signals during `-o` ----------------------------------------------------------

/// Starts scoring standard input into `-o scores.csv`, feeds it rows until the temporary
/// file has data in it (the run is then mid-write, and stays so: standard input is still
/// open), and sends `signal` with `kill`. Returns the exit status and the directory.
#[cfg(unix)]
fn interrupt_mid_write(signal: &str) -> (std::process::ExitStatus, tempfile::TempDir) {
    let dir = project();
    std::fs::write(dir.path().join("scores.csv"), "previous contents").unwrap();
    let mut child = score_stdin(dir.path())
        .args(["-o", "scores.csv", "--block-size", "4096", "--threads", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"Record ID,Company name,industry,Number of Employees,marketers,Annual Revenue,Technologies,Intent,Last touch\n")
        .unwrap();
    let started = Instant::now();
    let mut n = 0u64;
    loop {
        let mut chunk = String::new();
        for _ in 0..2000 {
            n += 1;
            let _ = writeln!(
                chunk,
                "r{n},Acme {n},Software,{},2,$5M,HubSpot;Slack,80%,2027-01-02",
                n % 900
            );
        }
        stdin.write_all(chunk.as_bytes()).unwrap();
        let written = temps(dir.path())
            .iter()
            .map(|t| std::fs::metadata(dir.path().join(t)).map_or(0, |m| m.len()))
            .sum::<u64>();
        if written > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_mins(1),
            "no temporary file with data after {n} rows"
        );
    }
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "{signal} did not end the run");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    (status, dir)
}

fn score_stdin(dir: &Path) -> Command {
    let mut c = icp(dir);
    c.args(["score", "profile.icp", "-", "--as-of", "2027-01-15"]);
    c
}

#[cfg(unix)]
#[test]
fn a_signal_during_output_removes_the_temp_file_and_keeps_the_old_one() {
    use std::os::unix::process::ExitStatusExt as _;
    for (name, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        let (status, dir) = interrupt_mid_write(name);
        // Ended by the signal itself, as if it had not been caught.
        assert_eq!(status.signal(), Some(number), "SIG{name}: {status:?}");
        assert_eq!(temps(dir.path()), Vec::<String>::new(), "SIG{name}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("scores.csv")).unwrap(),
            "previous contents",
            "SIG{name}"
        );
    }
}

/// What docs/cli.md says `kill -9` leaves: the old file intact, and one temporary file.
#[cfg(unix)]
#[test]
fn kill_9_leaves_the_old_file_and_one_temp_file() {
    let (status, dir) = interrupt_mid_write("KILL");
    assert!(!status.success());
    assert_eq!(temps(dir.path()).len(), 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("scores.csv")).unwrap(),
        "previous contents"
    );
}

// ----- nothing outside the project root is read -------------------------------------

const SECRET: &str = "hunter2-do-not-print";

#[cfg(unix)]
#[test]
fn a_link_to_proc_environ_is_refused_unread() {
    let dir = project();
    std::os::unix::fs::symlink("/proc/self/environ", dir.path().join("env.icp")).unwrap();
    for args in [
        &["check"][..],
        &["check", "--format", "plain"],
        &["check", "--format", "json"],
        &["test"],
        &["check", "env.icp"],
    ] {
        let mut cmd = icp(dir.path());
        cmd.args(args).env("SECRET_TOKEN", SECRET);
        let out = run_within(cmd, 60);
        let all = flat(&(text(&out.stdout) + &text(&out.stderr)));
        assert!(
            !all.contains(SECRET),
            "{args:?} printed the environment:\n{all}"
        );
        assert!(
            all.contains("env.icp") && all.contains("outside the project root"),
            "{args:?}: the refusal names the link:\n{all}"
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}:\n{all}");
    }
    let mut cmd = icp(dir.path());
    cmd.args(["score", "env.icp", "accounts.csv"])
        .env("SECRET_TOKEN", SECRET);
    let out = run_within(cmd, 60);
    let all = flat(&(text(&out.stdout) + &text(&out.stderr)));
    assert!(!all.contains(SECRET), "{all}");
    assert!(all.contains("outside the project root"), "{all}");
    assert_eq!(out.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn imports_through_links_out_of_the_root_are_refused_unread() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.icp"),
        format!("schema {SECRET} {{ }}\n"),
    )
    .unwrap();
    let dir = project();
    // A linked directory (the scan does not follow it) and a linked file, both imported.
    std::os::unix::fs::symlink(outside.path(), dir.path().join("lib")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.icp"),
        dir.path().join("shared.txt"),
    )
    .unwrap();
    for import in ["lib/secret.icp", "shared.txt"] {
        std::fs::write(
            dir.path().join("main.icp"),
            format!("import \"{import}\"\n"),
        )
        .unwrap();
        for format in ["human", "plain", "json"] {
            let out = run_within(
                {
                    let mut c = icp(dir.path());
                    c.args(["check", "main.icp", "--format", format]);
                    c
                },
                60,
            );
            let all = flat(&(text(&out.stdout) + &text(&out.stderr)));
            assert!(!all.contains(SECRET), "{import} {format}:\n{all}");
            assert!(
                all.contains("outside the project root"),
                "{import} {format}:\n{all}"
            );
            assert_eq!(out.status.code(), Some(1), "{import} {format}:\n{all}");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_link_to_dev_zero_named_icp_neither_hangs_nor_eats_memory() {
    let dir = project();
    let made = Command::new("mkfifo")
        .arg(dir.path().join("pipe.icp"))
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.icp")).unwrap();
    for args in [&["check"][..], &["test"], &["check", "pipe.icp"]] {
        let mut cmd = icp(dir.path());
        cmd.args(args);
        let out = run_within(cmd, 60);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("pipe.icp") || err.contains("zero.icp"),
            "{args:?}: {err}"
        );
    }
    // Without the FIFO, the link to /dev/zero alone is refused.
    std::fs::remove_file(dir.path().join("pipe.icp")).unwrap();
    let mut cmd = icp(dir.path());
    cmd.arg("check");
    let out = run_within(cmd, 60);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("zero.icp"),
        "{}",
        text(&out.stderr)
    );
}

// ----- readers that go away ------------------------------------------------------------

/// Runs `cmd` with its standard output a pipe whose reader is already gone.
fn with_closed_stdout(mut cmd: Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    cmd.stdout(writer).stderr(Stdio::piped());
    run_within(cmd, 60)
}

#[test]
fn a_reader_that_goes_away_ends_every_command_quietly() {
    let dir = project();
    // An error for `check` to report on stdout.
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("bad.icp"), "schema A { x: nope }\n").unwrap();
    let mut cases: Vec<(&str, Command)> = Vec::new();
    let mut c = icp(dir.path());
    c.args(["test"]);
    cases.push(("test", c));
    let mut c = icp(dir.path());
    c.args(["test", "--format", "json"]);
    cases.push(("test json", c));
    let mut c = icp(dir.path());
    c.args([
        "explain",
        "profile.icp",
        "accounts.csv",
        "--row",
        "1",
        "--as-of",
        "2027-01-15",
    ]);
    cases.push(("explain", c));
    let mut c = icp(broken.path());
    c.args(["check", "--format", "plain"]);
    cases.push(("check plain", c));
    let mut c = icp(broken.path());
    c.args(["check", "--format", "json"]);
    cases.push(("check json", c));
    cases.push(("score", score(dir.path())));
    let mut c = score(dir.path());
    c.args(["--format", "json"]);
    cases.push(("score json", c));
    for (name, cmd) in cases {
        let out = with_closed_stdout(cmd);
        assert_eq!(
            (out.status.code(), text(&out.stderr)),
            (Some(0), String::new()),
            "{name}"
        );
    }
}

// ----- `--keep-columns` --------------------------------------------------------------

#[test]
fn kept_columns_never_clash_with_the_output_columns() {
    let dir = project();
    std::fs::write(
        dir.path().join("clash.csv"),
        "Record ID,id,score,Tier,Company name,industry,Number of Employees,Technologies\n\
         a1,x,99,gold,Acme,Software,120,HubSpot\n",
    )
    .unwrap();
    let out = icp(dir.path())
        .args([
            "score",
            "profile.icp",
            "clash.csv",
            "--as-of",
            "2027-01-15",
            "--keep-columns",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header,
        [
            "Record ID",
            "input_id",
            "input_score",
            "input_Tier",
            "Company name",
            "industry",
            "Number of Employees",
            "Technologies",
            "id",
            "score",
            "tier",
            "coverage",
            "reasons",
            "error"
        ]
    );
    let out = icp(dir.path())
        .args([
            "score",
            "profile.icp",
            "clash.csv",
            "--as-of",
            "2027-01-15",
            "--keep-columns",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    let line = text(&out.stdout);
    for key in ["\"id\":", "\"score\":", "\"tier\":", "\"input_id\":"] {
        assert_eq!(line.matches(key).count(), 1, "{key} in {line}");
    }
    // A table is for reading: the flag is refused, not ignored.
    let out = icp(dir.path())
        .args([
            "score",
            "profile.icp",
            "clash.csv",
            "--keep-columns",
            "--format",
            "table",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        "error: `--keep-columns` does not apply to `--format table` (a table for reading): use csv, tsv, json or jsonl\n"
    );
}

// ----- output extensions ---------------------------------------------------------------

fn gunzip(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(&[0x1f, 0x8b]), "not gzip");
    let mut s = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn the_output_extension_sets_the_format_and_gzip() {
    let dir = project();
    let csv = text(&expected_csv(dir.path()));
    let run = |name: &str, extra: &[&str]| {
        let out = score(dir.path())
            .args(["-o", name])
            .args(extra)
            .output()
            .unwrap();
        (out.status.code(), text(&out.stderr))
    };
    assert_eq!(run("out.tsv", &[]).0, Some(0));
    let tsv = std::fs::read_to_string(dir.path().join("out.tsv")).unwrap();
    assert_eq!(
        tsv.lines().next().unwrap(),
        "id\tscore\ttier\tcoverage\treasons\terror"
    );
    assert_eq!(tsv.lines().count(), csv.lines().count());
    assert_eq!(run("out.csv.gz", &[]).0, Some(0));
    assert_eq!(
        gunzip(&std::fs::read(dir.path().join("out.csv.gz")).unwrap()),
        csv
    );
    assert_eq!(run("out.tsv.gz", &[]).0, Some(0));
    assert_eq!(
        gunzip(&std::fs::read(dir.path().join("out.tsv.gz")).unwrap()),
        tsv
    );
    assert_eq!(run("out.json.gz", &[]).0, Some(0));
    let json: serde_json::Value = serde_json::from_str(&gunzip(
        &std::fs::read(dir.path().join("out.json.gz")).unwrap(),
    ))
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), csv.lines().count() - 1);
    assert_eq!(run("out.jsonl.gz", &[]).0, Some(0));
    let jsonl = gunzip(&std::fs::read(dir.path().join("out.jsonl.gz")).unwrap());
    for line in jsonl.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    // An extension that names no format is refused, and nothing is written...
    assert_eq!(
        run("out.xlsx", &[]),
        (
            Some(2),
            "error: cannot tell the output format of `out.xlsx` from its name: name it .csv, .tsv, .json, .jsonl or .txt (each optionally .gz), or give `--format`\n".to_owned()
        )
    );
    assert!(!dir.path().join("out.xlsx").exists());
    assert!(temps(dir.path()).is_empty());
    // ... unless `--format` says what to write.
    assert_eq!(run("out.xlsx", &["--format", "csv"]).0, Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.xlsx")).unwrap(),
        csv
    );
}

#[test]
fn json_on_standard_input_is_sniffed() {
    let dir = project();
    let json = r#"[{"Record ID": "j1", "Company name": "Acme", "industry": "Software", "Number of Employees": 120, "Technologies": ["HubSpot"]}]"#;
    let jsonl = "{\"Record ID\": \"j1\", \"Company name\": \"Acme\", \"industry\": \"Software\", \"Number of Employees\": 120, \"Technologies\": [\"HubSpot\"]}\n";
    std::fs::write(dir.path().join("a.json"), json).unwrap();
    let expected = icp(dir.path())
        .args(["score", "profile.icp", "a.json", "--as-of", "2027-01-15"])
        .output()
        .unwrap();
    assert_eq!(
        expected.status.code(),
        Some(0),
        "{}",
        text(&expected.stderr)
    );
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(format!("\u{feff}  \n{json}").as_bytes())
            .unwrap();
        e.finish().unwrap()
    };
    for input in [json.as_bytes().to_vec(), jsonl.as_bytes().to_vec(), gz] {
        let mut child = score_stdin(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), text(&expected.stdout));
    }
}

// ----- `icp explain` -----------------------------------------------------------------

#[test]
fn explain_reads_standard_input_and_takes_a_delimiter() {
    let dir = project();
    let by_file = icp(dir.path())
        .args(["explain", "profile.icp", "accounts.csv", "--id", "a1"])
        .args(["--as-of", "2027-01-15"])
        .output()
        .unwrap();
    assert_eq!(by_file.status.code(), Some(0), "{}", text(&by_file.stderr));
    let csv = std::fs::read_to_string(dir.path().join("accounts.csv")).unwrap();
    let mut child = icp(dir.path())
        .args(["explain", "profile.icp", "-", "--id", "a1"])
        .args(["--as-of", "2027-01-15"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(csv.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, by_file.stdout);
    // `|`-separated, which sniffing does not guess.
    let piped = csv.replace(',', "|");
    std::fs::write(dir.path().join("accounts.psv"), piped).unwrap();
    let out = icp(dir.path())
        .args(["explain", "profile.icp", "accounts.psv", "--id", "a1"])
        .args(["--as-of", "2027-01-15", "--delimiter", "|"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, by_file.stdout);
}

// ----- messages ----------------------------------------------------------------------

#[test]
fn messages_say_what_is_wrong() {
    let dir = project();
    let filters = vec![(r"in \d+\.\d+s \([\d,]+ rows/s\)", "in [TIME]")];
    insta::with_settings!({ filters => filters }, {
        // A month out of range, not "expected YYYY-MM-DD".
        assert_cmd_snapshot!(
            "as_of_month_out_of_range",
            icp(dir.path()).args(["score", "profile.icp", "accounts.csv", "--as-of", "2026-13-01"])
        );
        assert_cmd_snapshot!(
            "as_of_day_out_of_range",
            icp(dir.path()).args(["test", "--as-of", "2027-02-29"])
        );
        // Scoring a directory says it is one.
        assert_cmd_snapshot!(
            "score_a_directory",
            icp(dir.path()).args(["score", "profile.icp", "."])
        );
        // A missing program is reported once.
        assert_cmd_snapshot!(
            "score_a_missing_program",
            icp(dir.path()).args(["score", "nope.icp", "accounts.csv"])
        );
        assert_cmd_snapshot!(
            "explain_a_missing_program",
            icp(dir.path()).args(["explain", "nope.icp", "accounts.csv", "--row", "1"])
        );
        // `--row` past the end says how many rows there are.
        assert_cmd_snapshot!(
            "explain_row_past_the_end",
            icp(dir.path()).args(["explain", "profile.icp", "accounts.csv", "--row", "99"])
        );
        // `--id` with the wrong case: did you mean.
        assert_cmd_snapshot!(
            "explain_id_in_the_wrong_case",
            icp(dir.path()).args(["explain", "profile.icp", "accounts.csv", "--id", "A1"])
        );
    });
}
