"""Typeset LaTeX (as SymPy prints it) into pixmaps with matplotlib's mathtext, cached.

mathtext needs no TeX installation.  What it cannot parse falls back to plain text, so a
label is always shown.  Images are rendered at the screen's device-pixel ratio so they
stay crisp on high-DPI displays.
"""

from __future__ import annotations

import re
import threading

from cachetools import LRUCache, cached
from PySide6.QtGui import QColor, QImage, QPixmap

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


#: Typeset images kept for reuse, bounded by their bytes: a count of 4096 let long formulas
#: (a large image each) take hundreds of MB over a few thousand distinct edits.
IMAGE_CACHE_BYTES = 32 * 2**20


def image_bytes(image) -> int:
    """What a cached QImage or QPixmap (or a remembered None) costs, for size-bounded caches."""
    if image is None:
        return 64
    if isinstance(image, QImage):
        return max(64, image.sizeInBytes())
    return max(64, image.width() * image.height() * max(1, image.depth()) // 8)


@cached(LRUCache(maxsize=IMAGE_CACHE_BYTES, getsizeof=image_bytes), lock=threading.Lock())
def latex_image(latex: str, point_size: float = 11.0, color: str = "#000000",
                scale: float = 1.0) -> QImage | None:
    """``latex`` typeset into an image with a transparent background, or None.

    Renders with mathtext's Agg parser straight into an alpha mask that is tinted here:
    no matplotlib figure and no PNG round trip, which makes a label 2–3× cheaper than
    ``math_to_image``.  Cached: the same label costs nothing the second time.
    """
    try:
        with _PARSE_LOCK:  # mathtext's parser is shared and not thread-safe (see warm_up)
            try:
                parsed = _raster_parser().parse(f"${mathtext_source(latex)}$", dpi=72 * scale,
                                                prop=_font(point_size))
            finally:
                _forget_font_sets()
    except Exception:  # noqa: BLE001 - mathtext raises ValueError and others on odd input
        return None
    import numpy as np

    alpha = np.asarray(parsed.image, dtype=np.uint8)
    if alpha.ndim != 2 or alpha.size == 0:
        return None
    tint = QColor(color)
    height, width = alpha.shape
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    weight = alpha.astype(np.uint16)
    rgba[..., 0] = (tint.red() * weight // 255).astype(np.uint8)  # premultiplied
    rgba[..., 1] = (tint.green() * weight // 255).astype(np.uint8)
    rgba[..., 2] = (tint.blue() * weight // 255).astype(np.uint8)
    rgba[..., 3] = alpha
    image = QImage(rgba.data, width, height, 4 * width, QImage.Format.Format_RGBA8888_Premultiplied)
    return image.copy()  # own the pixels: the NumPy buffer goes away


_PARSER = None
_PARSE_LOCK = threading.Lock()


def warm_up() -> None:
    """Import mathtext and load its fonts (about half a second, once per process).

    Safe to call from a worker thread at start-up: the lock keeps the GUI thread from
    typesetting at the same moment, and by the time it first needs a label the fonts
    are usually loaded already.
    """
    with _PARSE_LOCK:
        _raster_parser().parse("$x^2$", dpi=72, prop=_font(10.0))


def _raster_parser():
    global _PARSER
    if _PARSER is None:
        from matplotlib.mathtext import MathTextParser  # imported on first use: it takes a moment

        _PARSER = MathTextParser("agg")
    return _PARSER


def _forget_font_sets() -> None:
    """Let go of the font sets mathtext made for labels already typeset.

    matplotlib (3.8 to at least 3.11) caches ``StixFonts.get_sized_alternatives_for_symbol``
    with an unbounded ``functools.cache`` on the method, so its key holds the font set, and
    every parse makes a new font set (the STIX fallback of the default fonts): each label
    with a bracket kept one alive for ever, about three per edit (found by counting live
    objects over hundreds of distinct edits).  A new parse never reuses an old font set,
    so clearing that cache loses nothing."""
    from matplotlib import _mathtext

    method = getattr(getattr(_mathtext, "StixFonts", None), "get_sized_alternatives_for_symbol", None)
    clear = getattr(method, "cache_clear", None)
    if clear is not None:
        clear()


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
    ratio = float(max(1.0, device_pixel_ratio))
    image = latex_image(latex, float(point_size), name, ratio)
    if image is None:
        return None
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def display_fractions(latex: str) -> str:
    """Fractions a reader can read at label size.

    SymPy writes ``\\frac`` and mathtext sets every one in the small text style, which
    is unreadable at 9 pt.  Here a fraction at the top level becomes ``\\dfrac``
    (display size), and a fraction inside an exponent or subscript becomes a slash
    (``e^{-xy/2}``); fractions inside a fraction stay as they are.
    """
    return _fractions(latex, top=True, script=False)


def _fractions(s: str, top: bool, script: bool) -> str:
    out: list[str] = []
    i = 0
    while i < len(s):
        if s.startswith("\\frac", i) and not s[i + 5:i + 6].isalpha():
            numerator, j = _group(s, i + 5)
            denominator, k = _group(s, j) if numerator is not None else (None, j)
            if numerator is None or denominator is None:
                out.append("\\frac")
                i += 5
                continue
            if script:
                out.append(f"{_parenthesised(_fractions(numerator, False, True))}/"
                           f"{_parenthesised(_fractions(denominator, False, True))}")
            else:
                command = "\\dfrac" if top else "\\frac"
                out.append(f"{command}{{{_fractions(numerator, False, False)}}}"
                           f"{{{_fractions(denominator, False, False)}}}")
            i = k
            continue
        char = s[i]
        if char == "\\" and i + 1 < len(s) and not s[i + 1].isalpha():
            out.append(s[i:i + 2])  # an escaped character such as \{ or \,
            i += 2
            continue
        if char in "^_" and i + 1 < len(s) and s[i + 1] == "{":
            inner, j = _group(s, i + 1)
            if inner is not None:
                out.append(f"{char}{{{_fractions(inner, False, True)}}}")
                i = j
                continue
        if char == "{":
            inner, j = _group(s, i)
            if inner is not None:
                out.append(f"{{{_fractions(inner, top, script)}}}")
                i = j
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _group(s: str, i: int) -> tuple[str | None, int]:
    """The contents of the brace group starting at ``s[i]`` and the index after it."""
    if i >= len(s) or s[i] != "{":
        return None, i
    depth, j = 0, i
    while j < len(s):
        if s[j] == "\\":
            j += 2
            continue
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
        j += 1
    return None, i


def _parenthesised(s: str) -> str:
    return f"\\left({s}\\right)" if re.search(r"[+\-]", s.lstrip("- ")) or "\\cdot" in s else s
