//! The oracle against hand-computed results: the worked example of docs/language.md and the
//! rules of LANGUAGE.md's Revision 2, so that the second evaluator is itself checked against the
//! contract and not only against the first one.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use icp_oracle::eval::{self, Outcome};
use icp_oracle::model::Program;
use icp_oracle::read;

const TODAY: &str = "2027-01-15";

fn score(src: &str, csv: &str) -> Vec<Outcome> {
    let prog = Program::load(src, None).unwrap();
    let rows = read::read_csv(&prog, csv).unwrap();
    eval::score_rows(&prog, &rows, read::parse_date(TODAY).unwrap()).unwrap()
}

fn shown(o: &Outcome) -> (String, String, String) {
    (
        o.tier.clone(),
        o.score.map(eval::display).unwrap_or_default(),
        o.coverage.map(eval::display).unwrap_or_default(),
    )
}

fn row(tier: &str, score: &str, coverage: &str) -> (String, String, String) {
    (tier.into(), score.into(), coverage.into())
}

const WORKED: &str = r#"
schema Account {
  id:         text key
  employees:  int
  marketers:  int?
  revenue:    money?
  funding:    enum { none, seed, series_a, series_b, later, public }
  tech:       set<text>
  intent:     percent?
  last_touch: date?
}
situation q1_2027 for Account {
  timeframe 2027-01-01 .. 2027-03-31
  capability full_ui = false
}
segment mary_marketer { employees in 10..1000 and marketers >= 1 }
profile mid_market for Account in q1_2027 {
  target mary_marketer
  practical_share 50%
  let revenue_per_employee = revenue / employees
  group ready { criterion urgent_need weight 15 { intent >= 70% } }
  group able {
    criterion size weight 20 {
      perfect   when employees in 50..200
      practical when employees in 10..1000
    }
    criterion budget    weight 25 { revenue >= $2M }
    criterion efficient weight 5  { revenue_per_employee >= $100k }
  }
  criterion stack       weight 10  { tech contains any ["HubSpot", "Salesforce"] }
  criterion recent      weight 10  { last_touch >= today - 90d }
  criterion legacy_tool weight -10 { tech contains "Marketo" }
  exclude no_marketer { marketers == 0 }
  exclude needs_ui { not situation.full_ui and funding == public }
  tier ideal     >= 80
  tier practical >= 50
  tier not_fit
}
"#;

#[test]
fn the_worked_example_of_the_docs() {
    let csv = "id,employees,marketers,revenue,funding,tech,intent,last_touch\n\
               a,120,2,$5M,series_a,HubSpot,80%,2027-01-02\n\
               b,120,2,,series_a,HubSpot,,2027-01-02\n\
               c,120,,$5M,series_a,HubSpot,80%,2027-01-02\n\
               d,120,2,$5M,public,HubSpot,80%,2027-01-02\n";
    let out = score(WORKED, csv);
    let got: Vec<_> = out.iter().map(shown).collect();
    assert_eq!(
        got,
        vec![
            row("ideal", "94.12", "1.00"),
            row("not_fit", "47.06", "0.53"),
            row("out_of_segment", "94.12", "1.00"),
            row("excluded", "94.12", "1.00"),
        ]
    );
    let groups: Vec<_> = out[0]
        .groups
        .iter()
        .map(|(g, s)| (g.as_str(), eval::display(s.unwrap())))
        .collect();
    assert_eq!(
        groups,
        vec![
            ("ready", "100.00".to_string()),
            ("able", "90.00".to_string())
        ]
    );
}

const ONE: &str = "schema A {\n  id: text key\n  x: int?\n  g: percent?\n  c: percent?\n}\n";

#[test]
fn exact_numbers_revision_2() {
    // 30% - 20% >= 10%, $0.10 + $0.20 == $0.30, and a score landing exactly on a threshold.
    let src = format!(
        "{ONE}profile p for A {{\n  group fit {{\n    criterion a weight 0.3 {{ x >= 1 }}\n    criterion b weight 1.1 {{ x >= 2 }}\n  }}\n  criterion n weight 1 {{ g - c >= 10% }}\n  criterion m weight 1 {{ $0.10 + $0.20 == $0.30 }}\n  tier top >= 100\n  tier rest\n}}\n"
    );
    let out = score(&src, "id,x,g,c\na,5,30%,20%\n");
    assert_eq!(shown(&out[0]), row("top", "100.00", "1.00"));
}

#[test]
fn rounding_is_half_away_from_zero() {
    // 100 × 12.345 / 100: weights 12.345 and 87.655.
    let src = format!(
        "{ONE}profile p for A {{\n  criterion a weight 12.345 {{ x >= 1 }}\n  criterion b weight 87.655 {{ x >= 2 }}\n  tier rest\n}}\n"
    );
    let out = score(&src, "id,x\na,1\n");
    assert_eq!(shown(&out[0]), row("rest", "12.35", "1.00"));
}

#[test]
fn in_is_unknown_on_any_missing_operand() {
    let src = format!(
        "{ONE}profile p for A {{\n  criterion a weight 1 {{ 2 in [x, 2] }}\n  criterion b weight 1 {{ 5 in x..10 }}\n  criterion c weight 1 {{ 0 in x..10 }}\n  tier rest\n}}\n"
    );
    let out = score(&src, "id,x\na,\nb,1\n");
    assert_eq!(shown(&out[0]), row("rest", "0.00", "0.00"));
    assert_eq!(shown(&out[1]), row("rest", "66.67", "1.00"));
}

#[test]
fn scorecard_with_an_unknown_perfect_branch_earns_the_practical_points() {
    let src = format!(
        "{ONE}profile p for A {{\n  criterion a weight 10 {{ perfect when x > 5 practical when g is missing }}\n  criterion b weight 10 {{ perfect when x > 5 }}\n  tier rest\n}}\n"
    );
    let out = score(&src, "id,x,g\na,,\n");
    assert_eq!(shown(&out[0]), row("rest", "25.00", "0.50"));
}

#[test]
fn group_scores_are_clamped_and_tiers_read_them() {
    let src = format!(
        "{ONE}profile p for A {{\n  group g {{\n    criterion a weight 10 {{ x > 100 }}\n    criterion b weight -20 {{ x > 1 }}\n  }}\n  criterion c weight 10 {{ x > 1 }}\n  tier low when score.g <= 0\n  tier rest\n}}\n"
    );
    let out = score(&src, "id,x\na,5\n");
    assert_eq!(
        out[0].groups[0].1.map(eval::display).as_deref(),
        Some("0.00")
    );
    // Overall: (−20 + 10) / 20, clamped to 0.
    assert_eq!(shown(&out[0]), row("low", "0.00", "1.00"));
}

#[test]
fn text_comparisons_fold_case_and_trim() {
    let src = "schema A {\n  id: text key\n  city: text\n  tech: set<text>\n}\nprofile p for A {\n  criterion a weight 1 { city == \"ΣΑΜΟΣ\" }\n  criterion b weight 1 { tech contains \"hubspot\" }\n  criterion c weight 1 { city != \"Straße\" }\n  tier rest\n}\n";
    let out = score(
        src,
        "id,city,tech\na, σαμος ,\"[\"\"HUBSPOT \"\", \"\"Slack\"\"]\"\nb,STRASSE,Slack;HubSpot\nc,ΣΑΜΟΣ,x\n",
    );
    assert_eq!(shown(&out[0]), row("rest", "100.00", "1.00"));
    assert_eq!(shown(&out[1]), row("rest", "66.67", "1.00"));
    assert_eq!(shown(&out[2]), row("rest", "66.67", "1.00"));
}

#[test]
fn reading_cells() {
    let src = "schema A {\n  id: text key\n  n: int?\n  m: money?\n  b: bool?\n  p: percent?\n}\nprofile p for A {\n  criterion a weight 1 { n > 0 }\n  tier rest\n}\n";
    let csv = "id,n,m,b,p\n\
               ok1,\"1,200\",$1.82 million,y,33.3\n\
               ok2,2.0,36.9 M,No,33.3%\n\
               bad1,\"12,5\",,,\n\
               bad2,\"1,000,00\",,,\n\
               bad3,2.5,,,\n\
               bad4,$0,,,\n\
               bad5,,12%,,\n\
               bad6,,,on,\n\
               miss,NA,N/A,null,-\n";
    let out = score(src, csv);
    let tiers: Vec<&str> = out.iter().map(|o| o.tier.as_str()).collect();
    assert_eq!(
        tiers,
        [
            "rest", "rest", "invalid", "invalid", "invalid", "invalid", "invalid", "invalid",
            "rest"
        ]
    );
    assert_eq!(shown(&out[8]), row("rest", "0.00", "0.00"));
}

const REV2: &str = r#"
schema Account {
  id:      text key
  funding: enum { none < seed = "Seed" < series_a < later }
  size:    int?
  renewal: date?
}
situation q1 for Account {
  timeframe 2027-01-01 .. 2027-03-31
  milestone start + 30d wins >= 5
  goal wins count >= 25
}
profile p for Account in q1 {
  criterion funded weight 10 { funding >= series_a }
  criterion middle weight 10 { funding in seed..series_a }
  criterion sized weight 10 practical_share 20% {
    perfect when size >= 100
    practical when size >= 10
  }
  criterion renews weight 10 { renewal <= situation.end and renewal >= situation.start }
  tier top "Call them" >= 75
  tier rest
}
"#;

#[test]
fn ordered_enums_criterion_share_and_situation_dates() {
    let out = score(
        REV2,
        "id,funding,size,renewal\na,later,50,2027-02-01\nb,SEED,500,2027-05-01\nc,none,NA,\n",
    );
    // a: funded, not middle, practical 20% of 10 = 2, renews: 22/40
    assert_eq!(shown(&out[0]), row("rest", "55.00", "1.00"));
    // b: middle, perfect, not renewing: 20/40
    assert_eq!(shown(&out[1]), row("rest", "50.00", "1.00"));
    // c: nothing known but funding: 0 of the two decided
    assert_eq!(shown(&out[2]), row("rest", "0.00", "0.50"));
    let prog = Program::load(REV2, None).unwrap();
    assert_eq!(
        prog.actions.get("top").map(String::as_str),
        Some("Call them")
    );
}

#[test]
fn decimal_commas_and_json_input() {
    let src = "schema A {\n  id: text key\n  n: number?\n  m: money?\n  t: set<text>\n  b: bool?\n}\nprofile p for A {\n  criterion big weight 10 { n > 1000 }\n  criterion rich weight 10 { m >= $1.5M }\n  criterion hub weight 10 { t contains \"hubspot\" }\n  criterion yes weight 10 { b }\n  tier rest\n}\n";
    let prog = Program::load(src, None).unwrap();
    let rows = read::read_csv_opts(
        &prog,
        "id;n;m;t;b\na;1.200,5;$1,5 M;HubSpot|X;y\nb;1,5;1.5;;n\nc;12,5;0,500;;\n",
        true,
    )
    .unwrap();
    let today = read::parse_date(TODAY).unwrap();
    let out = eval::score_rows(&prog, &rows, today).unwrap();
    assert_eq!(shown(&out[0]), row("rest", "100.00", "1.00"));
    // `1.5` is not a number with a decimal comma: invalid
    assert_eq!(out[1].tier, "invalid");
    // `12,5` is 12.5 and `0,500` is $0.5; only `b` is unknown
    assert_eq!(shown(&out[2]), row("rest", "0.00", "0.75"));
    let json = r#"[{"ID":"a","n":1200.5,"m":"$1.5M","t":["HubSpot"],"b":true},
                   {"id":"b","n":null,"m":null,"t":"","b":null},
                   {"id":"c","n":[1],"m":"x","t":"","b":null}]"#;
    for (text, lines) in [
        (json.to_string(), false),
        (
            json.trim_start_matches('[')
                .trim_end_matches(']')
                .replace(",\n", "\n"),
            true,
        ),
    ] {
        let rows = read::read_json(&prog, &text, lines, false).unwrap();
        let out = eval::score_rows(&prog, &rows, today).unwrap();
        assert_eq!(shown(&out[0]), row("rest", "100.00", "1.00"));
        assert_eq!(shown(&out[1]), row("rest", "0.00", "0.25"));
        assert_eq!(out[2].tier, "invalid");
        assert_eq!(rows[2].as_ref().unwrap_err().len(), 2);
    }
}
