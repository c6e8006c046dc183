// The packaged extension's client against the real server: dist/extension.js (the esbuild
// bundle that the .vsix holds, with vscode-languageclient inside) is loaded in Node with
// test/vscode-stub.js as `vscode`, activated, and driven as VS Code would drive it: a
// document open, `icp lsp` started from `icp.path`, diagnostics published into the
// extension's diagnostic collection, the server's file watcher registered and fired, an edit,
// the settings sent as initializationOptions and, on change, didChangeConfiguration.
//
// VS Code itself cannot be downloaded here: what VS Code adds on top (rendering, its own
// file watcher, its settings UI, workspace trust) is not run; see docs/editors.md.
//
// The server: $ICP_BIN, else `cargo build -p icp-cli` in the repository (skipped, with a
// message, when cargo is not installed).
'use strict';

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { test, before, after } = require('node:test');

const { createVscode } = require('./vscode-stub.js');

const root = path.join(__dirname, '..');
const repo = path.join(root, '..', '..');
const bundle = path.join(root, JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).main);

/** The `icp` binary to test, or a reason to skip. */
function icpBinary() {
  if (process.env.ICP_BIN) return { bin: process.env.ICP_BIN };
  const probe = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { skip: 'cargo is not installed and ICP_BIN is not set' };
  const build = spawnSync('cargo', ['build', '-q', '-p', 'icp-cli', '--message-format=json-render-diagnostics'], {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(build.status, 0, 'cargo build -p icp-cli failed');
  for (const line of build.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line);
    if (msg.reason === 'compiler-artifact' && msg.target && msg.target.name === 'icp' && msg.executable) {
      return { bin: msg.executable };
    }
  }
  throw new Error('cargo build -p icp-cli did not report the icp binary');
}

const server = icpBinary();
const skip = server.skip ? `skipped: ${server.skip}` : false;
if (skip) console.log(`client.test.js ${skip}`);

/** Wait (at most `limit` ms, a guard against a hang, not a measurement) until `probe()`
 * returns something truthy; returns it. */
async function waitFor(what, probe, limit = 60000) {
  const deadline = Date.now() + limit;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\n${JSON.stringify(ctx.editor.state.messages)}\n${ctx.editor.state.output.slice(-20).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const SCHEMA = `schema Account {
  id:        text key
  employees: int
  marketers: int?
}
`;

const MAIN = `import "schema.icp"

segment big "Big companies" {
  employes > 100 and sellers > 2
}

profile mid for Account {
  target big
  criterion size "Company size" weight 20 { employees in 50..200 }
  criterion team "Has marketers" weight 10 { marketers >= 1 }
  tier ideal >= 80
  tier rest
}
`;

const ctx = {};

/** The code of a diagnostic as vscode-languageclient sets it (a string or `{ value }`). */
function code(d) {
  return typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
}

before(async () => {
  if (skip) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icp-vscode-'));
  const project = fs.realpathSync(dir);
  fs.writeFileSync(path.join(project, 'icp.toml'), '');
  fs.writeFileSync(path.join(project, 'schema.icp'), SCHEMA);
  fs.writeFileSync(path.join(project, 'main.icp'), MAIN);
  const { vscode, editor, Range } = createVscode({
    folders: [project],
    settings: {
      'icp.path': server.bin,
      'icp.inlayHints': false,
      'icp.today': '2027-01-15',
      // Not a server setting: it must not reach the server (which warns about unknown keys).
      'icp.trace.server': 'off',
    },
  });
  Object.assign(ctx, { project, vscode, editor, Range });
  const load = Module._load;
  Module._load = function stubbed(request, parent, isMain) {
    if (request === 'vscode') return vscode;
    return load.call(this, request, parent, isMain);
  };
  // The bundle must not need node_modules: nothing but `vscode` and Node's own modules.
  const required = new Set();
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function tracked(request, parent, ...rest) {
    if (parent && parent.filename === bundle) required.add(request);
    return resolve.call(this, request, parent, ...rest);
  };
  ctx.required = required;
  ctx.extension = require(bundle);
  // VS Code activates the extension for an open icp document (`onLanguage:icp`).
  ctx.main = editor.openDocument(path.join(project, 'main.icp'), 'icp', MAIN);
  ctx.context = { subscriptions: [], extensionPath: root };
  await ctx.extension.activate(ctx.context);
});

after(async () => {
  if (skip || !ctx.extension) return;
  await ctx.extension.deactivate();
  fs.rmSync(ctx.project, { recursive: true, force: true });
});

test('the .vsix holds the bundle under test, and no node_modules', () => {
  // `vsce ls` lists what `vsce package` puts in the .vsix.
  const ls = spawnSync(path.join(root, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(ls.status, 0, ls.stderr);
  const files = ls.stdout.split('\n').filter(Boolean).sort();
  assert.deepEqual(files, [
    'LICENSE',
    'README.md',
    'dist/extension.js',
    'language-configuration.json',
    'package.json',
    'syntaxes/icp.tmLanguage.json',
  ]);
  assert.equal(path.relative(root, bundle), path.join('dist', 'extension.js'));
});

test('the bundle is self-contained: it requires only vscode and Node built-ins', { skip }, () => {
  const outside = [...ctx.required].filter((r) => r !== 'vscode' && !Module.isBuiltin(r));
  assert.deepEqual(outside, []);
  assert.ok(ctx.extension.currentClient(), 'the client started');
});

test('diagnostics arrive from icp lsp for the open document', { skip }, async () => {
  const file = path.join(ctx.project, 'main.icp');
  const diags = await waitFor('two diagnostics on main.icp', () => {
    const d = ctx.editor.diagnostics(file);
    return d && d.length === 2 ? d : undefined;
  });
  const byLine = [...diags].sort((a, b) => a.range.start.character - b.range.start.character);
  for (const d of byLine) {
    assert.equal(d.severity, ctx.vscode.DiagnosticSeverity.Error);
    assert.equal(d.range.start.line, 3);
  }
  // As `icp check` says: main.icp:4:3 unknown_field `employes`, main.icp:4:22 unknown_name.
  assert.deepEqual(
    byLine.map((d) => [code(d), d.range.start.character]),
    [['icp::unknown_field', 2], ['icp::unknown_name', 21]],
  );
  assert.match(byLine[0].message, /employes/);
  assert.match(byLine[1].message, /sellers/);
});

test('the server registers its file watcher, and a change on disk reaches it', { skip }, async () => {
  const globs = ctx.editor.state.watchers.filter((w) => !w.disposed).map((w) => w.glob);
  assert.ok(globs.includes('**/*.icp'), JSON.stringify(globs));
  assert.ok(globs.includes('**/icp.toml'), JSON.stringify(globs));
  // The extension sets up no watcher of its own (the server's registration is the one).
  assert.ok(!globs.includes('**/{*.icp,icp.toml}'), JSON.stringify(globs));

  // `git checkout` adds `sellers` to schema.icp, which is not open: VS Code's watcher fires.
  const schema = path.join(ctx.project, 'schema.icp');
  fs.writeFileSync(schema, SCHEMA.replace('  marketers: int?\n', '  marketers: int?\n  sellers:   int?\n'));
  assert.ok(ctx.editor.fileEvent('change', schema) >= 1, 'no watcher took schema.icp');
  const file = path.join(ctx.project, 'main.icp');
  const left = await waitFor('main.icp to lose the sellers error', () => {
    const d = ctx.editor.diagnostics(file);
    return d && d.length === 1 ? d : undefined;
  });
  assert.match(left[0].message, /employes/);
});

test('an edit in the editor is checked (incremental sync)', { skip }, async () => {
  ctx.editor.editDocument(ctx.main, MAIN.replace('employes > 100', 'employees > 100'));
  const file = path.join(ctx.project, 'main.icp');
  await waitFor('main.icp to be clean', () => {
    const d = ctx.editor.diagnostics(file);
    return d && d.length === 0;
  });
});

test('settings reach the server: initializationOptions, then didChangeConfiguration', { skip }, async () => {
  const provider = ctx.editor.state.providers.InlayHints;
  assert.ok(provider, `no inlay hint provider: ${Object.keys(ctx.editor.state.providers)}`);
  const hints = async () => {
    const source = new ctx.vscode.CancellationTokenSource();
    const range = new ctx.Range(0, 0, ctx.main.lineCount, 0);
    return (await provider.provideInlayHints(ctx.main, range, source.token)) || [];
  };
  // `icp.inlayHints: false` was sent at start.
  assert.deepEqual(await hints(), []);
  ctx.editor.setSettings({ 'icp.inlayHints': true });
  const shown = await waitFor('inlay hints after icp.inlayHints = true', async () => {
    const h = await hints();
    return h.length > 0 ? h : undefined;
  });
  const labels = shown.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.args[0]).join('')));
  assert.ok(labels.some((l) => /%/.test(l)), JSON.stringify(labels));
  // Only the server's own keys were sent: no warning so far.
  assert.deepEqual(ctx.editor.state.messages.warning, []);

  // A date that is not one: the server says so.
  ctx.editor.setSettings({ 'icp.today': 'soon' });
  const warning = await waitFor('a warning about icp.today', () =>
    ctx.editor.state.messages.warning.find((m) => /today/.test(m)),
  );
  assert.match(warning, /soon/);
  assert.deepEqual(ctx.editor.state.messages.error, []);
});

test('deactivate stops the server cleanly', { skip }, async () => {
  const client = ctx.extension.currentClient();
  await ctx.extension.deactivate();
  assert.equal(client.isRunning(), false);
  assert.equal(ctx.extension.currentClient(), undefined);
  assert.deepEqual(ctx.editor.state.messages.error, []);
});
