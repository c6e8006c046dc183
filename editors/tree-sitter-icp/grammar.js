/**
 * @file Tree-sitter grammar for ICP, the Ideal Customer Profile language.
 *
 * The language is defined by `grammar/icp.pest` (read by the compiler) and documented in
 * `docs/language.md`. This grammar follows the pest grammar rule for rule (node names are the
 * pest rule names where they exist) but is written for editors: it accepts a little more
 * than pest (`a < b < c`, any expression as a range bound), which `icp check` reports.
 *
 * Keywords are contextual, as in pest: `stage`, `count`, `key` or `from` are valid field names.
 * Tree-sitter reads a word as a keyword only where the keyword may appear (the `word` rule);
 * where a keyword and a name may both appear (a field named `key` after a field's `key` flag,
 * a case's field named `expect`, `contains any` beside a field named `any`, a criterion
 * `{ perfect }` over a field named `perfect`), the keyword is also accepted as a name.
 *
 * `crates/icp-syntax/tests/keywords.rs` checks that the keywords here are those of icp.pest.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const PREC = {
  or: 1,
  and: 2,
  not: 3,
  compare: 4,
  coalesce: 5,
  add: 6,
  multiply: 7,
  unary: 8,
  call: 9,
};

/** `rule` one or more times, separated by `sep`. */
function sep1(rule, sep) {
  return seq(rule, repeat(seq(sep, rule)));
}

/** `rule` separated by commas, with an optional trailing comma. */
function commaSep(rule) {
  return optional(seq(sep1(rule, ','), optional(',')));
}

module.exports = grammar({
  name: 'icp',

  word: $ => $.identifier,

  extras: $ => [/\s/, '\uFEFF', $.comment],

  conflicts: $ => [
    // `x: text key` then a field named `key`, `from` or `as` on the next line.
    [$.field],
  ],

  supertypes: $ => [$._expression, $._item],

  rules: {
    source_file: $ => repeat($._item),

    _item: $ => choice($.import, $.schema, $.situation, $.segment, $.profile, $.test),

    // ---------------------------------------------------------------------------------------
    // Items

    import: $ => seq('import', field('path', $.string)),

    schema: $ => seq(
      'schema',
      field('name', $.identifier),
      '{',
      repeat(seq($.field, optional(','))),
      '}',
    ),

    field: $ => seq(
      field('name', $._field_name),
      ':',
      field('type', $.type),
      repeat(choice($.from_clause, 'key', $.as_fraction)),
    ),

    // A field may be called like a word that can follow a type.
    _field_name: $ => choice($.identifier, alias(choice('from', 'key', 'as'), $.identifier)),

    from_clause: $ => seq('from', field('column', $.string)),
    as_fraction: _ => seq('as', 'fraction'),

    type: $ => seq(
      choice($.enum_type, $.set_type, alias($.identifier, $.type_identifier)),
      optional($.optional_mark),
    ),
    optional_mark: _ => '?',
    set_type: $ => seq('set', '<', $.type, '>'),
    enum_type: $ => seq(
      'enum',
      '{',
      optional(seq(
        sep1($.variant, choice(',', alias('<', $.enum_lt))),
        optional(','),
      )),
      '}',
    ),
    enum_lt: _ => '<',
    variant: $ => seq(
      field('name', $.identifier),
      optional(seq(
        '=',
        choice($.catch_all, sep1(field('reads', $.string), '|')),
      )),
    ),
    catch_all: _ => '_',

    situation: $ => seq(
      'situation',
      field('name', $.identifier),
      optional(field('title', $.string)),
      optional($.for_clause),
      '{',
      repeat(choice($.timeframe, $.goal, $.milestone, $.capability)),
      '}',
    ),
    timeframe: $ => seq('timeframe', field('start', $.date), '..', field('end', $.date)),
    goal: $ => seq(
      'goal',
      field('name', $.identifier),
      optional(field('title', $.string)),
      field('metric', choice('count', $.sum_metric)),
      field('operator', $.cmp_op),
      field('target', $._expression),
      optional($.where_clause),
    ),
    sum_metric: $ => seq('sum', '(', field('field', $.identifier), ')'),
    where_clause: $ => seq('where', $._expression),
    milestone: $ => seq(
      'milestone',
      field('date', $._expression),
      field('goal', $.identifier),
      field('operator', $.cmp_op),
      field('target', $._expression),
    ),
    capability: $ => seq(
      'capability',
      field('name', $.identifier),
      '=',
      field('value', $._expression),
    ),

    segment: $ => seq(
      'segment',
      field('name', $.identifier),
      optional(field('title', $.string)),
      optional($.for_clause),
      '{',
      field('condition', $._expression),
      '}',
    ),

    for_clause: $ => seq('for', field('schema', $.identifier)),
    in_clause: $ => seq('in', field('situation', $.identifier)),

    profile: $ => seq(
      'profile',
      field('name', $.identifier),
      optional(field('title', $.string)),
      optional($.for_clause),
      optional($.in_clause),
      '{',
      repeat($._profile_member),
      '}',
    ),
    _profile_member: $ => choice(
      $.criterion,
      $.tier,
      $.group,
      $.exclude,
      $.let_binding,
      $.target,
      $.practical_share,
    ),
    target: $ => seq('target', sep1(field('segment', $.identifier), ',')),
    practical_share: $ => seq('practical_share', field('value', $._expression)),
    let_binding: $ => seq('let', field('name', $.identifier), '=', field('value', $._expression)),
    group: $ => seq(
      'group',
      field('name', $.identifier),
      optional(field('title', $.string)),
      '{',
      repeat($.criterion),
      '}',
    ),
    criterion: $ => seq(
      'criterion',
      field('name', $.identifier),
      optional(field('title', $.string)),
      $.weight,
      optional($.practical_share),
      '{',
      field('body', choice($.scorecard, $._expression, alias('perfect', $.reference))),
      '}',
    ),
    weight: $ => seq('weight', field('value', $.weight_value)),
    weight_value: _ => /-?[0-9]+(\.[0-9]+)?/,
    scorecard: $ => seq($.perfect_branch, optional($.practical_branch)),
    perfect_branch: $ => seq('perfect', 'when', field('condition', $._expression)),
    practical_branch: $ => seq('practical', 'when', field('condition', $._expression)),
    exclude: $ => seq(
      'exclude',
      field('name', $.identifier),
      optional(field('title', $.string)),
      '{',
      field('condition', $._expression),
      '}',
    ),
    tier: $ => seq(
      'tier',
      field('name', $.identifier),
      optional(field('action', $.string)),
      optional(choice($.threshold, $.tier_when)),
    ),
    threshold: $ => seq('>=', field('value', $._expression)),
    tier_when: $ => seq('when', field('condition', $._expression)),

    test: $ => seq(
      'test',
      field('name', $.string),
      '{',
      repeat(choice($.test_profile, $.as_of, $.account, $.expect, $.test_case, $.cases_from)),
      '}',
    ),
    test_profile: $ => seq('profile', field('profile', $.identifier)),
    as_of: $ => seq('as_of', field('date', $.date)),
    account: $ => seq('account', '{', commaSep($.account_field), '}'),
    account_field: $ => seq(field('name', $.identifier), ':', field('value', $._expression)),
    test_case: $ => seq(
      'case',
      field('name', $.string),
      '{',
      repeat(seq(alias($._case_field, $.account_field), optional(','))),
      repeat($.expect),
      '}',
    ),
    // A case's field may be called `expect`.
    _case_field: $ => seq(
      field('name', choice($.identifier, alias('expect', $.identifier))),
      ':',
      field('value', $._expression),
    ),
    /// `cases from "cases.csv"`: a table of cases read from a CSV file.
    cases_from: $ => seq('cases', 'from', field('path', $.string)),
    expect: $ => seq('expect', choice(
      $.expect_tier,
      $.expect_reason,
      $.expect_excluded_by,
      $.expect_in_segment,
      $.expect_criterion,
      $.expect_action,
      $.expect_compare,
    )),
    expect_tier: $ => seq('tier', field('tier', $.identifier)),
    expect_reason: $ => seq('reason', field('name', $.identifier)),
    expect_excluded_by: $ => seq('excluded_by', field('exclusion', $.identifier)),
    expect_in_segment: $ => seq('in_segment', field('segment', $.identifier)),
    expect_criterion: $ => seq(
      'criterion',
      field('criterion', $.identifier),
      field('outcome', $.expect_outcome),
    ),
    expect_outcome: _ => choice('true', 'false', 'unknown', 'perfect', 'practical'),
    expect_action: $ => seq('action', field('action', $.string)),
    expect_compare: $ => seq(
      field('metric', choice($.group_score, 'score', 'coverage')),
      field('operator', $.cmp_op),
      field('value', $._expression),
    ),
    group_score: $ => seq('score', '.', field('group', $.identifier)),

    // ---------------------------------------------------------------------------------------
    // Expressions (precedence as in docs/language.md, loosest first)

    _expression: $ => choice(
      $.binary_expression,
      $.unary_expression,
      $.in_expression,
      $.contains_expression,
      $.is_expression,
      $.call_expression,
      $.member_expression,
      $.parenthesized_expression,
      $.list,
      alias($.identifier, $.reference),
      $._literal,
    ),

    binary_expression: $ => choice(
      ...[
        ['or', PREC.or],
        ['and', PREC.and],
        [$.cmp_op, PREC.compare],
        ['??', PREC.coalesce],
        [choice('+', '-'), PREC.add],
        [choice('*', '/'), PREC.multiply],
      ].map(([operator, precedence]) => prec.left(/** @type {number} */ (precedence), seq(
        field('left', $._expression),
        // @ts-ignore
        field('operator', operator),
        field('right', $._expression),
      ))),
    ),

    unary_expression: $ => choice(
      prec(PREC.not, seq(field('operator', 'not'), field('operand', $._expression))),
      prec(PREC.unary, seq(field('operator', '-'), field('operand', $._expression))),
    ),

    in_expression: $ => prec.left(PREC.compare, seq(
      field('value', $._expression),
      optional(field('negated', 'not')),
      'in',
      field('set', choice($.list, $.range)),
    )),
    range: $ => prec.left(PREC.compare, seq(
      field('low', $._expression),
      '..',
      field('high', $._expression),
    )),

    contains_expression: $ => prec.left(PREC.compare, seq(
      field('haystack', $._expression),
      'contains',
      choice(
        seq(field('quantifier', choice('any', 'all')), field('needles', $.list)),
        field('needle', choice($._expression, alias(choice('any', 'all'), $.reference))),
      ),
    )),

    is_expression: $ => prec.left(PREC.compare, seq(
      field('value', $._expression),
      'is',
      field('test', choice('missing', 'present')),
    )),

    call_expression: $ => prec(PREC.call, seq(
      field('function', $.identifier),
      field('arguments', $.arguments),
    )),
    arguments: $ => seq('(', optional(sep1($._expression, ',')), ')'),

    member_expression: $ => prec(PREC.call, seq(
      field('object', $.identifier),
      '.',
      field('property', $.identifier),
    )),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    list: $ => seq('[', commaSep($._expression), ']'),

    cmp_op: _ => choice('==', '!=', '<=', '>=', '<', '>'),

    // ---------------------------------------------------------------------------------------
    // Literals

    _literal: $ => choice($.date, $.money, $.percent, $.duration, $.number, $.string, $.boolean),

    /// `2027-01-31`
    date: _ => token(prec(2, /[0-9]{4}-[0-9]{2}-[0-9]{2}/)),
    /// `$100k`, `$2M`, `$1.5B`, `$250`
    money: _ => /\$[0-9]+(\.[0-9]+)?[kKmMbB]?/,
    /// `70%`, `33.3%`
    percent: _ => /[0-9]+(\.[0-9]+)?%/,
    /// `90d`, `12w` (another unit parses, and `icp check` reports it)
    duration: _ => /[0-9]+(\.[0-9]+)?[A-Za-z_][A-Za-z0-9_]*/,
    /// `42`, `3.5`
    number: _ => /[0-9]+(\.[0-9]+)?/,
    boolean: _ => choice('true', 'false'),

    /// `"text"` with `\"`, `\\`, `\n` and `\t` escapes (any other escape parses, and
    /// `icp check` reports it); a string does not span lines.
    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence)),
      token.immediate('"'),
    ),
    string_content: _ => token.immediate(prec(1, /[^"\\\n]+/)),
    escape_sequence: _ => token.immediate(/\\[^\n]/),

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,

    comment: _ => token(seq('//', /[^\n]*/)),
  },
});
