"""The rule language's syntax: tokens, the parse tree, the parser and its errors.

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
parse tree is compiled (:mod:`screening.rules.expr`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from screening.errors import ExpressionError

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

#: The deepest nesting a rule may have (brackets, calls, ``not`` and unary ``-`` each count one
#: level): deeper rules are refused with an :class:`ExpressionSyntaxError` long before Python's
#: own recursion limit could be reached by the parser or the compiler.
MAX_DEPTH = 64
#: The deepest parse tree a rule may give (a chain ``a and b and c ...`` adds one level per
#: operand): the compiler walks the tree recursively.
MAX_TREE_DEPTH = 200

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      |(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      |(?P<str>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|,)
      |(?P<bad>.)""",
    re.X | re.S,
)


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
        self.depth = 0

    def deeper(self, tok: _Tok) -> None:
        """Enter one more level of nesting (refused beyond :data:`MAX_DEPTH`)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionSyntaxError(
                self.text, tok.pos, f"The rule is nested more than {MAX_DEPTH} levels deep."
            )

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
            self.deeper(tok)
            node = Node("not", (self.not_(),), pos=tok.pos)
            self.depth -= 1
            return node
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
            self.deeper(tok)
            inner = self.unary()
            self.depth -= 1
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
            self.deeper(tok)
            node = self.or_()
            self.expect(")")
            self.depth -= 1
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
        self.deeper(name)
        self.expect("(")
        args = [self.or_()]
        while self.take("op", ","):
            args.append(self.or_())
        self.expect(")")
        self.depth -= 1
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
    tree = _Parser(text).parse()
    if _depth(tree) > MAX_TREE_DEPTH:
        raise ExpressionSyntaxError(
            text, 0, f"The rule is too long a chain: its parse tree is more than "
                     f"{MAX_TREE_DEPTH} levels deep; split it into several indicators."
        )
    return tree


def _depth(node: Node) -> int:
    """The depth of a parse tree, counted without recursion (a chain of thousands of ``and``
    is a tree thousands of levels deep)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((arg, level + 1) for arg in current.args)
    return deepest


def columns_of(node: Node) -> set[str]:
    """Every column name a parse tree refers to."""
    found = {node.value} if node.op == "col" else set()
    for arg in node.args:
        found |= columns_of(arg)
    return found


__all__ = ["FUNCTIONS", "KEYWORDS", "MAX_DEPTH", "MAX_TREE_DEPTH", "TYPES", "ExpressionError",
           "ExpressionSyntaxError", "ExpressionTypeError", "ForbiddenConstructError", "Node",
           "UnknownColumnError", "columns_of", "parse"]
