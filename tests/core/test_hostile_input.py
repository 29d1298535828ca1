"""Hostile input is refused without running anything, and nothing hangs.

The corpus (tests/reliability/corpus.py) holds typed text and files: code-execution
payloads, pathological sizes, deep nesting, long input, and broken or malicious sessions,
models and CSV files.  Every case runs in a child process with a time and memory limit,
so a hang or a blow-up fails the test instead of freezing the suite, and a canary file
proves that no payload ran.  tests/benchmarks/reliability_report.py prints the same runs
as the README's Reliability table.
"""

import pytest

from tests.reliability.corpus import CASE_LIMIT_S, all_cases, canary_made, run_cases

CASES = all_cases()


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    outcomes = run_cases(CASES, folder, timeout=300)
    return folder, outcomes


def by_group(results, *groups):
    _, outcomes = results
    return [(case, outcome) for case, outcome in zip(CASES, outcomes) if case["group"] in groups]


def test_no_payload_ever_runs(results):
    folder, outcomes = results
    assert len(outcomes) == len(CASES)
    assert not canary_made(folder)


def test_code_execution_payloads_are_refused(results):
    for case, outcome in by_group(results, "code"):
        assert outcome["outcome"] == "refused" and outcome["detail"].startswith("ParseError"), (case["name"], outcome)


def test_pathological_inputs_are_answered_quickly(results):
    for case, outcome in by_group(results, "heavy"):
        assert outcome["outcome"] in ("accepted", "refused"), (case["name"], outcome)
        assert outcome["seconds"] < CASE_LIMIT_S, (case["name"], outcome["seconds"])


def test_broken_and_malicious_files_are_refused_with_a_message(results):
    for case, outcome in by_group(results, "file", "code-file"):
        assert outcome["outcome"] == case["expect"], (case["kind"], case["name"], outcome)
        assert outcome["seconds"] < CASE_LIMIT_S, (case["name"], outcome["seconds"])
        if outcome["outcome"] == "refused":
            assert len(outcome["detail"]) > 20, outcome  # a sentence, not a bare exception name


def test_code_in_a_session_text_is_shown_as_a_mistake_never_evaluated(results):
    sessions = [(c, o) for c, o in by_group(results, "code-file") if c["kind"] == "session"
                and "text" in c["name"]]
    assert sessions
    for _case, outcome in sessions:
        assert outcome["detail"].startswith("opened with the mistake shown, nothing evaluated"), outcome


def test_the_corpus_is_the_size_the_readme_reports():
    kinds = {}
    for case in CASES:
        kinds[case["kind"]] = kinds.get(case["kind"], 0) + 1
    assert kinds["text"] >= 60 and kinds["session"] >= 30 and kinds["model"] >= 25 and kinds["csv"] >= 20
