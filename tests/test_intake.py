"""Intake of a class's submissions (issue 8): safe student ids, one notebook per student, no symbolic link followed,
bounded zip reads, bounded driver memory, clear errors for bad arguments, a grade table that cannot drive the
terminal.  Grading itself is replaced by `fake_grade` (the real job is tested in test_classgrade.py)."""
import os
import shutil
import stat
import subprocess
import sys
import tracemalloc
import warnings
import zipfile

import pytest

from coursekit import ROOT, classgrade, master_path
from coursekit.release import nbgrader, scratch_course

ASSIGNMENT = "C1W2A1"
NAME = master_path(ASSIGNMENT).name
GOOD, BAD = b'{"answer": "GOOD"}', b'{"answer": "wrong"}'
FULL = 16.0


def fake_grade(job):
    """Stands in for job.grade_submission: full marks when the submission's bytes hold GOOD."""
    tmpl = job["template"]
    good = b"GOOD" in job["content"]
    cells = [(c["grade_id"], float(c["points"]) * good, float(c["points"])) for c in tmpl["cells"]
             if c["kind"] == "test"]
    return {"student": job["student"], "assignment": tmpl["assignment"], "status": "graded", "cells": cells,
            "notebook": None, "seconds": 0.0, "sha256": job["sha256"], "protections": {}}


@pytest.fixture(scope="module")
def base_course():
    folder = scratch_course([ASSIGNMENT])
    nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def course(base_course, tmp_path, monkeypatch):
    folder = tmp_path / "course"
    shutil.copytree(base_course, folder, symlinks=True)
    monkeypatch.setattr(classgrade, "grade_submission", fake_grade)
    return folder


def grade(course, **kwargs):
    return classgrade.grade_class(ASSIGNMENT, course, use_sandbox=False, quiet=True, **kwargs)


def by_student(rows):
    table = {}
    for student, score, _, _, status in rows:
        assert student not in table, f"two rows for {student!r}"
        table[student] = (score, status)
    return table


def tree(folder):
    """{relative path: (size, mtime)} of everything under folder, links not followed."""
    found = {}
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(parent, name)
            info = os.lstat(path)
            found[os.path.relpath(path, folder)] = (info.st_size, info.st_mtime_ns)
    return found


def graded_students(course):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return sorted(s.id for s in gradebook.students)


# ------------------------------------------------------------------------------------------ identity (item 1)

def test_unsafe_names_are_refused_and_nothing_is_written_outside_submitted(course, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    bad = ["...ipynb", "\x1b[2Kmallory.ipynb", ".hidden.ipynb", "a b.ipynb", "x" * 65 + ".ipynb", "é.ipynb",
           "o'neil@uni.edu.ipynb"]
    for name in bad + ["zoe.ipynb", "z.o-e_2@uni.edu.ipynb"]:
        (folder / name).write_bytes(GOOD)
    before = tree(course)
    table = by_student(grade(course, source=folder))
    assert table.pop("zoe") == table.pop("z.o-e_2@uni.edu") == (FULL, "graded")
    assert sorted(table) == sorted(name[:-len(".ipynb")] for name in bad)
    assert all(score == 0 and status.startswith("refused: ") for score, status in table.values()), table
    assert table["a b"][1] == f"refused: {folder / 'a b.ipynb'}: the student id 'a b' has a character that is " \
        "not allowed (' '); rename it (letters, digits, _ - . @; at most 64; not starting with .)"
    new = {path for path in set(tree(course)) - set(before) if not (course / path).is_dir()}
    allowed = ("submitted/zoe/", "submitted/z.o-e_2@uni.edu", "autograded/zoe/", "autograded/z.o-e_2@uni.edu",
               ".coursekit")
    assert new and all(path.startswith(allowed) for path in new), sorted(new)
    assert graded_students(course) == ["z.o-e_2@uni.edu", "zoe"]


def test_two_files_for_one_student_are_refused_naming_both(course, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        z.writestr("zoe.ipynb", GOOD)
        z.writestr("x/zoe.ipynb", BAD)
        z.writestr("ann.ipynb", GOOD)
        z.writestr("bob.ipynb", GOOD)
        z.writestr("bob.ipynb", BAD)
        z.writestr("../eve.ipynb", GOOD)
        z.writestr("/tmp/kim.ipynb", GOOD)
    table = by_student(grade(course, source=archive))
    assert table["ann"] == (FULL, "graded")
    assert table["zoe"] == (0.0, "refused: two files for student zoe: export.zip:x/zoe.ipynb and "
                                    "export.zip:zoe.ipynb; keep one")
    assert table["bob"] == (0.0, "refused: two files for student bob: export.zip:bob.ipynb and "
                                    "export.zip:bob.ipynb; keep one")
    assert table["eve"] == (0.0, "refused: export.zip:../eve.ipynb is a path outside the zip")
    assert table["kim"] == (0.0, "refused: export.zip:/tmp/kim.ipynb is a path outside the zip")
    assert sorted(os.listdir(course / "submitted")) == ["ann"]
    assert graded_students(course) == ["ann"]
    log = "".join(p.read_text() for p in (course / ".coursekit").glob(f"graded-{ASSIGNMENT}*.jsonl"))
    assert '"ann"' in log and '"zoe"' not in log and '"bob"' not in log


def test_two_notebooks_in_one_submitted_folder_are_refused(course):
    for student, files in [("zoe", ["a.ipynb", "b.ipynb"]), ("ann", [NAME, f"._{NAME}"])]:  # dot-files: ignored
        (course / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
        for name in files:
            (course / "submitted" / student / ASSIGNMENT / name).write_bytes(GOOD)
    table = by_student(grade(course))
    assert table == {"ann": (FULL, "graded"), "zoe": (0.0, f"refused: two notebooks for student zoe: "
                                                        f"submitted/zoe/{ASSIGNMENT}/a.ipynb and "
                                                        f"submitted/zoe/{ASSIGNMENT}/b.ipynb; keep one")}


def test_symbolic_links_are_never_followed(course, tmp_path):
    master = master_path(ASSIGNMENT)
    outside = tmp_path / "outside"
    (outside / ASSIGNMENT).mkdir(parents=True)
    (outside / ASSIGNMENT / NAME).write_bytes(GOOD)
    # nbgrader's layout: a student folder, an assignment folder and a notebook that are links
    submitted = course / "submitted"
    submitted.mkdir()
    (submitted / "eve").symlink_to(outside, target_is_directory=True)
    (submitted / "dan").mkdir()
    (submitted / "dan" / ASSIGNMENT).symlink_to(outside / ASSIGNMENT, target_is_directory=True)
    (submitted / "mal" / ASSIGNMENT).mkdir(parents=True)
    (submitted / "mal" / ASSIGNMENT / NAME).symlink_to(master)
    table = by_student(grade(course))
    assert table == {"eve": (0.0, "refused: submitted/eve is a symbolic link (not followed)"),
                     "dan": (0.0, f"refused: submitted/dan/{ASSIGNMENT} is a symbolic link (not followed)"),
                     "mal": (0.0, f"refused: submitted/mal/{ASSIGNMENT}/{NAME} is a symbolic link (not followed)")}
    # an export folder and a zip: a link to the master; a student whose submitted/ folder is a link
    (submitted / "zed").symlink_to(outside, target_is_directory=True)
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "lee.ipynb").symlink_to(master)
    (folder / "ann.ipynb").write_bytes(GOOD)
    (folder / "zed.ipynb").write_bytes(BAD)
    table = by_student(grade(course, source=folder))
    assert table["ann"] == (FULL, "graded")
    assert table["lee"] == (0.0, f"refused: {folder / 'lee.ipynb'} is a symbolic link (not followed)")
    assert table["zed"] == (0.0, "refused: submitted/zed is a symbolic link (not followed)")
    assert (outside / ASSIGNMENT / NAME).read_bytes() == GOOD
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        link = zipfile.ZipInfo("kim.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, str(master))
    assert by_student(grade(course, source=archive))["kim"] == \
        (0.0, "refused: export.zip:kim.ipynb is a symbolic link (not followed)")
    copies = [p for p in submitted.rglob("*") if p.is_file() and not p.is_symlink()]
    assert all(p.read_bytes() != master.read_bytes() for p in copies)
    assert graded_students(course) == ["ann"]


# ------------------------------------------------------------------------------------------ zip caps (item 2)

def test_an_entry_that_inflates_beyond_the_limit_is_refused_before_anything_is_written(course, tmp_path):
    from coursekit.job import MAX_NOTEBOOK_BYTES
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("bomb.ipynb", "w") as entry:
            for _ in range(MAX_NOTEBOOK_BYTES // (1 << 20) + 1):
                entry.write(bytes(1 << 20))
        z.writestr("ann.ipynb", GOOD)
    assert archive.stat().st_size < 1 << 20
    table = by_student(grade(course, source=archive))
    assert table == {"ann": (FULL, "graded"),
                     "bomb": (0.0, "refused: bomb.zip:bomb.ipynb inflates to more than 64 MiB")}
    assert not (course / "submitted" / "bomb").exists()


def test_zip_totals_are_capped(course, tmp_path, monkeypatch):
    monkeypatch.setattr("coursekit.intake.MAX_ZIP_BYTES", 3 * len(GOOD))
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for student in "abcde":
            z.writestr(f"{student}.ipynb", GOOD)
    table = by_student(grade(course, source=archive))
    assert [table[s] for s in "abc"] == [(FULL, "graded")] * 3
    assert [table[s] for s in "de"] == [(0.0, "refused: export.zip inflates to more than 54 bytes in all; "
                                              "split it into smaller zips")] * 2
    assert not (course / "submitted" / "d").exists()
    monkeypatch.setattr("coursekit.intake.MAX_ZIP_ENTRIES", 4)
    from coursekit.intake import UsageError
    before = tree(course)
    with pytest.raises(UsageError, match="export.zip has 5 entries; at most 4 are read: split it"):
        grade(course, source=archive)
    assert tree(course) == before


# ------------------------------------------------------------------------------------------ driver memory (item 2)

def counted(jobs, pulled):
    for job in jobs:
        pulled.append(job["student"])
        yield job


def fake_jobs(count):
    tmpl = {"assignment": ASSIGNMENT, "cells": []}
    return [{"student": f"s{i}", "content": GOOD, "sha256": "x", "template": tmpl} for i in range(count)]


@pytest.mark.parametrize("workers", [1, 2])
def test_jobs_in_flight_are_bounded_in_the_local_pool(workers, monkeypatch):
    monkeypatch.setattr(classgrade, "grade_submission", fake_grade)
    pulled, ahead = [], []
    results = []
    for result in classgrade.run_jobs(counted(fake_jobs(40), pulled), workers, None):
        results.append(result["student"])
        ahead.append(len(pulled) - len(results))
    assert sorted(results) == sorted(f"s{i}" for i in range(40))
    assert max(ahead) <= 2 * workers, ahead


def test_jobs_in_flight_are_bounded_on_dask(monkeypatch):
    from distributed import LocalCluster
    monkeypatch.setattr(classgrade, "grade_submission", fake_grade)
    pulled, ahead, results = [], [], []
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        for result in classgrade.run_jobs(counted(fake_jobs(80), pulled), 1, cluster.scheduler_address):
            results.append(result["student"])
            ahead.append(len(pulled) - len(results))
    assert sorted(results) == sorted(f"s{i}" for i in range(80))
    assert max(ahead) <= 32, ahead


def test_the_driver_does_not_hold_every_submission(course):
    grade(course)  # warm up: imports, the gradebook's first use
    size, count = 2 << 20, 40
    for i in range(count):
        (course / "submitted" / f"s{i:02d}" / ASSIGNMENT).mkdir(parents=True)
        (course / "submitted" / f"s{i:02d}" / ASSIGNMENT / NAME).write_bytes(GOOD + bytes(size))
    tracemalloc.start()
    try:
        rows = grade(course)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [score for _, score, *_ in rows] == [FULL] * count
    assert peak < 8 * size, f"peak {peak >> 20} MiB for {count} submissions of {size >> 20} MiB"


# ------------------------------------------------------------------------------------------ the command (item 3)

def run_grade(*args, env=None):
    return subprocess.run([sys.executable, "-m", "coursekit", "grade", *map(str, args)], capture_output=True,
                          text=True, timeout=300, env=env)


def test_the_grade_command_works_without_the_venv_on_path(base_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(base_course, course)
    (course / "gradebook.db").unlink()
    empty = tmp_path / "empty"
    empty.mkdir()
    env = dict(os.environ, PATH="/usr/bin:/bin")
    run = run_grade(ASSIGNMENT, "--course", course, "--submissions", empty, "--no-sandbox", env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (course / "gradebook.db").exists()


def test_bad_arguments_are_one_line_errors_and_write_nothing(base_course, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(base_course, course)
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", bare)
    notzip = tmp_path / "export.zip"
    notzip.write_text("not a zip")
    cases = [
        (["NOPE", "--course", course], "unknown assignment NOPE: known are C1W2A1, "),
        ([ASSIGNMENT, "--course", tmp_path / "missing"], f"--course {tmp_path / 'missing'}: no such folder"),
        ([ASSIGNMENT, "--course", bare], f"--course {bare} has no source/{ASSIGNMENT}/"),
        ([ASSIGNMENT, "--course", course, "--workers", "0"], "--workers 0: give at least 1"),
        ([ASSIGNMENT, "--course", course, "--submissions", tmp_path / "nothere"],
         f"--submissions {tmp_path / 'nothere'}: no such file or folder"),
        ([ASSIGNMENT, "--course", course, "--submissions", notzip], f"--submissions {notzip} is not a zip file"),
    ]
    before = tree(tmp_path)
    problems = []
    for args, message in cases:
        run = run_grade(*args, "--no-sandbox")
        lines = run.stderr.splitlines()
        if run.returncode != 2 or len(lines) != 1 or not lines[0].startswith("error: " + message) or run.stdout:
            problems.append((args, run.returncode, run.stderr[-800:]))
    assert not problems, problems
    assert tree(tmp_path) == before


# ------------------------------------------------------------------------------------------ the terminal (item 4)

def test_the_table_cannot_drive_the_terminal():
    import io
    out = io.StringIO()
    classgrade.print_table([("ann\x1b[1A\x1b[2K", 1.0, 2.0, 0.5, "stopped: \x1b]0;title\x07 \r\nzoe 16.0 \u202e"),
                            ("bob", 2.0, 2.0, 0.5, "graded")], out=out)
    text = out.getvalue()
    assert not any(not c.isprintable() for c in text.replace("\n", "")), repr(text)
    lines = text.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("ann\\x1b[1A\\x1b[2K ") and lines[1].endswith(r"\x07 \r\nzoe 16.0 \u202e")

