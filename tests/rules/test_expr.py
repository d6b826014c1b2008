"""The rule language: three-valued logic, vectorised results, and its refusals."""

import numpy as np
import pandas as pd
import pytest

from screening.rules.expr import (
    ExpressionSyntaxError,
    ExpressionTypeError,
    ForbiddenConstructError,
    UnknownColumnError,
    compile_rule,
    is_valid,
    parse,
)

TYPES = {"a": "number", "b": "number", "flag": "bool", "other": "bool", "sector": "text"}
NAN = np.nan


def ev(rule: str, **cols) -> list:
    frame = pd.DataFrame(cols)
    out = compile_rule(rule, TYPES, boolean=False).evaluate(frame)
    return [None if np.isnan(v) else v for v in out]


@pytest.mark.parametrize(
    "rule, expected",
    [
        ("flag and other", [1.0, 0.0, None, 0.0, None]),
        ("flag or other", [1.0, 1.0, 1.0, None, None]),
        ("not flag", [0.0, 0.0, 0.0, 1.0, None]),
        ("flag == true", [1.0, 1.0, 1.0, 0.0, None]),
        ("flag == false", [0.0, 0.0, 0.0, 1.0, None]),
        ("flag is null", [0.0, 0.0, 0.0, 0.0, 1.0]),
        ("other is not null", [1.0, 1.0, 0.0, 0.0, 0.0]),
    ],
    ids=["and", "or", "not", "eq-true", "eq-false", "is-null", "is-not-null"],
)
def test_kleene_logic(rule, expected):
    # rows: (T,T) (T,F) (T,?) (F,?) (?,?)
    flag = [1.0, 1.0, 1.0, 0.0, NAN]
    other = [1.0, 0.0, NAN, NAN, NAN]
    assert ev(rule, flag=flag, other=other) == expected


def test_false_and_unknown_is_false_but_true_and_unknown_is_unknown():
    rule = compile_rule("flag and other", TYPES)
    frame = pd.DataFrame({"flag": [0.0, 1.0], "other": [NAN, NAN]})
    assert rule.evaluate(frame)[0] == 0.0
    assert np.isnan(rule.evaluate(frame)[1])
    assert rule.fires(frame).tolist() == [False, False]


@pytest.mark.parametrize(
    "rule, expected",
    [
        ("a + b * 2", [5.0, None, None]),
        ("(a + b) * 2", [6.0, None, None]),
        ("a / b", [0.5, None, None]),
        ("-a + 1", [0.0, -1.0, None]),
        ("min(a, b)", [1.0, 2.0, None]),
        ("max(a, b)", [2.0, 2.0, None]),
        ("coalesce(b, 9)", [2.0, 9.0, 9.0]),
        ("abs(a - 5)", [4.0, 3.0, None]),
    ],
)
def test_arithmetic_and_functions(rule, expected):
    assert ev(rule, a=[1.0, 2.0, NAN], b=[2.0, 0.0 if "/" in rule else NAN, NAN]) == expected


def test_division_by_zero_is_unknown():
    assert ev("a / b > 1", a=[1.0, 4.0], b=[0.0, 2.0]) == [None, 1.0]


def test_comparisons_with_unknown_are_unknown():
    assert ev("a >= 2", a=[1.0, 2.0, NAN]) == [0.0, 1.0, None]
    assert ev("a != 2", a=[1.0, 2.0, NAN]) == [1.0, 0.0, None]


def test_membership_text_and_numbers():
    sector = ["agriculture", "services", None, "construction"]
    assert ev("sector in ('agriculture', 'construction')", sector=sector) == [1.0, 0.0, None, 1.0]
    assert ev("sector not in ('agriculture')", sector=sector) == [0.0, 1.0, None, 1.0]
    assert ev("sector == 'services'", sector=sector) == [0.0, 1.0, None, 0.0]
    assert ev("sector == 'mining'", sector=sector) == [0.0, 0.0, None, 0.0]
    assert ev("a in (1, 3)", a=[1.0, 2.0, NAN]) == [1.0, 0.0, None]


def test_count_true_counts_only_known_truths():
    out = ev("count_true(flag, other, a > 1)", flag=[1.0, NAN], other=[1.0, 0.0], a=[5.0, NAN])
    assert out == [3.0, 0.0]


def test_absent_column_is_all_unknown():
    rule = compile_rule("flag == true or a > 1", TYPES)
    assert rule.evaluate(pd.DataFrame({"a": [0.0, 2.0]})).tolist()[1] == 1.0
    assert np.isnan(rule.evaluate(pd.DataFrame({"a": [0.0, 2.0]}))[0])


def test_parsed_once_evaluated_on_many_frames():
    rule = compile_rule("a > 1", TYPES)
    assert rule.fires(pd.DataFrame({"a": [2.0]})).tolist() == [True]
    assert rule.fires(pd.DataFrame({"a": [0.0, 5.0, 7.0]})).tolist() == [False, True, True]
    assert rule.columns == frozenset({"a"})


@pytest.mark.parametrize(
    "rule, error, message",
    [
        ("__import__('os')", ForbiddenConstructError, "Names starting with '__'"),
        ("__import__('os').system('ls')", ForbiddenConstructError, "__import__"),
        ("a.real > 1", ForbiddenConstructError, "Attribute access"),
        ("(a).real > 1", ForbiddenConstructError, "Attribute access"),
        ("open('x') == 1", ForbiddenConstructError, "Calling 'open' is not allowed"),
        ("eval('1') == 1", ForbiddenConstructError, "Calling 'eval' is not allowed"),
        ("a(1) > 1", ForbiddenConstructError, "Calling 'a' is not allowed"),
        ("a[0] > 1", ForbiddenConstructError, "Subscripts"),
        ("lambda: 1", ExpressionSyntaxError, "Unexpected character ':'"),
        ("a > ", ExpressionSyntaxError, "Expected a value"),
        ("(a > 1", ExpressionSyntaxError, "Expected '\\)'"),
        ("a > 1 b", ExpressionSyntaxError, "Unexpected 'b'"),
        ("", ExpressionSyntaxError, "empty"),
        ("a ; b", ExpressionSyntaxError, "Unexpected character ';'"),
        ("sectr == 'x'", UnknownColumnError, "Did you mean 'sector'"),
        ("sector > 1", ExpressionTypeError, "Text can only be compared"),
        ("a + sector > 1", ExpressionTypeError, "needs numbers"),
        ("flag > 1", ExpressionTypeError, "compares numbers"),
        ("a and flag", ExpressionTypeError, "'and' needs true/false"),
        ("a + 1", ExpressionTypeError, "must be true or false"),
        ("min(a) > 1", ExpressionSyntaxError, "takes at least 2"),
        ("sector in (1, 2)", ExpressionTypeError, "quoted literals"),
    ],
)
def test_refusals(rule, error, message):
    with pytest.raises(error, match=message):
        compile_rule(rule, TYPES)
    assert not is_valid(rule, TYPES)


def test_error_carries_position_and_reason():
    with pytest.raises(ForbiddenConstructError) as info:
        parse("flag and a.b")
    assert info.value.position == 10
    assert "Attribute access" in info.value.reason
    assert info.value.expression == "flag and a.b"


def test_string_literal_is_not_code():
    # a quoted string is data: it never runs, and comparing it to a column just fails to match
    out = ev('sector == \'__import__("os").system("true")\'', sector=["services"])
    assert out == [0.0]


def test_vectorised_on_a_million_rows():
    n = 1_000_000
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.random(n), "flag": rng.integers(0, 2, n).astype(float)})
    fired = compile_rule("a > 0.5 and flag == true", TYPES).fires(frame)
    expected = (frame["a"] > 0.5) & (frame["flag"] == 1)
    assert np.array_equal(fired, expected.to_numpy())


def test_all_unknown_column_shortcut_gives_the_same_answers():
    rules = ["a >= 1 or flag == true", "not (a > 1) and flag == false", "a is null",
             "count_true(a > 0, flag == true) >= 1", "coalesce(a, b) > 1", "a in (1, 2)"]
    all_unknown = pd.DataFrame({"a": [np.nan] * 4, "b": [0.0, 2.0, np.nan, 5.0],
                                "flag": [1.0, 0.0, np.nan, 0.0]})
    one_known = all_unknown.assign(a=[np.nan, np.nan, np.nan, 7.0])
    for text in rules:
        rule = compile_rule(text, TYPES)
        full = rule.evaluate(all_unknown)
        # the same rows evaluated inside a batch where 'a' is not all unknown
        mixed = rule.evaluate(pd.concat([all_unknown, one_known.tail(1)], ignore_index=True))
        np.testing.assert_array_equal(full, mixed[:4], err_msg=text)


@pytest.mark.parametrize("rule", [
    "(" * 3000 + "a > 1" + ")" * 3000,
    "not " * 3000 + "flag",
    "-" * 3000 + "a > 1",
    "min(" * 3000 + "a" + ", 1)" * 3000 + " > 1",
    " and ".join(["flag"] * 3000),
    " + ".join(["a"] * 3000) + " > 1",
], ids=["brackets", "not", "minus", "calls", "and-chain", "sum-chain"])
def test_rules_nested_thousands_deep_are_refused_as_expression_errors(rule):
    """Finding of issue 11: a few thousand levels raised RecursionError, not ExpressionError."""
    with pytest.raises(ExpressionSyntaxError, match="nested more than 64 levels|too long a chain"):
        compile_rule(rule, TYPES)
    assert not is_valid(rule, TYPES)


def test_nesting_within_the_limit_still_compiles():
    assert ev("(" * 60 + "a > 1" + ")" * 60, a=[2.0, 0.0]) == [1.0, 0.0]
    assert ev(" or ".join(["flag"] * 150), flag=[True, False]) == [1.0, 0.0]
