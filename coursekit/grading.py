"""Hidden tests: called from the hidden-test cells of the masters, only when a submission is graded.

Two modes:
- in-kernel (plain `nbgrader autograde`): expected values come from the master's reference solutions, loaded in the
  grading kernel;
- record (the kit's class grader, `COURSEKIT_GRADER=record` in a sandboxed kernel that cannot see the masters): the
  kernel only records what the student's function returned; the grader, outside the sandbox, computes the expected
  values and decides (coursekit.classgrade), so nothing the student's code does can see or fake them.
Either way, a failure names the case and the likely mistake only: never the inputs, expected values or output.
"""
import copy

import numpy as np

from public_tests.harness import GREEN, RESET, Case, HiddenTestFailure, TestFailure, call, check_target, decode, \
    judge, load_fixture, observe, record, recording

__all__ = ["Case", "hidden_check"]
_collecting = None  # a list while the grader collects the hidden cases of a master cell


def expected_entry(assignment, name, case):
    """Expected output, printed text and known-mistake outputs of the reference on one case.

    Computed once per Case object and kept on it (the class grader keeps each master's hidden cases for the whole
    run, so a hidden test that trains a model trains the reference once per worker, not once per submission)."""
    if getattr(case, "_expected", None) is None:
        case._expected = _expected_entry(assignment, name, case)
    return copy.deepcopy(case._expected)


def _expected_entry(assignment, name, case):
    from coursekit import reference  # imported here: a recording kernel never needs it (nor can see the masters)
    from coursekit.fixtures import load_mistakes, outputs_of_known_mistakes
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


def hidden_check(assignment, name, target, cases):
    if _collecting is not None:
        _collecting.append((assignment, name, cases))
        return
    if recording():
        return record("hidden", assignment, name, target, cases)
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


def public_entry(assignment, name, number):
    return decode(load_fixture(assignment)[name][number - 1])


def decide(data, cases):
    """The grader's verdict on a recorded check: None if it passed, else the failure message."""
    if data["problem"]:
        return data["problem"]
    kind, assignment, name = data["kind"], data["assignment"], data["name"]
    if len(data["seen"]) != len(cases):
        return f"{name}: the tests did not run to the end."
    for number, (case, seen) in enumerate(zip(cases, data["seen"]), 1):
        if seen.get("error") and "output" not in seen:
            return f"{name}: test {number} of {len(cases)} failed ({case.name}): {seen['error'][0]}"
        seen = dict(seen, output=decode(seen["output"]))
        entry = expected_entry(assignment, name, case) if kind == "hidden" else public_entry(assignment, name, number)
        problem = judge(seen, case, entry)
        if problem:
            if kind == "hidden":
                return verdict(name, number, len(cases), case, problem)
            return f"{name}: case {number} of {len(cases)} failed ({case.name}): {problem[0]} {problem[1]}"
    return None
