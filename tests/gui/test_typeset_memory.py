"""Typesetting many different labels keeps no font sets alive (README, "Performance").

matplotlib's mathtext makes a font set for every parse, and an unbounded cache on one of
its methods kept each font set that met a bracket alive for ever: about three per edit."""

import gc

from chainrule_gui.gui.typeset import latex_image


def _live_font_sets() -> int:
    from matplotlib import _mathtext

    gc.collect()
    return sum(isinstance(o, _mathtext.Fonts) for o in gc.get_objects())


def test_distinct_labels_leave_no_font_sets_behind(qapp):
    latex_image(r"\left(x\right)^{2}", 11.0, "#000000", 1.0)
    before = _live_font_sets()
    for i in range(120):
        assert latex_image(rf"\left(x + {i}\right)^{{2}} \cos{{\left(y_{{{i}}} \right)}}", 11.0, "#000000", 1.0)
    assert _live_font_sets() <= before + 2
