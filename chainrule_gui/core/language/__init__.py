"""Text to checked definitions: the lexer, the parser (no ``eval``), the syntax tree, the
program (who depends on whom) and the SymPy expressions built from it."""

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "tokenize": "lexer",
    "parse_statements": "parser",
    "parse_expression": "parser",
    "parse_program": "program",
    "Program": "program",
    "Definition": "program",
    "Relation": "program",
    "to_sympy": "symbolic",
    "constant_value": "point",
    "lookalike_note": "lookalikes",
})
