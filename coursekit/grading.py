"""The grader's judgement, and the hidden tests of the masters.

Grading never trusts the student's kernel with a decision.  For every test cell the grader knows, from the master
alone, which function it tests, on which inputs, and what is right; the kernel is only asked to call that function
on those inputs (`public_tests.harness.grader_observe`) and to send back what it returned.  `judge_record` checks
that answer (a record: values only, validated here) against the grader's own expected values.

Hidden-test cells of a master call `hidden_check`.  When the grader reads a master it collects their cases
(`collect`: nothing is tested, and the code never runs in a student's kernel); when a master itself is executed
(the kit's own tests), `hidden_check` judges in place against the reference solutions.  Either way a hidden failure
names the case and the likely mistake only: never the inputs, the expected values or the output.
"""
import copy
import json

import numpy as np

from public_tests.harness import GREEN, RESET, Case, DecodeError, HiddenTestFailure, TestFailure, call, \
    check_target, decode, encode, judge, load_fixture, observe

__all__ = ["Case", "hidden_check"]
_collecting = None  # a list while the grader collects the hidden cases of a master cell
MAX_RECORD_CHARS = 64 << 20  # a record longer than this is not read
MAX_TEXT = 4000  # characters of a student's error text kept in a public-test message


def expected_entry(assignment, name, case):
    """Expected output, printed text and known-mistake outputs of the reference on one case.

    Computed once per Case object and kept on it (the class grader keeps each master's hidden cases for the whole
    run, so a hidden test that trains a model trains the reference once per worker, not once per submission)."""
    if getattr(case, "_expected", None) is None:
        case._expected = _expected_entry(assignment, name, case)
    return copy.deepcopy(case._expected)


def _expected_entry(assignment, name, case):
    from coursekit import reference
    from coursekit.fixtures import load_mistakes, outputs_of_known_mistakes
    ref = getattr(reference.load(assignment), name)
    state = np.random.get_state()
    expected, stdout, _, _ = call(ref, case)
    np.random.set_state(state)
    mistakes = [[m, decode(w)] for m, w in outputs_of_known_mistakes(name, case, expected, load_mistakes(assignment))]
    return {"expected": expected, "stdout": stdout, "mistakes": mistakes}


def public_entry(assignment, name, number):
    return decode(load_fixture(assignment)[name][number - 1])


def verdict(name, number, total, case, problem):
    """The hidden-test failure message: the case and the likely mistake, never data."""
    var, _, mistake = problem
    if "times the expected one" in mistake:  # the factor would reveal the expected value
        mistake = "every value is off by the same factor: a missing or extra constant (the 1/m? a factor of 2?)."
    message = f"{name}: hidden test {number} of {total} failed ({case.name}; wrong {var})."
    return message + (f" Likely mistake: {mistake}" if mistake else "")


def hidden_check(assignment, name, target, cases):
    if _collecting is not None:
        _collecting.append((name, cases))
        return
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
    """Run a master's hidden-test code without testing anything; return its [(name, cases)]."""
    global _collecting
    _collecting = []
    try:
        exec(code, namespace)
        return _collecting
    finally:
        _collecting = None


# --------------------------------------------------------------------------------------------- the grader's side

def request(cases):
    """What the kernel is sent for a check, as JSON (computed here, once): the inputs of each case, and the global
    random state right after they were made (a case may seed it for a function that draws random numbers)."""
    specs, state = [], np.random.get_state()
    for case in cases:
        args = tuple(case.args())
        specs.append({"args": encode(args), "kwargs": encode(case.kwargs), "random_state": encode(np.random.get_state())})
    np.random.set_state(state)
    return json.dumps(specs)


def _text(value, limit=MAX_TEXT):
    if not isinstance(value, str):
        raise DecodeError("text expected")
    return value if len(value) <= limit else value[:limit] + " ..."


def read_record(text, cases):
    """The kernel's answer, validated: {"callable", "globals", "seen": [per case]}; DecodeError if malformed."""
    if not isinstance(text, str) or len(text) > MAX_RECORD_CHARS:
        raise DecodeError("too large")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise DecodeError("not JSON, or nested too deeply") from None
    if not (isinstance(data, dict) and set(data) == {"callable", "globals", "seen"}
            and isinstance(data["callable"], bool) and isinstance(data["globals"], list)
            and isinstance(data["seen"], list) and len(data["seen"]) <= len(cases)):
        raise DecodeError("not a record")
    names = [_text(n, 100) for n in data["globals"][:20]]
    budget, seen = [20_000_000], []
    for item in data["seen"]:
        if item == {"unfilled": True}:
            seen.append(item)
            continue
        if not (isinstance(item, dict) and set(item) == {"output", "stdout", "modified", "error", "etype"}):
            raise DecodeError("not a record")
        error = item["error"]
        if error is not None and not (isinstance(error, list) and len(error) == 2):
            raise DecodeError("bad error")
        etype = item["etype"]
        if etype is not None and not (isinstance(etype, str) and etype.isidentifier() and len(etype) <= 100):
            raise DecodeError("bad error type")
        try:
            output = decode(item["output"], budget)
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            raise DecodeError(str(exc)[:100]) from None
        seen.append({"output": output, "stdout": _text(item["stdout"], 100_000),
                     "modified": None if item["modified"] is None else _text(item["modified"], 100),
                     "error": error and (_text(error[0]), _text(error[1])), "etype": etype})
    return {"callable": data["callable"], "globals": names, "seen": seen}


def judge_record(kind, assignment, name, cases, text):
    """The grader's verdict on one check: None if it passed, else the failure message.

    `kind`, `assignment`, `name` and `cases` are the grader's own (from the master); `text` is the kernel's answer
    (or None if it sent none).  A hidden failure never quotes the student's output or error text (either could
    carry the hidden inputs)."""
    hidden = kind == "hidden"
    if text is None:
        return f"{name}: the grader got no answer from your function (did its cell run? did the kernel stop?)."
    try:
        record = read_record(text, cases)
    except DecodeError as exc:
        return f"{name}: the grader could not read what your function returned ({exc})."
    if not record["callable"]:
        return f"{name} is not a function in your notebook."
    if record["globals"]:
        return (f"{name} reads the global variable(s) {', '.join(record['globals'])} from the notebook. "
                f"Use only its parameters, so it works on any input.")
    for number, (case, seen) in enumerate(zip(cases, record["seen"]), 1):
        where = f"hidden test {number} of {len(cases)}" if hidden else f"case {number} of {len(cases)}"
        if "unfilled" in seen:
            return f"{name}() is not implemented yet."
        if seen["error"] and hidden:
            return f"{name}: {where} failed ({case.name}): your function raised {seen['etype']}."
        entry = expected_entry(assignment, name, case) if hidden else public_entry(assignment, name, number)
        problem = judge(seen, case, entry)
        if problem:
            if hidden:
                return verdict(name, number, len(cases), case, problem)
            return f"{name}: {where} failed ({case.name}): {problem[0]} {problem[1]}" + \
                (f"\n  Likely mistake: {problem[2]}" if problem[2] else "")
    if len(record["seen"]) != len(cases):
        return f"{name}: the tests did not run to the end."
    return None
