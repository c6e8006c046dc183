# Sourced by differential.sh and spark.sh: make_cases DIR N_RANDOM SEED writes one typed case
# per example profile (examples/*/, its accounts typed by the oracle's reader) and N_RANDOM
# random programs with messy rows (icp-oracle's generator) into DIR, with
# `crates/icp-sql/examples/typed_cases.rs` (see its doc comment).
make_cases() {
  local dir="$1" n="$2" seed="$3" ex main data p
  (cd "$root" && cargo build --release --quiet -p icp-sql --example typed_cases)
  local gen=("${CARGO_TARGET_DIR:-$root/target}/release/examples/typed_cases")
  (cd "$root" && "${gen[@]}" random "$dir" "$n" "$seed" 30 >/dev/null)
  for ex in "$root"/examples/*/; do
    main="$(grep -l '^profile' "$ex"*.icp | head -1)"
    data=""
    for f in "$ex"accounts.csv "$ex"companies.csv; do [ -f "$f" ] && data="$f" && break; done
    [ -n "$main" ] && [ -n "$data" ] || continue
    for p in $(grep -ho '^profile [A-Za-z_0-9]*' "$main" | cut -d' ' -f2); do
      # the main file first (it is what icp compiles and scores), then the others for the oracle
      (cd "$root" && "${gen[@]}" data "$dir/example-$(basename "$ex")-$p" "$data" "$p" \
        "$main" $(ls "$ex"*.icp | grep -v -x -F "$main" || true)) \
        || echo "example $(basename "$ex") profile $p: no typed case (see above)"
    done
  done
}
