"""Qt's system libraries on Linux: a missing one is named with its apt line, before Qt aborts.

The tables in chainrule_gui/system_libraries.py are compared with what the installed PySide6
actually links against (its ELF files' NEEDED entries), so a PySide6 upgrade that needs a new
library fails here instead of on a user's machine.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from chainrule_gui import system_libraries as sl

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's system libraries")

# The C and C++ runtime every Linux has (Python itself needs them).
RUNTIME = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0", "libdl.so.2",
           "librt.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}


def qt_dir() -> Path:
    import PySide6

    return Path(PySide6.__file__).parent / "Qt"


def needed(path: Path) -> list[str]:
    """The NEEDED entries of an ELF64 little-endian shared library (what `readelf -d` lists)."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, f"{path} is not ELF64 LE"
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    dynamic = next(s for s in sections if s[1] == 6)  # SHT_DYNAMIC
    strtab = sections[dynamic[6]]  # its sh_link: the string table of its names
    names = []
    for offset in range(dynamic[4], dynamic[4] + dynamic[5], 16):
        tag, value = struct.unpack_from("<qQ", data, offset)
        if tag == 0:
            break
        if tag == 1:  # DT_NEEDED
            start = strtab[4] + value
            names.append(data[start:data.index(b"\0", start)].decode())
    return names


def from_system(path: Path) -> set[str]:
    """What ``path`` needs from outside Qt's own folder and the C/C++ runtime."""
    own = {p.name for p in (qt_dir() / "lib").iterdir()}
    return {name for name in needed(path) if name not in own and name not in RUNTIME}


def test_the_tables_cover_what_the_installed_qt_links_against():
    lib = qt_dir() / "lib"
    for name in ("libQt6Core.so.6", "libQt6Gui.so.6", "libQt6DBus.so.6", "libQt6Widgets.so.6",
                 "libQt6Svg.so.6"):
        assert from_system(lib / name) <= set(sl.QT_LIBRARIES), name
    for path in (qt_dir() / "plugins" / "platforms" / "libqxcb.so", lib / "libQt6XcbQpa.so.6"):
        assert from_system(path) <= set(sl.QT_LIBRARIES) | set(sl.XCB_LIBRARIES), path.name


def test_a_library_that_cannot_be_loaded_is_named_with_its_package():
    missing = sl.missing_libraries({"libc.so.6": "libc6", "libchainrule-absent.so.7": "chainrule-absent7"})
    assert missing == [("libchainrule-absent.so.7", "chainrule-absent7")]
    assert sl.apt_command(["b", "a", "b"]) == "sudo apt-get install a b"


@pytest.mark.parametrize("environ, expected", [
    ({"QT_QPA_PLATFORM": "offscreen"}, False),
    ({"QT_QPA_PLATFORM": "xcb"}, True),
    ({"QT_QPA_PLATFORM": "xcb:nograb"}, True),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, False),
    ({}, True),
    ({"XDG_SESSION_TYPE": "wayland"}, False),
    ({"XDG_SESSION_TYPE": "x11"}, True),
])
def test_which_platform_qt_will_use(environ, expected):
    assert sl.uses_xcb(environ) is expected


def test_headless_needs_no_x11_library():
    assert sl.platform_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def absent_on_this_machine() -> list[str]:
    """What the xcb plugin cannot load here, as the dynamic linker (ldd) reports it."""
    done = subprocess.run(["ldd", str(qt_dir() / "plugins" / "platforms" / "libqxcb.so")],
                          capture_output=True, text=True, timeout=60)
    return sorted({line.split()[0] for line in done.stdout.splitlines() if "not found" in line})


def start_app(tmp_path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    environ.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
                   CHAINRULE_GUI_EXIT_AFTER_FIRST_PAINT="1", **env)
    return subprocess.run([sys.executable, "-m", "chainrule_gui"], capture_output=True, text=True,
                          timeout=120, env=environ, cwd=tmp_path)


def test_the_app_says_what_is_missing_instead_of_aborting(tmp_path):
    """The real entry point with the X11 platform: what this machine lacks is named with the apt
    line; with nothing lacking, the missing display is (no X server runs in the tests)."""
    absent = absent_on_this_machine()
    done = start_app(tmp_path, QT_QPA_PLATFORM="xcb")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "reinstall" not in done.stderr.lower()
    if absent:
        packages = {sl.XCB_LIBRARIES.get(name) or sl.QT_LIBRARIES[name] for name in absent}
        assert all(name in lines[0] for name in absent), lines[0]
        assert sl.apt_command(packages) in lines[0]
    else:
        assert "DISPLAY is not set" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0]


def test_the_readme_names_every_package():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    everything = list(sl.QT_LIBRARIES.values()) + list(sl.XCB_LIBRARIES.values())
    assert sl.apt_command(everything) in readme
