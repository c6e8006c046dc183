// VS Code client for the ICP language server (`icp lsp`, stdio).
//
// Plain JavaScript. `npm run bundle` (esbuild) bundles it with `vscode-languageclient` into
// dist/extension.js, the extension's `main`; `vsce package` runs the bundle first.
'use strict';

const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let outputChannel;

/**
 * Expands `~` and `${workspaceFolder}` in the configured binary path.
 * @param {string} raw
 * @returns {string}
 */
function expandPath(raw) {
  let p = (raw || '').trim() || 'icp';
  if (p === '~' || p.startsWith('~/')) {
    p = path.join(os.homedir(), p.slice(1));
  }
  const folders = vscode.workspace.workspaceFolders;
  if (p.includes('${workspaceFolder}')) {
    const root = folders && folders.length > 0 ? folders[0].uri.fsPath : process.cwd();
    p = p.split('${workspaceFolder}').join(root);
  }
  return p;
}

/**
 * The command line that starts the server, read from the `icp.*` settings.
 * @returns {{ command: string, args: string[] }}
 */
function serverCommand() {
  const config = vscode.workspace.getConfiguration('icp');
  const command = expandPath(config.get('path', 'icp'));
  const extra = config.get('server.extraArgs', []);
  const args = ['lsp'].concat(Array.isArray(extra) ? extra.map(String) : []);
  return { command, args };
}

/** The server's settings (see docs/editors.md, "Server settings"), from `icp.*`. */
const SERVER_SETTINGS = ['sample', 'today', 'codeLens', 'inlayHints'];

/**
 * The settings the server reads, as `initializationOptions` and in
 * `workspace/didChangeConfiguration`: only its own keys (the server warns about unknown
 * ones), `null` for "the server's default".
 * @returns {{ icp: { sample: string | null, today: string | null, codeLens: boolean, inlayHints: boolean } }}
 */
function serverSettings() {
  const config = vscode.workspace.getConfiguration('icp');
  const text = (key) => {
    const v = config.get(key, null);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
  };
  const flag = (key) => config.get(key, true) !== false;
  // `icp.sample`: an empty setting means "the project's [lsp] sample"; turning the figures
  // off is `icp.codeLens: false`.
  return {
    icp: { sample: text('sample'), today: text('today'), codeLens: flag('codeLens'), inlayHints: flag('inlayHints') },
  };
}

/** @returns {import('vscode-languageclient/node').ServerOptions} */
function serverOptions() {
  const { command, args } = serverCommand();
  // No `transport`: the client then speaks over the child's stdin/stdout without appending
  // `--stdio` to the arguments, so the command line is exactly `icp lsp`.
  const executable = { command, args };
  return { run: executable, debug: executable };
}

/** @returns {import('vscode-languageclient/node').LanguageClientOptions} */
function clientOptions() {
  return {
    documentSelector: [
      { scheme: 'file', language: 'icp' },
      { scheme: 'untitled', language: 'icp' },
    ],
    // No `synchronize.fileEvents`: the server registers its own watcher (sources, icp.toml,
    // samples) through `client/registerCapability`, which the client honours.
    initializationOptions: serverSettings(),
    outputChannel,
  };
}

async function startClient() {
  const { command } = serverCommand();
  client = new LanguageClient('icp', 'ICP Language Server', serverOptions(), clientOptions());
  try {
    await client.start();
  } catch (err) {
    const message = err && err.message ? err.message : String(err);
    client = undefined;
    const choice = await vscode.window.showErrorMessage(
      `ICP: could not start the language server with \`${command} lsp\`: ${message}. ` +
        'Install `icp` (cargo install --path crates/icp-cli) or set `icp.path`.',
      'Open Settings',
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'icp.path');
    }
  }
}

async function stopClient() {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

async function restartClient() {
  await stopClient();
  await startClient();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  outputChannel = vscode.window.createOutputChannel('ICP Language Server');
  context.subscriptions.push(
    outputChannel,
    vscode.commands.registerCommand('icp.restartServer', restartClient),
    vscode.commands.registerCommand('icp.showOutput', () => outputChannel && outputChannel.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('icp.path') || event.affectsConfiguration('icp.server')) {
        void restartClient();
      } else if (client && SERVER_SETTINGS.some((k) => event.affectsConfiguration(`icp.${k}`))) {
        void client
          .sendNotification('workspace/didChangeConfiguration', { settings: serverSettings() })
          .catch(() => undefined);
      }
    }),
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

/** The running client (for tests). */
function currentClient() {
  return client;
}

module.exports = { activate, deactivate, serverCommand, serverSettings, expandPath, currentClient };
