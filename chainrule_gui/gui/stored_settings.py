"""Preferences read back from QSettings, each checked before use.

The settings file is a file like any other: another version of the app, a sync tool or a
person can leave anything in it.  A value of the wrong kind is dropped (removed from the
file, so the next start is clean) and logged, and the default is used: a bad setting never
stops the app from starting.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings

logger = logging.getLogger("chainrule_gui")
_MISSING = object()


def _drop(settings: QSettings, key: str, value, expected: str) -> None:
    shown = repr(value)
    logger.warning("settings: %s = %s is not %s; dropped, the default is used",
                   key, shown if len(shown) <= 80 else shown[:77] + "...", expected)
    settings.remove(key)


def _read(key: str, default, expected: str, convert):
    """The value at ``key`` as ``convert`` reads it (``_MISSING``: it cannot), the default
    when absent, and a value of the wrong kind dropped and logged."""
    settings = QSettings()
    value = settings.value(key, _MISSING)
    if value is _MISSING or value is None:
        return default
    converted = convert(value)
    if converted is _MISSING:
        _drop(settings, key, value, expected)
        return default
    return converted


def read_bytes(key: str) -> QByteArray | None:
    """A saved window geometry, state or splitter layout (None if absent or not bytes)."""
    return _read(key, None, "saved layout bytes",
                 lambda v: QByteArray(v) if isinstance(v, (QByteArray, bytes, bytearray)) else _MISSING)


def read_choice(key: str, choices, default: str) -> str:
    """One of ``choices`` (the default if absent or anything else)."""
    return _read(key, default, f"one of {', '.join(choices)}",
                 lambda v: v if isinstance(v, str) and v in choices else _MISSING)


def read_text(key: str, default: str = "") -> str:
    return _read(key, default, "text", lambda v: v if isinstance(v, str) else _MISSING)


def _text_list(value):
    if isinstance(value, str):  # QSettings returns a one-element list as a plain string
        return [value] if value else []
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return _MISSING


def read_text_list(key: str) -> list[str]:
    return _read(key, [], "a list of file names", _text_list)


def read_flag(key: str, default: bool = False) -> bool:
    def flag(value):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return _MISSING

    return _read(key, default, "true or false", flag)
