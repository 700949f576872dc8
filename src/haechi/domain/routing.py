"""Routing rules: a small, safe expression language over detector signals.

A rule reads like `nudity >= 0.8 AND enrolled_face_match`. Grammar (keywords in any case)::

    expr       := term ("OR" term)*
    term       := factor ("AND" factor)*
    factor     := "NOT" factor | "(" expr ")" | comparison | signal
    comparison := signal (">=" | ">" | "<=" | "<" | "==" | "!=") number
    signal     := [a-z_][a-z0-9_.]*          (a signal name, e.g. nudity, c2pa_ai_generated)

A bare signal is true when it was reported with a value ≥ 0.5 (yes/no signals are 1.0 or 0.0). A
signal that was not reported makes every comparison on it false — `nudity < 0.2` does not hold for
an item nobody measured — so `NOT` is the only way to act on an absent signal.

The text is tokenised and parsed by hand into a tree of frozen dataclasses; nothing is ever
evaluated as Python. Length, depth and size are bounded so a rule cannot be made expensive.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from haechi.domain.errors import InvalidInput

MAX_RULE_CHARS = 500
MAX_NODES = 64
MAX_DEPTH = 16
#: what a bare signal name means
TRUTHY = 0.5

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?|\.\d+)|(?P<op>>=|<=|==|!=|>|<)|(?P<par>[()])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
_KEYWORDS = frozenset({"and", "or", "not"})
_OPS = (">=", ">", "<=", "<", "==", "!=")


@dataclass(frozen=True, slots=True)
class Compare:
    signal: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.signal} {self.op} {self.value:g}"


@dataclass(frozen=True, slots=True)
class Present:
    signal: str

    def __str__(self) -> str:
        return self.signal


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node

    def __str__(self) -> str:
        return f"NOT {_wrap(self.operand)}"


@dataclass(frozen=True, slots=True)
class All:
    operands: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(_wrap(o) for o in self.operands)


@dataclass(frozen=True, slots=True)
class Any_:
    operands: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(_wrap(o) for o in self.operands)


Node = Compare | Present | Not | All | Any_


def _wrap(node: Node) -> str:
    return f"({node})" if isinstance(node, All | Any_) else str(node)


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    rest = text.rstrip()
    while pos < len(rest):
        m = _TOKEN.match(rest, pos)
        if m is None or m.end() == pos:
            raise InvalidInput(
                f"rule: unexpected character at position {pos + 1}: {rest[pos:][:10]!r}"
            )
        out.append(m.group(m.lastgroup or "word"))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self._tokens = tokens
        self._pos = 0
        self._nodes = 0

    def parse(self) -> Node:
        node = self._expr(0)
        if self._pos != len(self._tokens):
            raise InvalidInput(f"rule: unexpected '{self._tokens[self._pos]}'")
        return node

    def _peek(self) -> str | None:
        return self._tokens[self._pos] if self._pos < len(self._tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise InvalidInput("rule: ends too early")
        self._pos += 1
        return token

    def _count(self, depth: int) -> None:
        self._nodes += 1
        if self._nodes > MAX_NODES or depth > MAX_DEPTH:
            raise InvalidInput(
                f"rule: too complex (at most {MAX_NODES} terms, nesting {MAX_DEPTH})"
            )

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.lower() == word:
            self._pos += 1
            return True
        return False

    def _expr(self, depth: int) -> Node:
        parts = [self._term(depth)]
        while self._keyword("or"):
            parts.append(self._term(depth))
        return parts[0] if len(parts) == 1 else Any_(tuple(parts))

    def _term(self, depth: int) -> Node:
        parts = [self._factor(depth)]
        while self._keyword("and"):
            parts.append(self._factor(depth))
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def _factor(self, depth: int) -> Node:
        self._count(depth)
        if self._keyword("not"):
            return Not(self._factor(depth + 1))
        word = self._take()
        if word == "(":
            node = self._expr(depth + 1)
            if self._take() != ")":
                raise InvalidInput("rule: missing ')'")
            return node
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", word) or word.lower() in _KEYWORDS:
            raise InvalidInput(f"rule: expected a signal name, got '{word}'")
        signal = word.lower()
        if self._peek() in _OPS:
            op = self._take()
            number = self._take()
            if not re.fullmatch(r"\d+(?:\.\d+)?|\.\d+", number):
                raise InvalidInput(f"rule: '{signal} {op}' needs a number, got '{number}'")
            return Compare(signal, op, float(number))
        return Present(signal)


def parse_rule(text: object) -> Node:
    """The rule's tree, or InvalidInput saying what is wrong and where."""
    source = str(text or "").strip()
    if not source:
        raise InvalidInput("rule: the expression is empty")
    if len(source) > MAX_RULE_CHARS:
        raise InvalidInput(f"rule: at most {MAX_RULE_CHARS} characters")
    return _Parser(_tokens(source)).parse()


def canonical(text: object) -> str:
    """The rule as stored and shown: keywords upper-case, one space, needed parentheses only."""
    return str(parse_rule(text))


def signals_of(node: Node) -> frozenset[str]:
    """Every signal name the rule reads (shown beside it, checked against known detectors)."""
    if isinstance(node, Compare | Present):
        return frozenset({node.signal})
    if isinstance(node, Not):
        return signals_of(node.operand)
    return frozenset().union(*(signals_of(o) for o in node.operands))


def _compare(op: str, left: float, right: float) -> bool:
    if op == ">=":
        return left >= right
    if op == ">":
        return left > right
    if op == "<=":
        return left <= right
    if op == "<":
        return left < right
    if op == "==":
        return left == right
    return left != right


def evaluate(node: Node, signals: Mapping[str, float]) -> bool:
    """Whether the rule holds for these signal values (absent signals: see module docstring)."""
    if isinstance(node, Compare):
        value = signals.get(node.signal)
        return value is not None and _compare(node.op, value, node.value)
    if isinstance(node, Present):
        value = signals.get(node.signal)
        return value is not None and value >= TRUTHY
    if isinstance(node, Not):
        return not evaluate(node.operand, signals)
    if isinstance(node, All):
        return all(evaluate(o, signals) for o in node.operands)
    return any(evaluate(o, signals) for o in node.operands)


def check_rule_name(value: object) -> str:
    name = str(value or "").strip()
    if not 1 <= len(name) <= 120:
        raise InvalidInput("rule name: 1 to 120 characters")
    return name
