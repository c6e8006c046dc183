#!/usr/bin/env bash
# The VS Code extension's tests, as CI runs them (after `cargo test`, which built `icp`):
#   npm ci (the committed package-lock.json), then `npm test` in editors/vscode:
#   - the TextMate grammar tests (vscode-tmgrammar-test, tests/*.icp);
#   - the client's unit tests (test/extension.test.js, `vscode` and the client stubbed);
#   - `npm run bundle` (esbuild -> dist/extension.js, what the .vsix holds), then the bundled
#     client driven against the real `icp lsp` (test/client.test.js, `vscode` stubbed).
# ICP_BIN names the server binary (default: target/release/icp when it exists, else the test
# runs `cargo build -p icp-cli`). Without npm the tests are skipped, with a message, unless
# CI is set (then it is an error).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  if [ -n "${CI:-}" ]; then
    echo "test-vscode: npm is not installed (run .ci/install-editors.sh)" >&2
    exit 1
  fi
  echo "test-vscode: SKIPPED: npm is not installed (apt-get install nodejs npm)"
  exit 0
fi
if [ -z "${ICP_BIN:-}" ] && [ -x target/release/icp ]; then
  ICP_BIN="$PWD/target/release/icp"
  export ICP_BIN
fi
cd editors/vscode
npm ci --no-audit --no-fund --loglevel=error
npm test --silent
