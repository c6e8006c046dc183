// A stand-in for the `vscode` module, enough for vscode-languageclient 9 to start a server,
// sync documents, show diagnostics, honour the server's registrations and call providers.
// VS Code itself cannot be downloaded here, so test/client.test.js runs the bundled
// extension (dist/extension.js) in plain Node with this module in place of `vscode`.
//
// What it models: URIs, positions, ranges, diagnostics and their collections, events,
// documents (`workspace.textDocuments`, open/change/close events), configuration (from a
// plain object, with change events), file system watchers (recorded, fired by the test),
// `languages.register*Provider` (recorded, so the test can call a provider as the editor
// would), commands, messages and output channels (recorded). Anything else is a no-op:
// an unknown `onDid*` is an event that never fires, an unknown `register*` returns a
// disposable, an unknown class is a plain constructor, an unknown enum member is a unique
// string.
'use strict';

const { fileURLToPath, pathToFileURL } = require('node:url');

function createVscode(options = {}) {
  const state = {
    settings: { ...(options.settings || {}) },
    documents: [],
    watchers: [],
    providers: {},
    collections: [],
    commands: {},
    messages: { error: [], warning: [], info: [] },
    output: [],
    applied: [],
  };

  class Disposable {
    constructor(fn) {
      this._fn = fn;
    }
    static from(...items) {
      return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose()));
    }
    dispose() {
      if (this._fn) {
        const fn = this._fn;
        this._fn = undefined;
        fn();
      }
    }
  }

  class EventEmitter {
    constructor() {
      this._listeners = new Set();
      this.event = (listener, thisArgs, disposables) => {
        const entry = (e) => listener.call(thisArgs, e);
        this._listeners.add(entry);
        const d = new Disposable(() => this._listeners.delete(entry));
        if (Array.isArray(disposables)) disposables.push(d);
        return d;
      };
    }
    fire(e) {
      for (const l of [...this._listeners]) l(e);
    }
    dispose() {
      this._listeners.clear();
    }
  }

  class Uri {
    constructor(scheme, authority, path, query, fragment) {
      Object.assign(this, { scheme, authority: authority || '', path: path || '', query: query || '', fragment: fragment || '' });
    }
    static parse(value) {
      const u = new URL(value);
      return new Uri(u.protocol.replace(/:$/, ''), u.host, decodeURIComponent(u.pathname), u.search.replace(/^\?/, ''), u.hash.replace(/^#/, ''));
    }
    static file(p) {
      return new Uri('file', '', fileURLToPath(pathToFileURL(p)));
    }
    static joinPath(base, ...parts) {
      return base.with({ path: [base.path, ...parts].join('/').replace(/\/+/g, '/') });
    }
    get fsPath() {
      return this.scheme === 'file' ? this.path : this.path;
    }
    with(change) {
      return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
    }
    toString() {
      if (this.scheme === 'file') return pathToFileURL(this.path).href;
      return `${this.scheme}:${this.authority ? `//${this.authority}` : ''}${this.path}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
    }
    toJSON() {
      return this.toString();
    }
  }

  class Position {
    constructor(line, character) {
      this.line = line;
      this.character = character;
    }
    isBefore(o) {
      return this.line < o.line || (this.line === o.line && this.character < o.character);
    }
    isBeforeOrEqual(o) {
      return this.isBefore(o) || this.isEqual(o);
    }
    isAfter(o) {
      return !this.isBeforeOrEqual(o);
    }
    isAfterOrEqual(o) {
      return !this.isBefore(o);
    }
    isEqual(o) {
      return this.line === o.line && this.character === o.character;
    }
    compareTo(o) {
      return this.isBefore(o) ? -1 : this.isEqual(o) ? 0 : 1;
    }
    translate(dl = 0, dc = 0) {
      return new Position(this.line + dl, this.character + dc);
    }
    with(line = this.line, character = this.character) {
      return new Position(line, character);
    }
  }

  class Range {
    constructor(a, b, c, d) {
      if (typeof a === 'number') {
        this.start = new Position(a, b);
        this.end = new Position(c, d);
      } else {
        this.start = a;
        this.end = b;
      }
    }
    get isEmpty() {
      return this.start.isEqual(this.end);
    }
    get isSingleLine() {
      return this.start.line === this.end.line;
    }
    contains(p) {
      if (p instanceof Range) return this.contains(p.start) && this.contains(p.end);
      return !p.isBefore(this.start) && !this.end.isBefore(p);
    }
    isEqual(o) {
      return this.start.isEqual(o.start) && this.end.isEqual(o.end);
    }
  }

  class Location {
    constructor(uri, rangeOrPosition) {
      this.uri = uri;
      this.range = rangeOrPosition instanceof Position ? new Range(rangeOrPosition, rangeOrPosition) : rangeOrPosition;
    }
  }

  const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };

  class Diagnostic {
    constructor(range, message, severity = DiagnosticSeverity.Error) {
      Object.assign(this, { range, message, severity });
    }
  }

  class MarkdownString {
    constructor(value = '', supportThemeIcons = false) {
      this.value = value;
      this.supportThemeIcons = supportThemeIcons;
    }
    appendText(t) {
      this.value += t;
      return this;
    }
    appendMarkdown(t) {
      this.value += t;
      return this;
    }
    appendCodeblock(code, lang = '') {
      this.value += `\n\`\`\`${lang}\n${code}\n\`\`\`\n`;
      return this;
    }
  }

  class InlayHint {
    constructor(position, label, kind) {
      Object.assign(this, { position, label, kind });
    }
  }

  class CodeLens {
    constructor(range, command) {
      Object.assign(this, { range, command, isResolved: command !== undefined });
    }
  }

  class CancellationTokenSource {
    constructor() {
      const emitter = new EventEmitter();
      this._emitter = emitter;
      this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
    }
    cancel() {
      if (!this.token.isCancellationRequested) {
        this.token.isCancellationRequested = true;
        this._emitter.fire(undefined);
      }
    }
    dispose() {
      this._emitter.dispose();
    }
  }

  class CancellationError extends Error {}

  /** A plain class for a `vscode` type the stub does not model; its arguments are kept. */
  function autoClass(name) {
    const C = {
      [name]: class {
        constructor(...args) {
          this.args = args;
        }
      },
    }[name];
    return enumLike(C, name);
  }

  /** Any member read from `target` that it lacks becomes a unique string (`Kind.Member`). */
  function enumLike(target, name) {
    return new Proxy(target, {
      get(t, p, r) {
        if (p in t || typeof p === 'symbol') return Reflect.get(t, p, r);
        t[p] = `${name}.${String(p)}`;
        return t[p];
      },
    });
  }

  /** An object whose unknown `onDid*`/`onWill*` members are events, `register*`/`create*`
   * members return disposables, and `show*` members resolve to undefined. */
  function namespace(name, known) {
    return new Proxy(known, {
      get(t, p, r) {
        if (p in t || typeof p === 'symbol') return Reflect.get(t, p, r);
        if (/^on[A-Z]/.test(p)) {
          t[p] = new EventEmitter().event;
        } else if (/^(register|create)/.test(p)) {
          t[p] = () => new Disposable(() => undefined);
        } else if (/^show/.test(p)) {
          t[p] = async () => undefined;
        } else {
          return undefined;
        }
        return t[p];
      },
    });
  }

  const events = {
    open: new EventEmitter(),
    change: new EventEmitter(),
    close: new EventEmitter(),
    save: new EventEmitter(),
    config: new EventEmitter(),
  };

  function lineStarts(text) {
    const starts = [0];
    for (let i = 0; i < text.length; i += 1) if (text[i] === '\n') starts.push(i + 1);
    return starts;
  }

  /** A text document (UTF-16 offsets, as VS Code counts). */
  class TextDocument {
    constructor(uri, languageId, text) {
      Object.assign(this, { uri, languageId, version: 1, isClosed: false, isDirty: false, isUntitled: false, eol: 1 });
      this._text = text;
    }
    get fileName() {
      return this.uri.fsPath;
    }
    get lineCount() {
      return lineStarts(this._text).length;
    }
    getText(range) {
      if (!range) return this._text;
      return this._text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
    }
    offsetAt(pos) {
      const starts = lineStarts(this._text);
      const line = Math.min(Math.max(pos.line, 0), starts.length - 1);
      const end = line + 1 < starts.length ? starts[line + 1] : this._text.length;
      return Math.min(starts[line] + pos.character, end);
    }
    positionAt(offset) {
      const starts = lineStarts(this._text);
      let line = 0;
      while (line + 1 < starts.length && starts[line + 1] <= offset) line += 1;
      return new Position(line, offset - starts[line]);
    }
    lineAt(line) {
      const n = typeof line === 'number' ? line : line.line;
      const text = this._text.split('\n')[n] || '';
      return { lineNumber: n, text, range: new Range(n, 0, n, text.length), isEmptyOrWhitespace: text.trim() === '' };
    }
    getWordRangeAtPosition(pos) {
      const text = this.lineAt(pos.line).text;
      let s = pos.character;
      let e = pos.character;
      while (s > 0 && /\w/.test(text[s - 1])) s -= 1;
      while (e < text.length && /\w/.test(text[e])) e += 1;
      return s === e ? undefined : new Range(pos.line, s, pos.line, e);
    }
    save() {
      return Promise.resolve(true);
    }
  }

  function matchFilter(filter, doc) {
    if (typeof filter === 'string') return filter === doc.languageId ? 10 : 0;
    if (filter.language && filter.language !== doc.languageId) return 0;
    if (filter.scheme && filter.scheme !== doc.uri.scheme) return 0;
    if (filter.pattern) return 5;
    return 10;
  }

  function getConfiguration(section) {
    const prefix = section ? `${section}.` : '';
    return {
      get: (key, dflt) => {
        const v = state.settings[prefix + key];
        return v === undefined ? dflt : v;
      },
      has: (key) => state.settings[prefix + key] !== undefined,
      inspect: (key) => ({ key: prefix + key, globalValue: state.settings[prefix + key] }),
      update: async (key, value) => {
        state.settings[prefix + key] = value;
      },
    };
  }

  const folders = (options.folders || []).map((p, index) => ({ uri: Uri.file(p), name: p.split('/').pop(), index }));

  const workspace = namespace('workspace', {
    workspaceFolders: folders.length > 0 ? folders : undefined,
    name: folders.length > 0 ? folders[0].name : undefined,
    textDocuments: state.documents,
    getWorkspaceFolder: (uri) => folders.find((f) => uri.fsPath.startsWith(f.uri.fsPath + '/')),
    getConfiguration,
    onDidOpenTextDocument: events.open.event,
    onDidChangeTextDocument: events.change.event,
    onDidCloseTextDocument: events.close.event,
    onDidSaveTextDocument: events.save.event,
    onDidChangeConfiguration: events.config.event,
    createFileSystemWatcher: (glob, ignoreCreate = false, ignoreChange = false, ignoreDelete = false) => {
      const w = {
        glob: typeof glob === 'string' ? glob : glob.pattern,
        ignoreCreate,
        ignoreChange,
        ignoreDelete,
        create: new EventEmitter(),
        change: new EventEmitter(),
        delete: new EventEmitter(),
        disposed: false,
      };
      w.onDidCreate = w.create.event;
      w.onDidChange = w.change.event;
      w.onDidDelete = w.delete.event;
      w.dispose = () => {
        w.disposed = true;
      };
      state.watchers.push(w);
      return w;
    },
    applyEdit: async (edit) => {
      state.applied.push(edit);
      return true;
    },
  });

  function outputChannel(name) {
    const line = (text) => state.output.push(`[${name}] ${text}`);
    return { name, append: line, appendLine: line, replace: line, clear() {}, show() {}, hide() {}, dispose() {} };
  }

  const message = (kind) => async (text) => {
    state.messages[kind].push(typeof text === 'string' ? text : String(text));
    return undefined;
  };

  const window = namespace('window', {
    activeTextEditor: undefined,
    visibleTextEditors: [],
    tabGroups: { all: [], onDidChangeTabs: new EventEmitter().event, onDidChangeTabGroups: new EventEmitter().event },
    createOutputChannel: outputChannel,
    showErrorMessage: message('error'),
    showWarningMessage: message('warning'),
    showInformationMessage: message('info'),
    withProgress: async (_opts, task) => task({ report() {} }, new CancellationTokenSource().token),
  });

  function diagnosticCollection(name) {
    const map = new Map();
    const c = {
      name,
      set(uri, diags) {
        if (Array.isArray(uri)) {
          for (const [u, d] of uri) c.set(u, d);
        } else if (diags === undefined) {
          map.delete(uri.toString());
        } else {
          map.set(uri.toString(), diags);
        }
      },
      get: (uri) => map.get(uri.toString()),
      has: (uri) => map.has(uri.toString()),
      delete: (uri) => map.delete(uri.toString()),
      clear: () => map.clear(),
      forEach: (fn) => map.forEach((d, u) => fn(Uri.parse(u), d, c)),
      dispose: () => map.clear(),
      entries: () => map,
    };
    state.collections.push(c);
    return c;
  }

  const languages = namespace('languages', {
    createDiagnosticCollection: diagnosticCollection,
    match: (selector, doc) => {
      const filters = Array.isArray(selector) ? selector : [selector];
      return Math.max(0, ...filters.map((f) => matchFilter(f, doc)));
    },
    getLanguages: async () => ['icp'],
    setLanguageConfiguration: () => new Disposable(() => undefined),
  });
  // Every register*Provider records its provider under its kind (`InlayHints`, `Hover`, ...).
  const languagesProxy = new Proxy(languages, {
    get(t, p, r) {
      const m = typeof p === 'string' && /^register(.*)Provider$/.exec(p);
      if (m) {
        return (selector, provider) => {
          state.providers[m[1]] = provider;
          return new Disposable(() => {
            if (state.providers[m[1]] === provider) delete state.providers[m[1]];
          });
        };
      }
      return Reflect.get(t, p, r);
    },
  });

  const commands = namespace('commands', {
    registerCommand: (id, fn) => {
      state.commands[id] = fn;
      return new Disposable(() => delete state.commands[id]);
    },
    executeCommand: async (id, ...args) => (state.commands[id] ? state.commands[id](...args) : undefined),
    getCommands: async () => Object.keys(state.commands),
  });

  const known = {
    version: '1.95.0',
    env: { appName: 'vscode-stub', language: 'en', machineId: 'stub', sessionId: 'stub', openExternal: async () => true, uiKind: 1 },
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    Selection: Range,
    Location,
    Diagnostic,
    DiagnosticSeverity,
    DiagnosticTag: { Unnecessary: 1, Deprecated: 2 },
    MarkdownString,
    InlayHint,
    CodeLens,
    CancellationTokenSource,
    CancellationError,
    workspace,
    window,
    languages: languagesProxy,
    commands,
    extensions: namespace('extensions', { all: [], getExtension: () => undefined }),
    notebooks: namespace('notebooks', {}),
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    EndOfLine: { LF: 1, CRLF: 2 },
    TextDocumentSaveReason: { Manual: 1, AfterDelay: 2, FocusOut: 3 },
  };

  const vscode = new Proxy(known, {
    get(t, p, r) {
      if (p in t || typeof p !== 'string') return Reflect.get(t, p, r);
      if (/^[A-Z]/.test(p)) {
        t[p] = autoClass(p);
        return t[p];
      }
      return undefined;
    },
  });

  /** The test's handle on the editor: open, edit, change settings, fire watchers. */
  const editor = {
    state,
    openDocument(path, languageId, text) {
      const doc = new TextDocument(Uri.file(path), languageId, text);
      state.documents.push(doc);
      events.open.fire(doc);
      return doc;
    },
    /** Replace the whole text of `doc` (one incremental change, as VS Code sends it). */
    editDocument(doc, text) {
      const range = new Range(new Position(0, 0), doc.positionAt(doc._text.length));
      const rangeLength = doc._text.length;
      doc._text = text;
      doc.version += 1;
      events.change.fire({ document: doc, contentChanges: [{ range, rangeOffset: 0, rangeLength, text }], reason: undefined });
    },
    setSettings(changes) {
      Object.assign(state.settings, changes);
      const keys = Object.keys(changes);
      events.config.fire({ affectsConfiguration: (s) => keys.some((k) => k === s || k.startsWith(`${s}.`)) });
    },
    /** Fire `kind` (`create`, `change`, `delete`) on every live watcher whose glob takes `path`. */
    fileEvent(kind, path) {
      const uri = Uri.file(path);
      let fired = 0;
      for (const w of state.watchers) {
        const ignored = { create: w.ignoreCreate, change: w.ignoreChange, delete: w.ignoreDelete }[kind];
        if (!w.disposed && !ignored && globMatches(w.glob, path)) {
          w[kind].fire(uri);
          fired += 1;
        }
      }
      return fired;
    },
    diagnostics(path) {
      const key = Uri.file(path).toString();
      for (const c of state.collections) {
        const d = c.entries().get(key);
        if (d !== undefined) return d;
      }
      return undefined;
    },
  };

  return { vscode, editor, Uri, Range, Position };
}

/** Enough of VS Code's globs for the server's watchers: `**\/*.ext`, `**\/name`, `{a,b}`. */
function globMatches(glob, path) {
  const re = glob
    .replace(/[.+^$()|[\]\\]/g, '\\$&')
    .replace(/\{([^}]*)\}/g, (_, alts) => `\u0001${alts.split(',').join('\u0002')}\u0003`)
    .replace(/\*\*\//g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    .replace(/\u0000/g, '(.*/)?')
    .replace(/\u0001/g, '(')
    .replace(/\u0002/g, '|')
    .replace(/\u0003/g, ')');
  return new RegExp(`(^|/)${re}$`).test(path);
}

module.exports = { createVscode, globMatches };
