"""packaging/screenshots.py makes the README's screenshots from the real window, headless.

Run as a person runs it (a subprocess): the PNGs it says it wrote exist, have the size
asked for and show something (many colours, no single colour covering nearly all of
it); a shot that cannot get ready fails with a sentence naming what it waited for.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "screenshots.py"


def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


def pixels(path: Path) -> np.ndarray:
    """The image's pixels as 0xAARRGGBB, rows × columns (a copy: the QImage goes away)."""
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    assert not image.isNull(), path
    rows = np.frombuffer(image.constBits(), dtype=np.uint32).reshape(image.height(), -1)
    return rows[:, :image.width()].copy()


def test_expression_and_network_shots(qapp, tmp_path):
    done = run("--out", str(tmp_path), "--only", "expression,network", "--size", "1100x720")
    assert done.returncode == 0, (done.stdout, done.stderr)
    for name in ("expression", "network"):
        path = tmp_path / f"{name}.png"
        assert path.is_file(), done.stdout
        assert re.search(rf"{re.escape(str(path))}\s+1100×720 px", done.stdout), done.stdout
        image = pixels(path)
        assert image.shape == (720, 1100)
        colours, counts = np.unique(image, return_counts=True)
        assert len(colours) > 500, f"{name}.png has only {len(colours)} colours: blank?"
        assert counts.max() < 0.8 * image.size, f"{name}.png is mostly one colour"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expression.png", "network.png"]


def test_what_did_not_get_ready_is_named(tmp_path):
    done = run("--out", str(tmp_path), "--only", "expression", "--timeout", "0.001")
    assert done.returncode == 1
    assert "did not become ready within 0.001 s" in done.stderr, done.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args, message", [
    (("--only", "expression,nonsense"), "unknown shot(s) nonsense"),
    (("--size", "big"), "expected WIDTHxHEIGHT"),
    (("--theme", "sepia"), "invalid choice"),
])
def test_bad_arguments_are_said_in_words(args, message):
    done = run(*args, timeout=120)
    assert done.returncode == 2
    assert message in done.stderr
