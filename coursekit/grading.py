"""Hidden tests: called from the hidden-test cells of the masters, only when a submission is graded.

Two modes:
- in-kernel (plain `nbgrader autograde`): expected values come from the master's reference solutions, loaded in the
  grading kernel;
- record (the kit's class grader, `COURSEKIT_HIDDEN=record` in a sandboxed kernel that cannot see the masters): the
  kernel only records what the student's function returned; the grader, outside the sandbox, computes the expected
  values and decides (coursekit.classgrade), so nothing the student's code does can see or fake them.
Either way, a failure names the case and the likely mistake only: never the inputs, expected values or output.
"""
import json
import os

import numpy as np

from coursekit import reference
from coursekit.fixtures import load_mistakes, outputs_of_known_mistakes
from public_tests.harness import GREEN, RESET, Case, HiddenTestFailure, NotImplementedYet, TestFailure, call, \
    check_target, decode, encode, judge, observe

__all__ = ["Case", "hidden_check"]
RECORD_MIME = "text/x-coursekit-hidden-record"
_collecting = None  # a list while the grader collects the hidden cases of a master cell


def expected_entry(assignment, name, case):
    """Expected output, printed text and known-mistake outputs of the reference on one case."""
    ref = getattr(reference.load(assignment), name)
    state = np.random.get_state()
    expected, stdout, _, _ = call(ref, case)
    np.random.set_state(state)
    mistakes = [[m, decode(w)] for m, w in outputs_of_known_mistakes(name, case, expected, load_mistakes(assignment))]
    return {"expected": expected, "stdout": stdout, "mistakes": mistakes}


def verdict(name, number, total, case, problem):
    """The hidden-test failure message: the case and the likely mistake, never data."""
    var, _, mistake = problem
    if "times the expected one" in mistake:  # the factor would reveal the expected value
        mistake = "every value is off by the same factor: a missing or extra constant (the 1/m? a factor of 2?)."
    message = f"{name}: hidden test {number} of {total} failed ({case.name}; wrong {var})."
    return message + (f" Likely mistake: {mistake}" if mistake else "")


def _record(assignment, name, target, cases):
    from IPython.display import display
    try:
        check_target(name, target)
        problem = None
    except (TestFailure, NotImplementedYet) as failure:
        problem = str(failure)
    seen = []
    for case in cases if problem is None else []:
        try:
            s = observe(target, case)
            s["output"] = encode(s["output"])
        except NotImplementedYet as failure:
            s = {"error": [str(failure), ""]}
        except TypeError as failure:
            s = {"error": [f"your function returned something that is not a number, array, tuple or dict ({failure})",
                           "return numbers and numpy arrays."]}
        seen.append(s)
    record = {"assignment": assignment, "name": name, "problem": problem, "seen": seen}
    display({RECORD_MIME: json.dumps(record)}, raw=True)


def hidden_check(assignment, name, target, cases):
    if _collecting is not None:
        _collecting.append((assignment, name, cases))
        return
    if os.environ.get("COURSEKIT_HIDDEN") == "record":
        return _record(assignment, name, target, cases)
    try:
        check_target(name, target)
    except TestFailure as failure:
        raise HiddenTestFailure(str(failure)) from None
    for number, case in enumerate(cases, 1):
        problem = judge(observe(target, case), case, expected_entry(assignment, name, case))
        if problem:
            raise HiddenTestFailure(verdict(name, number, len(cases), case, problem))
    print(f"{GREEN}All hidden tests passed.{RESET}")


def collect(code, namespace):
    """Run a master's hidden-test code without testing anything; return its [(assignment, name, cases)]."""
    global _collecting
    _collecting = []
    try:
        exec(code, namespace)
        return _collecting
    finally:
        _collecting = None


def decide(record, cases):
    """The grader's verdict on a recorded hidden check: None if it passed, else the failure message."""
    if record["problem"]:
        return record["problem"]
    assignment, name = record["assignment"], record["name"]
    if len(record["seen"]) != len(cases):
        return f"{name}: the hidden tests did not run to the end."
    for number, (case, seen) in enumerate(zip(cases, record["seen"]), 1):
        if seen.get("error") and "output" not in seen:
            return f"{name}: hidden test {number} of {len(cases)} failed ({case.name}): {seen['error'][0]}"
        seen = dict(seen, output=decode(seen["output"]))
        problem = judge(seen, case, expected_entry(assignment, name, case))
        if problem:
            return verdict(name, number, len(cases), case, problem)
    return None
