"""The definitions editor: syntax highlighting, completion, and errors underlined in place."""

from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeySequence,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QCompleter, QPlainTextEdit, QTextEdit

from chainrule_gui.core.errors import ParseError
from chainrule_gui.core.language.parser import CONSTANTS, FUNCTIONS
from chainrule_gui.gui import theme

_TOKEN = re.compile(r"(?P<comment>#.*)|(?P<number>\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)"
                    r"|(?P<name>[^\W\d_][\w]*)|(?P<op>\*\*|[-+*/^=(),;·×−÷²³])")


def _format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(700)
    fmt.setFontItalic(italic)
    return fmt


class DefinitionsHighlighter(QSyntaxHighlighter):
    """Colours functions, constants, numbers, operators, comments and defined names."""

    STYLES = {"function": (True, False), "constant": (False, True), "number": (False, False),
              "op": (False, False), "comment": (False, True), "defined": (True, False), "input": (False, True)}

    def __init__(self, document):
        super().__init__(document)
        self.defined: set[str] = set()
        self.set_colors(theme.current().syntax)

    def set_colors(self, colors: dict[str, str]) -> None:
        """The theme's colours for each kind of token (bold/italic stay the same)."""
        self.formats = {kind: _format(colors[kind], bold=bold, italic=italic)
                        for kind, (bold, italic) in self.STYLES.items()}

    def set_defined(self, names: set[str]) -> None:
        if names != self.defined:
            self.defined = set(names)
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind == "name":
                word = match.group()
                if word.lower() in FUNCTIONS:
                    kind = "function"
                elif word in CONSTANTS or word == "π":
                    kind = "constant"
                else:
                    kind = "defined" if word in self.defined else "input"
            self.setFormat(match.start(), match.end() - match.start(), self.formats[kind])


class ExpressionEditor(QPlainTextEdit):
    """Multi-line editor for definitions (object name ``expressionEditor``).

    Undo/redo are QPlainTextEdit's own (Ctrl+Z, Ctrl+Shift+Z).  Ctrl+Space or typing two
    letters offers function and variable names.
    """

    error_shown = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("expressionEditor")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 11.0))
        self.setFont(font)
        self.setTabChangesFocus(True)
        self.setPlaceholderText("z = x^2 + sin(x*y)\nx = t^2\ny = e^t")
        self.setToolTip("Type definitions, one per line or separated by ';'.\n"
                        "Powers: ^ or **; functions: sin cos tan exp log sqrt abs sigmoid relu …\n"
                        "Ctrl+Space completes a name; Ctrl+Z undoes.")
        self.highlighter = DefinitionsHighlighter(self.document())
        theme.follow(self, self._restyle, now=False)
        self._names = QStringListModel(sorted(FUNCTIONS) + sorted(CONSTANTS), self)
        self.completer = QCompleter(self._names, self)
        self.completer.setWidget(self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.activated.connect(self._insert_completion)
        self._error: ParseError | None = None

    def _restyle(self, t: theme.Theme) -> None:
        self.highlighter.set_colors(t.syntax)
        self.highlighter.rehighlight()  # (emits textChanged with the same text: not an edit)
        self.show_error(self._error)

    # -- names for highlighting and completion --------------------------------------------
    def set_known_names(self, defined: set[str], inputs: set[str]) -> None:
        self.highlighter.set_defined(defined)
        words = sorted(FUNCTIONS) + sorted(CONSTANTS) + sorted(defined | inputs)
        if words != self._names.stringList():
            self._names.setStringList(words)

    # -- errors in place -----------------------------------------------------------------
    def show_error(self, error: ParseError | None) -> None:
        """Underline the error's span with a red wave (or clear it)."""
        self._error = error
        selections = []
        if error is not None:
            block = self.document().findBlockByNumber(error.line - 1)
            if block.isValid():
                cursor = QTextCursor(block)
                start = min(error.column - 1, max(0, block.length() - 1))
                cursor.movePosition(QTextCursor.MoveOperation.Right, n=start)
                length = max(1, min(error.length, block.length() - 1 - start))
                if start >= block.length() - 1:  # error at the end of a line: mark the last char
                    cursor.movePosition(QTextCursor.MoveOperation.Left)
                    length = 1
                cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor, length)
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                fmt = QTextCharFormat()
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                mistake = QColor(theme.current().syntax["mistake"])
                fmt.setUnderlineColor(mistake)
                mistake.setAlpha(48)
                fmt.setBackground(mistake)
                fmt.setToolTip(error.message)
                fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
                selection.format = fmt
                selections.append(selection)
        self.setExtraSelections(selections)

    def event(self, event):  # show the error message when hovering the underline
        if event.type() == event.Type.ToolTip and self._error is not None:
            cursor = self.cursorForPosition(event.pos())
            if cursor.blockNumber() == self._error.line - 1:
                col = cursor.positionInBlock() + 1
                if self._error.column - 1 <= col <= self._error.column + self._error.length:
                    from PySide6.QtWidgets import QToolTip

                    QToolTip.showText(event.globalPos(), self._error.message, self)
                    return True
        return super().event(event)

    # -- completion ----------------------------------------------------------------------
    def _word_before_cursor(self) -> str:
        cursor = self.textCursor()
        text = cursor.block().text()[: cursor.positionInBlock()]
        match = re.search(r"[^\W\d_][\w]*$", text)
        return match.group() if match else ""

    def _insert_completion(self, word: str) -> None:
        prefix = self._word_before_cursor()
        cursor = self.textCursor()
        cursor.insertText(word[len(prefix):])
        if word.lower() in FUNCTIONS:
            cursor.insertText("()")
            cursor.movePosition(QTextCursor.MoveOperation.Left)
        self.setTextCursor(cursor)

    def keyPressEvent(self, event):  # noqa: N802 - Qt override
        popup = self.completer.popup()
        if popup.isVisible() and event.key() in (Qt.Key.Key_Enter, Qt.Key.Key_Return, Qt.Key.Key_Tab,
                                                 Qt.Key.Key_Escape):
            event.ignore()
            return
        forced = event.matches(QKeySequence.StandardKey.SelectAll) is False and (
            event.key() == Qt.Key.Key_Space and event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if not forced:
            super().keyPressEvent(event)
        prefix = self._word_before_cursor()
        if not forced and (len(prefix) < 2 or not event.text() or not event.text()[-1].isalnum()):
            popup.hide()
            return
        self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0 or (
            self.completer.completionCount() == 1 and self.completer.currentCompletion() == prefix
        ):
            popup.hide()
            return
        rect = self.cursorRect()
        rect.setWidth(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width())
        self.completer.complete(rect)
