//! Name resolution, type checking and lints for ICP programs.
//!
//! [`check`] loads the entry files and everything they import through a [`Loader`] (the
//! caller does the IO), parses them, resolves every name globally, types every expression,
//! runs the lints and returns a [`Checked`]: the source files, the checked
//! [`icp_model::Program`] (every item that checked without errors), every diagnostic, and a
//! [`SymbolIndex`] of definitions and references for the language server.
//!
//! ```
//! use std::path::Path;
//! use icp_check::{MemoryLoader, Options, check};
//!
//! let loader = MemoryLoader::new()
//!     .with("/p/main.icp", "import \"schema.icp\"\nsegment big { employes > 100 }\n")
//!     .with("/p/schema.icp", "schema Account { id: text key  employees: int }\n");
//! let checked = check(&["/p/main.icp".into()], Path::new("/p"), &loader, &Options::default());
//! let d = &checked.diagnostics[0];
//! assert_eq!(d.code.to_string(), "icp::unknown_field");
//! assert_eq!(d.help.as_deref(), Some("did you mean `employees`?"));
//! assert!(checked.program.segments.is_empty()); // the broken segment is left out
//! assert_eq!(checked.program.schemas.len(), 1);
//! ```
//!
//! **Architecture invariant**: checking never stops at the first error, never panics on user
//! input, does no IO and reads no clock (`today` comes in through [`Options`]). Expressions
//! are walked recursively, but the parser bounds their depth ([`icp_syntax::MAX_DEPTH`]) and
//! every recursive pass keeps a depth fence of its own.
//!
//! The passes: `load` (imports, depth-first, cycles), `checker` (names, types, schema,
//! profile, situation and test rules, the program; one module per concern), `logic` (the
//! interval pass behind `never_true`, `always_true`, `practical_unreachable` and
//! reachable scores). Every diagnostic is built by one constructor: the errors in
//! `diagnostics`, each lint's in its own file under `lints` (what it reports, why, an
//! example). The rules are documented per code in `docs/diagnostics.md`. The symbol index
//! holds facts ([`SymbolDetail`]), not text: the language server writes the hover.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use icp_syntax::{Diagnostic, FileId, LineIndex, Span};

mod cases;
mod checker;
mod diagnostics;
mod lints;
mod load;
mod logic;

pub use checker::BUILTIN_TIERS;

/// Why a file could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// No such file.
    NotFound,
    /// The file is not valid UTF-8; `offset` is the first invalid byte.
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The path really (its symbolic links followed) lies outside the project root: it was
    /// not read (see [`Loader::load_within`]).
    OutsideRoot,
    /// Any other reason (a directory, no permission, ...).
    Other(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotFound => f.write_str("no such file"),
            LoadError::NotUtf8 { offset } => write!(f, "not valid UTF-8 (byte offset {offset})"),
            LoadError::OutsideRoot => f.write_str(
                "it is a symbolic link (or lies under one) that leads outside the project root; \
                 icp reads no file outside the project",
            ),
            LoadError::Other(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads source files. The CLI reads the file system, the LSP its open buffers, tests memory.
pub trait Loader {
    /// The text of the file at `path`.
    fn load(&self, path: &Path) -> Result<String, LoadError>;

    /// The text of the file at `path`, a file of the project whose root is `root`. The
    /// checker loads every file through this; a loader over a file system refuses a path
    /// that really (symbolic links resolved) lies outside `root`, so that no file outside
    /// the project is read or shown. The default is [`Loader::load`]: loaders without
    /// links (memory, open buffers) have nothing more to check.
    fn load_within(&self, path: &Path, root: &Path) -> Result<String, LoadError> {
        let _ = root;
        self.load(path)
    }

    /// The syntax tree of the file at `path`, whose text is `text`. The default parses it
    /// ([`icp_syntax::parse`]); an editor overrides it to reuse the items of the previous
    /// version ([`icp_syntax::parse_cached`]). It must give what `parse` gives.
    fn parse(&self, path: &Path, text: &str) -> icp_syntax::Parsed {
        let _ = path;
        icp_syntax::parse(text)
    }
}

/// An in-memory loader: a map from path to text (for tests and tools).
#[derive(Debug, Clone, Default)]
pub struct MemoryLoader {
    /// The files.
    pub files: HashMap<PathBuf, String>,
}

impl MemoryLoader {
    /// An empty loader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a file.
    #[must_use]
    pub fn with(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.files.insert(normalize(&path.into()), text.into());
        self
    }
}

impl Loader for MemoryLoader {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or(LoadError::NotFound)
    }
}

/// The project root: the nearest ancestor of `start_dir` (itself included) holding an
/// `icp.toml`, else `start_dir`. `is_file` answers whether a path is a file (the caller's IO).
pub fn find_root(start_dir: &Path, is_file: impl Fn(&Path) -> bool) -> PathBuf {
    let mut dir = Some(start_dir);
    while let Some(d) = dir {
        if is_file(&d.join("icp.toml")) {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    start_dir.to_path_buf()
}

/// Normalise a path lexically: drop `.`, resolve `..` against the preceding component.
/// No file-system access, so symlinks are not followed.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// Checking options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Today's date, for `situation_ended`; `None` skips that lint.
    pub today: Option<icp_syntax::Date>,
}

/// One loaded source file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Its id: the index into [`Checked::files`].
    pub id: FileId,
    /// Its path (normalised; as the loader was asked).
    pub path: PathBuf,
    /// Its text (empty when it could not be loaded), shared with the caller's overlay
    /// ([`check_with_overlay`]) when it came from there.
    pub text: std::sync::Arc<str>,
    /// Its syntax tree.
    pub ast: icp_syntax::ast::File,
    /// Its line index.
    pub lines: LineIndex,
}

/// The result of a check.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Every file, indexed by [`FileId`]: entries first, then imports in discovery order.
    pub files: Vec<SourceFile>,
    /// Every item that checked without errors.
    pub program: icp_model::Program,
    /// Parse and check diagnostics of every file, sorted by file and offset.
    pub diagnostics: Vec<Diagnostic>,
    /// Definitions and references, for the language server (shared with the memo of an
    /// incremental check, [`check_incremental`]).
    pub symbols: std::sync::Arc<SymbolIndex>,
}

/// Definitions and references of every name.
#[derive(Debug, Clone, Default)]
pub struct SymbolIndex {
    /// Definitions.
    pub defs: Vec<Def>,
    /// References; `def` indexes [`SymbolIndex::defs`].
    pub refs: Vec<Ref>,
}

/// What a definition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefKind {
    /// `schema`
    Schema,
    /// A schema field.
    Field,
    /// An enum variant.
    Variant,
    /// `situation`
    Situation,
    /// A situation goal.
    Goal,
    /// A situation capability.
    Capability,
    /// `segment`
    Segment,
    /// `profile`
    Profile,
    /// A profile `let`.
    Let,
    /// A profile `group`.
    Group,
    /// A `criterion`.
    Criterion,
    /// An `exclude` rule.
    Exclude,
    /// A `tier`.
    Tier,
    /// A `test`.
    Test,
}

/// A definition.
///
/// Its name, container and detail are behind `Arc`s: an editor's incremental check copies
/// the definitions of every profile it replays from the previous check's index, and those
/// copies share them instead of each holding its own strings.
#[derive(Debug, Clone)]
pub struct Def {
    /// What it is.
    pub kind: DefKind,
    /// Its name.
    pub name: std::sync::Arc<str>,
    /// Its file.
    pub file: FileId,
    /// The span of its name.
    pub name_span: Span,
    /// The span of the whole declaration.
    pub full_span: Span,
    /// The enclosing declaration's name (a field's schema, a criterion's profile, ...).
    pub container: Option<std::sync::Arc<str>>,
    /// What the checker learned about it, for the editor's hover (the editor renders it).
    pub detail: std::sync::Arc<SymbolDetail>,
}

/// The facts about a definition that the editor shows on hover. The checker states them;
/// the language server writes the text. `*_text` fields are source text as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SymbolDetail {
    /// Nothing known (the definition did not check, or its kind has no detail).
    #[default]
    None,
    /// A schema.
    Schema {
        /// How many fields it has.
        fields: usize,
    },
    /// A schema field.
    Field {
        /// Its type as written (`int?`, `enum { .. }`).
        ty_text: String,
        /// The column it reads.
        column: String,
        /// Whether it may be missing.
        optional: bool,
        /// Whether it is the schema's key.
        key: bool,
        /// Its variants, when it is an enum.
        variants: Option<Vec<String>>,
    },
    /// An enum variant.
    Variant {
        /// The enum field it belongs to.
        field: String,
        /// The strings it reads (empty: its own name).
        reads: Vec<String>,
    },
    /// A situation.
    Situation {
        /// Its title.
        title: Option<String>,
        /// Its timeframe, when it has a valid one.
        timeframe: Option<(icp_syntax::Date, icp_syntax::Date)>,
    },
    /// A situation capability.
    Capability {
        /// Its value as written.
        value_text: String,
    },
    /// A situation goal.
    Goal {
        /// The whole goal as written.
        text: String,
    },
    /// A segment.
    Segment {
        /// Its title.
        title: Option<String>,
        /// Its condition as written.
        cond_text: String,
    },
    /// A profile.
    Profile {
        /// Its title.
        title: Option<String>,
        /// How many criteria it has.
        criteria: usize,
        /// How many exclusions it has.
        excludes: usize,
        /// How many tiers it has.
        tiers: usize,
        /// The sum of its positive weights.
        positive_weight: icp_model::Decimal,
    },
    /// A profile `let` that typed.
    Let {
        /// The name of its type.
        ty: String,
        /// Its value as written.
        value_text: String,
    },
    /// A profile group.
    Group {
        /// Its title.
        title: Option<String>,
        /// How many criteria it holds.
        criteria: usize,
    },
    /// A criterion.
    Criterion {
        /// Its title.
        title: Option<String>,
        /// Its weight.
        weight: icp_model::Decimal,
        /// The sum of the profile's positive weights.
        positive_weight: icp_model::Decimal,
        /// The share a practical fit earns, when the criterion has a `practical` branch.
        practical_share: Option<icp_model::Decimal>,
    },
    /// An `exclude` rule.
    Exclude {
        /// Its reason.
        reason: Option<String>,
        /// Its condition as written.
        cond_text: String,
    },
    /// A tier.
    Tier {
        /// Its action.
        action: Option<String>,
        /// Its rule, when it checked.
        rule: Option<TierDetail>,
    },
    /// A test (its name is the definition's name).
    Test,
}

/// A tier's rule, as the hover shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum TierDetail {
    /// No threshold: every remaining account.
    CatchAll,
    /// `tier NAME >= SCORE` (a percent is converted to a score).
    Threshold(icp_model::Decimal),
    /// `tier NAME when COND`, the condition as written.
    When(String),
}

/// A reference to a definition.
#[derive(Debug, Clone, Copy)]
pub struct Ref {
    /// Its file.
    pub file: FileId,
    /// The span of the name as written.
    pub span: Span,
    /// Index into [`SymbolIndex::defs`].
    pub def: usize,
}

impl Checked {
    /// The definition under the cursor: a definition's name or a reference to it.
    pub fn def_at(&self, file: FileId, offset: usize) -> Option<usize> {
        let defs = &self.symbols.defs;
        if let Some(i) = defs
            .iter()
            .position(|d| d.file == file && d.name_span.contains(offset))
        {
            return Some(i);
        }
        self.symbols
            .refs
            .iter()
            .find(|r| r.file == file && r.span.contains(offset))
            .map(|r| r.def)
    }

    /// Every place the definition is referenced (not its own name).
    pub fn references(&self, def: usize) -> impl Iterator<Item = (FileId, Span)> + '_ {
        self.symbols
            .refs
            .iter()
            .filter(move |r| r.def == def)
            .map(|r| (r.file, r.span))
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// A file by id.
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The id of a file by path (normalised lexically, as the loader was asked).
    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        let path = normalize(path);
        self.files.iter().find(|f| f.path == path).map(|f| f.id)
    }
}

/// Check the entry files and everything they import. `root` is the project root: imports
/// may not leave it.
pub fn check(entries: &[PathBuf], root: &Path, loader: &dyn Loader, options: &Options) -> Checked {
    check_with_overlay(
        entries,
        root,
        loader,
        &HashMap::<PathBuf, String>::new(),
        options,
    )
}

/// [`check`], with the text of some files given (an editor's unsaved buffers): the overlay
/// wins over the loader. With `Arc<str>` texts the checked files share them (no copy).
pub fn check_with_overlay<V: Clone + Into<std::sync::Arc<str>>, S: std::hash::BuildHasher>(
    entries: &[PathBuf],
    root: &Path,
    loader: &dyn Loader,
    overlay: &HashMap<PathBuf, V, S>,
    options: &Options,
) -> Checked {
    let loaded = load::load(entries, root, loader, overlay);
    let out = checker::Checker::new(&loaded.files, root, options, &loaded.diagnostics).run();
    finish(loaded, out, root, loader)
}

/// What an incremental check keeps from one check of a project to the next: the check of
/// each profile, replayed when neither its text nor the declarations it reads changed
/// (schemas, situations, segments, the names and order of all items). An editor keeps one
/// per entry file; see [`check_incremental`].
#[derive(Debug, Default)]
pub struct Memo {
    store: checker::memo::Store,
}

impl Memo {
    /// How many profiles the last check replayed and how many it checked.
    pub fn last_run(&self) -> (usize, usize) {
        (self.store.replayed, self.store.checked)
    }
}

/// [`check_with_overlay`], incrementally: the checks remembered in `memo` are replayed
/// where they still hold, and `memo` is updated for the next check. The result is exactly
/// what [`check_with_overlay`] gives for the same files. `cancel` is asked between items
/// (and before each file is loaded): once it says `true`, the check stops and gives
/// `None`.
pub fn check_incremental<V: Clone + Into<std::sync::Arc<str>>, S: std::hash::BuildHasher>(
    entries: &[PathBuf],
    root: &Path,
    loader: &dyn Loader,
    overlay: &HashMap<PathBuf, V, S>,
    options: &Options,
    memo: &mut Memo,
    cancel: &dyn Fn() -> bool,
) -> Option<Checked> {
    let loaded = load::load(entries, root, loader, overlay);
    if cancel() {
        return None;
    }
    let mut store = std::mem::take(&mut memo.store);
    store.start();
    let mut out = checker::Checker::new(&loaded.files, root, options, &loaded.diagnostics)
        .incremental(store, cancel)
        .run();
    memo.store = std::mem::take(&mut out.memo);
    if out.cancelled {
        return None;
    }
    let checked = finish(loaded, out, root, loader);
    // The next check reads the definitions and references it replays from this one's.
    memo.store.symbols = Some(checked.symbols.clone());
    Some(checked)
}

/// The check's result from the loaded files and the checker's output.
fn finish(
    loaded: load::Loaded,
    mut out: checker::Output,
    root: &Path,
    loader: &dyn Loader,
) -> Checked {
    let cases = cases::expand(
        &std::mem::take(&mut out.pending_cases),
        &mut out.program,
        &loaded.files,
        root,
        loader,
    );
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(out.diagnostics);
    diagnostics.extend(cases);
    diagnostics.sort_by_key(|d| (d.file, d.span.start, d.span.end));
    Checked {
        files: loaded.files,
        program: out.program,
        diagnostics,
        symbols: std::sync::Arc::new(out.symbols),
    }
}
