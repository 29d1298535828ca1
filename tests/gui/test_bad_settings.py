"""A bad value in the settings file never stops the app from starting.

The real entry point runs in a child process with a settings file that holds a value of the
wrong kind (as another version, a sync tool or a person can leave it): the window still comes
up, the value is dropped and logged, and the next start is clean.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SETTINGS = Path("config") / "ChainRuleExplorer" / "Chain Rule Explorer.conf"
LOG = Path("appdata") / "logs" / "chainrule-gui.log"

BAD = [  # (section, key, value as the INI file holds it)
    ("mainwindow", "geometry", "garbage"),
    ("mainwindow", "geometry", "1, 2, 3"),  # a list
    ("mainwindow", "geometry", r"@Variant(\0\0\0\x2\0\0\0\a)"),  # the int 7
    ("mainwindow", "state", "garbage"),
    ("mainwindow", "state", "1, 2"),
    ("expression", "splitter", r"@Variant(\0\0\0\x2\0\0\0\a)"),
    ("General", "recentFiles", r"@Variant(\0\0\0\x2\0\0\0\a)"),
    ("appearance", "theme", "a, b"),
    ("preferences", "diagram", r"@Variant(\0\0\0\x2\0\0\0\a)"),
    ("hints", "examplesHintShown", "1, 2"),
]


def start(home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINRULE_GUI")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), CHAINRULE_GUI_DATA_DIR=str(home / "appdata"),
               CHAINRULE_GUI_EXIT_AFTER_FIRST_PAINT="1")
    return subprocess.run([sys.executable, "-m", "chainrule_gui"], capture_output=True, text=True, timeout=120,
                          env=env, cwd=home)


@pytest.mark.parametrize("section, key, value", BAD, ids=[f"{k}={v}" for _, k, v in BAD])
def test_the_app_starts_and_drops_the_bad_value(tmp_path, section, key, value):
    settings = tmp_path / SETTINGS
    settings.parent.mkdir(parents=True)
    settings.write_text(f"[{section}]\n{key}={value}\n", encoding="utf-8")
    done = start(tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "first paint" in done.stdout
    full_key = key if section == "General" else f"{section}/{key}"
    assert f"settings: {full_key} = " in (tmp_path / LOG).read_text(encoding="utf-8")
    # Dropped: gone from the file, or written anew by the clean exit (a window layout).
    assert f"{key}={value}\n" not in settings.read_text(encoding="utf-8")


@pytest.mark.parametrize("blocked", ["appdata", "appdata/logs"])
def test_the_app_starts_without_a_usable_data_folder(tmp_path, blocked):
    """The data folder (autosaves, last session) or the log folder cannot be made — a file is
    in the way, as a read-only home would refuse it too: the app starts all the same."""
    (tmp_path / blocked).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / blocked).write_text("not a folder")
    done = start(tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "first paint" in done.stdout
    assert "Traceback" not in done.stderr


def test_without_a_data_folder_the_window_says_autosave_is_off(qtbot, tmp_path, monkeypatch, reporter):
    from PySide6.QtWidgets import QLabel

    from chainrule_gui.gui import MainWindow
    from chainrule_gui.gui.error_reporter import ErrorReporter

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data folder should be")
    monkeypatch.setenv("CHAINRULE_GUI_DATA_DIR", str(blocked))
    no_log = ErrorReporter(show_dialogs=False)
    no_log.install()  # its log folder is under the blocked path too
    try:
        assert no_log.log_path is None and "blocked" in no_log.log_problem
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        note = window.findChild(QLabel, "autosaveOff")
        assert note is not None and note.isVisible()
        assert str(blocked) in note.toolTip() and "Ctrl+S" in note.toolTip()
        assert "Autosave is off" in window.statusBar().currentMessage()
        window.expression_mode.set_text("y = sin(x)")
        window.document.autosave()  # what the timer does: no error, nothing written
        window.document.mark_clean()
        window.close()
    finally:
        no_log.uninstall()
    assert reporter.count == 0
