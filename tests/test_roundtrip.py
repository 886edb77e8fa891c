"""nbgrader round trip in a temporary course: release, six kinds of submission, autograde, feedback."""
import shutil

import pytest

from coursekit import master_path
from coursekit.demo import grade_class, leaks
from coursekit.notebooks import BEGIN_HIDDEN, BEGIN_SOLUTION, read
from coursekit.release import nbgrader, release_solutions, scratch_course

ASSIGNMENT = "C1W2A1"


@pytest.fixture(scope="module")
def graded():
    course = scratch_course([ASSIGNMENT])
    rows = grade_class(course, [ASSIGNMENT], hostile_for=[ASSIGNMENT])
    yield course, rows
    shutil.rmtree(course, ignore_errors=True)


def test_every_submission_gets_the_expected_score(graded):
    _, rows = graded
    students = {student for _, student, *_ in rows}
    assert students == {"alice-correct", "bob-one-wrong", "carol-blank", "dave-edited-test", "erin-deleted-test",
                        "frank-infinite-loop"}
    for assignment, student, score, total, expected, _ in rows:
        assert score == pytest.approx(expected), (student, score, expected)
    assert {s: sc for _, s, sc, *_ in rows}["carol-blank"] == 0


def test_feedback_has_no_hidden_test_text(graded):
    course, _ = graded
    pages = list((course / "feedback").rglob("*.html"))
    assert len(pages) == 6
    assert leaks(course, [ASSIGNMENT]) == []
    wrong = (course / "feedback" / "bob-one-wrong" / ASSIGNMENT / f"{master_path(ASSIGNMENT).stem}.html").read_text()
    assert "L1: hidden test 1 of 2 failed" in wrong and "forgot the absolute value" in wrong  # still explained


def test_solutions_release_is_clean_and_executed(tmp_path):
    path = release_solutions(ASSIGNMENT, tmp_path)
    nb = read(path)
    text = "\n".join(c.source for c in nb.cells)
    assert BEGIN_SOLUTION not in text and BEGIN_HIDDEN not in text and "hidden_check" not in text
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]
    assert "All tests passed." in "".join(o.get("text", "") for o in outputs)


def test_untampered_cells_raise_no_alarm_and_tampering_is_told(graded):
    """Stock nbgrader warns "checksum has changed" for every untampered cell with hidden tests (jupyter/nbgrader#1961).
    Here the kit's job restores the cells: an untouched submission raises no alarm, an edited test cell is reported
    in nbgrader's log and the student is told, once, in the feedback."""
    course, _ = graded
    untouched = nbgrader("autograde", ASSIGNMENT, "--force", "--student", "alice-correct", cwd=course).stdout
    assert "has changed" not in untouched and "was edited" not in untouched and "Traceback" not in untouched
    edited = nbgrader("autograde", ASSIGNMENT, "--force", "--student", "dave-edited-test", cwd=course).stdout
    assert "test cell basic_sigmoid_test was edited" in edited
    page = course / "feedback" / "dave-edited-test" / ASSIGNMENT / f"{master_path(ASSIGNMENT).stem}.html"
    assert page.read_text().count("was edited: the original was used for grading") == 1
    alice = course / "feedback" / "alice-correct" / ASSIGNMENT / f"{master_path(ASSIGNMENT).stem}.html"
    assert "Grader notes" not in alice.read_text()
