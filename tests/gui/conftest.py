"""Widget tests never touch the user's real settings or autosave folders."""

import pytest
from PySide6.QtCore import QStandardPaths


@pytest.fixture(autouse=True)
def _isolated_settings(qapp, tmp_path, monkeypatch):
    QStandardPaths.setTestModeEnabled(True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    qapp.setOrganizationName("ChainRuleExplorerTests")
    qapp.setApplicationName("Chain Rule Explorer Tests")
    yield
