#!/usr/bin/env bash
# Installs what the editor tests need. Idempotent; works as root on a fresh Debian machine
# that reaches only the package registries.
#
#  - Neovim (Debian's package) for crates/icp-cli/tests/nvim_e2e.rs (run by `cargo test`).
#  - Node.js and npm for editors/vscode, whose tests .ci/test-vscode.sh runs (after
#    `cargo test`, which builds the server they drive).
#
# Env: ICP_SKIP_VSCODE=1 skips Node.js (.ci/test-vscode.sh then skips too, outside CI).
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

if [ "${ICP_SKIP_VSCODE:-0}" != "1" ] && ! command -v npm >/dev/null 2>&1; then
  echo "install-editors: installing nodejs and npm"
  apt_install nodejs npm
fi
