"""The Expression mode's controller: intents in, snapshots out.

The state, what each intent does to it, reading a text and the numbers at the point are
the core's explorer model (``core.explorer``); this controller holds the current
:class:`ExplorerState`, schedules the slow parts and forwards their results as signals.
Reading a text (parsing, building the graphs, SymPy's derivative of a small composition)
runs on a background thread through ``gui/background.py``: the newest request wins, so a
stale answer never replaces a newer one.  Moving a slider only re-evaluates numbers, which
takes well under a millisecond, so it happens on the GUI thread at once.  Simplification
and the derivative of a large composition run in the killable SymPy worker processes and
arrive later; a stale one is stopped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal

from chainrule_gui.core.calculus.derivation import symbolic_derivative
from chainrule_gui.core.errors import ChainRuleError, ParseError
from chainrule_gui.core.explorer import transitions
from chainrule_gui.core.explorer.evaluation import evaluate
from chainrule_gui.core.explorer.reading import Reading, read_text
from chainrule_gui.core.explorer.state import ExplorerState, StructureKey, structure_key
from chainrule_gui.core.explorer.symbolic import GAVE_UP, NOT_KNOWN, SymbolicCache
from chainrule_gui.core.graph.chain_graph import ChainGraph
from chainrule_gui.gui import startup
from chainrule_gui.gui.background import Background, Cancelled, JobResult, after_grace
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot

DEBOUNCE_MS = 120
#: Above the core's INLINE_SYMBOLIC_OPS, SymPy gets this long in its child process before
#: the SymPy check is given up.
DEFERRED_DIFF_TIMEOUT_S = 20.0
SIMPLIFY_TIMEOUT_S = 4.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Built:
    """What the background thread hands back for one text: its reading, or why none."""

    reading: Reading | None
    error: ParseError | None = None
    internal: str | None = None  # our own bug, as a sentence (the traceback is logged)


@dataclass(frozen=True)
class Simplified:
    """The simplified derivative for ``key`` (a :class:`StructureKey`), or why there is none."""

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
        #: Everything the person typed and chose (core.explorer): replaced, never changed.
        self.state = ExplorerState()
        #: The last text that read, which the snapshots show (None until one has).
        self._reading: Reading | None = None
        self._symbolic_cache = SymbolicCache()
        self.snapshot: ExplorerSnapshot | None = None
        self.simplify_enabled = True
        self._last_parse_error: ParseError | None = None
        self._closed = False

    # -- intents ------------------------------------------------------------------------
    # Each applies the core's transition for the intent; what follows depends on what
    # changed: the text is read again (off this thread), or only the numbers are.
    def set_text(self, text: str, immediate: bool = False) -> None:
        """New definitions: rebuilt after a short pause in typing (or at once)."""
        self.state = transitions.edit_text(self.state, text)
        if immediate:
            self._timer.stop()
            self._submit()
        else:
            self._timer.start()

    def load_state(self, state: ExplorerState) -> None:
        """Replace everything at once (opening a session or an example) and rebuild now."""
        self.state = state
        self._timer.stop()
        self._submit()

    def set_output(self, name: str) -> None:
        """The person picks the output (a chooser, a Jacobian entry): kept while it fits."""
        self._apply(transitions.choose_output(self.state, name), self._rebuild_choice)

    def set_input(self, name: str) -> None:
        self._apply(transitions.choose_input(self.state, name), self._rebuild_choice)

    def set_value(self, name: str, value: float) -> None:
        self._apply(transitions.set_value(self.state, name, value), self._refresh_numbers)

    def set_point(self, point: dict[str, float]) -> None:
        self._apply(transitions.set_values(self.state, point), self._refresh_numbers)

    def set_range(self, name: str, low: float, high: float) -> None:
        self._apply(transitions.set_range(self.state, name, low, high), self._refresh_numbers)

    def toggle_cut(self, edge: tuple[str, str]) -> None:
        self._apply(transitions.toggle_cut(self.state, edge), self._rebuild_choice)

    def set_cut(self, edges) -> None:
        self._apply(transitions.set_cut(self.state, edges), self._rebuild_choice)

    def set_max_paths(self, count: int) -> None:
        self._apply(transitions.set_max_paths(self.state, count), lambda: self._refresh(structure_changed=True))

    def set_view_settings(self, diagram: str | None = None, labels: str | None = None) -> None:
        """The diagram's view or label mode (kept in the state for the session; nothing to compute)."""
        self.state = transitions.set_view(self.state, diagram, labels)

    def _apply(self, state: ExplorerState, then) -> None:
        """Take ``state`` and do ``then``, unless the intent changed nothing."""
        if state is not self.state:
            self.state = state
            then()

    def _refresh_numbers(self) -> None:
        self._refresh(structure_changed=False)

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
        """Read the text typed last."""
        self._submit_text(self.state.text)

    def _submit_text(self, text: str) -> None:
        """Read ``text`` with the current choices and cuts."""
        if self._closed:
            return
        self.busy_changed.emit(True)
        state = self.state
        self._derivatives.cancel()  # a derivative still asked for the previous text is stale
        self._builds.submit(text, lambda _cancelled: self._build(text, state))

    def _build(self, text: str, state: ExplorerState) -> Built:
        """Runs on a worker thread; never touches widgets."""
        try:
            return Built(read_text(text, state, self._symbolic_cache))
        except ParseError as exc:
            return Built(None, exc)
        except ChainRuleError as exc:  # e.g. a bad choice while typing
            return Built(None, ParseError(str(exc)))
        except Exception as exc:  # noqa: BLE001 - our bug: say so, log it, keep the window working
            log.exception("building the graphs failed")
            return Built(None, internal=f"internal error while reading the definitions "
                                        f"({type(exc).__name__}: {exc}); it has been logged — "
                                        "please report it")

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

        key = StructureKey(text, of, wrt, cut)
        try:
            expr, _note = symbolic_derivative(graph, of, wrt, cut, differentiate=in_child)
        except SympyCancelled:
            log.info("a stale derivative was stopped in SymPy's child process")
            # Nothing stored: that text's derivative is asked for again if it comes back;
            # the stream drops this stale request quietly.
            raise
        except (SympyTimeout, SympyWorkFailed) as exc:
            log.info("SymPy's derivative given up: %s", exc)
            expr = GAVE_UP
        except Exception:  # noqa: BLE001 - our bug: logged; the other four methods stay on screen
            log.exception("SymPy's derivative failed")
            expr = GAVE_UP
        self._symbolic_cache.store(key, expr)
        return key

    def _on_built(self, result: JobResult) -> None:
        """The newest text's reading (older answers never arrive: ``Background``)."""
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
        reading = built.reading
        self.state = transitions.adopt_reading(self.state, reading)
        self._reading = reading
        self._refresh(structure_changed=True, symbolic=reading.symbolic)
        if reading.deferred:
            # After this redraw has been painted (a zero timer runs after the paint events).
            deferred = (reading.graph, *structure_key(reading))
            QTimer.singleShot(0, lambda: self._ask_deferred(result.request, deferred))

    def _ask_deferred(self, build: int, deferred: tuple) -> None:
        if self._builds.is_latest(build):  # no newer text meanwhile
            self._derivatives.submit(deferred, partial(self._deferred_symbolic, *deferred))

    def _on_symbolic_done(self, result: JobResult) -> None:
        """SymPy's derivative of a large expression arrived after the first paint."""
        key = result.value
        if self.snapshot is None or key is None:
            return
        if key != structure_key(self.snapshot):
            return
        self._refresh(structure_changed=False, symbolic=self._symbolic_cache.get(key), symbolic_arrived=True)

    def _rebuild_choice(self) -> None:
        """A new output/input/cut needs SymPy's derivative again: get it off the GUI thread
        (for the text shown; a text typed since that does not read stays unread)."""
        if self._reading is not None:
            self._submit_text(self._reading.text)

    # -- numbers at the point (GUI thread) -------------------------------------------------
    def _refresh(self, structure_changed: bool, symbolic=NOT_KNOWN, symbolic_arrived: bool = False) -> None:
        reading, state = self._reading, self.state
        if reading is None:
            return
        numbers = evaluate(state, reading, self._symbolic_cache, symbolic)
        derivation = numbers.derivation
        self._revision += 1
        snapshot = ExplorerSnapshot(
            revision=self._revision, text=reading.text, program=reading.program, graph=reading.graph,
            of=state.of, wrt=state.wrt, point=numbers.point, ranges=numbers.ranges, cut=state.cut,
            derivation=derivation, implicit=numbers.implicit, error=numbers.error,
            structure_changed=structure_changed, max_paths=state.max_paths,
            symbolic_pending=numbers.symbolic_pending,
        )
        self.snapshot = snapshot
        self.snapshot_ready.emit(snapshot)
        if (structure_changed or symbolic_arrived) and derivation is not None \
                and derivation.derivative_expr is not None:
            self._request_simplify(snapshot)

    def _request_simplify(self, snapshot: ExplorerSnapshot) -> None:
        if not self.simplify_enabled or self._closed:
            return
        key = structure_key(snapshot)
        work = partial(_simplify, key, snapshot.derivation.derivative_expr)
        self._simplifications.cancel()  # the one on screen before is no longer wanted, even while deferred
        # The worker is a child process importing SymPy: not while the window opens.
        startup.defer(lambda: None if self._closed else self._simplifications.submit(key, work))

    def _on_simplified(self, result: JobResult) -> None:
        self.simplified_ready.emit(result.value if result.error is None
                                   else Simplified(result.key, None, "failed"))


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
