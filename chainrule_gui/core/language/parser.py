"""Read definitions such as ``z = x^2 + sin(x*y); x = t^2; y = e^t`` without ``eval``.

A small recursive-descent parser over the tokens of :mod:`.lexer`; it builds
:class:`~.syntax.Expr` trees itself, so nothing the user types is ever run as Python.

Grammar (``^`` binds tighter than unary minus, and is right-associative)::

    program   := statement (sep statement)*
    statement := expr ["=" expr]
    expr      := term (("+" | "-") term)*
    term      := unary (("*" | "/") unary | <implicit> power)*
    unary     := ("-" | "+") unary | power
    power     := atom ["^" unary]
    atom      := number | name | function "(" expr ["," expr] ")" | "(" expr ")"

Implicit multiplication joins a number or a closing parenthesis to a following name,
call or parenthesis: ``2x``, ``3 sin(x)``, ``2(x+1)``, ``sin(x)cos(x)``.
"""

from __future__ import annotations

import difflib
from fractions import Fraction

from chainrule_gui.core.errors import ParseError
from chainrule_gui.core.expressions.ops import OPS
from chainrule_gui.core.language.lexer import Token, tokenize
from chainrule_gui.core.language.syntax import Expr, Statement


def _spellings() -> dict[str, tuple[str, int, int]]:
    """Each name a function may be written with: its primitive and (least, most) arguments."""
    table: dict[str, tuple[str, int, int]] = {}
    for spec in OPS.values():
        if spec.function:
            for name, (least, most) in ((spec.name, spec.arity), *spec.aliases):
                table[name] = (spec.name, least, most)
    return table


#: Functions the language knows (from the primitive registry), by every name they may be
#: written with: the primitive each stands for, and its least and most number of arguments.
FUNCTIONS: dict[str, tuple[str, int, int]] = _spellings()

#: Names of constants; they cannot be defined.
CONSTANTS = {"e": "e", "pi": "pi"}
#: How deeply parentheses, calls, powers and signs may nest.
MAX_DEPTH = 100
#: How many operations and leaves one input may hold.
MAX_NODES = 5_000


def parse_statements(text: str, implicit: bool = False) -> list[Statement]:
    """Parse ``text`` into statements; raise :class:`ParseError` on any problem.

    With ``implicit=True`` every statement with ``=`` is a relation, even ``y = x^2``.
    """
    if not text.strip() or all(t.kind in ("sep", "end") for t in tokenize(text)):
        raise ParseError(
            "nothing to work with yet: type a definition such as "
            "z = x^2 + sin(x*y); x = t^2; y = e^t"
        )
    return _Parser(text, tokenize(text), implicit).program()


def parse_expression(text: str) -> Expr:
    """Parse a single expression (no ``=``, no separators), e.g. a value for a point."""
    statements = parse_statements(text)
    if len(statements) != 1 or statements[0].kind != "expression":
        raise ParseError("expected a single expression, not definitions")
    return statements[0].rhs


def closest_function(name: str) -> str | None:
    if len(name) < 2:
        return None  # 'x(' is a name that lost its '*', not a misspelt exp
    matches = difflib.get_close_matches(name.lower(), FUNCTIONS, n=1, cutoff=0.5)
    return matches[0] if matches else None


class _Parser:
    def __init__(self, text: str, tokens: list[Token], implicit: bool):
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.nodes = 0
        self.implicit = implicit

    # -- token helpers -------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.tok
        return t.kind == kind and (text is None or t.text == text)

    def advance(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def error(self, message: str, tok: Token | None = None, length: int | None = None):
        tok = tok or self.tok
        opened = self._unclosed_before_definition(tok)
        if opened is not None:  # the real mistake is on an earlier line
            return ParseError("this '(' is never closed: add a ')' (the next line starts a new definition)",
                              opened.line, opened.column, 1)
        return ParseError(message, tok.line, tok.column, length or max(1, tok.end - tok.start))

    def _unclosed_before_definition(self, tok: Token) -> Token | None:
        """The '(' of an earlier line still open where a line starting ``name =`` begins
        before ``tok``: inside parentheses a line break continues the expression, so
        ``z = x^3 + cos(y`` above ``x = t^2`` read as 'missing operator between y and x'."""
        opened: list[Token] = []
        tokens = self.tokens
        for k, t in enumerate(tokens):
            if t.start > tok.start:
                break
            if t.kind == "op" and t.text == "(":
                opened.append(t)
            elif t.kind == "op" and t.text == ")" and opened:
                opened.pop()
            elif (opened and t.kind == "name" and t.line > opened[0].line and k + 1 < len(tokens)
                  and tokens[k + 1].kind == "op" and tokens[k + 1].text == "="
                  and tokens[k - 1].line < t.line):
                return opened[0]
        return None

    def make(self, op: str, start_tok: Token, args=(), value=None, name=None) -> Expr:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(
                f"the input has too many operations (more than {MAX_NODES:,}); "
                "split it into smaller definitions",
                start_tok,
            )
        end = self.tokens[self.i - 1].end if self.i > 0 else start_tok.end
        start = start_tok.start
        if args:
            start = min(start, args[0].start)
        return Expr(
            op=op,
            args=tuple(args),
            value=value,
            name=name,
            start=start,
            end=end,
            line=start_tok.line if start == start_tok.start else args[0].line,
            column=start_tok.column if start == start_tok.start else args[0].column,
            text=self.text[start:end],
        )

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            # Said in what the person sees: a parenthesis costs the parser several levels,
            # so "more than 100 levels" was wrong for 34 nested sin(.
            opened = sum(1 if t.text == "(" else -1 for t in self.tokens[:self.i]
                         if t.kind == "op" and t.text in "()")
            what = (f"{opened} parentheses and function calls deep" if opened > 1
                    else "too many signs or powers in a row")
            raise self.error(f"the expression is nested too deeply here ({what}); split it into "
                             "definitions, e.g. u = … on a line of its own")

    def leave(self):
        self.depth -= 1

    # -- grammar -------------------------------------------------------------------
    def program(self) -> list[Statement]:
        statements: list[Statement] = []
        while not self.at("end"):
            if self.at("sep"):
                self.advance()
                continue
            statements.append(self.statement())
            if not (self.at("sep") or self.at("end")):
                raise self._junk_error()
        return statements

    def statement(self) -> Statement:
        first = self.tok
        lhs = self.expr()
        if not self.at("op", "="):
            return Statement("expression", lhs, line=first.line, column=first.column,
                             text=self._statement_text(first))
        self.advance()
        if self.at("sep") or self.at("end"):
            raise self.error(f"nothing after '=': give the right-hand side of {lhs.text} = …")
        rhs = self.expr()
        if self.at("op", "="):
            raise self.error("a statement may contain only one '='; put each definition on its own line")
        text = self._statement_text(first)
        if lhs.op == "name" and not self.implicit:
            return Statement("definition", rhs, name=lhs.name, lhs=lhs,
                             line=first.line, column=first.column, text=text)
        if lhs.op == "const" and not self.implicit:
            raise ParseError(
                f"'{lhs.name}' is a constant and cannot be redefined; choose another name",
                lhs.line, lhs.column, len(lhs.text),
            )
        return Statement("relation", rhs, lhs=lhs, line=first.line, column=first.column, text=text)

    def _statement_text(self, first: Token) -> str:
        return self.text[first.start:self.tokens[self.i - 1].end]

    def expr(self) -> Expr:
        self.enter()
        start = self.tok
        if self.at("op", "="):
            raise self.error("'=' needs a name or expression on its left, e.g. z = x^2")
        node = self.term()
        while self.at("op", "+") or self.at("op", "-"):
            op = "add" if self.advance().text == "+" else "sub"
            right = self.term()
            node = self.make(op, start, (node, right))
        self.leave()
        return node

    def term(self) -> Expr:
        start = self.tok
        node = self.unary()
        while True:
            if self.at("op", "*") or self.at("op", "/"):
                op = "mul" if self.advance().text == "*" else "div"
                right = self.unary()
                node = self.make(op, start, (node, right))
            elif self._implicit_product_follows():
                right = self.power()
                node = self.make("mul", start, (node, right))
            else:
                return node

    def _implicit_product_follows(self) -> bool:
        prev = self.tokens[self.i - 1]
        tok = self.tok
        left_ok = prev.kind == "number" or (prev.kind == "op" and prev.text == ")")
        right_ok = tok.kind == "name" or (tok.kind == "op" and tok.text == "(")
        return left_ok and right_ok

    def unary(self) -> Expr:
        self.enter()
        start = self.tok
        if self.at("op", "-") or self.at("op", "+"):
            sign = self.advance().text
            operand = self.unary()
            node = self.make("neg", start, (operand,)) if sign == "-" else operand
        else:
            node = self.power()
        self.leave()
        return node

    def power(self) -> Expr:
        start = self.tok
        base = self.atom()
        if self.at("op", "^"):
            self.enter()
            self.advance()
            if self.at("sep") or self.at("end") or self.at("op", ")"):
                raise self.error("'^' needs an exponent after it, e.g. x^2")
            exponent = self.unary()
            self.leave()
            if base.op == "const" and base.name == "e":
                return self.make("exp", start, (exponent,))
            return self.make("pow", start, (base, exponent))
        return base

    def atom(self) -> Expr:
        tok = self.tok
        if tok.kind == "number":
            self.advance()
            return self.make("num", tok, value=Fraction(tok.text))
        if tok.kind == "name":
            return self.name_or_call()
        if self.at("op", "("):
            self.enter()
            open_tok = self.advance()
            if self.at("op", ")"):
                raise self.error("empty parentheses: put an expression inside ( )")
            inner = self.expr()
            if not self.at("op", ")"):
                raise self._unclosed_error(open_tok)
            self.advance()
            self.leave()
            # Parentheses only group: keep the inner node but widen its span.
            return Expr(inner.op, inner.args, inner.value, inner.name, open_tok.start,
                        self.tokens[self.i - 1].end, open_tok.line, open_tok.column,
                        self.text[open_tok.start:self.tokens[self.i - 1].end])
        raise self._unexpected_error()

    def name_or_call(self) -> Expr:
        tok = self.advance()
        name = tok.text
        if name.startswith("_"):
            raise self.error("a name must start with a letter", tok)
        if self.at("op", "("):
            return self.call(tok)
        if name in FUNCTIONS:
            raise self.error(f"{name} is a function: write it with parentheses, e.g. {name}(x)", tok)
        if name in CONSTANTS:
            return self.make("const", tok, name=CONSTANTS[name])
        if self.at("name"):
            nxt = self.tok
            raise self.error(
                f"missing operator between '{name}' and '{nxt.text}': write {name}*{nxt.text} "
                f"(a run of letters such as {name}{nxt.text} is one name)",
                nxt,
            )
        return self.make("name", tok, name=name)

    def call(self, name_tok: Token) -> Expr:
        name = name_tok.text
        canonical = name.lower() if name.lower() in FUNCTIONS else name
        if canonical not in FUNCTIONS:
            suggestion = closest_function(name)
            if not self._closed_ahead():
                # Still being typed (``2x(``): the missing ')' is the mistake to name first;
                # whether the name is a function can only be judged once the call is complete.
                hint = f" (and '{name}' is not a function: did you mean {suggestion}?)" if suggestion else ""
                raise self.error(f"this '(' is never closed: add a ')'{hint}")
            if name in CONSTANTS:
                raise self.error(f"'{name}' is a constant, not a function; write {name}*(…) to multiply", name_tok)
            hint = f"; did you mean {suggestion}?" if suggestion else (
                f"; to multiply, write {name}*(…)"
            )
            raise self.error(f"unknown function '{name}'{hint}", name_tok)
        self.enter()
        open_tok = self.advance()
        args: list[Expr] = []
        if self.at("op", ")"):
            raise self.error(f"{canonical}() needs an argument, e.g. {canonical}(x)")
        while True:
            args.append(self.expr())
            if self.at("op", ","):
                self.advance()
                continue
            break
        if not self.at("op", ")"):
            raise self._unclosed_error(open_tok)
        self.advance()
        self.leave()
        op, least, most = FUNCTIONS[canonical]
        if not least <= len(args) <= most:
            wanted = f"{least}" if least == most else f"{least} or {most}"
            plural = "s" if most > 1 else ""
            raise self.error(
                f"{canonical} takes {wanted} argument{plural}, but {len(args)} were given",
                name_tok, self.tokens[self.i - 1].end - name_tok.start,
            )
        return self.make(op, name_tok, tuple(args))

    def _closed_ahead(self) -> bool:
        """Whether the '(' at the current token has its ')' before the statement ends."""
        depth = 0
        for tok in self.tokens[self.i:]:
            if tok.kind in ("sep", "end"):
                return False
            if tok.kind == "op" and tok.text == "(":
                depth += 1
            elif tok.kind == "op" and tok.text == ")":
                depth -= 1
                if depth == 0:
                    return True
        return False

    # -- error messages ------------------------------------------------------------
    def _unclosed_error(self, open_tok: Token) -> ParseError:
        if self.at("sep") or self.at("end"):
            return self.error("this '(' is never closed: add a ')'", open_tok)
        if self.tok.kind in ("name", "number") or self.at("op", "("):
            return self._junk_error()
        return self.error(
            f"expected ')' to close the '(' at {open_tok.line}:{open_tok.column}, "
            f"found '{self.tok.text}'"
        )

    def _unexpected_error(self) -> ParseError:
        tok = self.tok
        if tok.kind in ("end", "sep"):
            prev = self.tokens[self.i - 1] if self.i else tok
            if prev.kind == "op" and prev.text in "+-*/^,(":
                return self.error(f"the expression ends after '{prev.text}': something is missing after it", prev)
            return self.error("the expression is incomplete: something is missing here")
        if tok.text == ")":
            return self.error("unmatched ')': there is no '(' for it to close")
        if tok.text == ",":
            return self.error("',' separates function arguments, as in log(x, 2)")
        return self.error(f"unexpected '{tok.text}'")

    def _junk_error(self) -> ParseError:
        tok = self.tok
        if tok.text == ")":
            return self.error("unmatched ')': there is no '(' for it to close")
        if tok.kind == "number":
            prev = self.tokens[self.i - 1]
            return self.error(f"missing operator between '{prev.text}' and '{tok.text}'")
        if tok.kind == "name" or tok.text == "(":
            prev = self.tokens[self.i - 1]
            return self.error(f"missing operator between '{prev.text}' and '{tok.text}', e.g. {prev.text}*{tok.text}")
        return self.error(f"unexpected '{tok.text}'")
