"""Every assignment, through every grading path: a correct, a blank and a one-function-wrong submission graded by
`coursekit grade` on a local pool, by `coursekit grade` on a real Dask scheduler/worker pair, and by
`nbgrader autograde` with the kit's config; the three agree cell by cell, and the totals are the expected ones.
A new assignment (a master in source/ and a TEXT_MISTAKE in tests/mutants/<ID>.py) is covered without touching this
file."""
import importlib
import shutil

import nbformat
import pytest

from coursekit import assignments, classgrade, master_path, sandbox
from coursekit.demo import correct_submission, text_mistake
from coursekit.notebooks import read
from coursekit.release import nbgrader, scratch_course
from tests.test_classgrade import dask_cluster

LIMITS = sandbox.Limits(cell_timeout=60, notebook_timeout=300)


@pytest.fixture(scope="module")
def dask_scheduler():
    with dask_cluster(workers=1) as address:
        yield address


def three_submissions(course, assignment):
    """{student: expected total}, written into submitted/ as nbgrader's collect would."""
    student_file = course / "notebooks" / assignment / master_path(assignment).name
    fresh = lambda: nbformat.read(str(student_file), as_version=4)  # noqa: E731
    master = read(master_path(assignment))
    total = sum(c.metadata["nbgrader"].get("points", 0) for c in master.cells
                if c.metadata.get("nbgrader", {}).get("grade"))
    wrong = correct_submission(fresh(), master)
    grade_id, old, new = text_mistake(assignment)
    cell = next(c for c in wrong.cells if c.id == grade_id)
    cell.source = cell.source.replace(old, new, 1)
    loses = importlib.import_module(f"tests.mutants.{assignment}").TEXT_MISTAKE_LOSES
    subs = {"correct": (correct_submission(fresh(), master), total), "blank": (fresh(), 0),
            "one-wrong": (wrong, total - loses)}
    for student, (nb, _) in subs.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(folder / student_file.name))
    return {student: expected for student, (_, expected) in subs.items()}


def cell_scores(db_url, assignment, students):
    """{student: {grade_id: score}} from an nbgrader gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gradebook:
        return {student: {grade.name: grade.score
                          for grade in gradebook.find_submission(assignment, student).notebooks[0].grades}
                for student in students}


@pytest.mark.parametrize("assignment", assignments())
def test_every_path_agrees(assignment, dask_scheduler, tmp_path):
    course = scratch_course([assignment])
    try:
        nbgrader("generate_assignment", assignment, "--force", cwd=course)
        expected = three_submissions(course, assignment)
        graded = {}
        for path, kwargs in [("local pool", {"workers": 2}), ("dask", {"scheduler": dask_scheduler})]:
            db_url = f"sqlite:///{tmp_path / path.replace(' ', '-')}.db"
            shutil.rmtree(course / ".coursekit", ignore_errors=True)
            rows = classgrade.grade_class(assignment, course, db_url=db_url, limits=LIMITS, quiet=True, **kwargs)
            assert {student: score for student, score, *_ in rows} == expected, (path, rows)
            graded[path] = cell_scores(db_url, assignment, expected)
        (course / "nbgrader_config.py").write_text((course / "nbgrader_config.py").read_text() +
                                                   f"\nc.GradeWithKit.cell_timeout = {LIMITS.cell_timeout}\n")
        nbgrader("autograde", assignment, "--force", cwd=course)
        graded["nbgrader autograde"] = cell_scores(f"sqlite:///{course / 'gradebook.db'}", assignment, expected)
        totals = {student: sum(cells.values()) for student, cells in graded["nbgrader autograde"].items()}
        assert totals == expected
        assert graded["local pool"] == graded["dask"] == graded["nbgrader autograde"]
    finally:
        shutil.rmtree(course, ignore_errors=True)


def test_code_written_on_the_none_line_gets_full_marks(tmp_path):
    """A correct function whose code is on the stub's `s = None` line, with the YOUR CODE block left empty."""
    assignment = "C1W2A1"
    course = scratch_course([assignment])
    try:
        nbgrader("generate_assignment", assignment, "--force", cwd=course)
        student_file = course / "notebooks" / assignment / master_path(assignment).name
        nb = correct_submission(nbformat.read(str(student_file), as_version=4), read(master_path(assignment)))
        fresh = nbformat.read(str(student_file), as_version=4)
        stub = next(c for c in fresh.cells if c.id == "sigmoid").source
        assert "    s = None\n" in stub
        next(c for c in nb.cells if c.id == "sigmoid").source = stub.replace("    s = None\n",
                                                                             "    s = 1 / (1 + np.exp(-x))\n")
        archive = tmp_path / "export"
        archive.mkdir()
        nbformat.write(nb, str(archive / "ann.ipynb"))
        rows = classgrade.grade_class(assignment, course, source=archive, limits=LIMITS, quiet=True,
                                      db_url=f"sqlite:///{tmp_path / 'gb.db'}")
        assert [(student, score, total) for student, score, total, *_ in rows] == [("ann", 16.0, 16.0)], rows
    finally:
        shutil.rmtree(course, ignore_errors=True)
