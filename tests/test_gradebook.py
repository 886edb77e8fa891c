"""The class grader's gradebook: a real PostgreSQL server, a log of what was graded that belongs to its gradebook,
and the submission times nbgrader needs for late penalties."""
import csv
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest

from coursekit import classgrade, master_path, sandbox
from coursekit.demo import correct_submission, text_mistake
from coursekit.notebooks import read
from coursekit.release import build_student_version, nbgrader, scratch_course
from tests.hostile_corpus import FULL

ASSIGNMENT = "C1W2A1"
LIMITS = sandbox.Limits(cell_timeout=10, notebook_timeout=120, memory_bytes=1 << 30)
EXPECTED = {"good": FULL, "wrong": FULL - 2, "blank": 0.0}
ON_TIME = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)  # good: nbgrader's timestamp.txt, at the due date
STAMP = "2026-09-01 08:00:00.000000 UTC"  # as `nbgrader submit` writes it
LATE = datetime(2026, 9, 2, 12, 0, 30, tzinfo=timezone.utc)  # wrong and blank: the file's time, a day late


def notebooks():
    student = nbformat.reads(build_student_version(ASSIGNMENT), as_version=4)
    good = correct_submission(nbformat.reads(nbformat.writes(student), as_version=4), read(master_path(ASSIGNMENT)))
    wrong = nbformat.reads(nbformat.writes(good), as_version=4)
    grade_id, old, new = text_mistake(ASSIGNMENT)
    cell = next(c for c in wrong.cells if c.id == grade_id)
    cell.source = cell.source.replace(old, new, 1)
    return {"good": good, "wrong": wrong, "blank": student}


@pytest.fixture(scope="module")
def course():
    """A course with a correct, a one-function-wrong and a blank submission in nbgrader's submitted/ layout."""
    folder = scratch_course([ASSIGNMENT])
    nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=folder)
    for student, nb in notebooks().items():
        path = folder / "submitted" / student / ASSIGNMENT / master_path(ASSIGNMENT).name
        path.parent.mkdir(parents=True)
        path.write_text(nbformat.writes(nb))
        os.utime(path, (LATE.timestamp(), LATE.timestamp()))
    (folder / "submitted" / "good" / ASSIGNMENT / "timestamp.txt").write_text(STAMP)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def grade(course, db_url, **kwargs):
    rows = classgrade.grade_class(ASSIGNMENT, course, db_url=db_url, limits=LIMITS, quiet=True, **kwargs)
    return {student: (score, status) for student, score, _, _, status in rows}


def in_gradebook(db_url):
    """{student: (score, timestamp, seconds late, late penalty)} as nbgrader's own Gradebook sees them."""
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gradebook:
        return {s.student.id: (s.score, s.timestamp, s.total_seconds_late, s.late_submission_penalty)
                for s in gradebook.assignment_submissions(ASSIGNMENT)}


def set_due_date(db_url, due):
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=due)


def naive_utc(moment):
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


# ------------------------------------------------------------------------------------ a real PostgreSQL server

def server_binaries():
    """The folder of initdb/pg_ctl/postgres: on PATH, or where Debian's postgresql package puts them."""
    found = shutil.which("initdb") or ([None] + sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")))[-1]
    return Path(found).resolve().parent if found else None


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL server on a unix socket in a temporary folder; yields new_database(name) -> URL."""
    bindir = server_binaries()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL's server is not installed: .ci/run installs it (apt-get install postgresql)")
        pytest.skip("no PostgreSQL server here (apt-get install postgresql); CI runs this test")
    import psycopg
    folder = Path(tempfile.mkdtemp(prefix="ck-pg-"))
    user = []
    if os.geteuid() == 0:  # postgres refuses to run as root: the package's own system user runs it
        shutil.chown(folder, "postgres")
        user = ["runuser", "-u", "postgres", "--"]

    def run(*args):
        subprocess.run(user + [str(bindir / args[0]), *args[1:]], check=True, capture_output=True, timeout=120)

    def new_database(name):
        with psycopg.connect(host=str(folder), user="postgres", dbname="postgres", autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres:not-a-secret@/{name}?host={folder}"
    try:
        run("initdb", "-D", f"{folder}/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale",
            "--no-sync")
        run("pg_ctl", "-D", f"{folder}/data", "-l", f"{folder}/log", "-w", "-o",
            f"-k {folder} -c listen_addresses='' -F", "start")
        yield new_database
    finally:
        if (folder / "data" / "postmaster.pid").exists():
            run("pg_ctl", "-D", f"{folder}/data", "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_a_class_graded_into_postgresql(postgres, course):  # postgres first: a skip costs nothing
    url = postgres("gradebook_a")
    classgrade.ensure_assignment_in_gradebook(course, ASSIGNMENT, url)
    set_due_date(url, naive_utc(ON_TIME))
    config = course / "nbgrader_config.py"
    kept = config.read_text()
    config.write_text(kept + '\nc.LateSubmissionPlugin.penalty_method = "zero"\n')  # late: no points
    try:
        assert grade(course, url) == {s: (score, "graded") for s, score in EXPECTED.items()}
    finally:
        config.write_text(kept)
    got = in_gradebook(url)
    assert {s: score for s, (score, *_) in got.items()} == EXPECTED
    assert got["good"][1:] == (naive_utc(ON_TIME), 0, 0.0)
    assert got["wrong"][1:] == (naive_utc(LATE), (LATE - ON_TIME).total_seconds(), FULL - 2)
    assert grade(course, url) == {s: (score, "unchanged") for s, score in EXPECTED.items()}


def test_an_unreachable_gradebook_is_one_clear_line(course, tmp_path):
    url = f"postgresql://ann:hunter2@/nowhere?host={tmp_path}"  # no server listens there
    with pytest.raises(SystemExit) as stop:
        classgrade.grade_class(ASSIGNMENT, course, db_url=url, limits=LIMITS, quiet=True)
    message = str(stop.value)
    assert "\n" not in message and "hunter2" not in message and "ann:***@/nowhere" in message, message
    assert "--db-url" in message


# ------------------------------------------------------------------------- the log belongs to the gradebook

def test_a_new_gradebook_gets_every_score(course, tmp_path):
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    graded = {s: (score, "graded") for s, score in EXPECTED.items()}
    assert grade(course, first) == graded
    assert grade(course, second) == graded
    assert {s: score for s, (score, *_) in in_gradebook(second).items()} == EXPECTED
    assert grade(course, first) == {s: (score, "unchanged") for s, score in EXPECTED.items()}
    # the CSV: nbgrader's export columns, with the times and the lateness nbgrader computes from the due date
    set_due_date(first, naive_utc(ON_TIME))
    grade(course, first, csv_path=tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    assert rows["good"]["timestamp"] == str(naive_utc(ON_TIME)) and rows["good"]["duedate"] == str(naive_utc(ON_TIME))
    assert rows["wrong"]["timestamp"] == str(naive_utc(LATE)) and float(rows["wrong"]["raw_score"]) == FULL - 2


def test_the_log_trusts_only_what_its_gradebook_holds(tmp_path, monkeypatch):
    """A gradebook emptied, replaced or restored from an older copy: what it lacks is graded again."""
    from nbgrader.api import Gradebook
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # nbgrader's alembic
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment(ASSIGNMENT)
    state = classgrade.State(tmp_path, ASSIGNMENT, url)
    for student in ("ann", "bob"):
        state.record(student, {"sha256": student, "score": 1.0})
    with Gradebook(url) as gradebook:
        gradebook.update_or_create_student("ann")
        gradebook.update_or_create_submission(ASSIGNMENT, "ann")
    assert set(classgrade.State(tmp_path, ASSIGNMENT, url).data) == {"ann"}
    assert classgrade.State(tmp_path, ASSIGNMENT, f"sqlite:///{tmp_path / 'other.db'}").data == {}


# ------------------------------------------------------------------------------------------ submission times

def test_submission_times(tmp_path):
    """nbgrader's timestamp.txt, else the file's time; in a zip, the entry's date (local time, as zip stores it)."""
    for student in ("ann", "bob"):
        path = tmp_path / "submitted" / student / ASSIGNMENT / "x.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text("{}")
        os.utime(path, (LATE.timestamp(), LATE.timestamp()))
    (tmp_path / "submitted" / "ann" / ASSIGNMENT / "timestamp.txt").write_text(STAMP)
    assert classgrade.submission_times(tmp_path, ASSIGNMENT) == {"ann": ON_TIME, "bob": LATE}
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "cat.ipynb").write_text("{}")
    os.utime(folder / "cat.ipynb", (LATE.timestamp(), LATE.timestamp()))
    assert classgrade.submission_times(tmp_path, ASSIGNMENT, folder) == {"cat": LATE}
    local = datetime(2026, 9, 3, 9, 30, 2)
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.writestr(zipfile.ZipInfo("dan.ipynb", local.timetuple()[:6]), "{}")
    assert classgrade.submission_times(tmp_path, ASSIGNMENT, tmp_path / "export.zip") == {"dan": local.astimezone()}
