"""A small, safe expression language for indicator rules, compiled to vectorised numpy.

Grammar (lowest precedence first)::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum
                    | "is" ["not"] "null" | ["not"] "in" "(" literal ("," literal)* ")")?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | atom
    atom    := number | 'text' | "text" | true | false | null | column
             | function "(" expr ("," expr)* ")" | "(" expr ")"

Functions come from a fixed whitelist (:data:`FUNCTIONS`). There is no attribute access, no
subscript, no other call and no ``eval``: the text is tokenised and parsed here, and only the
parse tree is turned into numpy operations.

Unknown values follow three-valued (Kleene) logic, so an unknown never reads as false:
numbers and booleans are float arrays where ``NaN`` is unknown; ``false and unknown`` is false,
``true and unknown`` is unknown, ``not unknown`` is unknown, a comparison with an unknown is
unknown, division by zero is unknown. A rule *fires* only where it evaluates to true.

Examples
--------
>>> import pandas as pd
>>> rule = compile_rule("a > 2 and not b", {"a": "number", "b": "bool"})
>>> frame = pd.DataFrame({"a": [3, 3, 1, None], "b": [0.0, None, 0.0, 0.0]})
>>> rule.fires(frame).tolist()
[True, False, False, False]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Column types a rule may refer to.
TYPES = ("number", "bool", "text")

#: Whitelisted functions: name -> (minimum arguments, maximum arguments or None).
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "coalesce": (2, None),
    "count_true": (1, None),
}

KEYWORDS = frozenset({"and", "or", "not", "in", "is", "null", "true", "false"})

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      |(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      |(?P<str>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|,)
      |(?P<bad>.)""",
    re.X | re.S,
)


class ExpressionError(ValueError):
    """A rule that cannot be compiled. Carries ``expression``, ``position`` and ``reason``."""

    def __init__(self, expression: str, position: int, reason: str):
        self.expression = expression
        self.position = position
        self.reason = reason
        super().__init__(f"{reason} (at character {position + 1} of {expression!r})")


class ExpressionSyntaxError(ExpressionError):
    """The text does not follow the grammar."""


class ForbiddenConstructError(ExpressionError):
    """Attribute access, subscripts, dunder names or calls outside the whitelist."""


class UnknownColumnError(ExpressionError):
    """The rule names a column that the feature frame does not have."""

    def __init__(self, expression: str, position: int, name: str, known: list[str]):
        self.name = name
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        super().__init__(expression, position, f"Unknown column '{name}'.{hint}")


class ExpressionTypeError(ExpressionError):
    """An operation applied to a value of the wrong type (e.g. text > number)."""


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenise(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    for match in _TOKEN.finditer(text):
        kind, value, pos = match.lastgroup or "bad", match.group(), match.start()
        if kind == "ws":
            continue
        if kind == "bad":
            prev = tokens[-1] if tokens else None
            if value == "." and prev and (prev.kind == "name" or prev.text == ")"):
                raise ForbiddenConstructError(text, pos, "Attribute access ('.') is not allowed.")
            if value in "[]":
                raise ForbiddenConstructError(text, pos, "Subscripts ('[...]') are not allowed.")
            raise ExpressionSyntaxError(text, pos, f"Unexpected character {value!r}.")
        if kind == "name" and value.startswith("__"):
            raise ForbiddenConstructError(
                text, pos, f"Names starting with '__' ({value}) are not allowed."
            )
        if kind == "name" and value in KEYWORDS:
            kind = "kw"
        tokens.append(_Tok(kind, value, pos))
    tokens.append(_Tok("end", "", len(text)))
    return tokens


# ---------------------------------------------------------------- parse tree


@dataclass(frozen=True)
class Node:
    """A node of the parse tree: ``op`` and its operands (``args``) or literal ``value``."""

    op: str
    args: tuple[Node, ...] = ()
    value: Any = None
    pos: int = 0
    type: str = field(default="", compare=False)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenise(text)
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.i]

    def take(self, kind: str | None = None, text: str | None = None) -> _Tok | None:
        tok = self.tok
        if (kind is None or tok.kind == kind) and (text is None or tok.text == text):
            self.i += 1
            return tok
        return None

    def expect(self, text: str) -> _Tok:
        tok = self.take(text=text)
        if tok is None:
            found = self.tok.text or "the end of the rule"
            raise ExpressionSyntaxError(
                self.text, self.tok.pos, f"Expected '{text}', found {found!r}."
            )
        return tok

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ExpressionSyntaxError(self.text, 0, "The rule is empty.")
        node = self.or_()
        if self.tok.kind != "end":
            raise ExpressionSyntaxError(self.text, self.tok.pos, f"Unexpected {self.tok.text!r}.")
        return node

    def or_(self) -> Node:
        node = self.and_()
        while tok := self.take("kw", "or"):
            node = Node("or", (node, self.and_()), pos=tok.pos)
        return node

    def and_(self) -> Node:
        node = self.not_()
        while tok := self.take("kw", "and"):
            node = Node("and", (node, self.not_()), pos=tok.pos)
        return node

    def not_(self) -> Node:
        if tok := self.take("kw", "not"):
            return Node("not", (self.not_(),), pos=tok.pos)
        return self.compare()

    def compare(self) -> Node:
        node = self.sum_()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("==", "!=", "<", "<=", ">", ">="):
            self.i += 1
            return Node(tok.text, (node, self.sum_()), pos=tok.pos)
        if self.take("kw", "is"):
            negate = self.take("kw", "not") is not None
            self.expect("null")
            return Node("notnull" if negate else "isnull", (node,), pos=tok.pos)
        if tok.kind == "kw" and tok.text in ("in", "not"):
            negate = self.take("kw", "not") is not None
            self.expect("in")
            self.expect("(")
            items = [self.literal()]
            while self.take("op", ","):
                items.append(self.literal())
            self.expect(")")
            return Node("notin" if negate else "in", (node,), value=tuple(items), pos=tok.pos)
        return node

    def literal(self) -> Any:
        node = self.unary()
        if node.op != "lit" or node.value is None:
            raise ExpressionSyntaxError(
                self.text, node.pos, "A list after 'in' may hold only literals."
            )
        return node.value

    def sum_(self) -> Node:
        node = self.product()
        while (tok := self.tok).kind == "op" and tok.text in "+-":
            self.i += 1
            node = Node(tok.text, (node, self.product()), pos=tok.pos)
        return node

    def product(self) -> Node:
        node = self.unary()
        while (tok := self.tok).kind == "op" and tok.text in "*/":
            self.i += 1
            node = Node(tok.text, (node, self.unary()), pos=tok.pos)
        return node

    def unary(self) -> Node:
        if tok := self.take("op", "-"):
            inner = self.unary()
            if inner.op == "lit" and isinstance(inner.value, float):
                return Node("lit", value=-inner.value, pos=tok.pos)
            return Node("neg", (inner,), pos=tok.pos)
        return self.atom()

    def atom(self) -> Node:
        tok = self.tok
        self.i += 1
        if tok.kind == "num":
            return Node("lit", value=float(tok.text), pos=tok.pos)
        if tok.kind == "str":
            body = tok.text[1:-1]
            return Node("lit", value=re.sub(r"\\(.)", r"\1", body), pos=tok.pos)
        if tok.kind == "kw" and tok.text in ("true", "false"):
            return Node("lit", value=tok.text == "true", pos=tok.pos)
        if tok.kind == "kw" and tok.text == "null":
            return Node("lit", value=None, pos=tok.pos)
        if tok.kind == "op" and tok.text == "(":
            node = self.or_()
            self.expect(")")
            return node
        if tok.kind == "name":
            if self.tok.text == "(":
                return self.call(tok)
            return Node("col", value=tok.text, pos=tok.pos)
        self.i -= 1
        found = tok.text or "the end of the rule"
        raise ExpressionSyntaxError(self.text, tok.pos, f"Expected a value, found {found!r}.")

    def call(self, name: _Tok) -> Node:
        if name.text not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise ForbiddenConstructError(
                self.text, name.pos, f"Calling '{name.text}' is not allowed; functions: {allowed}."
            )
        self.expect("(")
        args = [self.or_()]
        while self.take("op", ","):
            args.append(self.or_())
        self.expect(")")
        low, high = FUNCTIONS[name.text]
        if len(args) < low or (high is not None and len(args) > high):
            want = f"{low}" if low == high else f"at least {low}"
            raise ExpressionSyntaxError(
                self.text, name.pos, f"'{name.text}' takes {want} argument(s), got {len(args)}."
            )
        return Node("call", tuple(args), value=name.text, pos=name.pos)


def parse(text: str) -> Node:
    """Parse a rule into a tree, without checking column names or types.

    Raises
    ------
    ExpressionSyntaxError, ForbiddenConstructError
        The rule does not follow the grammar or uses a forbidden construct.
    """
    if not isinstance(text, str):
        raise ExpressionSyntaxError(
            str(text), 0, f"A rule must be text, got {type(text).__name__}."
        )
    return _Parser(text).parse()


def columns_of(node: Node) -> set[str]:
    """Every column name a parse tree refers to."""
    found = {node.value} if node.op == "col" else set()
    for arg in node.args:
        found |= columns_of(arg)
    return found


# ---------------------------------------------------------------- evaluation

Frame = Mapping[str, Any]
Fn = Callable[["ColumnCache"], Any]


@dataclass
class Text:
    """A text column as category codes (``-1`` = unknown) plus its categories."""

    codes: np.ndarray
    categories: pd.Index

    def code_of(self, value: str) -> int:
        """The code of a category, or -2 (matching nothing) when absent."""
        found = self.categories.get_indexer([_fold(value)])[0]
        return int(found) if found >= 0 else -2


def text_column(values: Any) -> Text:
    """Encode text values (NaN/None unknown) as a :class:`Text` column.

    Rules compare text ignoring case and surrounding spaces, so ``'Cotton harvest '`` in an
    upload matches ``'cotton harvest'`` in a rule; the data itself is not changed.

    >>> t = text_column(["Cotton harvest ", "cotton harvest", None])
    >>> t.codes.tolist(), t.code_of("COTTON HARVEST")
    ([0, 0, -1], 0)
    """
    if not isinstance(values, pd.Series | pd.Index):
        values = pd.Series(np.asarray(values, dtype=object))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    folded = [_fold(u) for u in uniques]
    remap, categories = pd.factorize(np.asarray(folded, dtype=object))
    codes = np.where(codes >= 0, remap[np.maximum(codes, 0)] if len(remap) else -1, -1)
    return Text(codes.astype(np.int32, copy=False), pd.Index(categories, dtype=object))


def _fold(value: Any) -> str:
    return str(value).strip().casefold()


class ColumnCache:
    """Columns of a frame prepared once for evaluation (floats with NaN, or :class:`Text`)."""

    def __init__(
        self, frame: Frame, types: Mapping[str, str], *, prepared: Mapping[str, Any] | None = None
    ):
        self.frame = frame
        self.types = types
        self._cache: dict[Any, Any] = dict(prepared or {})
        first = next(iter(self._cache.values()), None)
        if isinstance(frame, pd.DataFrame):
            self.n = len(frame.index)
        elif len(frame):
            self.n = len(frame[next(iter(frame))])
        else:
            self.n = len(first.codes) if isinstance(first, Text) else len(first or [])

    def get(self, name: str) -> Any:
        """The prepared column ``name``; an absent column is all unknown."""
        if name not in self._cache:
            self._cache[name] = self._prepare(name)
        return self._cache[name]

    def take(self, rows: np.ndarray) -> ColumnCache:
        """A cache over only ``rows`` of this one; columns are sliced when first used."""
        return _TakenCache(self, rows)

    def value(self, name: str) -> Any:
        """A number column for evaluation: its array, or a scalar NaN when every value is
        unknown (a column of a batch without interviews, say), which makes every operation
        on it scalar and free."""
        key = ("value", name)
        if key not in self._cache:
            values = self.get(name)
            unknown = values.strides == (0,) and values.size and np.isnan(values[0])
            if unknown or np.isnan(values).all():
                values = np.float64(np.nan)
            self._cache[key] = values
        return self._cache[key]

    def truth(self, name: str) -> tuple[Any, Any]:
        """A true/false column as (is_true, is_false) boolean arrays, prepared once."""
        key = ("truth", name)
        if key not in self._cache:
            values = self.value(name)
            self._cache[key] = (values == 1.0, values == 0.0)
        return self._cache[key]

    def _prepare(self, name: str) -> Any:
        present = name in self.frame
        if self.types.get(name) == "text":
            if not present:
                return Text(np.full(self.n, -1, dtype=np.int32), pd.Index([]))
            return text_column(self.frame[name])
        if not present:
            return np.full(self.n, np.nan)
        values = self.frame[name]
        if isinstance(values, pd.Series):
            return values.to_numpy(dtype="float64", na_value=np.nan)
        return np.asarray(values, dtype="float64")


class _TakenCache(ColumnCache):
    """Rows of a parent cache (see :meth:`ColumnCache.take`)."""

    def __init__(self, parent: ColumnCache, rows: np.ndarray):
        self.parent, self.rows, self.types = parent, rows, parent.types
        self.frame = parent.frame
        self.n = len(rows)
        self._cache = {}

    def _prepare(self, name: str) -> Any:
        column = self.parent.get(name)
        if isinstance(column, Text):
            return Text(column.codes[self.rows], column.categories)
        return np.asarray(column)[self.rows]


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


def _truth_of_numbers(x: Any) -> Truth:
    """A bool column stored as 1/0/NaN."""
    return x == 1.0, x == 0.0


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
