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


def read_bytes(key: str) -> QByteArray | None:
    """A saved window geometry, state or splitter layout (None if absent or not bytes)."""
    settings = QSettings()
    value = settings.value(key, _MISSING)
    if value is _MISSING or value is None:
        return None
    if isinstance(value, (QByteArray, bytes, bytearray)):
        return QByteArray(value)
    _drop(settings, key, value, "saved layout bytes")
    return None


def read_choice(key: str, choices, default: str) -> str:
    """One of ``choices`` (the default if absent or anything else)."""
    settings = QSettings()
    value = settings.value(key, _MISSING)
    if value is _MISSING:
        return default
    if isinstance(value, str) and value in choices:
        return value
    _drop(settings, key, value, f"one of {', '.join(choices)}")
    return default


def read_text(key: str, default: str = "") -> str:
    settings = QSettings()
    value = settings.value(key, _MISSING)
    if value is _MISSING:
        return default
    if isinstance(value, str):
        return value
    _drop(settings, key, value, "text")
    return default


def read_text_list(key: str) -> list[str]:
    """A list of strings (QSettings returns a one-element list as a plain string)."""
    settings = QSettings()
    value = settings.value(key, _MISSING)
    if value is _MISSING or value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    _drop(settings, key, value, "a list of file names")
    return []


def read_flag(key: str, default: bool = False) -> bool:
    settings = QSettings()
    value = settings.value(key, _MISSING)
    if value is _MISSING:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    _drop(settings, key, value, "true or false")
    return default
