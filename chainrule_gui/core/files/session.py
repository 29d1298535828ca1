"""Session files (``.json``): the explorer's text, point, ranges, choices and view settings.

Loading goes through every gate before anything is used, and a bad file never changes the
work that is open:

size cap → strict JSON → format and version (older versions are migrated, newer ones
refused) → schema (no unknown keys, right types, finite numbers) → meaning (the text
through the safe parser, every value for an input that exists, ranges that make sense).

The user's *source text* is stored and re-parsed on load; nothing SymPy printed is ever
read back (``sympify(srepr(...))`` can run code).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from chainrule_gui import __version__
from chainrule_gui.core.files.atomic import (
    FileFormatError,
    atomic_write_text,
    dump_json,
    load_strict_json,
    oversized,
    read_limited,
)
from chainrule_gui.core.language.lexer import MAX_TEXT_LENGTH

FORMAT = "chainrule-session"
SCHEMA_VERSION = 1
VIEWS = ("tree", "graph", "operations")
LABEL_MODES = ("symbolic", "numeric", "both")

#: A name as the parser reads it: a letter, then letters, digits and "_", as long as the text
#: allows (the parser has no other limit; a 64-character cap here made saved work unopenable).
_NAME = {"type": "string", "maxLength": MAX_TEXT_LENGTH, "pattern": r"^[^\W\d_]\w*$"}
#: Values and range ends as the point's spin boxes allow them (a 400-digit integer is JSON
#: too, and would overflow a float).
MAX_MAGNITUDE = 1e9
#: Schema errors looked at before reporting the first: one is enough to refuse, and
#: collecting all of a 440,000-entry cut took 30–76 s and 4.6 GB.
MAX_SCHEMA_ERRORS = 20
_NUMBER = {"type": "number", "minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "schema_version", "expression"],
    "properties": {
        "format": {"const": FORMAT},
        "schema_version": {"type": "integer"},
        "saved_by": {"type": "string", "maxLength": 200},
        "expression": {
            "type": "object",
            "additionalProperties": False,
            "required": ["text"],
            "properties": {
                "text": {"type": "string", "maxLength": MAX_TEXT_LENGTH},
                "of": {"anyOf": [_NAME, {"type": "null"}]},
                "wrt": {"anyOf": [_NAME, {"type": "null"}]},
                "point": {"type": "object", "maxProperties": 500, "propertyNames": _NAME,
                          "additionalProperties": _NUMBER},
                "ranges": {"type": "object", "maxProperties": 500, "propertyNames": _NAME,
                           "additionalProperties": {"type": "array", "prefixItems": [_NUMBER, _NUMBER],
                                                    "minItems": 2, "maxItems": 2}},
                "cut": {"type": "array", "maxItems": 500,
                        "items": {"type": "array", "prefixItems": [_NAME, _NAME], "minItems": 2,
                                  "maxItems": 2}},
                "max_paths": {"type": "integer", "minimum": 1, "maximum": 100_000},
            },
        },
        "view": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "diagram": {"enum": list(VIEWS)},
                "labels": {"enum": list(LABEL_MODES)},
            },
        },
    },
}


@dataclass(frozen=True)
class Session:
    """Everything needed to reopen the explorer where it was."""

    text: str
    of: str | None = None
    wrt: str | None = None
    point: dict[str, float] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    cut: tuple[tuple[str, str], ...] = ()
    max_paths: int = 200
    diagram: str = "tree"
    labels: str = "both"
    #: When opened with ``allow_text_errors``: the mistake in ``text`` (not saved in the file).
    text_error: str | None = field(default=None, compare=False)

    @classmethod
    def from_state(cls, state) -> Session:
        """What File ▸ Save keeps of an :class:`~chainrule_gui.core.explorer.state.ExplorerState`:
        the names the person picked (the rest follows the text again on opening), and the
        values and ranges of the free names of the last text that read."""
        names = state.free_names
        kept = (lambda values: dict(values)) if names is None else \
            (lambda values: {k: v for k, v in values.items() if k in names})
        return cls(text=state.text, of=state.picked_of, wrt=state.picked_wrt, point=kept(state.point),
                   ranges=kept(state.ranges), cut=tuple(sorted(state.cut)), max_paths=state.max_paths,
                   diagram=state.diagram, labels=state.labels)

    def to_state(self):
        """The explorer state this session opens (its names count as picked)."""
        from chainrule_gui.core.explorer.transitions import opened

        return opened(self.text, self.of, self.wrt, self.point, self.ranges, self.cut,
                      max_paths=self.max_paths, diagram=self.diagram, labels=self.labels)

    def to_json(self) -> str:
        return dump_json({
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "saved_by": f"chainrule-gui {__version__}",
            "expression": {
                "text": self.text,
                "of": self.of,
                "wrt": self.wrt,
                "point": dict(self.point),
                "ranges": {k: list(v) for k, v in self.ranges.items()},
                "cut": [list(e) for e in self.cut],
                "max_paths": self.max_paths,
            },
            "view": {"diagram": self.diagram, "labels": self.labels},
        })


#: Migrations from version N to N + 1, applied in order (none yet: version 1 is the first).
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


def save_session(session: Session, path: str | Path) -> None:
    """Write atomically: the file on disk is always a complete session."""
    atomic_write_text(path, session.to_json())


def load_session(path: str | Path, allow_text_errors: bool = False) -> Session:
    """Read a session file; raise :class:`FileFormatError` naming the problem and place.

    With ``allow_text_errors`` a text with a typing mistake is still opened (it is the
    user's own work, saved mid-edit): ``text_error`` says what is wrong, and the point
    and choices are checked for form only.  The text is never evaluated either way.
    """
    return session_from_bytes(read_limited(path), allow_text_errors)


def session_from_bytes(data: bytes, allow_text_errors: bool = False) -> Session:
    obj = load_strict_json(data)
    if not isinstance(obj, dict):
        raise FileFormatError("this is not a Chain Rule Explorer session (the top level is not an object)")
    if obj.get("format") != FORMAT:
        raise FileFormatError("this is not a Chain Rule Explorer session (its 'format' is "
                              f"{obj.get('format')!r}, expected {FORMAT!r})")
    version = obj.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FileFormatError("the session has no valid 'schema_version'")
    if version > SCHEMA_VERSION:
        raise FileFormatError(f"the session was saved by a newer version of Chain Rule Explorer "
                              f"(format version {version}; this one reads up to {SCHEMA_VERSION}); "
                              "please update the app to open it")
    while version < SCHEMA_VERSION:
        obj = MIGRATIONS[version](obj)
        version += 1
        obj["schema_version"] = version
    _validate_schema(obj)
    return _checked(obj, allow_text_errors)


def _validate_schema(obj: dict) -> None:
    from jsonschema import Draft202012Validator

    too_long = oversized(obj, SCHEMA)
    if too_long:
        raise FileFormatError(f"the session is not valid at {too_long[0]}: {too_long[1]}")
    errors = sorted(islice(Draft202012Validator(SCHEMA).iter_errors(obj), MAX_SCHEMA_ERRORS),
                    key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        error = errors[0]
        place = ".".join(str(p) for p in error.absolute_path) or "the top level"
        raise FileFormatError(f"the session is not valid at {place}: {_schema_message(error)}")


def _schema_message(error) -> str:
    if error.validator in ("maxItems", "maxProperties", "maxLength"):  # its message repeats the value
        return f"it is longer than the {error.validator_value:,} entries allowed"
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    return error.message[:200]


def _checked(obj: dict, allow_text_errors: bool) -> Session:
    """Semantic checks: everything must make sense together, not just have the right type."""
    from chainrule_gui.core.errors import ParseError
    from chainrule_gui.core.graph.chain_graph import build_chain_graph
    from chainrule_gui.core.language.program import parse_program

    e = obj["expression"]
    text = e["text"]
    view = obj.get("view", {})
    try:
        program = parse_program(text)
    except ParseError as exc:
        message = (f"the expression text in the session has a mistake at line {exc.line}, "
                   f"column {exc.column}: {exc.message}")
        if not allow_text_errors:
            raise FileFormatError(message) from None
        return Session(text=text, of=e.get("of"), wrt=e.get("wrt"),
                       point={k: float(v) for k, v in e.get("point", {}).items()},
                       ranges=_ranges(e.get("ranges", {})), cut=tuple(tuple(c) for c in e.get("cut", [])),
                       max_paths=e.get("max_paths", 200), diagram=view.get("diagram", "tree"),
                       labels=view.get("labels", "both"), text_error=message)
    graph = build_chain_graph(program)
    point = {}
    for name, value in e.get("point", {}).items():
        if name not in program.inputs:
            raise FileFormatError(f"the session gives a value for {name!r}, which is not an input of its text")
        point[name] = float(value)
    ranges = _ranges(e.get("ranges", {}))
    for name in ranges:
        if name not in program.inputs:
            raise FileFormatError(f"the session gives a range for {name!r}, which is not an input of its text")
    names = set(program.definitions) | set(program.inputs)
    for key in ("of", "wrt"):
        if e.get(key) is not None and e[key] not in names:
            raise FileFormatError(f"the session's {key!r} is {e[key]!r}, which its text does not define")
    cut = []
    for parent, child in e.get("cut", []):
        if not graph.variables.has_edge(parent, child):
            raise FileFormatError(f"the session cuts {parent} → {child}, but {parent} does not use {child}")
        cut.append((parent, child))
    return Session(text=text, of=e.get("of"), wrt=e.get("wrt"), point=point, ranges=ranges, cut=tuple(cut),
                   max_paths=e.get("max_paths", 200), diagram=view.get("diagram", "tree"),
                   labels=view.get("labels", "both"))



def _ranges(raw: dict) -> dict[str, tuple[float, float]]:
    ranges = {}
    for name, (low, high) in raw.items():
        if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
            raise FileFormatError(f"the range of {name} in the session is empty ({low} to {high})")
        ranges[name] = (float(low), float(high))
    return ranges
