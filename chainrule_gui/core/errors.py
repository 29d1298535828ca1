"""Errors a user can cause, each carrying a sentence a newcomer understands.

A traceback is always our bug; anything the user typed or chose that cannot be worked
with ends in one of these exceptions.  The GUI shows ``str(error)`` inline; the command
line prints ``error: <str(error)>`` and exits with status 2.
"""

from __future__ import annotations


class ChainRuleError(Exception):
    """Base class of every error a user can cause."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ParseError(ChainRuleError):
    """The text could not be read as definitions.

    ``line`` and ``column`` are 1-based and point at the first character of the
    problem; ``length`` is how many characters to underline (at least 1).
    """

    def __init__(self, message: str, line: int = 1, column: int = 1, length: int = 1):
        super().__init__(message)
        self.line = line
        self.column = column
        self.length = max(1, length)

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


class ChoiceError(ChainRuleError):
    """A requested output, input or point does not fit the definitions."""


class NumericError(ChainRuleError):
    """Evaluation at the chosen point failed (log of a negative, division by zero, …).

    ``node`` names the place: a definition name or the source text of an operation.
    The rest says where in the graphs it happened, so a view can mark the spot:

    - ``reason``: the fault alone ("log(0) is undefined …"), without the place;
    - ``operation``: the operation-graph node whose value or slope failed;
    - ``owner``: the variable-graph node whose definition holds that operation;
    - ``op_edge``: the operation-graph edge (user, operand) whose local partial failed,
      and ``edges`` the variable-graph edges it belongs to (empty for a value fault);
    - ``evaluation``: a ``PointEvaluation`` of everything that *could* be computed at the
      point (values and partials not downstream of the fault), set by
      ``ChainGraph.evaluate``; ``values`` the operation-level values alone, set by
      ``ChainGraph.forward_values``;
    - ``paths`` and ``path_count``: when ``derivation.derive`` was asked for a derivative
      at the point, the paths of that derivative with the factors known there (see
      ``derivation.paths_at_fault``) and how many there are.
    """

    def __init__(self, message: str, node: str | None = None, *, reason: str | None = None,
                 operation: str | None = None, owner: str | None = None,
                 op_edge: tuple[str, str] | None = None, edges: frozenset = frozenset()):
        super().__init__(message)
        self.node = node
        self.reason = reason if reason is not None else message
        self.operation = operation
        self.owner = owner
        self.op_edge = op_edge
        self.edges = frozenset(edges)
        self.values: dict[str, float] | None = None
        self.evaluation = None
        self.paths: tuple = ()
        self.path_count = 0

    @property
    def is_slope_fault(self) -> bool:
        """The values exist but a local derivative does not (an infinite slope)."""
        return self.op_edge is not None or bool(self.edges)


class ModelError(ChainRuleError):
    """A neural-network specification, data set or model file cannot be used."""
