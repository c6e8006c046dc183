//! End-to-end with a real editor: headless Neovim loads `editors/nvim` and talks to `icp lsp`.
//!
//! Needs `nvim` (Debian's `neovim`, installed by `.ci/install-editors.sh`). Without it the tests
//! fail when `CI` is set and print a skip notice otherwise. Every Neovim run is killed after
//! [`NVIM_TIMEOUT`], so a hung editor or server cannot hang the test suite.
#![allow(
    clippy::disallowed_methods,
    reason = "an end-to-end test writes files and measures its own time-out"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failure is the test's verdict"
)]

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Upper bound for one Neovim run, server start-up included.
const NVIM_TIMEOUT: Duration = Duration::from_secs(90);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn nvim_dir() -> PathBuf {
    repo_root().join("editors/nvim")
}

/// The `nvim` to run, or `None` (after failing under CI) when there is none.
fn find_nvim(test: &str) -> Option<PathBuf> {
    let candidate =
        std::env::var_os("ICP_NVIM").map_or_else(|| PathBuf::from("nvim"), PathBuf::from);
    let found = Command::new(&candidate)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(candidate);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: `nvim` is not installed, and CI is set: run .ci/install-editors.sh"
    );
    eprintln!(
        "skipping {test}: `nvim` is not installed (apt-get install neovim, or .ci/install-editors.sh)"
    );
    None
}

struct Run {
    status: ExitStatus,
    stderr: String,
    output: Option<Value>,
}

/// Runs `nvim --headless` on `script` with `env`, bounded by [`NVIM_TIMEOUT`]; the script
/// writes its results as JSON to `$ICP_E2E_OUT` / `$ICP_NVIM_OUT`.
fn run_nvim(nvim: &Path, dir: &Path, script: &Path, env: &[(&str, &str)]) -> Run {
    let out = dir.join("result.json");
    let stdout_path = dir.join("nvim.stdout");
    let stderr_path = dir.join("nvim.stderr");
    let mut cmd = Command::new(nvim);
    cmd.args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "--cmd"])
        .arg(format!("set rtp^={}", nvim_dir().display()))
        .args([
            "--cmd",
            "filetype plugin indent on",
            "--cmd",
            "syntax on",
            "-c",
        ])
        .arg(format!("luafile {}", script.display()))
        .current_dir(dir)
        .env("ICP_E2E_OUT", &out)
        .env("ICP_NVIM_OUT", &out)
        // Keep Neovim's state (LSP log, shada) inside the temp dir.
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).unwrap())
        .stderr(File::create(&stderr_path).unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn nvim");
    let deadline = Instant::now() + NVIM_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for nvim") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "nvim did not finish within {NVIM_TIMEOUT:?}; stderr:\n{}",
                fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        sleep(Duration::from_millis(25));
    };
    let stderr = fs::read_to_string(&stderr_path).unwrap_or_default()
        + &fs::read_to_string(&stdout_path).unwrap_or_default();
    let output = fs::read_to_string(&out).ok().map(|text| {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON from nvim ({e}): {text}"))
    });
    Run {
        status,
        stderr,
        output,
    }
}

#[test]
fn neovim_runtime_files_detect_and_highlight_icp() {
    let Some(nvim) = find_nvim("neovim_runtime_files_detect_and_highlight_icp") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = run_nvim(&nvim, dir.path(), &nvim_dir().join("tests/syntax.lua"), &[]);
    let out = run
        .output
        .unwrap_or_else(|| panic!("no result; nvim said:\n{}", run.stderr));
    assert_eq!(out["filetype"], "icp", "{out:#}");
    assert_eq!(out["commentstring"], "// %s", "{out:#}");
    assert_eq!(out["shiftwidth"], 2, "{out:#}");
    assert_eq!(out["failures"], Value::Array(vec![]), "{out:#}");
    assert!(out["checked"].as_u64().unwrap() >= 70, "{out:#}");
    assert!(run.status.success(), "{}", run.stderr);
}

/// `require('icp').setup()` uses `vim.lsp.config`/`enable` on 0.11+, `vim.lsp.start` on
/// 0.8-0.10 and `start_client` on 0.7 (those APIs are stubbed, so any Neovim checks all three).
#[test]
fn neovim_setup_picks_the_lsp_api_of_each_neovim_generation() {
    let Some(nvim) = find_nvim("neovim_setup_picks_the_lsp_api_of_each_neovim_generation") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = run_nvim(
        &nvim,
        dir.path(),
        &nvim_dir().join("tests/setup_paths.lua"),
        &[],
    );
    let out = run
        .output
        .unwrap_or_else(|| panic!("no result; nvim said:\n{}", run.stderr));
    assert_eq!(out["failures"], Value::Array(vec![]), "{out:#}");
    assert!(out["checked"].as_u64().unwrap() >= 27, "{out:#}");
    assert!(run.status.success(), "{}", run.stderr);
}

/// The plugin's file watcher (`lua/icp/watch.lua`) alone: what it reports for files changed
/// by another process (created, changed in place, replaced by a rename, deleted, in a new
/// folder), what it skips (`target/`, hidden folders, other files), and when it is needed.
#[test]
fn neovim_plugin_watcher_reports_changes_on_disk() {
    let Some(nvim) = find_nvim("neovim_plugin_watcher_reports_changes_on_disk") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = run_nvim(&nvim, dir.path(), &nvim_dir().join("tests/watch.lua"), &[]);
    let out = run
        .output
        .unwrap_or_else(|| panic!("no result; nvim said:\n{}", run.stderr));
    assert_eq!(out["failures"], Value::Array(vec![]), "{out:#}");
    assert!(out["checked"].as_u64().unwrap() >= 26, "{out:#}");
    assert!(run.status.success(), "{}", run.stderr);
}

/// A project whose segment misspells a field: `employes` for `employees`.
const BROKEN: &str = r#"// A broken ICP file for the editor end-to-end test.
schema Account {
  id:        text key
  employees: int
  marketers: int?
}

segment big "Big companies" {
  employes > 100
}

profile mid for Account {
  target big
  criterion size "Company size" weight 20 { employees in 50..200 }
  tier ideal >= 80
  tier rest
}
"#;

#[test]
fn neovim_gets_diagnostics_and_completion_from_icp_lsp() {
    let Some(nvim) = find_nvim("neovim_gets_diagnostics_and_completion_from_icp_lsp") else {
        return;
    };
    // `ICP_E2E_BIN` overrides the binary under test (e.g. to try another build by hand).
    let icp = std::env::var("ICP_E2E_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_icp").to_owned());
    let probe = Command::new(&icp)
        .args(["lsp", "--help"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        probe.status.success(),
        "`{icp} lsp` is not available: {}",
        String::from_utf8_lossy(&probe.stderr)
    );

    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    fs::create_dir_all(&project).unwrap();
    fs::write(project.join("icp.toml"), "").unwrap();
    let file = project.join("broken.icp");
    fs::write(&file, BROKEN).unwrap();

    // `employes` is on line 8 (0-based), column 2; complete right after `emp`.
    let (typo_line, typo_col) = (8_u64, 2_u64);
    assert!(BROKEN.lines().nth(8).unwrap().starts_with("  employes"));
    // Hover over `employees` in the criterion on line 13.
    let hover_line = BROKEN.lines().nth(13).unwrap();
    let hover_col = hover_line.find("employees").unwrap();
    assert!(hover_line.contains("criterion size"));
    let run = run_nvim(
        &nvim,
        dir.path(),
        &nvim_dir().join("tests/lsp_e2e.lua"),
        &[
            ("ICP_BIN", &icp),
            ("ICP_E2E_FILE", file.to_str().unwrap()),
            ("ICP_E2E_LINE", &typo_line.to_string()),
            ("ICP_E2E_COL", &(typo_col + 3).to_string()),
            ("ICP_E2E_HOVER_LINE", "13"),
            ("ICP_E2E_HOVER_COL", &hover_col.to_string()),
            ("ICP_E2E_TIMEOUT_MS", "20000"),
        ],
    );
    let out = run
        .output
        .unwrap_or_else(|| panic!("no result; nvim said:\n{}", run.stderr));
    let context = format!("{out:#}\nnvim stderr:\n{}", run.stderr);
    assert_eq!(out["errors"], Value::Array(vec![]), "{context}");
    assert_eq!(out["filetype"], "icp", "{context}");
    assert_eq!(out["client_name"], "icp", "{context}");
    assert_eq!(out["capabilities"]["completion"], true, "{context}");

    // Diagnostics: the typo, with its stable code, on the right line and column.
    let diagnostics = out["diagnostics"].as_array().unwrap();
    let typo = diagnostics
        .iter()
        .find(|d| d["code"] == "icp::unknown_field")
        .unwrap_or_else(|| panic!("no icp::unknown_field diagnostic\n{context}"));
    assert_eq!(typo["line"], typo_line, "{context}");
    assert_eq!(typo["col"], typo_col, "{context}");
    assert_eq!(typo["severity"], 1, "an error\n{context}");
    assert!(
        typo["message"].as_str().unwrap().contains("employes"),
        "{context}"
    );

    // Completion inside the segment's condition offers the schema's fields.
    let labels: Vec<&str> = out["completion"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"employees"), "{labels:?}\n{context}");
    assert!(labels.contains(&"marketers"), "{labels:?}\n{context}");

    // Hover over a field shows it, with its type.
    let hover = out["hover"].as_str().unwrap();
    assert!(
        hover.contains("employees") && hover.contains("int"),
        "{hover:?}\n{context}"
    );

    assert!(run.status.success(), "{context}");
}

/// The `icp` binary under test (`ICP_E2E_BIN` overrides it, e.g. to try another build).
fn icp_bin() -> String {
    std::env::var("ICP_E2E_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_icp").to_owned())
}

/// Runs `icp ARGS` in `dir`: its exit status, standard output and everything it printed.
fn icp_out(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(icp_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let all = stdout.clone() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), stdout, all)
}

/// Runs `icp ARGS` in `dir`: its exit status and everything it printed.
fn icp(dir: &Path, args: &[&str]) -> (bool, String) {
    let (ok, _, all) = icp_out(dir, args);
    (ok, all)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Rename in a project of five files of which only `schema.icp` is open in Neovim: the
/// edit reaches the others, `icp check` and `icp test` pass after `:wall`, and the field,
/// which had no `from`, still reads the same column (`from "employees"` added; the scores
/// are the same).
#[test]
fn neovim_renames_across_files_that_are_not_open() {
    let Some(nvim) = find_nvim("neovim_renames_across_files_that_are_not_open") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    copy_dir(&repo_root().join("examples/lincoln-murphy"), &project);
    // `employees` reads its column by its own name (no `from`).
    let schema_path = project.join("schema.icp");
    let schema = fs::read_to_string(&schema_path).unwrap();
    let with_from = "  employees:        int       from \"Employees\"\n";
    assert!(schema.contains(with_from), "the example changed:\n{schema}");
    let schema = schema.replace(with_from, "  employees:        int\n");
    fs::write(&schema_path, &schema).unwrap();
    let (ok, said) = icp(&project, &["check", "."]);
    assert!(ok, "the project must check before the rename:\n{said}");
    // The scores, as CSV on standard output (the summary on stderr has timings).
    let score = |project: &Path| {
        let (ok, csv, all) = icp_out(
            project,
            &["score", ".", "accounts.csv", "--as-of", "2026-06-01"],
        );
        assert!(ok, "icp score:\n{all}");
        csv
    };
    let scores_before = score(&project);

    let line = schema
        .lines()
        .position(|l| l.starts_with("  employees:"))
        .unwrap();
    let run = run_nvim(
        &nvim,
        dir.path(),
        &nvim_dir().join("tests/lsp_e2e.lua"),
        &[
            ("ICP_E2E_SCENARIO", "rename"),
            ("ICP_BIN", &icp_bin()),
            ("ICP_E2E_FILE", schema_path.to_str().unwrap()),
            ("ICP_E2E_LINE", &line.to_string()),
            ("ICP_E2E_COL", "2"),
            ("ICP_E2E_NEW_NAME", "headcount"),
        ],
    );
    let out = run
        .output
        .unwrap_or_else(|| panic!("no result; nvim said:\n{}", run.stderr));
    let context = format!("{out:#}\nnvim stderr:\n{}", run.stderr);
    assert_eq!(out["errors"], Value::Array(vec![]), "{context}");
    assert_eq!(out["references_reach_other_files"], true, "{context}");
    // Only schema.icp was open when the rename was asked for.
    assert_eq!(
        out["loaded_before_rename"],
        serde_json::json!(["schema.icp"]),
        "{context}"
    );
    assert!(
        out["references"]["tests.icp"].as_u64().unwrap() >= 9,
        "{context}"
    );
    assert_eq!(out["renamed"], true, "{context}");

    let read = |name: &str| fs::read_to_string(project.join(name)).unwrap();
    let schema = read("schema.icp");
    assert!(
        schema.contains("  headcount:        int from \"employees\"\n"),
        "the renamed field keeps its column:\n{schema}"
    );
    assert!(
        read("segments.icp").contains("{ headcount in 200..2000 }"),
        "{context}"
    );
    let tests = read("tests.icp");
    assert!(!tests.contains("employees:"), "{tests}");
    assert_eq!(tests.matches("headcount: ").count(), 9, "{tests}");
    for name in [
        "schema.icp",
        "segments.icp",
        "situation.icp",
        "profile.icp",
        "tests.icp",
    ] {
        assert!(
            !read(name).contains("employees:"),
            "{name} still says employees:"
        );
    }

    let (ok, said) = icp(&project, &["check", "."]);
    assert!(ok, "icp check after the rename:\n{said}\n{context}");
    let (ok, said) = icp(&project, &["test", "."]);
    assert!(ok, "icp test after the rename:\n{said}");
    assert_eq!(
        score(&project),
        scores_before,
        "the scores changed: a column was lost"
    );
    assert!(run.status.success(), "{context}");
}

/// An imported file changed outside Neovim (a `git checkout`: a new file renamed over it;
/// a `sed`: rewritten in place) updates the importer's diagnostics. Neovim 0.7 does not
/// watch files for servers: the plugin's watcher (`lua/icp/watch.lua`) sends
/// `workspace/didChangeWatchedFiles`.
#[test]
fn neovim_follows_an_import_changed_on_disk() {
    let Some(nvim) = find_nvim("neovim_follows_an_import_changed_on_disk") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    fs::create_dir_all(&project).unwrap();
    fs::write(project.join("icp.toml"), "").unwrap();
    let schema = |field: &str| {
        format!("schema Account {{\n  id:        text key\n  employees: int\n  {field}: int?\n}}\n")
    };
    fs::write(project.join("schema.icp"), schema("marketers")).unwrap();
    let main = project.join("main.icp");
    fs::write(
        &main,
        "import \"schema.icp\"\n\nsegment big \"Big\" { employees > 100 and sellers > 2 }\n\n\
         profile mid for Account {\n  target big\n  \
         criterion size \"Company size\" weight 20 { employees in 50..200 }\n  \
         tier ideal >= 80\n  tier rest\n}\n",
    )
    .unwrap();
    let (ok, said) = icp(&project, &["check", "."]);
    assert!(
        !ok && said.contains("sellers"),
        "main.icp must start broken:\n{said}"
    );
    let fix = dir.path().join("fix.icp");
    fs::write(&fix, schema("sellers")).unwrap();
    let brk = dir.path().join("break.icp");
    fs::write(&brk, schema("sales_team")).unwrap();

    let run = run_nvim(
        &nvim,
        dir.path(),
        &nvim_dir().join("tests/lsp_e2e.lua"),
        &[
            ("ICP_E2E_SCENARIO", "disk"),
            ("ICP_BIN", &icp_bin()),
            ("ICP_E2E_FILE", main.to_str().unwrap()),
            ("ICP_E2E_DEP", project.join("schema.icp").to_str().unwrap()),
            ("ICP_E2E_DEP_FIX", fix.to_str().unwrap()),
            ("ICP_E2E_DEP_BREAK", brk.to_str().unwrap()),
        ],
    );
    let out = run
        .output
        .unwrap_or_else(|| panic!("no result; nvim said:\n{}", run.stderr));
    let context = format!("{out:#}\nnvim stderr:\n{}", run.stderr);
    assert_eq!(out["errors"], Value::Array(vec![]), "{context}");
    // Neovim 0.7-0.8 never watches for a server, 0.9+ not on Linux by default: the plugin
    // does. (With a Neovim that watches, the server's own registration does the work.)
    let version = out["nvim_version"].as_str().unwrap_or_default();
    if version.starts_with("0.7.") || version.starts_with("0.8.") {
        assert_eq!(out["plugin_watches"], true, "{context}");
    }
    let steps = out["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().filter_map(|s| s["step"].as_str()).collect();
    assert_eq!(
        names,
        ["opened", "fixed on disk", "broken on disk"],
        "{context}"
    );
    for s in steps {
        assert_eq!(s["ok"], true, "step {}\n{context}", s["step"]);
    }
    // As `icp check` says: main.icp:3:41: error[icp::unknown_name]: unknown name `sellers`.
    for step in [&steps[0], &steps[2]] {
        let d = &step["diagnostics"];
        assert_eq!(d.as_array().unwrap().len(), 1, "{context}");
        assert_eq!(d[0]["code"], "icp::unknown_name", "{context}");
        assert_eq!(
            (&d[0]["line"], &d[0]["col"]),
            (&2.into(), &40.into()),
            "{context}"
        );
        assert!(
            d[0]["message"].as_str().unwrap().contains("sellers"),
            "{context}"
        );
    }
    assert!(run.status.success(), "{context}");
}
