"""Number fields that refuse an out-of-range number visibly instead of clamping it.

A plain QSpinBox ignores the keystroke that would leave its range: typing 10000 into a
learning rate limited to 100 left "1000" refused and "100" applied, and nothing said so.
These boxes let any number be typed; on Enter (or leaving the field) a number outside the
range is refused, the previous value stays (Qt's CorrectToPreviousValue), and ``refused``
carries a sentence naming the field, what was typed and the allowed range.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QToolTip


def _number(box, text: str) -> float | None:
    body = text.strip()
    for affix in (box.prefix(), box.suffix()):
        if affix:
            body = body.replace(affix.strip(), "").strip()
    try:
        return float(body)
    except ValueError:
        return None


def _validate(box, base, text: str, pos: int):
    result = base.validate(box, text, pos)
    state = result[0] if isinstance(result, tuple) else result
    if state == QValidator.State.Invalid and _number(box, text) is not None:
        return QValidator.State.Intermediate, text, pos  # only out of range: typed, refused on Enter
    return result


def _fixup(box, base, text: str):
    box._typed = text  # Qt asks to fix a text it will not accept as it is: remember what was typed
    return base.fixup(box, text)


def _shown(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _refuse_if_out_of_range(box) -> None:
    typed, box._typed = box._typed, None
    if typed is None:
        return
    value = _number(box, typed)
    whole = isinstance(box, QSpinBox)
    if value is None:
        return
    if box.minimum() <= value <= box.maximum():
        if not whole or value == int(value):
            return
        problem = "is not a whole number"
    else:
        problem = "is outside the allowed range"
    message = (f"{box.field_name}: {typed.strip()} {problem} — type a{' whole' if whole else ''} number from "
               f"{_shown(box.minimum())} to {_shown(box.maximum())}{box.suffix()}. "
               f"Kept {_shown(box.value())}{box.suffix()}.")
    box.last_refusal = message
    if box.isVisible():
        QToolTip.showText(box.mapToGlobal(box.rect().bottomLeft()), message, box)
    box.refused.emit(message)


class _RefusesOutOfRange:
    """What both number fields share: a name for messages, and a typed number outside the
    range refused aloud (``refused``) instead of clamped."""

    _qt_base: type  # QSpinBox or QDoubleSpinBox: whose validate/fixup to ask first

    def __init__(self, field_name: str, **kwargs):
        super().__init__(**kwargs)
        self.field_name = field_name
        self._typed: str | None = None
        self.last_refusal = ""
        self.editingFinished.connect(lambda: _refuse_if_out_of_range(self))

    def validate(self, text, pos):  # Qt override
        return _validate(self, self._qt_base, text, pos)

    def fixup(self, text):  # Qt override
        return _fixup(self, self._qt_base, text)


class RangeSpinBox(_RefusesOutOfRange, QSpinBox):
    refused = Signal(str)
    _qt_base = QSpinBox


class RangeDoubleSpinBox(_RefusesOutOfRange, QDoubleSpinBox):
    refused = Signal(str)
    _qt_base = QDoubleSpinBox
