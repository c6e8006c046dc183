# Sourced by engines.sh and spark.sh: make_raw_cases WORK ICP PYTHON DIALECT... writes the
# `--raw-text` cases into WORK: every example's data with its program, the Inc. 5000 file of
# /work/shared/data (ICP_INC5000) when it differs from the example's, and messy.py's messy
# cells of every type for messy.icp (600 rows, and 300 with a decimal comma), and for Spark
# large.py's money, numbers and weights near the limits docs/sql.md states. For each case
# NAME: WORK/NAME.json (`icp score --format json`), WORK/NAME.DIALECT.sql (`icp compile
# --raw-text`) and a line `NAME<TAB>DATA` in WORK/raw_cases.tsv, the list raw.py reads
# (a case without the engine's SQL file is not run on it).
make_raw_cases() {
  local work="$1" icp="$2" python="$3" asof=2026-01-01 ex shared
  shift 3
  local dialects=("$@")
  local eng="$root/crates/icp-sql/tests/engines"
  "$python" "$eng/messy.py" "$work/messy.csv" 600 15
  "$python" "$eng/messy.py" "$work/messy_comma.csv" 300 16 comma
  "$python" "$eng/large.py" "$work/large.csv"
  : > "$work/raw_cases.tsv"
  add_raw() { # name program data profile [extra flags of score and compile]
    local name=$1 program=$2 input=$3 profile=$4 pflag=() d
    shift 4
    [ -f "$input" ] || { echo "raw $name: SKIPPED (no $input)"; return; }
    [ "$profile" != - ] && pflag=(--profile "$profile")
    pflag+=("$@")
    "$icp" score "$program" "$input" "${pflag[@]}" --format json --as-of $asof > "$work/$name.json" 2>/dev/null || true
    for d in "${dialects[@]}"; do
      "$icp" compile "$program" "${pflag[@]}" --raw-text --dialect "$d" --as-of $asof --table accounts > "$work/$name.$d.sql"
    done
    printf '%s\t%s\n' "$name" "$input" >> "$work/raw_cases.tsv"
  }
  ex="$root/examples"
  add_raw fintech "$ex/fintech-b2b/fintech.icp" "$ex/fintech-b2b/accounts.csv" -
  add_raw helpdesk "$ex/helpdesk-saas/profile.icp" "$ex/helpdesk-saas/accounts.csv" -
  add_raw hubspot_mary "$ex/hubspot-personas/profile.icp" "$ex/hubspot-personas/accounts.csv" mary
  add_raw hubspot_ollie "$ex/hubspot-personas/profile.icp" "$ex/hubspot-personas/accounts.csv" ollie
  add_raw inc5000 "$ex/inc5000/profile.icp" "$ex/inc5000/companies.csv" -
  add_raw lincoln "$ex/lincoln-murphy/profile.icp" "$ex/lincoln-murphy/accounts.csv" -
  add_raw agency "$ex/marketing-agency/agency.icp" "$ex/marketing-agency/accounts.csv" -
  add_raw beauty "$ex/sustainable-beauty-b2c/beauty.icp" "$ex/sustainable-beauty-b2c/accounts.csv" -
  shared="${ICP_INC5000:-/work/shared/data/inc5000/companies.csv}"
  if ! cmp -s "$shared" "$ex/inc5000/companies.csv"; then
    add_raw inc5000_shared "$ex/inc5000/profile.icp" "$shared" -
  fi
  add_raw messy "$eng/messy.icp" "$work/messy.csv" -
  add_raw messy_comma "$eng/messy.icp" "$work/messy_comma.csv" - --decimal ,
  # Values near the limits: Spark only (DuckDB and Snowflake raise on a sum or product beyond
  # their decimal, PostgreSQL and BigQuery keep values native has as missing: docs/sql.md).
  if [[ " ${dialects[*]} " == *" spark "* ]]; then
    dialects=(spark)
    add_raw large "$eng/large.icp" "$work/large.csv" big
    add_raw large_fine "$eng/large.icp" "$work/large.csv" fine
  fi
}
