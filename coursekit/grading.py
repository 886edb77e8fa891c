"""Hidden tests: called from the hidden-test cells of the masters, only when the grader runs a submission.

The expected values come from the master's own reference solutions (coursekit.reference), so the hidden inputs are
written once, in the master, and nothing about them is stored anywhere a student can see.  A failure names the case
and the likely mistake only: never the inputs, the expected values or the student's output.
"""
import numpy as np

from coursekit import reference
from coursekit.fixtures import load_mistakes, outputs_of_known_mistakes
from public_tests.harness import GREEN, RESET, Case, HiddenTestFailure, TestFailure, call, check_target, decode, \
    find_problem

__all__ = ["Case", "hidden_check"]


def hidden_check(assignment, name, target, cases):
    try:
        check_target(name, target)
    except TestFailure as failure:
        raise HiddenTestFailure(str(failure)) from None
    ref = getattr(reference.load(assignment), name)
    mistakes = load_mistakes(assignment)
    for number, case in enumerate(cases, 1):
        state = np.random.get_state()
        expected, stdout, _, _ = call(ref, case)
        np.random.set_state(state)
        entry = {"expected": expected, "stdout": stdout,
                 "mistakes": [[m, decode(w)] for m, w in outputs_of_known_mistakes(name, case, expected, mistakes)]}
        problem = find_problem(target, case, entry, name)
        if problem:
            var, _, mistake = problem
            if "times the expected one" in mistake:  # the factor would reveal the expected value
                mistake = "every value is off by the same factor: a missing or extra constant (the 1/m? a factor of 2?)."
            message = f"{name}: hidden test {number} of {len(cases)} failed ({case.name}; wrong {var})."
            if mistake:
                message += f" Likely mistake: {mistake}"
            raise HiddenTestFailure(message)
    print(f"{GREEN}All hidden tests passed.{RESET}")
