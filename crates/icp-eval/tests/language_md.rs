//! LANGUAGE.md's first program, built by hand as the checker would: its test passes, and
//! the explanations of a few accounts are snapshotted.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use crate::common;

use common::d as dec;
use common::{Eq, Ge, and, cmp, ex, not};
use icp_eval::{ConstRow, Plan, run_test};
use icp_model::{
    Const, Criterion, CriterionBody, Date, EnumId, EnumTy, Exclude, Expect, ExpectKind,
    ExpectMetric, Expr, ExprKind, Field, FieldId, Group, GroupId, Let, LetId, Loc, Profile,
    ProfileId, Program, Schema, SchemaId, Segment, SegmentId, Test, Tier, TierRule, Ty, Value,
    VariantDef,
};
use icp_syntax::ast::ContainsMode;

fn fld(i: u32, ty: Ty) -> Expr {
    ex(ExprKind::Field(FieldId(i)), ty)
}
fn k(c: Const, ty: Ty) -> Expr {
    ex(ExprKind::Const(c), ty)
}
fn money(x: f64) -> Expr {
    k(Const::Num(dec(x)), Ty::Money)
}
fn int(x: f64) -> Expr {
    k(Const::Num(dec(x)), Ty::Int)
}
fn txt(s: &str) -> Expr {
    k(Const::Text(s.into()), Ty::Text)
}
fn d(y: i32, m: u32, dd: u32) -> Date {
    Date::from_ymd(y, m, dd).unwrap()
}
fn variants(names: &[(&str, &[&str])], catch_all: Option<u32>) -> EnumTy {
    EnumTy {
        variants: names
            .iter()
            .map(|(n, s)| VariantDef {
                name: (*n).into(),
                strings: s.iter().map(|x| (*x).to_owned()).collect(),
                loc: Loc::default(),
            })
            .collect(),
        catch_all,
        ordered: false,
    }
}

const EMPLOYEES: u32 = 3;
const MARKETERS: u32 = 4;
const REVENUE: u32 = 5;
const FUNDING: u32 = 7;
const TECH: u32 = 8;
const INTENT: u32 = 9;
const LAST_TOUCH: u32 = 10;

/// The program of LANGUAGE.md's "Syntax" section, as `icp_check::check` produces it.
fn first_program() -> Program {
    let f = |name: &str, column: &str, ty: Ty, optional: bool| Field {
        name: name.into(),
        column: column.into(),
        ty,
        optional,
        fraction: false,
        loc: Loc::default(),
    };
    let schema = Schema {
        name: "Account".into(),
        loc: Loc::default(),
        fields: vec![
            f("id", "Record ID", Ty::Text, false),
            f("name", "Company name", Ty::Text, false),
            f("industry", "industry", Ty::Enum(EnumId(0)), false),
            f("employees", "Number of Employees", Ty::Int, false),
            f("marketers", "marketers", Ty::Int, true),
            f("revenue", "Annual Revenue", Ty::Money, true),
            f("country", "country", Ty::Text, false),
            f("funding", "funding", Ty::Enum(EnumId(1)), false),
            f("tech", "Technologies", Ty::Set(Box::new(Ty::Text)), false),
            f("intent", "Intent", Ty::Percent, true),
            f("last_touch", "Last touch", Ty::Date, true),
            f("stage", "stage", Ty::Enum(EnumId(2)), true),
            f("arr", "arr", Ty::Money, true),
        ],
        key: Some(FieldId(0)),
    };
    let enums = vec![
        variants(
            &[
                ("saas", &["Software"]),
                ("fintech", &["Financial Services"]),
                ("agency", &[]),
                ("other", &[]),
            ],
            Some(3),
        ),
        variants(
            &[
                ("none", &[]),
                ("seed", &[]),
                ("series_a", &[]),
                ("series_b", &[]),
                ("later", &[]),
                ("public", &[]),
            ],
            None,
        ),
        variants(
            &[("open", &[]), ("won", &[]), ("lost", &[]), ("churned", &[])],
            None,
        ),
    ];
    let employees = || fld(EMPLOYEES, Ty::Int);
    let marketers = || fld(MARKETERS, Ty::Int);
    let in_range = |lo: f64, hi: f64| {
        ex(
            ExprKind::InRange {
                expr: Box::new(employees()),
                lo: Box::new(int(lo)),
                hi: Box::new(int(hi)),
            },
            Ty::Bool,
        )
    };
    let segments = vec![
        Segment {
            name: "mary_marketer".into(),
            title: Some("Marketers at companies of 10-1000 employees".into()),
            loc: Loc::default(),
            schema: SchemaId(0),
            cond: and(in_range(10.0, 1000.0), cmp(Ge, marketers(), int(1.0))),
        },
        Segment {
            name: "owner_ollie".into(),
            title: Some("Owners of businesses under 10 employees, no full-time marketer".into()),
            loc: Loc::default(),
            schema: SchemaId(0),
            cond: and(
                cmp(icp_syntax::ast::CmpOp::Lt, employees(), int(10.0)),
                cmp(
                    Eq,
                    ex(
                        ExprKind::Coalesce(Box::new(marketers()), Box::new(int(0.0))),
                        Ty::Int,
                    ),
                    int(0.0),
                ),
            ),
        },
    ];
    let crit =
        |name: &str, title: &str, weight: f64, group: Option<u32>, body: CriterionBody| Criterion {
            name: name.into(),
            title: Some(title.into()),
            loc: Loc::default(),
            weight: dec(weight),
            practical_share: None,
            group: group.map(GroupId),
            body,
        };
    let tech_contains = |mode: ContainsMode, needles: Vec<Expr>| {
        ex(
            ExprKind::Contains {
                expr: Box::new(fld(TECH, Ty::Set(Box::new(Ty::Text)))),
                mode,
                needles,
            },
            Ty::Bool,
        )
    };
    let today_minus_90 = ex(
        ExprKind::Arith(
            icp_model::ArithOp::Sub,
            Box::new(ex(ExprKind::Today, Ty::Date)),
            Box::new(k(Const::Duration(90), Ty::Duration)),
        ),
        Ty::Date,
    );
    let criteria = vec![
        crit(
            "urgent_need",
            "Shows buying intent",
            15.0,
            Some(0),
            CriterionBody::Bool(cmp(
                Ge,
                fld(INTENT, Ty::Percent),
                k(Const::Num(dec(0.7)), Ty::Percent),
            )),
        ),
        crit(
            "size",
            "Company size",
            20.0,
            Some(1),
            CriterionBody::Scorecard {
                perfect: in_range(50.0, 200.0),
                practical: Some(in_range(10.0, 1000.0)),
            },
        ),
        crit(
            "budget",
            "Can afford us",
            25.0,
            Some(1),
            CriterionBody::Bool(cmp(Ge, fld(REVENUE, Ty::Money), money(2e6))),
        ),
        crit(
            "efficient",
            "Revenue per head",
            5.0,
            Some(1),
            CriterionBody::Bool(cmp(
                Ge,
                ex(ExprKind::Let(LetId(0)), Ty::Money),
                money(100_000.0),
            )),
        ),
        crit(
            "stack",
            "Uses a CRM we integrate with",
            10.0,
            None,
            CriterionBody::Bool(tech_contains(
                ContainsMode::Any,
                vec![txt("HubSpot"), txt("Salesforce")],
            )),
        ),
        crit(
            "recent",
            "Touched this quarter",
            10.0,
            None,
            CriterionBody::Bool(cmp(Ge, fld(LAST_TOUCH, Ty::Date), today_minus_90)),
        ),
        crit(
            "legacy_tool",
            "Locked into a competitor",
            -10.0,
            None,
            CriterionBody::Bool(tech_contains(ContainsMode::One, vec![txt("Marketo")])),
        ),
    ];
    let excludes = vec![
        Exclude {
            name: "no_marketer".into(),
            reason: Some("No full-time marketer".into()),
            loc: Loc::default(),
            cond: cmp(Eq, marketers(), int(0.0)),
        },
        Exclude {
            name: "needs_ui".into(),
            reason: Some("Needs a full UI we do not have".into()),
            loc: Loc::default(),
            // `situation.full_ui` is the capability `false`.
            cond: and(
                not(k(Const::Bool(false), Ty::Bool)),
                cmp(
                    Eq,
                    fld(FUNDING, Ty::Enum(EnumId(1))),
                    k(Const::Enum(EnumId(1), 5), Ty::Enum(EnumId(1))),
                ),
            ),
        },
    ];
    let tier = |name: &str, rule: TierRule| Tier {
        name: name.into(),
        action: None,
        loc: Loc::default(),
        rule,
    };
    let profile = Profile {
        name: "mid_market".into(),
        title: Some("Mid-market marketing teams".into()),
        loc: Loc::default(),
        schema: SchemaId(0),
        situation: None,
        targets: vec![SegmentId(0)],
        practical_share: dec(0.5),
        lets: vec![Let {
            name: "revenue_per_employee".into(),
            loc: Loc::default(),
            expr: ex(
                ExprKind::Arith(
                    icp_model::ArithOp::Div,
                    Box::new(fld(REVENUE, Ty::Money)),
                    Box::new(employees()),
                ),
                Ty::Money,
            ),
        }],
        groups: vec![
            Group {
                name: "ready".into(),
                title: Some("Ready".into()),
                loc: Loc::default(),
            },
            Group {
                name: "able".into(),
                title: Some("Able".into()),
                loc: Loc::default(),
            },
        ],
        criteria,
        excludes,
        tiers: vec![
            tier("ideal", TierRule::Threshold(dec(80.0))),
            tier("practical", TierRule::Threshold(dec(50.0))),
            tier("not_fit", TierRule::CatchAll),
        ],
    };
    let expect = |kind: ExpectKind| Expect {
        kind,
        loc: Loc::default(),
    };
    let test = Test {
        name: "a 120-person SaaS with two marketers is ideal".into(),
        loc: Loc::default(),
        profile: ProfileId(0),
        as_of: Some(d(2027, 1, 15)),
        account: vec![
            (FieldId(0), Const::Text("a1".into())),
            (FieldId(1), Const::Text("Acme".into())),
            (FieldId(2), Const::Enum(EnumId(0), 0)),
            (FieldId(3), Const::Num(dec(120.0))),
            (FieldId(4), Const::Num(dec(2.0))),
            (FieldId(5), Const::Num(dec(5e6))),
            (FieldId(6), Const::Text("US".into())),
            (FieldId(7), Const::Enum(EnumId(1), 2)),
            (FieldId(8), Const::List(vec![Const::Text("HubSpot".into())])),
            (FieldId(9), Const::Num(dec(0.8))),
            (FieldId(10), Const::Date(d(2027, 1, 2))),
        ],
        expects: vec![
            expect(ExpectKind::Tier("ideal".into())),
            expect(ExpectKind::Compare {
                metric: ExpectMetric::Score,
                op: Ge,
                value: dec(80.0),
            }),
        ],
    };
    Program {
        schemas: vec![schema],
        enums,
        segments,
        situations: vec![],
        profiles: vec![std::sync::Arc::new(profile)],
        tests: vec![test],
    }
}

#[test]
fn the_test_block_passes() {
    let program = first_program();
    let report = run_test(&program, &program.tests[0], d(2030, 1, 1));
    assert!(report.passed, "{report:#?}");
    assert_eq!(report.today, "2027-01-15");
    let e = report.explanation.unwrap();
    assert_eq!(e.tier, "ideal");
    assert!(e.score > dec(80.0));
    // 15 + 20 + 25 + 10 + 10 of 85; revenue per head is 41,667: not efficient.
    assert_eq!(e.score, dec(94.12));
    assert_eq!(e.coverage, dec(1.0));
}

#[test]
fn failing_expectations_say_what_was_found() {
    let mut program = first_program();
    let test = &mut program.tests[0];
    test.account
        .retain(|(f, _)| f.0 != REVENUE && f.0 != INTENT);
    test.expects.push(Expect {
        kind: ExpectKind::Compare {
            metric: ExpectMetric::Coverage,
            op: Ge,
            value: dec(0.9),
        },
        loc: Loc::default(),
    });
    test.expects.push(Expect {
        kind: ExpectKind::Compare {
            metric: ExpectMetric::GroupScore(GroupId(0)),
            op: Ge,
            value: dec(50.0),
        },
        loc: Loc::default(),
    });
    test.expects.push(Expect {
        kind: ExpectKind::Reason("budget".into()),
        loc: Loc::default(),
    });
    test.expects.push(Expect {
        kind: ExpectKind::Reason("stack".into()),
        loc: Loc::default(),
    });
    let report = run_test(&program, &program.tests[0], d(2030, 1, 1));
    assert!(!report.passed);
    let failures: Vec<(String, String)> = report
        .failures
        .into_iter()
        .map(|f| (f.expected, f.actual))
        .collect();
    insta::assert_debug_snapshot!(failures);
}

#[test]
fn a_required_field_missing_makes_the_account_invalid() {
    let mut program = first_program();
    program.tests[0].account.retain(|(f, _)| f.0 != EMPLOYEES);
    let report = run_test(&program, &program.tests[0], d(2030, 1, 1));
    assert!(!report.passed);
    assert_eq!(
        report.invalid.as_deref(),
        Some("required field `employees` is missing")
    );
    assert_eq!(
        report.failures[0].actual,
        "invalid: required field `employees` is missing"
    );
    program.tests[0].expects = vec![Expect {
        kind: ExpectKind::Tier("invalid".into()),
        loc: Loc::default(),
    }];
    assert!(run_test(&program, &program.tests[0], d(2030, 1, 1)).passed);
}

fn account(program: &Program, edit: impl FnOnce(&mut Vec<(FieldId, Const)>)) -> ConstRow {
    let mut acc = program.tests[0].account.clone();
    edit(&mut acc);
    ConstRow::new(program, &program.schemas[0], &acc)
}

fn plan(program: &Program) -> Plan {
    Plan::new(program, ProfileId(0), d(2027, 1, 15)).unwrap()
}

fn set(acc: &mut Vec<(FieldId, Const)>, f: u32, c: Const) {
    acc.retain(|(x, _)| x.0 != f);
    acc.push((FieldId(f), c));
}

#[test]
fn explanation_of_the_ideal_account() {
    let program = first_program();
    let row = account(&program, |_| {});
    let e = plan(&program).explain(&row.values());
    insta::assert_json_snapshot!(e);
    insta::assert_snapshot!(e.to_text());
}

#[test]
fn explanation_of_a_practical_account_with_unknowns() {
    let program = first_program();
    let row = account(&program, |acc| {
        acc.retain(|(f, _)| f.0 != REVENUE && f.0 != LAST_TOUCH);
        set(acc, EMPLOYEES, Const::Num(dec(600.0)));
        set(
            acc,
            TECH,
            Const::List(vec![
                Const::Text("Marketo".into()),
                Const::Text("Salesforce".into()),
            ]),
        );
    });
    let p = plan(&program);
    let values = row.values();
    let e = p.explain(&values);
    insta::assert_snapshot!(e.to_text());
    // Styling only wraps pieces: the tier and each result, nothing else.
    let styled = e.to_text_styled(&|o, style, text| {
        let _ = std::fmt::Write::write_fmt(o, format_args!("<{style:?}>{text}</>"));
    });
    assert!(styled.contains("tier <Tier>not_fit</>"), "{styled}");
    assert!(styled.contains("<Fails>false</>"), "{styled}");
    assert!(styled.contains("<Unknown>unknown</>"), "{styled}");
    assert!(styled.contains("<Partial>practical</>"), "{styled}");
    let mut plain = styled.clone();
    for tag in [
        "<Tier>",
        "<Holds>",
        "<Partial>",
        "<Fails>",
        "<Unknown>",
        "</>",
    ] {
        plain = plain.replace(tag, "");
    }
    assert_eq!(plain, e.to_text());
    let mut s = p.scratch();
    p.eval(&values, &mut s);
    let mut reasons = String::new();
    p.write_reasons(&s, &mut reasons);
    assert_eq!(
        reasons,
        "urgent_need +15; size +10 (practical); stack +10; legacy_tool -10; unknown: budget, efficient, recent"
    );
}

#[test]
fn explanation_of_an_excluded_account_out_of_segment() {
    let program = first_program();
    let row = account(&program, |acc| {
        set(acc, MARKETERS, Const::Num(dec(0.0)));
        set(acc, FUNDING, Const::Enum(EnumId(1), 5));
    });
    let p = plan(&program);
    let values = row.values();
    let e = p.explain(&values);
    assert_eq!(e.tier, "out_of_segment");
    insta::assert_snapshot!(e.to_text());
    let mut s = p.scratch();
    p.eval(&values, &mut s);
    let mut reasons = String::new();
    p.write_reasons(&s, &mut reasons);
    assert_eq!(
        reasons,
        "out_of_segment: mary_marketer false; excluded: no_marketer (No full-time marketer); \
         excluded: needs_ui (Needs a full UI we do not have); urgent_need +15; size +20; budget +25; stack +10; recent +10"
    );
    // In segment (a marketer) but public: excluded.
    let row = account(&program, |acc| set(acc, FUNDING, Const::Enum(EnumId(1), 5)));
    assert_eq!(p.explain(&row.values()).tier, "excluded");
    let _ = Value::Missing;
}
