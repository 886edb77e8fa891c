"""Every public test passes the reference, fails every mutant with a message naming the mistake, and says
"not implemented yet" for an unfilled stub."""
import importlib
import json
import linecache
import re

import numpy as np
import pytest

from coursekit import assignments, reference
from coursekit.fixtures import load_mistakes
from public_tests.harness import FIXTURES, NotImplementedYet, TestFailure


def graded(assignment):
    return list(importlib.import_module(f"public_tests.{assignment}").CASES)


ALL = [(a, name) for a in assignments() for name in graded(a)]
MUTANTS = [(a, name, i) for a, name in ALL for i, _ in enumerate(load_mistakes(a).get(name, []))]


def public_test(assignment, name):
    return getattr(importlib.import_module(f"public_tests.{assignment}"), f"{name}_test")


@pytest.mark.parametrize("assignment,name", ALL)
def test_reference_passes(assignment, name, capsys):
    public_test(assignment, name)(getattr(reference.load(assignment), name))
    assert "All tests passed." in capsys.readouterr().out


@pytest.mark.parametrize("assignment,name", ALL)
def test_at_least_three_mutants(assignment, name):
    assert len(load_mistakes(assignment).get(name, [])) >= 3


@pytest.mark.parametrize("assignment,name,index", MUTANTS)
def test_mutant_fails_with_its_message(assignment, name, index):
    mistake = load_mistakes(assignment)[name][index]
    with np.errstate(all="ignore"), pytest.raises(TestFailure) as failure:
        public_test(assignment, name)(mistake.func)
    message = str(failure.value)
    assert mistake.expect in message, message
    assert message.startswith(f"{name}"), message


@pytest.mark.parametrize("assignment,name", ALL)
def test_unfilled_stub_says_not_implemented(assignment, name):
    """The released stub itself (as in the student notebook) says "not implemented yet"."""
    source = json.loads((FIXTURES / f"{assignment}.json").read_text())["stubs"][name] + "\n"
    filename = f"<stub {assignment} {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {}
    exec(compile(source, filename, "exec"), namespace)
    with pytest.raises(NotImplementedYet, match="not implemented yet"):
        public_test(assignment, name)(namespace[name])


@pytest.mark.parametrize("assignment,name", ALL)
def test_returning_none_is_reported(assignment, name):
    with pytest.raises(TestFailure, match="returned None"):
        public_test(assignment, name)(lambda *args, **kwargs: None)


@pytest.mark.parametrize("assignment,name", ALL)
def test_code_outside_the_block_is_an_answer(assignment, name):
    """Code written on the stub's `x = None` line (the YOUR CODE block left empty) is judged, not "not implemented"."""
    from public_tests.harness import is_unfilled
    stub = json.loads((FIXTURES / f"{assignment}.json").read_text())["stubs"][name] + "\n"
    public_test(assignment, name)  # registers the assignment's stubs
    answered = re.sub(r"^(\s+\w+) = None$", r"\1 = 0", stub, count=1, flags=re.M)
    for source, unfilled in [(stub, True), (answered, answered == stub)]:
        namespace, filename = {}, f"<{assignment} {name} {unfilled}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)
        assert is_unfilled(namespace[name]) is unfilled
