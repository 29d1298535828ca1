"""The Expression mode's controller: text and choices in, snapshots out.

Parsing, building the graphs and SymPy's derivative of the composed expression run on a
background thread (they can take a moment on big input), through ``gui/background.py``:
the newest request wins, so a stale answer never replaces a newer one.  Moving a slider
only re-evaluates numbers, which takes well under a millisecond, so it happens on the GUI
thread at once.  Simplification and the derivative of a large composition run in the
killable SymPy worker processes and arrive later; a stale one is stopped.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal

from chainrule_gui.core.graph.chain_graph import RELATION_NODE, ChainGraph, build_chain_graph
from chainrule_gui.core.graph.choices import (  # noqa: F401 - choose_output_input: the benchmarks import it here
    Choice,
    carried_values,
    choose_output_input,
    follow_choice,
    input_roles,
)
from chainrule_gui.core.calculus.derivation import derive, symbolic_derivative
from chainrule_gui.core.errors import ChainRuleError, ChoiceError, ParseError
from chainrule_gui.core.calculus.implicit import implicit_derivative, project_to_curve
from chainrule_gui.core.language.program import Program, parse_program
from chainrule_gui.gui import startup
from chainrule_gui.gui.background import Background, Cancelled, JobResult, after_grace
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot

DEBOUNCE_MS = 120
DEFAULT_VALUE = 1.0
DEFAULT_HALF_RANGE = 3.0
DEFAULT_MAX_PATHS = 200
#: Below this size SymPy's derivative is computed before the first paint (a few ms); above
#: it the snapshot is shown at once and SymPy's check arrives when ready.
INLINE_SYMBOLIC_OPS = 400
#: Above it, SymPy gets this long in its child process before the SymPy check is given up.
DEFERRED_DIFF_TIMEOUT_S = 20.0
#: In the symbolic cache: SymPy was asked and gave no answer (too slow, or failed).
SYMPY_GAVE_UP = object()
SIMPLIFY_TIMEOUT_S = 4.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Built:
    """What the background thread hands back for one text."""

    text: str
    program: Program | None
    graph: ChainGraph | None
    of: str | None
    wrt: str | None
    symbolic: object  # SymPy derivative for (of, wrt, cut), or None
    error: ParseError | None
    internal: str | None = None  # our own bug, as a sentence (the traceback is logged)
    #: (graph, text, of, wrt, cut) whose SymPy derivative is too large to wait for: asked
    #: for once this result is on screen
    deferred: tuple | None = None
    choice: Choice | None = None  # of and wrt, and which of them the person picked


@dataclass(frozen=True)
class Simplified:
    """The simplified derivative for ``key`` = (text, of, wrt, cut), or why there is none."""

    key: tuple
    expr: object
    status: str  # "ok", "timeout", "failed"


class ExpressionController(QObject):
    snapshot_ready = Signal(object)  # ExplorerSnapshot
    parse_error = Signal(object)  # ParseError, or None once the text reads again
    busy_changed = Signal(bool)
    simplified_ready = Signal(object)  # Simplified
    internal_error = Signal(str)  # a bug of ours in background work, as a sentence (logged)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._revision = 0
        # Three streams, newest request wins in each: the graphs of the text, SymPy's
        # derivative of a large composition (after its numbers are on screen), and the
        # simplification of the derivative on screen.
        self._builds = Background("build", self)
        self._builds.finished.connect(self._on_built)
        self._derivatives = Background("derive", self)
        self._derivatives.finished.connect(self._on_symbolic_done)
        self._simplifications = Background("simplify", self)
        self._simplifications.finished.connect(self._on_simplified)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._submit)
        self._pending_text = ""
        self._symbolic_cache: dict[tuple, object] = {}
        self.snapshot: ExplorerSnapshot | None = None
        self.point: dict[str, float] = {}
        self.ranges: dict[str, tuple[float, float]] = {}
        #: What is differentiated, and which of it the person picked (kept across edits
        #: while it fits; the rest follows the text: core.choices.follow_choice).
        self.choice = Choice()
        #: The role of each name ``point`` holds a value for, in the text it was set for
        #: (None: given with the text, by a session or an example).
        self._roles: dict[str, str] | None = None
        self.cut: frozenset[tuple[str, str]] = frozenset()
        self.max_paths = DEFAULT_MAX_PATHS
        self.simplify_enabled = True
        self._last_parse_error: ParseError | None = None
        self._closed = False

    # -- intents ------------------------------------------------------------------------
    def set_text(self, text: str, immediate: bool = False) -> None:
        """New definitions: rebuilt after a short pause in typing (or at once)."""
        self._pending_text = text
        if immediate:
            self._timer.stop()
            self._submit()
        else:
            self._timer.start()

    def load_state(self, text: str, of: str | None = None, wrt: str | None = None,
                   point: dict[str, float] | None = None,
                   ranges: dict[str, tuple[float, float]] | None = None,
                   cut=(), max_paths: int | None = None) -> None:
        """Replace everything at once (opening a session or an example) and rebuild now.

        The ``of`` and ``wrt`` given count as picked; None leaves the choice to the text."""
        self.choice = Choice.named(of, wrt)
        self._roles = None
        self.point = dict(point or {})
        self.ranges = {k: tuple(v) for k, v in (ranges or {}).items()}
        for name, value in self.point.items():
            if name not in self.ranges:
                self.ranges[name] = (value - DEFAULT_HALF_RANGE, value + DEFAULT_HALF_RANGE)
        self.cut = frozenset(tuple(e) for e in cut)
        if max_paths is not None:
            self.max_paths = max(1, int(max_paths))
        self.set_text(text, immediate=True)

    @property
    def of(self) -> str | None:
        return self.choice.of

    @property
    def wrt(self) -> str | None:
        return self.choice.wrt

    @property
    def picked_of(self) -> str | None:
        """The output the person chose (None: the text's default), as a session saves it."""
        return self.choice.of if self.choice.of_picked else None

    @property
    def picked_wrt(self) -> str | None:
        return self.choice.wrt if self.choice.wrt_picked else None

    def set_output(self, name: str) -> None:
        """The person picks the output (a chooser, a Jacobian entry): kept while it fits."""
        if name and name != self.of:
            self.choice = self.choice.pick_output(name)
            self._rebuild_choice()

    def set_input(self, name: str) -> None:
        if name and name != self.wrt:
            self.choice = self.choice.pick_input(name)
            self._rebuild_choice()

    def set_value(self, name: str, value: float) -> None:
        if not math.isfinite(value) or self.point.get(name) == value:
            return
        self.point[name] = float(value)
        lo, hi = self.ranges.get(name, (value - DEFAULT_HALF_RANGE, value + DEFAULT_HALF_RANGE))
        self.ranges[name] = (min(lo, value), max(hi, value))
        self._refresh(structure_changed=False)

    def set_point(self, point: dict[str, float]) -> None:
        self.point.update({k: float(v) for k, v in point.items()})
        self._refresh(structure_changed=False)

    def set_range(self, name: str, low: float, high: float) -> None:
        if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
            return
        self.ranges[name] = (low, high)
        value = min(max(self.point.get(name, low), low), high)
        if value != self.point.get(name):
            self.point[name] = value
        self._refresh(structure_changed=False)

    def toggle_cut(self, edge: tuple[str, str]) -> None:
        self.set_cut(self.cut ^ {tuple(edge)})

    def set_cut(self, edges) -> None:
        self.cut = frozenset(tuple(e) for e in edges)
        self._rebuild_choice()

    def set_max_paths(self, count: int) -> None:
        self.max_paths = max(1, int(count))
        self._refresh(structure_changed=True)

    def wait_idle(self, timeout_s: float = 10.0) -> None:
        """Block until the build asked for last is done (tests and scripts)."""
        self._builds.wait_idle(timeout_s)

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()
        for stream in (self._builds, self._derivatives, self._simplifications):
            stream.shutdown()  # a SymPy child still working for this window is stopped

    # -- background build ----------------------------------------------------------------
    def _submit(self) -> None:
        if self._closed:
            return
        self.busy_changed.emit(True)
        text, choice, cut = self._pending_text, self.choice, self.cut
        self._derivatives.cancel()  # a derivative still asked for the previous text is stale
        self._builds.submit(text, lambda _cancelled: self._build(text, choice, cut))

    def _build(self, text: str, choice: Choice, cut) -> Built:
        """Runs on a worker thread; never touches widgets."""
        deferred = None
        of, wrt = choice.of, choice.wrt
        try:
            program = parse_program(text)
            graph = build_chain_graph(program)
            choice = follow_choice(graph, choice)
            of, wrt = choice.of, choice.wrt
            cut = frozenset(e for e in cut if graph.variables.has_edge(*e))
            symbolic = None
            if program.relation is not None:
                if graph.composed_size(RELATION_NODE) <= INLINE_SYMBOLIC_OPS:
                    self._relation_partials(graph, text)  # cached for any choice of x and y
            elif of and wrt:
                if graph.composed_size(of) <= INLINE_SYMBOLIC_OPS:
                    symbolic = self._symbolic(graph, text, of, wrt, cut)
                else:
                    deferred = (graph, text, of, wrt, cut)
            return Built(text, program, graph, of, wrt, symbolic, None, deferred=deferred, choice=choice)
        except ParseError as exc:
            return Built(text, None, None, of, wrt, None, exc)
        except ChainRuleError as exc:  # e.g. a bad choice while typing
            return Built(text, None, None, of, wrt, None, ParseError(str(exc)))
        except Exception as exc:  # noqa: BLE001 - our bug: say so, log it, keep the window working
            log.exception("building the graphs failed")
            return Built(text, None, None, of, wrt, None, None,
                         internal=f"internal error while reading the definitions ({type(exc).__name__}: "
                                  f"{exc}); it has been logged — please report it")

    def _deferred_symbolic(self, graph: ChainGraph, text: str, of: str, wrt: str, cut,
                           cancelled: Cancelled) -> tuple:
        """A large composition's derivative, asked for once its numbers are on screen.

        SymPy works in a child process (``sympy_worker.derivative_worker``) and this thread
        only waits: on a thread of this process it took the GIL from drawing (deep-diamonds:
        +40 ms to the first redraw, and the next edit waited up to 200 ms behind it), and a
        pathological one could not be stopped.  Past the time limit the child is killed and
        the SymPy column says "not computed"; the other four methods still check.  Once
        stale (the text changed) and as long in the child as a fresh child takes to start,
        the child is stopped: waiting longer could cost up to the time limit, stopping it
        costs at most the same again.  Returns the cache key it stored."""
        from chainrule_gui.core.calculus.sympy_worker import (
            SympyCancelled,
            SympyTimeout,
            SympyWorkFailed,
            derivative_worker,
        )

        unwanted = after_grace(cancelled)

        def in_child(expr, symbol, order):
            return derivative_worker().call("diff", expr, symbol, order, timeout=DEFERRED_DIFF_TIMEOUT_S,
                                            cancelled=unwanted)

        key = (text, of, wrt, cut)
        try:
            expr, _note = symbolic_derivative(graph, of, wrt, cut, differentiate=in_child)
        except SympyCancelled:
            log.info("a stale derivative was stopped in SymPy's child process")
            # Nothing stored: that text's derivative is asked for again if it comes back;
            # the stream drops this stale request quietly.
            raise
        except (SympyTimeout, SympyWorkFailed) as exc:
            log.info("SymPy's derivative given up: %s", exc)
            expr = SYMPY_GAVE_UP
        except Exception:  # noqa: BLE001 - our bug: logged; the other four methods stay on screen
            log.exception("SymPy's derivative failed")
            expr = SYMPY_GAVE_UP
        self._store_symbolic(key, expr)
        return key

    def _store_symbolic(self, key: tuple, expr) -> None:
        if len(self._symbolic_cache) > 64:
            self._symbolic_cache.clear()
        self._symbolic_cache[key] = expr

    def _symbolic(self, graph: ChainGraph, text: str, of: str, wrt: str, cut) -> object:
        key = (text, of, wrt, cut)
        if key not in self._symbolic_cache:
            expr, _note = symbolic_derivative(graph, of, wrt, cut)
            self._store_symbolic(key, expr)
        return self._symbolic_cache[key]

    def _relation_partials(self, graph: ChainGraph, text: str) -> dict:
        """SymPy's ∂F/∂v for every variable v of the equation F = 0 (worker thread)."""
        key = (text, RELATION_NODE)
        if key not in self._symbolic_cache:
            partials = {name: symbolic_derivative(graph, RELATION_NODE, name)[0] for name in graph.inputs}
            self._store_symbolic(key, partials)
        return self._symbolic_cache[key]

    def _on_built(self, result: JobResult) -> None:
        """The newest text's graphs (older answers never arrive: ``Background``)."""
        built: Built = result.value
        self.busy_changed.emit(False)
        if built.internal is not None:
            self.internal_error.emit(built.internal)
            return
        if built.error is not None:
            self._last_parse_error = built.error
            self.parse_error.emit(built.error)
            return
        if self._last_parse_error is not None:
            self._last_parse_error = None
            self.parse_error.emit(None)
        self.choice = built.choice
        self.cut = frozenset(e for e in self.cut if built.graph.variables.has_edge(*e))
        self._adopt_inputs(built.program, built.graph)
        self._text, self._program, self._graph = built.text, built.program, built.graph
        self._refresh(structure_changed=True, symbolic=built.symbolic)
        if built.deferred is not None:
            # After this redraw has been painted (a zero timer runs after the paint events).
            QTimer.singleShot(0, lambda: self._ask_deferred(result.request, built.deferred))

    def _ask_deferred(self, build: int, deferred: tuple) -> None:
        if self._builds.is_latest(build):  # no newer text meanwhile
            self._derivatives.submit(deferred, partial(self._deferred_symbolic, *deferred))

    def _on_symbolic_done(self, result: JobResult) -> None:
        """SymPy's derivative of a large expression arrived after the first paint."""
        key = result.value
        if self.snapshot is None or key is None:
            return
        if key != (self.snapshot.text, self.of, self.wrt, self.cut):
            return
        self._refresh(structure_changed=False, symbolic=self._symbolic_cache.get(key), symbolic_arrived=True)

    def _adopt_inputs(self, program: Program, graph: ChainGraph) -> None:
        """Keep values of inputs that survive an edit in the same role; others start at a default.

        A name that was defined, or was a variable of an equation, before this text is not
        the same quantity: its old value (the circle's x = 0.9487) does not carry over."""
        roles = input_roles(program)
        self.point = carried_values(self.point, self._roles, roles)
        self.ranges = carried_values(self.ranges, self._roles, roles)
        self._roles = roles
        for name in program.inputs:
            if name not in self.point:
                self.point[name] = DEFAULT_VALUE
            if name not in self.ranges:
                v = self.point[name]
                self.ranges[name] = (v - DEFAULT_HALF_RANGE, v + DEFAULT_HALF_RANGE)
        if program.relation is not None and self.of in program.inputs and self.wrt in program.inputs:
            from chainrule_gui.core.calculus.curve import project_onto_curve  # NumPy: not needed at start-up

            # The nearest point of the curve (along ∇F), not the one straight above or
            # below: from (1, 1) on x^2 + y^2 = 1 that would be (1, 0), a vertical tangent.
            on_curve = project_onto_curve(graph, self.wrt, self.of, {n: self.point[n] for n in program.inputs})
            if on_curve is not None:
                self.point[self.wrt], self.point[self.of] = on_curve.x, on_curve.y
            else:
                y = project_to_curve(graph, self.of, {n: self.point[n] for n in program.inputs})
                if y is not None:
                    self.point[self.of] = y

    def _rebuild_choice(self) -> None:
        """A new output/input/cut needs SymPy's derivative again: get it off the GUI thread."""
        if self.snapshot is None:
            return
        self._pending_text = self.snapshot.text
        self._submit()

    # -- numbers at the point (GUI thread) -------------------------------------------------
    def _refresh(self, structure_changed: bool, symbolic=None, symbolic_arrived: bool = False) -> None:
        if not hasattr(self, "_graph"):
            return
        graph, program = self._graph, self._program
        point = {n: self.point.get(n, DEFAULT_VALUE) for n in program.inputs}
        ranges = {n: self.ranges[n] for n in program.inputs}
        key = (self._text, self.of, self.wrt, self.cut)
        if symbolic is None:
            symbolic = self._symbolic_cache.get(key)
        # Known: SymPy has answered (None = too large, derive() then says so in its notes).
        known = symbolic is not None or key in self._symbolic_cache
        gave_up = symbolic is SYMPY_GAVE_UP  # too slow or failed: "not computed", never retried here
        if gave_up:
            symbolic = None
        derivation = implicit = error = None
        try:
            if program.relation is not None:
                if self.of and self.wrt:
                    # SymPy's F_x and F_y from the build thread (None: too large, not computed)
                    partials = self._symbolic_cache.get((self._text, RELATION_NODE)) or {}
                    exprs = (partials.get(self.wrt), partials.get(self.of))
                    have = None not in exprs
                    implicit = implicit_derivative(graph, self.of, self.wrt, point, symbolic=have,
                                                   symbolic_exprs=exprs if have else None)
            elif self.of and self.wrt:
                derivation = derive(graph, self.of, self.wrt, point, max_paths=self.max_paths,
                                    cut=self.cut, symbolic=known and not gave_up, symbolic_expr=symbolic)
            else:
                error = ChoiceError("define an output that depends on an input, e.g. z = x^2")
        except ChainRuleError as exc:
            error = exc
        self._revision += 1
        snapshot = ExplorerSnapshot(
            revision=self._revision, text=self._text, program=program, graph=graph, of=self.of,
            wrt=self.wrt, point=point, ranges=ranges, cut=self.cut, derivation=derivation,
            implicit=implicit, error=error, structure_changed=structure_changed, max_paths=self.max_paths,
            symbolic_pending=derivation is not None and not known,
        )
        self.snapshot = snapshot
        self.snapshot_ready.emit(snapshot)
        if (structure_changed or symbolic_arrived) and derivation is not None \
                and derivation.derivative_expr is not None:
            self._request_simplify(snapshot)

    def _request_simplify(self, snapshot: ExplorerSnapshot) -> None:
        if not self.simplify_enabled or self._closed:
            return
        key = simplify_key(snapshot)
        work = partial(_simplify, key, snapshot.derivation.derivative_expr)
        self._simplifications.cancel()  # the one on screen before is no longer wanted, even while deferred
        # The worker is a child process importing SymPy: not while the window opens.
        startup.defer(lambda: None if self._closed else self._simplifications.submit(key, work))

    def _on_simplified(self, result: JobResult) -> None:
        self.simplified_ready.emit(result.value if result.error is None
                                   else Simplified(result.key, None, "failed"))

    def replace_snapshot_settings(self, **settings) -> None:
        """Views store display preferences (view kind, label mode) in the snapshot."""
        if self.snapshot is not None:
            merged = {**self.snapshot.settings, **settings}
            self.snapshot = replace(self.snapshot, settings=merged)


def simplify_key(snapshot: ExplorerSnapshot) -> tuple:
    return (snapshot.text, snapshot.of, snapshot.wrt, snapshot.cut)


def _simplify(key: tuple, expr, cancelled: Cancelled) -> Simplified:
    """Runs on a worker thread: SymPy's simplification in its child process.  A stale one
    is stopped as a stale large derivative is (``after_grace``); SympyCancelled goes
    through and the stream drops it (the view waits for a newer simplification)."""
    from chainrule_gui.core.calculus.sympy_worker import SympyCancelled, SympyTimeout, SympyWorkFailed, default_worker

    try:
        return Simplified(key, default_worker().call("simplify", expr, timeout=SIMPLIFY_TIMEOUT_S,
                                                     cancelled=after_grace(cancelled)), "ok")
    except SympyCancelled:
        raise  # the stream drops it quietly
    except SympyTimeout:
        return Simplified(key, None, "timeout")
    except SympyWorkFailed:
        return Simplified(key, None, "failed")
    except Exception:  # noqa: BLE001 - our bug (e.g. the child cannot start): never "simplifying…" forever
        log.exception("simplification failed")
        return Simplified(key, None, "failed")
