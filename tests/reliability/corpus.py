"""The hostile corpus: typed text and files other people could send, each a case for
:func:`run_cases` (a child process with a time and memory limit and a canary file).

Shared by tests/core/test_hostile_input.py (which asserts) and
tests/benchmarks/reliability_report.py (which prints the README's Reliability table).
A case is ``(kind, name, payload)``: kind ``text`` (what a person types), ``session``,
``model`` or ``csv`` (the bytes of a file that is opened as the app opens it).
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

CANARY = "CANARY_FILE"
CHILD = Path(__file__).with_name("run_child.py")
#: Every case must be answered (accepted or refused) within this many seconds.
CASE_LIMIT_S = 5.0
#: The child may use this much memory (bytes): a blow-up fails as MemoryError, not a dead machine.
CHILD_MEMORY = 3 * 1024**3

# -- typed text ---------------------------------------------------------------------------------
CODE_TEXT = [
    "z = __import__('os').system('touch CANARY_FILE')",
    "__import__('os').system('touch CANARY_FILE')",
    "z = __import__(chr(111)+chr(115)).system('touch CANARY_FILE')",
    "z = ().__class__.__base__.__subclasses__()",
    "z = x.__class__",
    "z = (lambda: open('CANARY_FILE', 'w'))()",
    "z = lambda: 1",
    "z = exec(\"open('CANARY_FILE','w')\")",
    "z = eval('1')",
    "z = open('CANARY_FILE', 'w')",
    "z = f\"{open('CANARY_FILE','w')}\"",
    "z = getattr(x, '__class__')",
    "z = [c for c in ()]",
    "import os",
    "z = x if x else y",
    "z = (y := 3)",
    "z = globals()",
    "z = sympify('x')",
    "z = __builtins__",
    "z = x.__globals__['os'].system('touch CANARY_FILE')",
    "z = `touch CANARY_FILE`",
    "z = $(touch CANARY_FILE)",
    "z = x; import os; os.system('touch CANARY_FILE')",
    "z = ｅｘｅｃ('open(\"CANARY_FILE\",\"w\")')",  # fullwidth letters: NFKC would make them exec
    "z = 𝐞𝐱𝐞𝐜('1')",
    "z = Symbol('x', **{'__class__': 1})",
    "z = S('__import__(\"os\")')",
    "z = lambdify(x, x)",
    "z = x\u202e + 1",  # a right-to-left override hiding what follows
    "z = exp(x)\n#\nimport os",
]

HEAVY_TEXT = [
    "z = 9**9**9",
    "z = 9^9^9^9",
    "z = 10**10**8",
    "z = ((9^9)^9999)^9999",
    "z = sin(cos(exp(exp(exp(exp(1))))))",
    "z = sin(7^exp(exp(exp(10*e))) + 1)",
    "z = 4^(1111111/2222222222222)",
    "z = 2^(1/10^50)",
    "z = t^(10^30)",
    "z = exp(exp(exp(exp(t))))",
    "z = 1e308*1e308*t",
    "z = tan(pi/2) + t",
    "z = factorial(10^7)",
    "z = (10^7)!",
    "z = " + "(" * 10000 + "x" + ")" * 10000,
    "z = " + "(" * 2000 + "x" + ")" * 2000,
    "z = " + "(" * 99 + "t" + ")" * 99,
    "z = " + "-" * 100000 + "x",
    "z = " + "+".join(["x"] * 3000),
    "z = " + "+".join(f"x{i}" for i in range(2000)),
    "z = " + "x^" * 1000 + "x",
    "z = " + "9" * 5000,
    "z = " + "9" * 39 + "*t",
    "z = x\0",
    "z = " + "sin(" * 190 + "x" + ")" * 190,
    "z = " + "sin(" * 95 + "t" + ")" * 95,
    "x" * 1_000_000,
    "\n".join(f"x{i} = x{i + 1} + sin(x{i + 1})" for i in range(400)) + "\nx400 = t",
    # 2^40 paths from z to t: counted exactly, listed only up to the cap
    "\n".join(f"u{i} = sin(v{i - 1}); w{i} = cos(v{i - 1}); v{i} = u{i} + w{i}" for i in range(1, 41))
    + "\nv0 = t\nz = v40",
    "z = " + " * ".join(["(t + 1)"] * 1200),
]


# -- sessions -----------------------------------------------------------------------------------
def _session(**expression) -> dict:
    base = {"text": "z = x^2 + sin(x*y)\nx = t^2\ny = e^t", "of": "z", "wrt": "t", "point": {"t": 0.5},
            "ranges": {"t": [-1.0, 2.0]}, "cut": [], "max_paths": 50}
    base.update(expression)
    return {"format": "chainrule-session", "schema_version": 1, "saved_by": "corpus",
            "expression": base, "view": {"diagram": "tree", "labels": "both"}}


def _json(obj) -> bytes:
    return json.dumps(obj, allow_nan=True).encode()


def session_cases() -> list[tuple[str, bytes]]:
    good = _json(_session())
    deep = b'{"format": "chainrule-session", "schema_version": 1, "expression": {"text": "z = t", "x": ' \
        + b"[" * 1000 + b"]" * 1000 + b"}}"
    return [
        ("a good session", good),
        ("NaN as a value", _json(_session(point={"t": float("nan")}))),
        ("Infinity as a value", _json(_session(point={"t": float("inf")}))),
        ("1e400 as a value", good.replace(b'"t": 0.5', b'"t": 1e400')),
        ("a 400-digit integer value", good.replace(b'"t": 0.5', b'"t": ' + b"9" * 400)),
        ("a 5000-digit integer", good.replace(b'"t": 0.5', b'"t": ' + b"9" * 5000)),
        ("nesting 1000 deep", deep),
        ("duplicate keys", good.replace(b'"of": "z"', b'"of": "z", "of": "x"')),
        ("an unknown top-level key", _json({**_session(), "eval_on_load": "__import__('os')"})),
        ("an unknown nested key", _json(_session(exec="touch CANARY_FILE"))),
        ("a future version", _json({**_session(), "schema_version": 99})),
        ("another format", _json({**_session(), "format": "jupyter"})),
        ("no format at all", b'{"expression": {"text": "z = t"}}'),
        ("the top level is a list", b"[1, 2, 3]"),
        ("an empty file", b""),
        ("binary garbage", bytes(range(256)) * 4),
        ("UTF-16 text", json.dumps(_session()).encode("utf-16")),
        ("a UTF-8 BOM", b"\xef\xbb\xbf" + good),
        ("a 6 MB file", good[:-1] + b', "pad": "' + b"x" * (6 * 1024 * 1024) + b'"}'),
        ("text with __import__ (code)", _json(_session(text="z = __import__('os').system('touch CANARY_FILE')"))),
        ("text with a dunder chain", _json(_session(text="z = ().__class__.__base__.__subclasses__()"))),
        ("text with 9^9^9", _json(_session(text="z = 9^9^9"))),
        ("text 20,000 characters", _json(_session(text="z = " + "+".join(["t"] * 10000)))),
        ("text nested 150 deep", _json(_session(text="z = " + "(" * 150 + "t" + ")" * 150))),
        ("an srepr payload as text", _json(_session(text="z = Symbol('x', **{'commutative': __import__('os')})"))),
        ("a value for a name that is not an input", _json(_session(point={"q": 1.0}))),
        ("a range backwards", _json(_session(ranges={"t": [2.0, 1.0]}))),
        ("a cut edge that does not exist", _json(_session(cut=[["t", "z"]]))),
        ("max_paths negative", _json(_session(max_paths=-1))),
        ("a value as a string", _json(_session(point={"t": "__import__('os')"}))),
        # Small files that once cost much: every schema error of 440,000 entries was collected.
        ("a cut of 440,000 entries (4.8 MB)",
         json.dumps(_session(cut=[["a", "b"]] * 440_000), separators=(",", ":")).encode()),
        ("an input name of 70 characters", _json(_session(text=f"z = {LONG_NAME}^2", wrt=LONG_NAME,
                                                          point={LONG_NAME: 0.5}, ranges={}))),
    ]


#: Longer than the 64 characters the session schema once allowed (the parser has no such limit).
LONG_NAME = "velocity_of_the_cart_measured_at_the_start_of_the_experiment_in_metres"


# -- models -------------------------------------------------------------------------------------
class _Payload:
    """Unpickling this would run a command; a loader that never unpickles never runs it."""

    def __reduce__(self):
        return (os.system, (f"touch {CANARY}",))


def _npy(array, allow_pickle=False) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _npy_header(shape) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def _many_entries(count: int) -> bytes:
    """A zip whose central directory lists ``count`` empty files (zipfile parses them all
    when opening it: 3 million took 27 s and 1.8 GB)."""
    import struct

    records = b"".join(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0)
                       + f"{i:07d}".encode() for i in range(count))
    return records + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(records), 0, 0)


def model_cases() -> list[tuple[str, bytes]]:
    import numpy as np

    from chainrule_gui.core.nn.model_file import MAX_MODEL_BYTES, model_bytes
    from chainrule_gui.core.nn.network import Network
    from chainrule_gui.core.nn.spec import spec_from_sizes

    network = Network.initialized(spec_from_sizes((2, 5, 3), "relu", "softmax_ce", seed=7))
    good = model_bytes(network, {"optimizer": "adam", "lr": 0.01}, 5)
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        meta = str(np.load(io.BytesIO(archive.read("meta.npy"))))
    params = network.params

    def with_meta(text):
        return _zip({"meta.npy": _npy(np.array(text)), "params.npy": _npy(params)})

    def with_params(array):
        return _zip({"meta.npy": _npy(np.array(meta)), "params.npy": _npy(array)})

    bomb = io.BytesIO()  # declares more unpacked bytes than a model may have; a few hundred kB packed
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.npy", _npy(np.array(meta)))
        with archive.open("params.npy", "w", force_zip64=True) as member:
            chunk = bytes(16 * 1024 * 1024)
            for _ in range(MAX_MODEL_BYTES // len(chunk) + 1):
                member.write(chunk)
    return [
        ("a good model", good),
        ("NaN weight", with_params(np.where(np.arange(params.size) == 4, np.nan, params))),
        ("infinite weight", with_params(np.where(np.arange(params.size) == 4, np.inf, params))),
        ("one weight too few", with_params(params[:-1])),
        ("weights as a matrix", with_params(params.reshape(3, 11))),
        ("weights as integers", with_params(params.astype(np.int64))),
        ("weights as text", with_params(np.array(["1"] * params.size))),
        ("a pickle that runs a command", _zip({"meta.npy": _npy(np.array([_Payload()], dtype=object), True),
                                              "params.npy": _npy(params)})),
        ("pickled weights", _zip({"meta.npy": _npy(np.array(meta)),
                                  "params.npy": _npy(np.array([_Payload()], dtype=object), True)})),
        ("NaN in the description", with_meta(meta.replace('"lr": 0.01', '"lr": NaN'))),
        ("Infinity in the description", with_meta(meta.replace('"lr": 0.01', '"lr": Infinity'))),
        ("1e400 in the description", with_meta(meta.replace('"lr": 0.01', '"lr": 1e400'))),
        ("a 5000-digit integer", with_meta(meta.replace('"step": 5', '"step": ' + "9" * 5000))),
        ("nesting 1000 deep", with_meta(meta.replace('"step": 5', '"step": ' + "[" * 1000 + "]" * 1000))),
        ("duplicate keys", with_meta(meta.replace('"step": 5', '"step": 5, "step": 6'))),
        ("odd keys (__class__, __reduce__)",
         with_meta(meta.replace('"step": 5', '"step": 5, "__class__": "os.system", "__reduce__": ["touch"]'))),
        ("an unknown key in the spec", with_meta(meta.replace('"loss": "softmax_ce"',
                                                              '"loss": "softmax_ce", "eval": "1"'))),
        ("an activation that is code", with_meta(meta.replace('"relu"', '"__import__(\'os\')"'))),
        ("a future version", with_meta(meta.replace('"version": 1', '"version": 2'))),
        ("another format", with_meta(meta.replace("chainrule-gui model", "keras"))),
        ("a 4096-unit layer with weights for 5", with_meta(meta.replace('"units": 5', '"units": 4096'))),
        ("an extra member (a script)", _zip({"meta.npy": _npy(np.array(meta)), "params.npy": _npy(params),
                                             "run_me.py": b"import os; os.system('touch CANARY_FILE')"})),
        ("a zip bomb (over 256 MB unpacked)", bomb.getvalue()),
        ("a description of 29,000 bad layers (0.96 MB)",
         with_meta(meta.replace('"layers": [', '"layers": [' + '{"units": "x", "activation": 0}, ' * 29_000))),
        ("weights declaring 10^12 numbers", _zip({"meta.npy": _npy(np.array(meta)),
                                                  "params.npy": _npy_header((10**12,)) + bytes(64)})),
        ("weights that are not NPY", _zip({"meta.npy": _npy(np.array(meta)), "params.npy": b"just bytes" * 10})),
        ("a zip directory of 60,000 entries", _many_entries(60_000)),
        ("not a zip", b"hello, I am not a model"),
        ("half a model (truncated)", good[: len(good) // 2]),
        ("an empty file", b""),
    ]


# -- CSV ----------------------------------------------------------------------------------------
def csv_cases() -> list[tuple[str, bytes]]:
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{i % 2}" for i in range(50))
    good = ("a,b,label\n" + rows + "\n").encode()
    return [
        ("a good CSV", good),
        ("a formula cell =cmd|' /C calc'!A0", ("a,b,label\n=cmd|' /C calc'!A0,1,0\n" + rows).encode()),
        ("a formula cell @SUM(1+1)*cmd", ("a,b,label\n@SUM(1+1)*cmd|' /C calc'!A0,1,0\n" + rows).encode()),
        ("a formula cell +cmd", ("a,b,label\n+cmd|' /C calc'!A0,1,0\n" + rows).encode()),
        ("a formula cell -2+3+cmd", ("a,b,label\n-2+3+cmd|' /C calc'!A0,1,0\n" + rows).encode()),
        ("a formula as a column name", ("=cmd|' /C calc'!A0,b,label\n" + rows).encode()),
        ("markup as a column name", ("<img src='x' onerror='alert(1)'>,b,label\n" + rows).encode()),
        ("a Python expression in a cell", ("a,b,label\n__import__('os').system('touch CANARY_FILE'),1,0\n"
                                           + rows).encode()),
        ("NaN, inf, 1e400 cells", ("a,b,label\nnan,inf,1e400\n" + rows).encode()),
        ("a NUL byte", ("a,b,label\n1,2\x00,0\n" + rows).encode()),
        ("a 200,000-character field", ("a,b,label\n" + "1" * 200_000 + ",1,0\n" + rows).encode()),
        ("an unterminated quote", ('a,b,label\n"1,2,0\n' + rows).encode()),
        ("5000 columns", (",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join(["1"] * 5000)).encode()),
        ("250,000 rows", ("a,b\n" + "1,2\n" * 250_000).encode()),
        ("rows of different lengths", ("a,b,label\n1,2\n" + rows).encode()),
        ("only a header", b"a,b,label\n"),
        ("an empty file", b""),
        ("binary garbage", bytes(range(256)) * 8),
        ("UTF-16 text", ("a,b,label\n" + rows).encode("utf-16")),
        ("semicolons and a BOM", b"\xef\xbb\xbf" + good.replace(b",", b";")),
    ]


def huge_file_cases() -> list[tuple[str, str, int]]:
    """(kind, name, size): sparse files over each loader's cap, made in the child's folder."""
    from chainrule_gui.core.files.atomic import MAX_JSON_BYTES
    from chainrule_gui.core.nn.csv_import import MAX_BYTES
    from chainrule_gui.core.nn.model_file import MAX_MODEL_BYTES

    return [("session", "a session over the size cap", MAX_JSON_BYTES + 1),
            ("model", "a model over the size cap", MAX_MODEL_BYTES + 1),
            ("csv", "a CSV over the size cap", MAX_BYTES + 1)]


def special_file_cases() -> list[tuple[str, str, str]]:
    """(kind, name, special): what is not a file under a file's name, made in the child's
    folder — a named pipe blocked the loader for good, /dev/zero was read to the size cap."""
    if not hasattr(os, "mkfifo"):
        return []
    return [(kind, f"{what} as a {kind}", special) for kind in ("session", "model", "csv")
            for what, special in (("a named pipe (FIFO)", "fifo"), ("a link to /dev/zero", "zero"))]


#: Files in the corpus that are fine and must open (the controls, and harmless oddities).
ACCEPTED_FILES = {"a good session", "a UTF-8 BOM", "an input name of 70 characters", "a good model", "a good CSV",
                  "semicolons and a BOM", "a formula as a column name", "markup as a column name"}
#: Small files that once cost much (seconds to minutes, up to 4.8 GB) before they were refused.
COSTLY_FILES = {"a cut of 440,000 entries (4.8 MB)", "a description of 29,000 bad layers (0.96 MB)",
                "weights declaring 10^12 numbers", "a zip directory of 60,000 entries"}
#: Files whose *content* is code: it must never run (opened only as text, or refused).
CODE_FILES = {"text with __import__ (code)", "text with a dunder chain", "an srepr payload as text",
              "a pickle that runs a command", "pickled weights", "odd keys (__class__, __reduce__)",
              "an activation that is code", "an extra member (a script)", "a formula cell =cmd|' /C calc'!A0",
              "a formula cell @SUM(1+1)*cmd", "a formula cell +cmd", "a formula cell -2+3+cmd",
              "a Python expression in a cell", "an unknown top-level key", "an unknown nested key"}


def all_cases() -> list[dict]:
    """Every case, ready for :func:`run_cases`; ``expect`` is accepted, refused or either."""
    cases = [{"kind": "text", "group": "code", "name": t[:60], "text": t, "expect": "refused"}
             for t in CODE_TEXT]
    cases += [{"kind": "text", "group": "heavy", "name": t[:60], "text": t, "expect": "either"}
              for t in HEAVY_TEXT]
    for kind, maker in (("session", session_cases), ("model", model_cases), ("csv", csv_cases)):
        for name, data in maker():
            cases.append({"kind": kind, "group": "code-file" if name in CODE_FILES else "file", "name": name,
                          "data": base64.b64encode(data).decode(),
                          "expect": "accepted" if name in ACCEPTED_FILES else "refused"})
    for kind, name, size in huge_file_cases():
        cases.append({"kind": kind, "group": "file", "name": name, "sparse": size, "expect": "refused"})
    for kind, name, special in special_file_cases():
        cases.append({"kind": kind, "group": "file", "name": name, "special": special, "expect": "refused"})
    return cases


def run_cases(cases: list[dict], folder: Path, timeout: float = 300.0) -> list[dict]:
    """Run ``cases`` in a fresh child process (working in ``folder``); one result per case:
    ``{"outcome": "accepted" | "refused" | "crash", "detail", "seconds"}``."""
    done = subprocess.run([sys.executable, str(CHILD), str(CHILD_MEMORY)], input=json.dumps(cases),
                          capture_output=True, text=True, cwd=folder, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"the child process failed (status {done.returncode}): {done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def canary_made(folder: Path) -> bool:
    return (Path(folder) / CANARY).exists()
