#!/usr/bin/env bash
# Renders `icp doc` of two examples to PNG with headless Chromium (Debian's `chromium`) and
# checks that each screenshot is not blank (enough distinct grey levels and ink). Installs
# chromium when it is absent; skips with a message when it cannot be installed.
#
# Usage: tests/doc/render.sh [OUT_DIR]   (default: target/doc-render)
# Env:   ICP=path/to/icp (default: cargo run), ICP_SKIP_CHROMIUM=1 skips.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-target/doc-render}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ "${ICP_SKIP_CHROMIUM:-}" = 1 ]; then
  echo "doc render: skipped (ICP_SKIP_CHROMIUM=1)"
  exit 0
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    return 1
  fi
}

if ! command -v chromium >/dev/null 2>&1; then
  echo "doc render: installing chromium"
  if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    as_root apt-get update -qq || true
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium >/dev/null || true
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "doc render: SKIPPED: chromium is not installed and could not be installed (apt-get install chromium)"
  exit 0
fi

if [ -n "${ICP:-}" ]; then
  icp() { "$ICP" "$@"; }
else
  cargo build --release --quiet -p icp-cli
  bin="$(pwd)/target/release/icp"
  icp() { "$bin" "$@"; }
fi

# name, directory, program, accounts, as-of
cases=(
  "lincoln-murphy examples/lincoln-murphy profile.icp accounts.csv 2026-12-01"
  "fintech-b2b examples/fintech-b2b fintech.icp accounts.csv 2026-03-01"
)
status=0
for c in "${cases[@]}"; do
  read -r name dir program accounts as_of <<<"$c"
  html="$out/$name.html"
  png="$out/$name.png"
  (cd "$dir" && icp doc "$program" --data "$accounts" --as-of "$as_of" -o "$html")
  rm -f "$png"
  # A4 at 96 dpi is 794 px wide; tall enough for the whole page of either example.
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-dev-shm-usage --user-data-dir="$(mktemp -d)" \
    --window-size=900,3400 --screenshot="$png" "file://$html" >/dev/null 2>&1 || true
  if [ ! -s "$png" ]; then
    echo "doc render: $name: chromium wrote no screenshot" >&2
    status=1
    continue
  fi
  if ! python3 tests/doc/not_blank.py "$png"; then
    status=1
  fi
  # Printed on A4 (the page's print CSS), it fits on one or two pages.
  pdf="$out/$name.pdf"
  rm -f "$pdf"
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-dev-shm-usage \
    --user-data-dir="$(mktemp -d)" --no-pdf-header-footer --print-to-pdf="$pdf" \
    "file://$html" >/dev/null 2>&1 || true
  pages=$(python3 -c 'import re,sys; m=re.findall(rb"/Count (\d+)", open(sys.argv[1],"rb").read()); print(max(map(int,m)) if m else 0)' "$pdf" 2>/dev/null || echo 0)
  echo "$name: $pages A4 page(s) printed"
  if [ "$pages" -lt 1 ] || [ "$pages" -gt 2 ]; then
    echo "doc render: $name: printed on $pages A4 pages, expected 1 or 2" >&2
    status=1
  fi
done
exit "$status"
