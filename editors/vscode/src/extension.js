// VS Code client for the ICP language server (`icp lsp`, stdio).
//
// Plain JavaScript on purpose: no build step, so `npx @vscode/vsce package` works right after
// `npm ci`. The only runtime dependency is `vscode-languageclient`, bundled into the .vsix.
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
    synchronize: {
      // Imports and the project file (`icp.toml`, with its `[lsp] sample`) change results.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.icp,icp.toml}'),
    },
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
      }
    }),
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate, serverCommand, expandPath };
