"""Translate our compiled rules into the PyPI `rule-engine` package's language.

The translation keeps our three-valued semantics for "fires": for each boolean node it builds
one rule-engine expression that is true exactly where ours is true (``_true``) and one where ours
is false (``_false``); arithmetic is guarded so that an unknown operand or a zero divisor makes
the comparison neither true nor false, as in ours.
"""

from __future__ import annotations

from screening.rules.expr import Node


def _lit(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return "'" + str(v).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _known(node: Node) -> list[str]:
    """Conditions under which a numeric expression is known (no null, no zero divisor)."""
    if node.op == "col":
        return [f"{node.value} != null"]
    if node.op == "lit":
        return ["false"] if node.value is None else []
    if node.op == "call" and node.value == "count_true":
        return []
    if node.op == "call" and node.value in ("min", "max", "coalesce"):
        alts = [" and ".join(_known(a)) or "true" for a in node.args]
        return ["(" + " or ".join(f"({a})" for a in alts) + ")"]
    out = [c for a in node.args for c in _known(a)]
    if node.op == "/":
        out.append(f"({_num(node.args[1])}) != 0")
    return out


def _num(node: Node) -> str:
    op = node.op
    if op == "lit":
        return _lit(node.value)
    if op == "col":
        return node.value
    if op == "neg":
        return f"-({_num(node.args[0])})"
    if op in "+-*/":
        return f"({_num(node.args[0])} {op} {_num(node.args[1])})"
    if op == "call":
        name, args = node.value, node.args
        if name == "count_true":
            return "(" + " + ".join(f"(({_true(a)}) ? 1 : 0)" for a in args) + ")"
        if name == "abs":
            x = _num(args[0])
            return f"(({x}) < 0 ? -({x}) : ({x}))"
        out = _num(args[-1])
        for a in reversed(args[:-1]):
            x = _num(a)
            if name == "coalesce":
                out = f"(({x}) != null ? ({x}) : ({out}))"
            else:
                cmp = "<" if name == "min" else ">"
                out = (
                    f"(({x}) == null ? ({out}) : (({out}) == null ? ({x}) : "
                    f"(({x}) {cmp} ({out}) ? ({x}) : ({out}))))"
                )
        return out
    raise ValueError(f"not a numeric node: {op}")


def _guard(conds: list[str], expr: str) -> str:
    return "(" + " and ".join([*conds, expr]) + ")" if conds else f"({expr})"


def _true(node: Node) -> str:
    op = node.op
    if op == "lit":
        return "true" if node.value is True else "false"
    if op == "col":
        return f"({node.value} == true)"
    if op == "and":
        return f"({_true(node.args[0])} and {_true(node.args[1])})"
    if op == "or":
        return f"({_true(node.args[0])} or {_true(node.args[1])})"
    if op == "not":
        return _false(node.args[0])
    if op == "isnull":
        return f"({_num(node.args[0])} == null)"
    if op == "notnull":
        return f"({_num(node.args[0])} != null)"
    if op in ("in", "notin"):
        x = _num(node.args[0])
        items = "[" + ", ".join(_lit(v) for v in node.value) + "]"
        test = f"({x} in {items})" if op == "in" else f"not ({x} in {items})"
        return _guard(_known(node.args[0]), test)
    a, b = node.args
    return _guard(_known(a) + _known(b), f"{_num(a)} {op} {_num(b)}")


def _false(node: Node) -> str:
    op = node.op
    if op == "lit":
        return "true" if node.value is False else "false"
    if op == "col":
        return f"({node.value} == false)"
    if op == "and":
        return f"({_false(node.args[0])} or {_false(node.args[1])})"
    if op == "or":
        return f"({_false(node.args[0])} and {_false(node.args[1])})"
    if op == "not":
        return _true(node.args[0])
    if op in ("isnull", "notnull"):
        return _true(Node("notnull" if op == "isnull" else "isnull", node.args))
    if op in ("in", "notin"):
        return _true(Node("notin" if op == "in" else "in", node.args, node.value))
    a, b = node.args
    return _guard(_known(a) + _known(b), f"not ({_num(a)} {op} {_num(b)})")


def to_rule_engine(tree: Node) -> str:
    """The rule-engine text that matches a row exactly where our rule fires."""
    return _true(tree)
