// Unit tests for the VS Code client, with `vscode` and the language client stubbed out.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { test, beforeEach } = require('node:test');

const root = path.join(__dirname, '..');
const state = { settings: {}, clients: [], errors: [], commands: {}, configListeners: [], failStart: false };

const vscodeStub = {
  workspace: {
    workspaceFolders: [{ uri: { fsPath: '/proj' } }],
    getConfiguration: (section) => ({
      get: (key, dflt) => {
        const v = state.settings[`${section}.${key}`];
        return v === undefined ? dflt : v;
      },
    }),
    createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
    onDidChangeConfiguration: (fn) => {
      state.configListeners.push(fn);
      return { dispose() {} };
    },
  },
  window: {
    createOutputChannel: (name) => ({ name, show() {}, dispose() {} }),
    showErrorMessage: async (msg) => {
      state.errors.push(msg);
      return undefined;
    },
  },
  commands: {
    registerCommand: (id, fn) => {
      state.commands[id] = fn;
      return { dispose() {} };
    },
    executeCommand: async () => undefined,
  },
};

class FakeClient {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
    state.clients.push(this);
  }
  async start() {
    if (state.failStart) throw new Error('spawn icp ENOENT');
    this.started = true;
  }
  async stop() {
    this.stopped = true;
  }
  async sendNotification(method, params) {
    (this.notifications = this.notifications || []).push({ method, params });
  }
}
const clientStub = { LanguageClient: FakeClient };

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'vscode') return vscodeStub;
  if (request === 'vscode-languageclient/node') return clientStub;
  return originalLoad.call(this, request, parent, isMain);
};
const extension = require('../src/extension.js');

function context() {
  return { subscriptions: [] };
}

beforeEach(async () => {
  await extension.deactivate();
  Object.assign(state, { settings: {}, clients: [], errors: [], commands: {}, configListeners: [], failStart: false });
});

test('activate starts `icp lsp` over stdio for icp documents', async () => {
  await extension.activate(context());
  assert.equal(state.clients.length, 1);
  const c = state.clients[0];
  assert.equal(c.id, 'icp');
  assert.ok(c.started);
  // Exactly `icp lsp`: no `transport`, so vscode-languageclient appends no `--stdio`.
  assert.deepEqual(c.serverOptions.run, { command: 'icp', args: ['lsp'] });
  assert.deepEqual(
    c.clientOptions.documentSelector.map((s) => s.language),
    ['icp', 'icp'],
  );
  // No watcher of the extension's own: the server registers its watcher itself.
  assert.equal(c.clientOptions.synchronize, undefined);
  assert.deepEqual(c.clientOptions.initializationOptions, {
    icp: { sample: null, today: null, codeLens: true, inlayHints: true },
  });
  assert.ok(state.commands['icp.restartServer']);
});

test('icp.path and extra args are honoured, with ~ and ${workspaceFolder} expanded', async () => {
  state.settings['icp.path'] = '${workspaceFolder}/target/debug/icp';
  state.settings['icp.server.extraArgs'] = ['--verbose'];
  await extension.activate(context());
  const run = state.clients[0].serverOptions.run;
  assert.equal(run.command, '/proj/target/debug/icp');
  assert.deepEqual(run.args, ['lsp', '--verbose']);
  assert.equal(extension.expandPath('~/bin/icp'), path.join(os.homedir(), 'bin/icp'));
  assert.equal(extension.expandPath('  '), 'icp');
});

test('changing icp.path restarts the server', async () => {
  await extension.activate(context());
  state.settings['icp.path'] = '/opt/icp';
  const event = { affectsConfiguration: (s) => s === 'icp.path' };
  for (const fn of state.configListeners) fn(event);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(state.clients.length, 2);
  assert.ok(state.clients[0].stopped);
  assert.equal(state.clients[1].serverOptions.run.command, '/opt/icp');
  assert.ok(state.clients[1].started);
});

test('the server settings: only its four keys, empty strings as null', async () => {
  Object.assign(state.settings, {
    'icp.sample': ' data/accounts.csv ',
    'icp.today': '',
    'icp.codeLens': false,
    'icp.trace.server': 'verbose',
  });
  assert.deepEqual(extension.serverSettings(), {
    icp: { sample: 'data/accounts.csv', today: null, codeLens: false, inlayHints: true },
  });
  await extension.activate(context());
  assert.equal(state.clients[0].clientOptions.initializationOptions.icp.codeLens, false);
});

test('changing a server setting sends didChangeConfiguration, without a restart', async () => {
  await extension.activate(context());
  state.settings['icp.today'] = '2027-01-15';
  const event = { affectsConfiguration: (s) => s === 'icp' || s === 'icp.today' };
  for (const fn of state.configListeners) fn(event);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(state.clients.length, 1, 'no restart');
  assert.deepEqual(state.clients[0].notifications, [
    {
      method: 'workspace/didChangeConfiguration',
      params: { settings: { icp: { sample: null, today: '2027-01-15', codeLens: true, inlayHints: true } } },
    },
  ]);
  // A change elsewhere sends nothing.
  for (const fn of state.configListeners) fn({ affectsConfiguration: (s) => s === 'editor.fontSize' });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(state.clients[0].notifications.length, 1);
});

test('a missing binary gives an actionable error, not a crash', async () => {
  state.failStart = true;
  state.settings['icp.path'] = '/nowhere/icp';
  await extension.activate(context());
  assert.equal(state.errors.length, 1);
  assert.match(state.errors[0], /\/nowhere\/icp lsp/);
  assert.match(state.errors[0], /icp\.path/);
});

test('package.json wires the language, grammar, configuration and activation', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const lang = pkg.contributes.languages.find((l) => l.id === 'icp');
  assert.deepEqual(lang.extensions, ['.icp']);
  assert.ok(fs.existsSync(path.join(root, lang.configuration)));
  const grammar = pkg.contributes.grammars.find((g) => g.language === 'icp');
  assert.equal(grammar.scopeName, 'source.icp');
  const tm = JSON.parse(fs.readFileSync(path.join(root, grammar.path), 'utf8'));
  assert.equal(tm.scopeName, 'source.icp');
  assert.equal(pkg.contributes.configuration.properties['icp.path'].default, 'icp');
  assert.ok(pkg.activationEvents.includes('onLanguage:icp'));
  // The bundle (npm run bundle; vsce runs it through vscode:prepublish) is the entry point.
  assert.equal(pkg.main, './dist/extension.js');
  assert.match(pkg.scripts.bundle, /--outfile=dist\/extension\.js/);
  assert.match(pkg.scripts.bundle, /--external:vscode/);
  assert.equal(pkg.scripts['vscode:prepublish'], 'npm run bundle');
  assert.equal(pkg.dependencies, undefined, 'runtime code is bundled: no dependencies to ship');
  const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('node_modules/**') && ignore.includes('src/**'));
  assert.ok(!ignore.some((l) => l.startsWith('dist')));
  // Untrusted workspaces: limited, and a folder cannot pick the binary.
  const trust = pkg.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.deepEqual(trust.restrictedConfigurations, ['icp.path', 'icp.server.extraArgs']);
  // Every server setting has a VS Code setting.
  for (const key of ['sample', 'today', 'codeLens', 'inlayHints']) {
    assert.ok(pkg.contributes.configuration.properties[`icp.${key}`], `icp.${key}`);
  }
  assert.ok(!JSON.stringify(pkg).includes('example.invalid'));
  // Versions are pinned exactly.
  for (const deps of [pkg.dependencies || {}, pkg.devDependencies]) {
    for (const [name, version] of Object.entries(deps)) {
      assert.match(version, /^\d+\.\d+\.\d+$/, `${name} must be pinned`);
    }
  }
});

test('language-configuration.json: // comments, brackets, valid regexes', () => {
  const conf = JSON.parse(fs.readFileSync(path.join(root, 'language-configuration.json'), 'utf8'));
  assert.equal(conf.comments.lineComment, '//');
  assert.deepEqual(conf.brackets, [['{', '}'], ['[', ']'], ['(', ')']]);
  const word = new RegExp(conf.wordPattern);
  assert.equal('$2M'.match(word)[0], '$2M');
  assert.equal('70%'.match(word)[0], '70%');
  assert.equal('2027-01-31'.match(word)[0], '2027-01-31');
  const inc = new RegExp(conf.indentationRules.increaseIndentPattern);
  assert.ok(inc.test('  group able "Able" {'));
  assert.ok(inc.test('schema Account {   // fields'));
  assert.ok(!inc.test('  criterion x weight 1 { a > 1 }'));
  assert.ok(!inc.test('// a comment {'));
  assert.ok(new RegExp(conf.indentationRules.decreaseIndentPattern).test('  }'));
});

test('the real vscode-languageclient is installed (bundled into dist/extension.js)', () => {
  const resolved = require.resolve('vscode-languageclient/node', { paths: [root] });
  assert.ok(resolved.includes(`node_modules${path.sep}vscode-languageclient`));
});
