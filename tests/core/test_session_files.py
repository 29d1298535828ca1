"""Session files: round trip, atomic saves that survive being killed, and a strict loader."""

import json
import os

import pytest

from chainrule_gui.core.files.atomic import FileFormatError, atomic_write_text, remove_stale_temporaries
from chainrule_gui.core.files.session import Session, load_session, save_session, session_from_bytes
from tests.reliability.faults import kill_during_save

GOOD = Session(text="z = x^2 + sin(x*y)\nx = t^2\ny = e^t", of="z", wrt="t", point={"t": 0.5},
               ranges={"t": (-1.0, 2.0)}, cut=(("z", "y"),), max_paths=50, diagram="graph",
               labels="numeric")


def test_round_trip(tmp_path):
    path = tmp_path / "s.json"
    save_session(GOOD, path)
    assert load_session(path) == GOOD
    assert json.loads(path.read_text())["schema_version"] == 1


def good_obj():
    return json.loads(GOOD.to_json())


def as_bytes(obj):
    return json.dumps(obj).encode()


def rejected(data: bytes) -> str:
    with pytest.raises(FileFormatError) as info:
        session_from_bytes(data)
    return str(info.value)


@pytest.mark.parametrize("mutate, words", [
    (lambda o: o["expression"]["point"].update(t=float("nan")), "NaN"),
    (lambda o: o["expression"]["point"].update(t=float("inf")), "Infinity"),
    (lambda o: o.update(extra=1), "unknown key"),
    (lambda o: o["expression"].update(eval_on_load="__import__('os')"), "unknown key"),
    (lambda o: o.update(schema_version=2), "newer version"),
    (lambda o: o.update(format="something-else"), "not a Chain Rule Explorer session"),
    (lambda o: o.pop("schema_version"), "schema_version"),
    (lambda o: o["expression"].update(text="z = sinn(x)"), "line 1, column 5"),
    (lambda o: o["expression"].update(text="z = __import__('os').system('x')"), "mistake"),
    (lambda o: o["expression"]["point"].update(q=1.0), "'q', which is not an input"),
    (lambda o: o["expression"].update(ranges={"t": [2.0, 1.0]}), "range of t"),
    (lambda o: o["expression"].update(cut=[["t", "z"]]), "does not use"),
    (lambda o: o["expression"].update(of="nope"), "does not define"),
    (lambda o: o["expression"].update(max_paths=-3), "expression.max_paths"),
    (lambda o: o["expression"].update(point={"t": "1"}), "expression.point.t"),
    (lambda o: o["view"].update(diagram="3d"), "view.diagram"),
    (lambda o: o["expression"].update(text="x" * 20_000), "expression.text"),
    (lambda o: o["expression"]["point"].update(t=10**400), "expression.point.t"),
    (lambda o: o["expression"].update(ranges={"t": [0, 10**400]}), "expression.ranges.t"),
    (lambda o: o["expression"]["point"].update(t=1e308), "greater than the maximum"),
    (lambda o: o["expression"].update(ranges={"t": [-1e300, 0]}), "less than the minimum"),
    (lambda o: o["expression"].update(max_paths=True), "expression.max_paths"),
    (lambda o: o.update(schema_version=1.0), "schema_version"),
    (lambda o: o["expression"].update(text="z = " + "(" * 150 + "t" + ")" * 150), "nested too deeply"),
    (lambda o: o["expression"].update(text="z = 9^9^9"), "mistake"),
    (lambda o: o["expression"].update(cut=[["z", "y"]] * 501), "expression.cut"),
    (lambda o: o["view"].update(eval="1"), "view: unknown key"),
])
def test_bad_sessions_are_refused_with_the_place(mutate, words):
    obj = good_obj()
    mutate(obj)
    data = json.dumps(obj, allow_nan=True).encode()
    assert words in rejected(data)


@pytest.mark.parametrize("data, words", [
    (b'{"a": 1e400}', "too large"),
    (b"[" * 1000 + b"]" * 1000, "nests brackets"),
    (b'{"a": ' + b"9" * 5000 + b"}", "cannot be read as JSON"),
    (b'{"a": 1, "a": 2}', "appears twice"),
    (b"", "empty"),
    (b"\xff\xfe\x00", "not UTF-8"),
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "top level is not an object"),
])
def test_strict_json(data, words):
    assert words in rejected(data)


def test_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as handle:
        handle.seek(6 * 1024 * 1024)
        handle.write(b"0")
    with pytest.raises(FileFormatError, match="too large"):
        load_session(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match="does not exist"):
        load_session(tmp_path / "nope.json")


def test_killed_during_save_the_file_always_loads(tmp_path):
    result = kill_during_save("session", tmp_path, rounds=8)
    assert result["loaded"] == result["rounds"], result["errors"]  # never half-written
    remove_stale_temporaries(tmp_path, "session.json")
    assert [p.name for p in tmp_path.iterdir()] == ["session.json"]


def test_atomic_write_replaces_in_one_step(tmp_path):
    path = tmp_path / "a.txt"
    atomic_write_text(path, "one")
    atomic_write_text(path, "two")
    assert path.read_text() == "two"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_a_text_with_a_typo_can_still_be_opened_when_allowed(tmp_path):
    path = tmp_path / "typo.json"
    save_session(Session(text="z = sinn(t)", point={"t": 2.0}), path)
    with pytest.raises(FileFormatError, match="column 5"):
        load_session(path)
    session = load_session(path, allow_text_errors=True)
    assert session.text == "z = sinn(t)" and session.point == {"t": 2.0}
    assert "did you mean sin" in session.text_error
