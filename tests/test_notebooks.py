"""Masters run clean; student notebooks are in sync with them, hold only stubs, and fail only with clear messages."""
import json
import math
import re

import pytest

from coursekit import assignments, master_path, student_path
from coursekit.execute import errors, execute
from coursekit.fixtures import build as build_fixtures
from coursekit.notebooks import BEGIN_HIDDEN, BEGIN_SOLUTION, dumps, normalize, read, solution_regions
from coursekit.release import build_student_version
from public_tests.harness import FIXTURES, STUB_BEGIN, STUB_END

IDS = assignments()


@pytest.mark.parametrize("assignment", IDS)
def test_master_is_normalized(assignment):
    """No stored outputs, stable ids: normalising changes nothing."""
    text = master_path(assignment).read_text()
    assert dumps(normalize(read(master_path(assignment)))) == text
    assert '"outputs": []' in text and '"execution_count": null' in text
    assert '"output_type"' not in text


def same_up_to_rounding(a, b, path="fixture"):
    """Equal JSON, but for floats, which may differ in their last bits between machines (BLAS kernels): the path of
    the first difference, or None."""
    if isinstance(a, float) and isinstance(b, float):
        same = math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) or (math.isnan(a) and math.isnan(b))
        return None if same else path
    if type(a) is not type(b):
        return path
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return path
        return next((d for k in a if (d := same_up_to_rounding(a[k], b[k], f"{path}.{k}"))), None)
    if isinstance(a, list):
        if len(a) != len(b):
            return path
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := same_up_to_rounding(x, y, f"{path}[{i}]"))),
                    None)
    return None if a == b else path


@pytest.mark.parametrize("assignment", IDS)
def test_fixtures_in_sync(assignment):
    stored, fresh = json.loads((FIXTURES / f"{assignment}.json").read_text()), json.loads(build_fixtures(assignment))
    assert same_up_to_rounding(stored, fresh) is None, f"run `python -m coursekit fixtures {assignment}`"


def test_fixture_comparison_can_fail():
    assert same_up_to_rounding({"a": [1.0, 2.0]}, {"a": [1.0, 2.0 + 1e-15]}) is None
    assert same_up_to_rounding({"a": [1.0, 2.0]}, {"a": [1.0, 2.0001]}) == "fixture.a[1]"
    assert same_up_to_rounding({"a": "x"}, {"a": "y"}) == "fixture.a"


@pytest.mark.parametrize("assignment", IDS)
def test_student_notebook_in_sync(assignment):
    assert student_path(assignment).read_text() == build_student_version(assignment), \
        f"run `python -m coursekit release {assignment}`"


@pytest.mark.parametrize("assignment", IDS)
def test_student_notebook_has_stubs_and_no_solutions(assignment):
    student = read(student_path(assignment))
    text = "\n".join(c.source for c in student.cells)
    assert BEGIN_SOLUTION not in text and "END SOLUTION" not in text
    assert BEGIN_HIDDEN not in text and "hidden_check" not in text
    assert "output_type" not in student_path(assignment).read_text()
    master = read(master_path(assignment))
    solutions = [c for c in master.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert solutions, "the master has no graded solution cells"
    by_id = {c.id: c for c in student.cells}
    for cell in solutions:
        stub = by_id[cell.id].source
        assert re.search(rf"^( *){re.escape(STUB_BEGIN)}\n\1\n\1{re.escape(STUB_END)}$", stub, re.M), stub
        for region in solution_regions(cell.source):
            for line in region.splitlines():
                code = line.strip()
                if code and not code.startswith("#") and len(code) > 12:
                    assert code not in stub, f"solution line leaked into the student notebook: {code}"
        compile(stub, cell.id, "exec")  # still valid Python


@pytest.mark.parametrize("assignment", IDS)
def test_master_executes_and_all_tests_pass(assignment, tmp_path):
    nb = read(master_path(assignment))
    execute(nb, cwd=master_path(assignment).parent)
    text = "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    hidden = [c for c in tests if BEGIN_HIDDEN in c.source]
    assert text.count("All tests passed.") == len(tests) - len(hidden)
    assert text.count("All hidden tests passed.") == len(hidden) > 0


@pytest.mark.parametrize("assignment", IDS)
def test_student_notebook_fails_only_with_not_implemented(assignment):
    nb = read(student_path(assignment))
    execute(nb, cwd=student_path(assignment).parent, allow_errors=True)
    found = errors(nb)
    assert found, "an all-stubs notebook should report unfilled functions"
    bad = [(nb.cells[i].id, ename, evalue) for i, ename, evalue in found if ename != "NotImplementedYet"]
    assert not bad, bad
    for _, _, evalue in found:
        assert "not implemented yet" in evalue or "not computed because" in evalue
