"""The main job: build, execute, autograde a small demo class with nbgrader, write feedback, print the grades.

Each assignment gets a correct, a partly wrong and a blank submission; the first assignment also gets the awkward
ones: an edited test cell, a deleted test cell, and an infinite loop.
"""
import html
import importlib
import re
import shutil
import time
from pathlib import Path

from nbgrader.api import Gradebook

from coursekit import assignments, master_path
from coursekit.notebooks import BEGIN_HIDDEN, END_HIDDEN, drop_delimiters, dumps, read
from coursekit.release import nbgrader, release_solutions, scratch_course

CELL_TIMEOUT = 60  # seconds per cell in the demo course (the infinite loop waits this long)


def text_mistake(assignment):
    """(grade_id, old, new): a one-function mistake for the 'partly wrong' submission (tests/mutants/<ID>.py)."""
    return importlib.import_module(f"tests.mutants.{assignment}").TEXT_MISTAKE


def test_cell_ids(nb):
    return [c.id for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and BEGIN_HIDDEN not in c.source]


def correct_submission(student_nb, master_nb):
    """The student notebook with every stub filled in with the master's solution."""
    solutions = {c.id: drop_delimiters(c.source) for c in master_nb.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in student_nb.cells:
        if cell.id in solutions:
            cell.source = solutions[cell.id]
    return student_nb


def submissions(assignment, student_file, hostile):
    """{student id: notebook} for the demo class."""
    master = read(master_path(assignment))
    fresh = lambda: read(student_file)  # noqa: E731
    subs = {"alice-correct": correct_submission(fresh(), master), "carol-blank": fresh()}
    wrong = correct_submission(fresh(), master)
    grade_id, old, new = text_mistake(assignment)
    cell = next(c for c in wrong.cells if c.id == grade_id)
    assert old in cell.source, f"TEXT_MISTAKE of {assignment}: {old!r} not in cell {grade_id}"
    cell.source = cell.source.replace(old, new, 1)
    subs["bob-one-wrong"] = wrong
    if hostile:
        edited = correct_submission(fresh(), master)
        first_test = test_cell_ids(edited)[0]
        next(c for c in edited.cells if c.id == first_test).source = "pass  # the test is gone"
        subs["dave-edited-test"] = edited
        deleted = correct_submission(fresh(), master)
        deleted.cells = [c for c in deleted.cells if c.id != first_test]
        subs["erin-deleted-test"] = deleted
        looping = correct_submission(fresh(), master)
        cell = next(c for c in looping.cells if c.id == grade_id)
        head, _, tail = cell.source.rpartition("\n    return ")
        cell.source = f"{head}\n    while True:  # never ends\n        pass\n    return {tail}"
        subs["frank-infinite-loop"] = looping
    return subs


def expected_scores(assignment, hostile):
    """What each demo student must get (points of the cells the mistake breaks are in TEXT_MISTAKE_LOSES)."""
    nb = read(master_path(assignment))
    total = sum(c.metadata["nbgrader"].get("points", 0) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    loses = importlib.import_module(f"tests.mutants.{assignment}").TEXT_MISTAKE_LOSES
    scores = {"alice-correct": total, "carol-blank": 0.0, "bob-one-wrong": total - loses}
    if hostile:
        scores.update({"dave-edited-test": total, "erin-deleted-test": total, "frank-infinite-loop": total - loses})
    return scores, total


def hidden_texts(assignment):
    """Lines of hidden-test code that must never appear in feedback."""
    lines = []
    for cell in read(master_path(assignment)).cells:
        if BEGIN_HIDDEN in cell.source:
            inside = cell.source.split(BEGIN_HIDDEN, 1)[1].split(END_HIDDEN, 1)[0]
            lines += [l.strip() for l in inside.splitlines() if len(l.strip()) > 10]
    return lines


def grade_class(course, ids, hostile_for=()):
    """Release, submit, autograde and write feedback in `course`; return rows and the feedback folder."""
    (course / "nbgrader_config.py").write_text((course / "nbgrader_config.py").read_text() +
                                               f"\nc.GradeWithKit.cell_timeout = {CELL_TIMEOUT}\n")
    rows = []
    for assignment in ids:
        nbgrader("generate_assignment", assignment, "--force", cwd=course)
        student_file = course / "notebooks" / assignment / master_path(assignment).name
        hostile = assignment in hostile_for
        for student, nb in submissions(assignment, student_file, hostile).items():
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            (folder / student_file.name).write_text(dumps(nb))
        start = time.time()
        nbgrader("autograde", assignment, "--force", cwd=course)
        nbgrader("generate_feedback", assignment, "--force", cwd=course)
        seconds = time.time() - start
        expected, total = expected_scores(assignment, hostile)
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            for student in sorted(expected):
                score = gradebook.find_submission(assignment, student).score
                rows.append((assignment, student, score, total, expected[student], seconds / len(expected)))
    return rows


def leaks(course, ids):
    """Hidden-test lines found in any feedback HTML."""
    found = []
    for assignment in ids:
        secrets = hidden_texts(assignment)
        for page in (course / "feedback").glob(f"*/{assignment}/*.html"):
            text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
            found += [(page.name, s) for s in secrets + ["hidden_check", "BEGIN HIDDEN"] if s in text]
    return found


def run_demo(out, ids=None, hostile_for=None):
    ids = ids or assignments()
    hostile_for = ids[:1] if hostile_for is None else hostile_for
    out = Path(out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    print(f"1. Reference notebooks, executed (clean solutions) -> {out / 'solutions'}")
    for assignment in ids:
        start = time.time()
        release_solutions(assignment, out / "solutions")
        print(f"   {assignment}: {time.time() - start:5.1f} s")
    course = scratch_course(ids)
    shutil.move(str(course), out / "course")
    course = out / "course"
    print(f"2. Student release, demo class, nbgrader autograde + feedback in {course}")
    rows = grade_class(course, ids, hostile_for)
    print(f"\n{'assignment':<10} {'student':<20} {'score':>6} {'max':>5} {'expected':>8}  ok")
    bad = 0
    for assignment, student, score, total, expected, _ in rows:
        ok = abs(score - expected) < 1e-9
        bad += not ok
        print(f"{assignment:<10} {student:<20} {score:6.1f} {total:5.1f} {expected:8.1f}  {'yes' if ok else 'NO'}")
    found = leaks(course, ids)
    print(f"\nFeedback: {course / 'feedback'} ({len(list((course / 'feedback').rglob('*.html')))} pages); "
          f"hidden-test text in feedback: {'none' if not found else found}")
    return 1 if bad or found else 0
