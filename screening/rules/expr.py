"""A small, safe expression language for indicator rules, compiled to vectorised numpy.

The syntax (grammar, parser, errors) is in :mod:`screening.rules.expr_syntax`; this module compiles
a parse tree into numpy operations over a :class:`~screening.rules.columns.ColumnCache`.

Unknown values follow three-valued (Kleene) logic, so an unknown never reads as false:
``false and unknown`` is false, ``true and unknown`` is unknown, ``not unknown`` is unknown, a
comparison with an unknown is unknown, division by zero is unknown. A rule *fires* only where
it evaluates to true.

Examples
--------
>>> import pandas as pd
>>> rule = compile_rule("a > 2 and not b", {"a": "number", "b": "bool"})
>>> frame = pd.DataFrame({"a": [3, 3, 1, None], "b": [0.0, None, 0.0, 0.0]})
>>> rule.fires(frame).tolist()
[True, False, False, False]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from screening.rules.columns import ColumnCache, Frame, Text, text_column
from screening.rules.expr_syntax import (
    FUNCTIONS,
    ExpressionError,
    ExpressionSyntaxError,
    ExpressionTypeError,
    ForbiddenConstructError,
    Node,
    UnknownColumnError,
    columns_of,
    parse,
)

Fn = Callable[[ColumnCache], Any]

# A true/false value is a pair of boolean arrays (is_true, is_false); where both are false the
# value is unknown. Kleene logic is then cheap bitwise work on bytes: ``not`` swaps the pair.
Truth = tuple[Any, Any]
UNKNOWN: Truth = (np.False_, np.False_)

_CMP = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def _known(x: Any) -> Any:
    return ~np.isnan(x)


def _compare(op: str, a: Any, b: Any) -> Truth:
    with np.errstate(invalid="ignore"):
        hit = _CMP[op](a, b)
    known = _known(a) & _known(b)
    if op == "!=":
        hit = hit & known  # NaN != x is True in numpy; unknown here
    return hit, known & ~hit


def _as_float(t: Truth, n: int) -> np.ndarray:
    is_true, is_false = (np.broadcast_to(v, (n,)) for v in t)
    out = is_true.astype("float64")
    out[~is_true & ~is_false] = np.nan
    return out


class _Compiler:
    def __init__(self, text: str, types: Mapping[str, str]):
        self.text = text
        self.types = types

    def fail(self, node: Node, reason: str) -> None:
        raise ExpressionTypeError(self.text, node.pos, reason)

    def truth(self, node: Node, what: str) -> Fn:
        """Build a node that must be true/false; its function returns a Truth pair."""
        fn, kind = self.build(node)
        if kind == "null":
            return lambda c: UNKNOWN
        if kind != "bool":
            self.fail(node, f"{what} needs true/false values, got {kind}.")
        return fn

    def build(self, node: Node) -> tuple[Fn, str]:  # noqa: C901 - one branch per node kind
        op = node.op
        if op == "lit":
            v = node.value
            if v is None:
                return (lambda c: np.float64(np.nan)), "null"
            if isinstance(v, bool):
                pair = (np.bool_(v), np.bool_(not v))
                return (lambda c: pair), "bool"
            if isinstance(v, float):
                return (lambda c, x=v: np.float64(x)), "number"
            return (lambda c, x=v: x), "textlit"
        if op == "col":
            name = node.value
            if name not in self.types:
                raise UnknownColumnError(self.text, node.pos, name, sorted(self.types))
            kind = self.types[name]
            if kind == "bool":
                return (lambda c, n=name: c.truth(n)), "bool"
            if kind == "number":
                return (lambda c, n=name: c.value(n)), kind
            return (lambda c, n=name: c.get(n)), kind
        if op in ("and", "or"):
            fa = self.truth(node.args[0], f"'{op}'")
            fb = self.truth(node.args[1], f"'{op}'")
            if op == "and":

                def both(c: ColumnCache) -> Truth:
                    (ta, xa), (tb, xb) = fa(c), fb(c)
                    return ta & tb, xa | xb

                return both, "bool"

            def either(c: ColumnCache) -> Truth:
                (ta, xa), (tb, xb) = fa(c), fb(c)
                return ta | tb, xa & xb

            return either, "bool"
        if op == "not":
            fa = self.truth(node.args[0], "'not'")
            return (lambda c: fa(c)[::-1]), "bool"
        if op in ("isnull", "notnull"):
            fa, ta = self.build(node.args[0])

            def null(c: ColumnCache) -> Truth:
                v = fa(c)
                if ta == "bool":
                    missing = ~v[0] & ~v[1]
                elif ta == "text":
                    missing = v.codes == -1
                else:
                    missing = np.isnan(v)
                return (missing, ~missing) if op == "isnull" else (~missing, missing)

            return null, "bool"
        if op in ("in", "notin"):
            return self.membership(node)
        if op in _CMP:
            return self.comparison(node)
        if op in ("+", "-", "*", "/", "neg"):
            built = [self.build(a) for a in node.args]
            for _, t in built:
                if t not in ("number", "null"):
                    self.fail(node, f"'{op if op != 'neg' else '-'}' needs numbers, got {t}.")
            if op == "neg":
                f0 = built[0][0]
                return (lambda c: -f0(c)), "number"
            fa, fb = built[0][0], built[1][0]
            if op == "/":

                def divide(c: ColumnCache) -> Any:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        b = np.asarray(fb(c), dtype="float64")
                        return np.where(b == 0, np.nan, np.asarray(fa(c)) / b)

                return divide, "number"
            fn = {"+": np.add, "-": np.subtract, "*": np.multiply}[op]
            return (lambda c: fn(fa(c), fb(c))), "number"
        if op == "call":
            return self.call(node)
        raise AssertionError(op)  # pragma: no cover - the parser makes no other nodes

    def comparison(self, node: Node) -> tuple[Fn, str]:
        (fa, ta), (fb, tb) = (self.build(a) for a in node.args)
        op = node.op
        if "text" in (ta, tb) or "textlit" in (ta, tb):
            if {ta, tb} != {"text", "textlit"} or op not in ("==", "!="):
                self.fail(node, "Text can only be compared with '==' or '!=' to a quoted literal.")
            col, lit = (fa, fb) if ta == "text" else (fb, fa)

            def text_eq(c: ColumnCache) -> Truth:
                t = col(c)
                hit = t.codes == t.code_of(lit(c))
                miss = ~hit & (t.codes != -1)
                return (hit, miss) if op == "==" else (miss, hit)

            return text_eq, "bool"
        if "bool" in (ta, tb):
            if op not in ("==", "!="):
                self.fail(
                    node, f"'{op}' compares numbers; true/false values only take '==' or '!='."
                )
            if {ta, tb} - {"bool", "null"}:
                self.fail(node, "A true/false value cannot be compared with a number.")
            literal = [a.value for a in node.args if a.op == "lit" and isinstance(a.value, bool)]
            if len(literal) == 1 and "null" not in (ta, tb):
                # x == true is x itself; x == false (or x != true) swaps its truth pair
                other = fb if node.args[0].op == "lit" else fa
                swap = literal[0] != (op == "==")
                return (lambda c: other(c)[::-1]) if swap else other, "bool"

            def bool_eq(c: ColumnCache) -> Truth:
                (ta_, xa), (tb_, xb) = (
                    fa(c) if ta == "bool" else UNKNOWN,
                    fb(c) if tb == "bool" else UNKNOWN,
                )
                same, differ = (ta_ & tb_) | (xa & xb), (ta_ & xb) | (xa & tb_)
                return (same, differ) if op == "==" else (differ, same)

            return bool_eq, "bool"
        return (lambda c: _compare(op, fa(c), fb(c))), "bool"

    def membership(self, node: Node) -> tuple[Fn, str]:
        fa, ta = self.build(node.args[0])
        items = node.value
        negate = node.op == "notin"
        if ta == "text":
            if not all(isinstance(v, str) for v in items):
                self.fail(node, "A text column can only be tested against quoted literals.")

            def text_in(c: ColumnCache) -> Truth:
                t = fa(c)
                hit = np.isin(t.codes, [t.code_of(v) for v in items])
                miss = ~hit & (t.codes != -1)
                return (miss, hit) if negate else (hit, miss)

            return text_in, "bool"
        if ta != "number" or not all(isinstance(v, float) for v in items):
            self.fail(
                node, "'in' tests a number column against numbers, or text against quoted literals."
            )
        values = np.array([float(v) for v in items])

        def num_in(c: ColumnCache) -> Truth:
            a = np.asarray(fa(c), dtype="float64")
            hit = np.isin(a, values)
            miss = ~hit & _known(a)
            return (miss, hit) if negate else (hit, miss)

        return num_in, "bool"

    def call(self, node: Node) -> tuple[Fn, str]:
        name = node.value
        if name == "count_true":
            fns = [self.truth(a, "'count_true'") for a in node.args]

            def count_true(c: ColumnCache) -> np.ndarray:
                total = np.zeros(c.n)
                for f in fns:
                    total += f(c)[0]
                return total

            return count_true, "number"
        built = [self.build(a) for a in node.args]
        types = [t for _, t in built]
        fns = [f for f, _ in built]
        if any(t not in ("number", "null") for t in types):
            self.fail(node, f"'{name}' takes numbers, got {', '.join(types)}.")
        if name == "abs":
            return (lambda c: np.abs(fns[0](c))), "number"
        if name == "coalesce":

            def coalesce(c: ColumnCache) -> np.ndarray:
                out = np.broadcast_to(np.asarray(fns[0](c), dtype="float64"), (c.n,)).copy()
                for f in fns[1:]:
                    gap = np.isnan(out)
                    if gap.any():
                        out[gap] = np.broadcast_to(np.asarray(f(c), dtype="float64"), (c.n,))[gap]
                return out

            return coalesce, "number"
        reduce = np.fmin if name == "min" else np.fmax

        def extreme(c: ColumnCache) -> np.ndarray:
            # min/max of the known values; unknown only when every argument is unknown
            out = fns[0](c)
            for f in fns[1:]:
                out = reduce(out, f(c))
            return out

        return extreme, "number"


@dataclass(frozen=True)
class CompiledRule:
    """A rule parsed and compiled once; evaluate it on any frame with the same columns."""

    text: str
    tree: Node
    columns: frozenset[str]
    _fn: Fn
    _types: Mapping[str, str]
    kind: str = "bool"

    def _cache(self, frame: Frame | ColumnCache) -> ColumnCache:
        return frame if isinstance(frame, ColumnCache) else ColumnCache(frame, self._types)

    def evaluate(self, frame: Frame | ColumnCache) -> np.ndarray:
        """Evaluate to a float array: for a true/false rule 1 true, 0 false, NaN unknown."""
        cache = self._cache(frame)
        out = self._fn(cache)
        if self.kind == "bool":
            return _as_float(out, cache.n)
        return np.broadcast_to(np.asarray(out, dtype="float64"), (cache.n,))

    def truth(self, frame: Frame | ColumnCache) -> tuple[np.ndarray, np.ndarray]:
        """Two boolean arrays: where a true/false rule is true, and where it is false."""
        cache = self._cache(frame)
        is_true, is_false = self._fn(cache)
        return np.broadcast_to(is_true, (cache.n,)), np.broadcast_to(is_false, (cache.n,))

    def fires(self, frame: Frame | ColumnCache) -> np.ndarray:
        """Boolean array: where the rule is true (unknown does not fire)."""
        return self.truth(frame)[0]


def compile_rule(text: str, types: Mapping[str, str], *, boolean: bool = True) -> CompiledRule:
    """Parse and compile a rule against the column types it may use.

    Parameters
    ----------
    text : str
        The rule, e.g. ``"workers_without_contract / workers_present > 0.5"``.
    types : mapping of str to {"number", "bool", "text"}
        The columns the rule may refer to and their types.
    boolean : bool, default True
        Require the rule to produce true/false (indicator rules do).

    Raises
    ------
    ExpressionError
        With the position and reason, for syntax errors, forbidden constructs, unknown
        columns (with a suggestion) and type errors.
    """
    tree = parse(text)
    fn, kind = _Compiler(text, types).build(tree)
    if boolean and kind not in ("bool",):
        raise ExpressionTypeError(
            text, 0, f"A rule must be true or false, but this one gives a {kind}."
        )
    return CompiledRule(text, tree, frozenset(columns_of(tree)), fn, dict(types), kind)


def is_valid(text: str, types: Mapping[str, str]) -> bool:
    """True when ``text`` compiles against ``types`` (see :func:`compile_rule`).

    >>> is_valid("x > 1", {"x": "number"}), is_valid("__import__('os')", {})
    (True, False)
    """
    try:
        compile_rule(text, types)
    except ExpressionError:
        return False
    return True


__all__ = [
    "FUNCTIONS",
    "Text",
    "text_column",
    "ColumnCache",
    "CompiledRule",
    "ExpressionError",
    "ExpressionSyntaxError",
    "ExpressionTypeError",
    "ForbiddenConstructError",
    "Node",
    "UnknownColumnError",
    "columns_of",
    "compile_rule",
    "is_valid",
    "parse",
]
