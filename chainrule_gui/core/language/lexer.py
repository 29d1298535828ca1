"""Turn text into tokens, refusing anything that is not part of the expression language.

The lexer never evaluates anything.  It accepts a few typographic forms people paste
from documents (``·`` and ``×`` for ``*``, ``−`` for ``-``, ``²``/``³``, ``π``) and turns
``**`` into ``^``.  Newlines separate statements except inside parentheses.
"""

from __future__ import annotations

from dataclasses import dataclass

from chainrule_gui.core.errors import ParseError

MAX_TEXT_LENGTH = 10_000
#: Longest number literal accepted, in characters (digits, point and exponent).
MAX_NUMBER_LENGTH = 40
#: Largest decimal exponent written in a literal such as ``1e300``.
MAX_LITERAL_EXPONENT = 300

_TRANSLATE = {"·": "*", "×": "*", "⋅": "*", "∗": "*", "−": "-", "÷": "/", "π": "pi"}
_SUPERSCRIPTS = {"²": "2", "³": "3"}
_SINGLE = set("+-*/^(),=;")


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "op", "sep", "end"
    text: str
    start: int
    end: int
    line: int
    column: int


class _Position:
    """Maps offsets to 1-based line and column numbers."""

    def __init__(self, text: str):
        self.line_starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self.line_starts.append(i + 1)

    def __call__(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.line_starts[lo] + 1


def position_of(text: str, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of ``offset`` in ``text``."""
    return _Position(text)(offset)


_DIGITS = "0123456789"


def _is_name_start(ch: str) -> bool:
    return ch.isalpha()


def _is_name_char(ch: str) -> bool:
    # ASCII digits only: "x²" is x squared, not a name.
    return ch.isalpha() or ch in _DIGITS or ch == "_"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; raise :class:`ParseError` on anything unknown."""
    if len(text) > MAX_TEXT_LENGTH:
        line, col = position_of(text, MAX_TEXT_LENGTH)
        raise ParseError(
            f"the text is too long ({len(text):,} characters); "
            f"Chain Rule Explorer reads at most {MAX_TEXT_LENGTH:,}",
            line,
            col,
        )
    pos = _Position(text)
    tokens: list[Token] = []
    depth = 0
    i = 0
    n = len(text)

    def add(kind: str, tok_text: str, start: int, end: int) -> None:
        line, col = pos(start)
        tokens.append(Token(kind, tok_text, start, end, line, col))

    while i < n:
        ch = text[i]
        if ch == "#":  # comment to the end of the line
            while i < n and text[i] != "\n":
                i += 1
            continue
        if ch == "\n":
            if depth == 0:
                add("sep", "\n", i, i + 1)
            i += 1
            continue
        if ch in " \t\r\f\v\u00a0":
            i += 1
            continue
        if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            i = _read_number(text, i, add, pos)
            continue
        if _is_name_start(ch) and ch != "π":
            start = i
            while i < n and _is_name_char(text[i]):
                i += 1
            add("name", text[start:i], start, i)
            continue
        if ch == "*" and i + 1 < n and text[i + 1] == "*":
            add("op", "^", i, i + 2)
            i += 2
            continue
        if ch in _SUPERSCRIPTS:
            add("op", "^", i, i + 1)
            add("number", _SUPERSCRIPTS[ch], i, i + 1)
            i += 1
            continue
        if ch in _TRANSLATE:
            mapped = _TRANSLATE[ch]
            add("name" if mapped.isalpha() else "op", mapped, i, i + 1)
            i += 1
            continue
        if ch in _SINGLE:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth = max(0, depth - 1)
            add("sep" if ch == ";" else "op", ch, i, i + 1)
            i += 1
            continue
        line, col = pos(i)
        raise ParseError(_unexpected_character_message(ch), line, col)
    add("end", "", n, n)
    return tokens


def _read_number(text: str, i: int, add, pos) -> int:
    start = i
    n = len(text)
    while i < n and text[i] in _DIGITS:
        i += 1
    if i < n and text[i] == ".":
        i += 1
        while i < n and text[i] in _DIGITS:
            i += 1
    # An exponent only when digits follow: "2e3" is 2000, but "2e^t" is 2·e^t and "2e" 2·e.
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j] in _DIGITS:
            while j < n and text[j] in _DIGITS:
                j += 1
            exponent = text[i + 1 : j]
            if abs(int(exponent[:6] if len(exponent) > 6 else exponent)) > MAX_LITERAL_EXPONENT:
                line, col = pos(start)
                raise ParseError(
                    f"the number {text[start:j]} is out of range; literals must lie "
                    f"between 1e-{MAX_LITERAL_EXPONENT} and 1e{MAX_LITERAL_EXPONENT}",
                    line,
                    col,
                    j - start,
                )
            i = j
    if i - start > MAX_NUMBER_LENGTH:
        line, col = pos(start)
        raise ParseError(
            f"the number starting {text[start:start + 12]}… is too long "
            f"({i - start} characters; at most {MAX_NUMBER_LENGTH})",
            line,
            col,
            i - start,
        )
    add("number", text[start:i], start, i)
    return i


def _unexpected_character_message(ch: str) -> str:
    if ch in "[{":
        return f"'{ch}' is not used here; group with round parentheses ( )"
    if ch in "]}":
        return f"'{ch}' is not used here; group with round parentheses ( )"
    if ch == "!":
        return "'!' (factorial) is not supported; Chain Rule Explorer differentiates smooth functions"
    if ch in "'\"":
        return "quotes are not part of an expression; type the formula itself, e.g. sin(x)"
    if ch == ".":
        return "'.' must be part of a number such as 0.5; names cannot contain dots"
    if ch == "_":
        return "a name must start with a letter, not '_'"
    if ch.isprintable():
        return f"unexpected character '{ch}'"
    return f"unexpected control character (code {ord(ch)})"
