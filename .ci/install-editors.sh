#!/usr/bin/env bash
# Installs what the editor tests need and runs the cheap editor checks. Idempotent; works as
# root on a fresh Debian machine that reaches only the package registries.
#
#  - Neovim (Debian's package) for crates/icp-cli/tests/nvim_e2e.rs (run by `cargo test`).
#  - editors/vscode: `npm ci` (pinned by package-lock.json), then `npm test`: the TextMate
#    grammar tests (vscode-tmgrammar-test) and the client's unit tests (node --test).
#    Packaging the .vsix is separate: `cd editors/vscode && npx @vscode/vsce package`.
#
# Env: ICP_SKIP_VSCODE=1 skips the VS Code part (e.g. no Node.js wanted).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "install-editors: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

apt_updated=0
apt_install() {
  # Update the package lists only when a package has no install candidate yet.
  local pkg
  for pkg in "$@"; do
    if [ "$apt_updated" -eq 0 ] &&
      ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
      as_root apt-get update -qq
      apt_updated=1
    fi
  done
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

if ! command -v nvim >/dev/null 2>&1; then
  echo "install-editors: installing neovim"
  apt_install neovim
fi
nvim --version | head -n 1

if [ "${ICP_SKIP_VSCODE:-0}" != "1" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-editors: installing nodejs and npm"
    apt_install nodejs npm
  fi
  echo "install-editors: editors/vscode: npm ci && npm test"
  (
    cd editors/vscode
    npm ci --no-audit --no-fund --loglevel=error
    npm test --silent
  )
fi
