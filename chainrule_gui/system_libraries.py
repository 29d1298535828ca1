"""The system libraries Qt needs on Linux, looked for before Qt is imported.

PySide6's wheels bring Qt but not what Qt links against from the system.  A bare Debian or
Ubuntu lacks several of those (most often ``libxcb-cursor0``), and then Qt aborts with advice to
reinstall the application, which does not help.  Here each library is opened the way the
dynamic linker will open it, so a missing one is named, with the ``apt-get`` line that installs
it, before anything of Qt is loaded.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys

#: What Qt's Core, Gui, DBus and Widgets libraries load from the system on every platform
#: (``readelf -d``: their NEEDED entries, less the C/C++ runtime), and the Debian/Ubuntu
#: package of each.  tests/test_system_libraries.py compares this with the installed Qt.
QT_LIBRARIES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libX11.so.6": "libx11-6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libzstd.so.1": "libzstd1",
    "libz.so.1": "zlib1g",
}

#: What the X11 platform plugin (``platforms/libqxcb.so`` and ``libQt6XcbQpa``) loads besides.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}

_NOT_FOUND = re.compile(r"([\w.+-]+\.so[\w.]*): cannot open shared object file")


def apt_command(packages) -> str:
    return "sudo apt-get install " + " ".join(sorted(set(packages)))


def uses_xcb(environ=None) -> bool:
    """Whether Qt will open its windows through X11 (xcb) in this environment.

    Qt takes ``QT_QPA_PLATFORM`` if set (``xcb``, ``offscreen``, ``wayland;xcb``, …: the first
    entry is tried first); unset, it prefers Wayland in a Wayland session and X11 elsewhere.
    """
    environ = os.environ if environ is None else environ
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip() == "xcb"
    return environ.get("XDG_SESSION_TYPE", "").lower() != "wayland"


def missing_libraries(libraries: dict[str, str]) -> list[tuple[str, str]]:
    """``(library, package)`` for each of ``libraries`` the dynamic linker cannot load.

    The library named is the one that is absent: when a listed library is there but one it
    needs is not, the linker's message names that one, and the listed package (which depends
    on it) is the one to install.
    """
    missing = []
    for soname, package in libraries.items():
        try:
            ctypes.CDLL(soname)
        except OSError as exc:
            found = _NOT_FOUND.search(str(exc))
            missing.append((found.group(1) if found else soname, package))
    return missing


def platform_problem(environ=None, platform: str | None = None) -> str | None:
    """A sentence saying what stops Qt from opening a window here, or None.

    Only Linux is checked: PySide6's wheels for Windows and macOS bring what they need.
    """
    environ = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return None
    xcb = uses_xcb(environ)
    missing = missing_libraries(QT_LIBRARIES | (XCB_LIBRARIES if xcb else {}))
    if missing:
        names = ", ".join(dict.fromkeys(name for name, _ in missing))
        where = "Qt's X11 (xcb) platform plugin" if xcb else "Qt"
        return (f"{where} needs system libraries that are missing: {names}. "
                f"Install them with: {apt_command(package for _, package in missing)}")
    if xcb and not environ.get("DISPLAY"):
        return ("no X11 display to open the window on (DISPLAY is not set). Start it from a "
                "desktop session, or set QT_QPA_PLATFORM=offscreen to run without a screen.")
    return None
