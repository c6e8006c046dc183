//! Latency of the language server through the real JSON-RPC framing, on a generated
//! 5,000-line program and a generated 10 MB one: from `didChange` to the published
//! diagnostics of that version (p90 targets: 16 ms and 1 s), completion (20 ms), document
//! symbols (1 s on 10 MB), and the process's peak memory (300 MB on 10 MB) and whether it
//! grows over the edits.
//!
//! `cargo bench -p icp-lsp --bench lsp` (add `-- --lines N --runs N --mb N` to change the
//! sizes; `--mb 0` skips the big file, `--symbols 0` its document symbols).
//!
//! By default the server runs in this process (over an in-memory pipe), and the memory
//! figures are those of the whole process: the server, the client and its copies of the
//! text. `--server PATH` runs the server binary `PATH lsp` as a child process instead,
//! over its stdin/stdout, on the program written to a temporary folder; the memory figures
//! are then the child's alone (what an editor's user sees), read from `/proc/PID/status`,
//! and judged against the 300 MB target: `cargo build --release -p icp-cli`, then
//! `cargo bench -p icp-lsp --bench lsp -- --server target/release/icp`.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    reason = "a benchmark reads the clock and fails by panicking"
)]

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use icp_check::MemoryLoader;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

const SCHEMA: &str = r#"schema Account {
  id:         text     from "Record ID" key
  name:       text     from "Company name"
  industry:   enum { saas = "Software", fintech = "Financial Services", agency, other = _ }
  employees:  int      from "Number of Employees"
  marketers:  int?
  revenue:    money?   from "Annual Revenue"
  country:    text
  funding:    enum { none, seed, series_a, series_b, later, public }
  tech:       set<text> from "Technologies"
  intent:     percent? from "Intent"
  last_touch: date?    from "Last touch"
  stage:      enum { open, won, lost, churned }?
  arr:        money?
}

situation q1 "Quarter" {
  timeframe 2027-01-01 .. 2027-03-31
  goal wins count >= 25 where stage == won
  capability full_ui = false
}
"#;

/// A program of at least `lines` lines: segments, profiles with groups, criteria,
/// exclusions and tiers, and tests.
pub fn program(lines: usize) -> String {
    program_of(lines, usize::MAX)
}

/// A program of at least `lines` lines or `bytes` bytes, whichever comes first.
pub fn program_of(lines: usize, bytes: usize) -> String {
    let mut out = String::from(SCHEMA);
    let mut i = 0;
    while bytecount_lines(&out) < lines && out.len() < bytes {
        let _ = write!(
            out,
            "\nsegment seg_{i} \"Segment {i}\" {{\n  employees in {lo}..{hi} and industry != agency\n}}\n",
            lo = i % 50,
            hi = 100 + i
        );
        let _ = writeln!(
            out,
            "\nprofile p_{i} \"Profile {i}\" in q1 {{\n  target seg_{i}\n  let rpe = revenue / employees\n"
        );
        for g in 0..2 {
            let _ = writeln!(out, "  group g{g} \"Group {g}\" {{");
            for c in 0..8 {
                if c % 4 == 0 {
                    let _ = writeln!(
                        out,
                        "    criterion c{g}_{c} \"Size {c}\" weight {w} {{\n      perfect   when employees in 50..{hi}\n      practical when employees in 10..1000\n    }}",
                        w = 5 + c,
                        hi = 200 + c
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "    criterion c{g}_{c} \"Criterion {c}\" weight {w} {{ revenue >= ${c}M and tech contains any [\"HubSpot\", \"Salesforce\"] }}",
                        w = 5 + c
                    );
                }
            }
            let _ = writeln!(out, "  }}");
        }
        let _ = writeln!(
            out,
            "  criterion recent \"Recent\" weight 10 {{ last_touch >= today - 90d }}\n  criterion rich \"Rich\" weight 5 {{ rpe >= $100k }}\n  exclude tiny \"Too small\" {{ employees < 5 }}\n  exclude needs_ui \"Needs a UI\" {{ not situation.full_ui and funding == public }}\n\n  tier ideal \"Call today\" >= 80\n  tier good >= 50\n  tier rest\n}}"
        );
        let _ = writeln!(
            out,
            "\ntest \"profile {i}\" {{\n  profile p_{i}\n  as_of 2027-01-15\n  account {{ id: \"a\", name: \"A\", industry: saas, employees: 120, country: \"US\", funding: seed, tech: [\"HubSpot\"] }}\n  expect score >= 0\n}}"
        );
        i += 1;
    }
    out
}

fn bytecount_lines(s: &str) -> usize {
    memchr::memchr_iter(b'\n', s.as_bytes()).count()
}

/// Messages from this size on are not parsed into a [`Value`] by the client.
const BIG_MESSAGE: usize = 1 << 20;

/// What the client reads of a big message.
#[derive(serde::Deserialize)]
struct Head {
    id: Option<Value>,
    method: Option<String>,
}

struct Client {
    write: Box<dyn AsyncWrite + Unpin + Send>,
    incoming: mpsc::UnboundedReceiver<Value>,
    /// The document's URI.
    uri: String,
    /// Where the server's memory is read.
    mem: Mem,
    /// The server's process, when it runs as one (killed if the client is dropped before
    /// [`Client::close`]), and the folder of its files.
    child: Option<(tokio::process::Child, tempfile::TempDir)>,
}

async fn read_loop(mut read: impl AsyncRead + Unpin, tx: mpsc::UnboundedSender<Value>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        // Lines a wrapper (a profiler) printed on the server's stdout come before a header.
        if let Some(start) = memchr::memmem::find(&buf, b"Content-Length:")
            && start > 0
        {
            buf.drain(..start);
        }
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let header = String::from_utf8_lossy(&buf[..end]).to_string();
            let len: usize = header
                .trim()
                .trim_start_matches("Content-Length: ")
                .parse()
                .unwrap();
            if buf.len() < end + 4 + len {
                break;
            }
            let body = &buf[end + 4..end + 4 + len];
            let value = if len < BIG_MESSAGE {
                serde_json::from_slice(body).unwrap()
            } else {
                // A big reply (document symbols of the 10 MB file): its id and size only,
                // so that the client's copy of it does not count in the memory measured.
                let head: Head = serde_json::from_slice(body).unwrap();
                json!({ "id": head.id, "method": head.method, "size": len })
            };
            buf.drain(..end + 4 + len);
            buf.shrink_to(1 << 16);
            if tx.send(value).is_err() {
                return;
            }
        }
        match read.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

impl Client {
    /// `shutdown` and `exit`, and wait for the server's process to end (a profiler run
    /// around it writes its data then).
    async fn close(mut self) {
        self.send(json!({ "jsonrpc": "2.0", "id": 9999, "method": "shutdown" }))
            .await;
        self.until(|m| m["id"] == 9999).await;
        self.send(json!({ "jsonrpc": "2.0", "method": "exit" }))
            .await;
        if let Some((mut child, _dir)) = self.child.take() {
            let _ = tokio::time::timeout(Duration::from_mins(1), child.wait()).await;
        }
    }

    async fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        drop(msg);
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.write.write_all(header.as_bytes()).await.unwrap();
        self.write.write_all(body.as_bytes()).await.unwrap();
        self.write.flush().await.unwrap();
    }

    async fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_mins(1), self.incoming.recv())
                .await
                .unwrap()
                .unwrap();
            if pred(&msg) {
                return msg;
            }
        }
    }
}

fn stats(name: &str, mut times: Vec<Duration>, target_ms: Option<f64>) {
    if times.is_empty() {
        return;
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(times[times.len() / 2]);
    let p90 = ms(times[(times.len() * 9 / 10).min(times.len() - 1)]);
    let max = ms(*times.last().unwrap());
    let verdict = match target_ms {
        Some(t) if p90 < t => format!("target p90 < {t} ms: ok"),
        Some(t) => format!("target p90 < {t} ms: OVER TARGET"),
        None => "for reference".to_owned(),
    };
    println!(
        "{name:<34} median {median:7.2} ms   p90 {p90:7.2} ms   max {max:7.2} ms   (n = {}, {verdict})",
        times.len()
    );
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The process whose memory is measured: this one, or the server's child process.
#[derive(Clone, Copy)]
struct Mem {
    pid: Option<u32>,
}

impl Mem {
    fn proc_file(self, name: &str) -> String {
        match self.pid {
            Some(pid) => format!("/proc/{pid}/{name}"),
            None => format!("/proc/self/{name}"),
        }
    }

    /// Start a new peak: the kernel's `VmHWM` restarts from the resident set now (Linux
    /// 4.0+; nothing happens where `clear_refs` cannot be written).
    fn reset_peak(self) {
        let _ = std::fs::write(self.proc_file("clear_refs"), "5");
    }

    /// A memory figure from `/proc/PID/status` (`VmHWM`: peak resident set, `VmRSS`:
    /// now), in MiB; 0 where there is no `/proc`.
    fn mib(self, key: &str) -> f64 {
        std::fs::read_to_string(self.proc_file("status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(key))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| kb / 1024.0)
    }
}

/// This process.
const SELF: Mem = Mem { pid: None };

fn settings(src: &str) -> icp_lsp::Settings {
    let loader = MemoryLoader::new()
        .with("/bench/icp.toml", "")
        .with("/bench/main.icp", src.to_owned());
    icp_lsp::Settings {
        loader: Arc::new(loader),
        today: icp_syntax::Date::from_ymd(2027, 1, 15),
        debounce: Duration::from_millis(50),
        request_wait: Duration::from_mins(2),
        list: icp_lsp::project::fs_lister(),
    }
}

/// Start a server (in this process, or `server lsp` as a child process) and open `src` in it.
async fn connect(src: &str, server: Option<&str>) -> Client {
    let mut c = match server {
        None => {
            let (client_side, server_side) = tokio::io::duplex(1 << 22);
            let (sr, sw) = tokio::io::split(server_side);
            tokio::spawn(icp_lsp::serve_with(sr, sw, settings(src)));
            let (read, write) = tokio::io::split(client_side);
            let (tx, incoming) = mpsc::unbounded_channel();
            tokio::spawn(read_loop(read, tx));
            Client {
                write: Box::new(write),
                incoming,
                uri: URI.to_owned(),
                mem: SELF,
                child: None,
            }
        }
        Some(bin) => {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("icp.toml"), "").unwrap();
            let path = dir.path().join("main.icp");
            std::fs::write(&path, src).unwrap();
            let exe = std::fs::canonicalize(bin)
                .unwrap_or_else(|e| panic!("no server binary `{bin}`: {e}"));
            let mut child = tokio::process::Command::new(exe)
                .arg("lsp")
                .current_dir(dir.path())
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start `{bin} lsp`: {e}"));
            let write = child.stdin.take().unwrap();
            let read = child.stdout.take().unwrap();
            let (tx, incoming) = mpsc::unbounded_channel();
            tokio::spawn(read_loop(read, tx));
            let pid = child.id();
            Client {
                write: Box::new(write),
                incoming,
                uri: format!("file://{}", path.display()),
                mem: Mem { pid },
                child: Some((child, dir)),
            }
        }
    };
    // The same date as the in-process server's ([`settings`]).
    c.send(
        json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "capabilities": {}, "initializationOptions": { "today": "2027-01-15" } } }),
    )
    .await;
    c.until(|m| m["id"] == 0).await;
    c.send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }))
        .await;
    let uri = c.uri.clone();
    c.send(json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": uri, "languageId": "icp", "version": 0, "text": src } } })).await;
    c.until(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
    })
    .await;
    c
}

const URI: &str = "file:///bench/main.icp";

/// Where the benchmark edits: a criterion's line in the middle of the file, `    criterion
/// cX_Y "..." weight N { revenue >= ...` (its number and text), and the column of its
/// weight's first digit.
pub fn edit_point(src: &str) -> (usize, &str, u32) {
    let (line_no, line) = src
        .lines()
        .enumerate()
        .skip(bytecount_lines(src) / 2)
        .find(|(_, l)| l.contains("weight") && l.contains("revenue >="))
        .unwrap();
    (line_no, line, line.find("weight ").unwrap() as u32 + 7)
}

/// `didChange` (one digit of a weight in the middle of the file) to the published
/// diagnostics of that version, `runs` times, a quiet spell before each edit.
async fn edits(c: &mut Client, src: &str, first: i64, runs: usize) -> Vec<Duration> {
    let (line_no, _, weight_col) = edit_point(src);
    let uri = c.uri.clone();
    let mut times = Vec::new();
    for v in first..first + runs as i64 {
        tokio::time::sleep(Duration::from_millis(80)).await;
        let digit = if v % 2 == 0 { "6" } else { "7" };
        let t = Instant::now();
        c.send(json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": { "uri": uri, "version": v },
            "contentChanges": [{ "range": { "start": { "line": line_no, "character": weight_col }, "end": { "line": line_no, "character": weight_col + 1 } }, "text": digit }]
        } }))
        .await;
        c.until(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == v
        })
        .await;
        times.push(t.elapsed());
    }
    times
}

/// `textDocument/documentSymbol`, `runs` times: the times and the reply's size in bytes.
async fn symbols(c: &mut Client, runs: usize) -> (Vec<Duration>, usize) {
    let uri = c.uri.clone();
    let mut times = Vec::new();
    let mut size = 0;
    for k in 0..runs as i64 {
        let id = 5000 + k;
        let t = Instant::now();
        c.send(
            json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol",
            "params": { "textDocument": { "uri": uri } } }),
        )
        .await;
        let res = c.until(|m| m["id"] == id).await;
        times.push(t.elapsed());
        size = res["size"]
            .as_u64()
            .map_or_else(|| res.to_string().len(), |n| n as usize);
    }
    (times, size)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let lines = arg("--lines", 5000);
    let runs = arg("--runs", 30);
    let mb = arg("--mb", 10);
    let args: Vec<String> = std::env::args().collect();
    let server = args
        .iter()
        .position(|a| a == "--server")
        .and_then(|i| args.get(i + 1))
        .cloned();
    println!(
        "icp-lsp benchmark; {} cores (wall-clock figures: a loaded machine inflates them); server: {}",
        std::thread::available_parallelism().map_or(1, usize::from),
        server.as_deref().map_or_else(
            || "in this process".to_owned(),
            |s| format!("`{s} lsp`, a child process")
        )
    );
    if lines > 0 {
        small(lines, runs, server.as_deref()).await;
    }
    if mb > 0 {
        big(mb, runs, server.as_deref()).await;
    }
}

/// The 10 MB document: edit to diagnostics, document symbols, peak memory (of each phase:
/// the peak is restarted before each) and whether it grows over the edits.
async fn big(mb: usize, runs: usize, server: Option<&str>) {
    let mut src = program_of(usize::MAX, mb << 20);
    src.shrink_to_fit();
    println!(
        "\non a generated program of {} lines ({:.1} MiB):",
        bytecount_lines(&src),
        src.len() as f64 / f64::from(1 << 20)
    );
    let before = SELF.mib("VmRSS:");
    SELF.reset_peak();
    let t = Instant::now();
    let mut c = connect(&src, server).await;
    println!(
        "open -> first diagnostics: {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    // The server's process (this one, or the child's: its peak so far is the open's).
    let mem = c.mem;
    let open_peak = mem.mib("VmHWM:");
    let after_open = mem.mib("VmRSS:");
    let mut client_peak = SELF.mib("VmHWM:");
    mem.reset_peak();
    SELF.reset_peak();
    let first = edits(&mut c, &src, 1, 1).await;
    let after_one = mem.mib("VmRSS:");
    let times = edits(&mut c, &src, 2, runs.saturating_sub(1)).await;
    let edit_peak = mem.mib("VmHWM:");
    let after_all = mem.mib("VmRSS:");
    client_peak = client_peak.max(SELF.mib("VmHWM:"));
    mem.reset_peak();
    SELF.reset_peak();
    let (sym_times, size) = symbols(&mut c, arg("--symbols", 5)).await;
    let sym_peak = mem.mib("VmHWM:");
    client_peak = client_peak.max(SELF.mib("VmHWM:"));
    c.close().await;
    let all: Vec<Duration> = first.into_iter().chain(times).collect();
    stats("didChange -> publishDiagnostics", all, Some(1000.0));
    stats(
        &format!(
            "documentSymbol ({:.1} MiB reply)",
            size as f64 / f64::from(1 << 20)
        ),
        sym_times,
        Some(1000.0),
    );
    let peak = open_peak.max(edit_peak).max(sym_peak);
    // The target is in MB (10^6 bytes): 300 MB is 286.1 MiB.
    let peak_mb = peak * 1.048_576;
    // The target is the server's own memory: judged only when it runs as its own process.
    let whose = if server.is_some() {
        format!(
            "VmHWM of the server's process; target < 300 MB: {}",
            if peak_mb < 300.0 { "met" } else { "missed" }
        )
    } else {
        "VmHWM of the whole benchmark, client and its copy of the text included; the 300 MB \
         target is the server's own: add `-- --server target/release/icp`"
            .to_owned()
    };
    println!(
        "memory: peak {peak:.0} MiB = {peak_mb:.0} MB ({whose}); resident after edit 1 {after_one:.0} MiB, after edit {runs} {after_all:.0} MiB"
    );
    println!(
        "memory by phase (peak VmHWM, restarted before each): open {open_peak:.0} MiB (resident after {after_open:.0}), {runs} edits {edit_peak:.0} MiB, document symbols {sym_peak:.0} MiB"
    );
    if server.is_some() {
        println!(
            "the benchmark's own process (client): resident before opening {before:.0} MiB, peak {client_peak:.0} MiB"
        );
    } else {
        println!("resident before opening: {before:.0} MiB");
    }
}

/// The 5,000-line document: the check alone, edit to diagnostics, completion.
async fn small(lines: usize, runs: usize, server: Option<&str>) {
    let src = program(lines);
    let n_lines = bytecount_lines(&src);
    let uri = URI;

    // The check alone, for reference.
    let world = icp_lsp::world::World::new(
        settings(&src).loader,
        icp_syntax::Date::from_ymd(2027, 1, 15),
    );
    let mut parse_times = Vec::new();
    for _ in 0..runs.min(10) {
        let t = Instant::now();
        let parsed = icp_syntax::parse(&src);
        parse_times.push(t.elapsed());
        assert!(parsed.diagnostics.is_empty());
    }
    let mut check_times = Vec::new();
    for v in 0..runs.min(10) {
        world.open(uri.parse().unwrap(), v as i32, src.clone());
        let t = Instant::now();
        let a = world.analysis(&uri.parse().unwrap()).unwrap();
        check_times.push(t.elapsed());
        assert!(
            a.checked.diagnostics.iter().all(|d| !d.is_error()),
            "the generated program has errors: {:?}",
            a.checked.diagnostics.first()
        );
    }
    drop(world);

    let mut c = connect(&src, server).await;
    let uri = c.uri.clone();
    let change_times = edits(&mut c, &src, 1, runs).await;
    let (line_no, line, weight_col) = edit_point(&src);
    let body_col = line.find("{ ").unwrap() as u32 + 2;

    let mut completion_times = Vec::new();
    let mut count = 0;
    for id in 1..=runs as i64 {
        let t = Instant::now();
        c.send(
            json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/completion", "params": {
            "textDocument": { "uri": uri }, "position": { "line": line_no, "character": body_col }
        } }),
        )
        .await;
        let res = c.until(|m| m["id"] == id).await;
        completion_times.push(t.elapsed());
        count = res["result"].as_array().map_or(0, Vec::len);
    }

    // Completion right after an edit, as when typing: the check of the new version has not
    // run yet.
    let mut typing_times = Vec::new();
    for k in 1..=runs as i64 {
        tokio::time::sleep(Duration::from_millis(80)).await;
        let v = runs as i64 + k;
        let digit = if v % 2 == 0 { "6" } else { "7" };
        let change = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": { "uri": uri, "version": v },
            "contentChanges": [{ "range": {
                "start": { "line": line_no, "character": weight_col },
                "end": { "line": line_no, "character": weight_col + 1 } }, "text": digit }]
        } });
        c.send(change).await;
        let id = 1000 + k;
        let t = Instant::now();
        let request = json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/completion",
            "params": { "textDocument": { "uri": uri },
                        "position": { "line": line_no, "character": body_col } } });
        c.send(request).await;
        c.until(|m| m["id"] == id).await;
        typing_times.push(t.elapsed());
    }
    let (sym_times, size) = symbols(&mut c, runs.min(10)).await;
    c.close().await;

    println!(
        "\non a generated program of {n_lines} lines ({} bytes):",
        src.len(),
    );
    stats("parse alone", parse_times, None);
    stats("check alone (parse + check)", check_times, None);
    stats("didChange -> publishDiagnostics", change_times, Some(16.0));
    stats(
        &format!("completion ({count} items)"),
        completion_times,
        Some(20.0),
    );
    stats("completion right after an edit", typing_times, Some(20.0));
    stats(&format!("documentSymbol ({size} bytes)"), sym_times, None);
}
