"""Typeset LaTeX (as SymPy prints it) into pixmaps with matplotlib's mathtext, cached.

mathtext needs no TeX installation.  What it cannot parse falls back to plain text, so a
label is always shown.  Images are rendered at the screen's device-pixel ratio so they
stay crisp on high-DPI displays.
"""

from __future__ import annotations

import re
from functools import lru_cache
from io import BytesIO

from PySide6.QtGui import QColor, QPixmap

# mathtext lacks a few commands SymPy emits; map them to ones it knows.
_REPLACEMENTS = [
    (re.compile(r"\\operatorname\{([A-Za-z]+)\}"), r"\\mathrm{\1}"),
    (re.compile(r"\\left\|"), r"|"),
    (re.compile(r"\\right\|"), r"|"),
    (re.compile(r"\\limits"), ""),
]


def mathtext_source(latex: str) -> str:
    for pattern, replacement in _REPLACEMENTS:
        latex = pattern.sub(replacement, latex)
    return latex


@lru_cache(maxsize=2048)
def _render(latex: str, point_size: float, color: str, scale: float) -> bytes | None:
    from matplotlib import mathtext  # imported on first use: it takes a moment

    buffer = BytesIO()
    try:
        mathtext.math_to_image(f"${mathtext_source(latex)}$", buffer, dpi=72 * scale,
                               prop=_font(point_size), format="png", color=color)
    except Exception:  # noqa: BLE001 - mathtext raises ValueError and others on odd input
        return None
    return buffer.getvalue()


def _font(point_size: float):
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=point_size)


#: Longer LaTeX is not typeset: mathtext takes seconds on formulas of thousands of terms,
#: and nobody reads them as a picture; callers show (elided) text instead.
MAX_TYPESET_CHARS = 4000


def latex_pixmap(latex: str, point_size: float = 11.0, color: QColor | str = "#000000",
                 device_pixel_ratio: float = 1.0) -> QPixmap | None:
    """A pixmap of ``latex``, or None if mathtext cannot typeset it or it is too long."""
    if len(latex) > MAX_TYPESET_CHARS:
        return None
    name = color.name() if isinstance(color, QColor) else color
    data = _render(latex, float(point_size), name, float(max(1.0, device_pixel_ratio)))
    if data is None:
        return None
    pixmap = QPixmap()
    pixmap.loadFromData(data, "PNG")
    pixmap.setDevicePixelRatio(max(1.0, device_pixel_ratio))
    return pixmap


def latex_svg(latex: str, point_size: float = 11.0) -> str | None:
    """SVG text of ``latex`` (for vector exports), or None."""
    from matplotlib import mathtext

    buffer = BytesIO()
    try:
        mathtext.math_to_image(f"${mathtext_source(latex)}$", buffer, prop=_font(point_size), format="svg")
    except Exception:  # noqa: BLE001
        return None
    return buffer.getvalue().decode("utf-8")
