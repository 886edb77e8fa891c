"""Grade a whole class: every submission in its own sandboxed kernel, in parallel or on a Dask cluster.

    python -m coursekit grade C1W2A1 [--submissions DIR|ZIP] [--workers N | --scheduler ADDRESS] [--run-all]

Each job (coursekit.job) grades one (student, assignment) in a private working copy and returns the executed
notebook and the score of every graded cell; only the driver writes, merging each result into nbgrader's own layout
and gradebook (`autograded/<student>/<ID>/`, the `db_url` database), so formgrader and `nbgrader generate_feedback`
work as usual.  Re-running grades only new or changed submissions; an interrupted run keeps everything already merged.
"""
import csv
import functools
import hashlib
import itertools
import json
import os
import sys
import time
import warnings
import zipfile
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from coursekit import ROOT, intake
from coursekit.job import failed_result, grade_submission, template

# ------------------------------------------------------------------------------------------ the driver

def find_submissions(course, assignment, source=None):
    """Yield (student, where, content, reason) one at a time from nbgrader's submitted/<student>/<ID>/, or a folder
    or zip of <student>.ipynb files; content is None for a refused one, and reason says why (see coursekit.intake)."""
    yield from intake.submissions(course, assignment, source)


class State:
    """What has been merged into one gradebook already: {student: {"sha256", "score", ...}}.

    Kept as an append-only log, one JSON line per merged result (the last line for a student wins), so recording a
    result costs one short write however large the class; a line cut short by a crash is ignored.  Each gradebook has
    its own log (named by its URL, password left out), and a student the log lists but the gradebook has no
    submission from (a new, emptied or replaced gradebook) is graded again.  Without `db_url`: the log alone.
    """

    def __init__(self, course, assignment, db_url=None):
        key = f"-{hashlib.sha256(shown_url(db_url).encode()).hexdigest()[:12]}" if db_url else ""
        self.path = course / ".coursekit" / f"graded-{assignment}{key}.jsonl"
        self.data = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                    self.data[entry.pop("student")] = entry
                except (ValueError, KeyError, AttributeError):
                    continue
        if db_url and self.data:
            from nbgrader.api import Assignment, Gradebook, SubmittedAssignment
            with Gradebook(db_url) as gradebook:
                query = gradebook.db.query(SubmittedAssignment.student_id).join(Assignment)
                held = {student for student, in query.filter(Assignment.name == assignment)}
            self.data = {student: entry for student, entry in self.data.items() if student in held}

    def record(self, student, entry):
        self.data[student] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as log:
            log.write(json.dumps(dict(entry, student=student), sort_keys=True) + "\n")
            log.flush()
            os.fsync(log.fileno())


def submission_times(course, assignment, source=None):
    """{student: when submitted}, for nbgrader's late penalties: nbgrader's own `timestamp.txt` beside a submission
    in submitted/<student>/<ID>/, else the notebook file's time; in a zip, the entry's date (local time, as zips
    store it).  Links are not followed; what cannot be read has no time."""
    from nbgrader.utils import parse_utc
    from coursekit.intake import Refused, read_file

    def mtime(path):
        try:
            return datetime.fromtimestamp(path.lstat().st_mtime, timezone.utc)
        except OSError:
            return None
    times = {}
    if source is None:
        for path in (course / "submitted").glob(f"*/{assignment}/*.ipynb"):
            try:
                stamp = read_file(path.parent / "timestamp.txt")[:100].decode().strip()
                when = parse_utc(stamp).replace(tzinfo=timezone.utc)
            except (Refused, ValueError, OverflowError):  # none, empty or unreadable: the file's own time
                when = mtime(path)
            times[path.parent.parent.name] = when
    elif str(source).endswith(".zip"):
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                try:
                    times[Path(info.filename).stem] = datetime(*info.date_time).astimezone()
                except (ValueError, OverflowError):
                    continue
    else:
        times = {p.stem: mtime(p) for p in Path(source).glob("*.ipynb")}
    return {student: when for student, when in times.items() if when is not None}


def merge(result, course, tmpl, gradebook):
    """Write the graded notebook into nbgrader's layout and its scores, submission time (`result["timestamp"]`, if
    any) and late penalty (as `nbgrader autograde` assigns it, from the course's configuration) into nbgrader's
    gradebook (kept open for the whole run: opening one costs nbgrader a migration check)."""
    student, assignment, name = result["student"], tmpl["assignment"], Path(tmpl["name"]).stem
    if result["notebook"] is not None:
        target = course / "autograded" / student / assignment / tmpl["name"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(result["notebook"])
    from sqlalchemy.exc import SAWarning
    when = {"timestamp": result["timestamp"]} if result.get("timestamp") else {}
    with warnings.catch_warnings():  # nbgrader's own use of SQLAlchemy warns here; nothing is wrong
        warnings.simplefilter("ignore", SAWarning)
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(assignment, student, **when)
        for grade_id, score, _ in result["cells"]:
            grade = gradebook.find_grade(grade_id, name, assignment, student)
            grade.auto_score = score
        penalty, late = None, submission.total_seconds_late
        if late > 0:
            score = sum(s for _, s, _ in result["cells"])
            penalty = late_penalties(course).late_submission_penalty(student, score, late)
            penalty = None if penalty is None else min(max(penalty, 0.0), score)
        gradebook.find_submission_notebook(name, assignment, student).late_submission_penalty = penalty
        gradebook.db.commit()


@functools.lru_cache
def late_penalties(course):
    """nbgrader's late-penalty plugin as the course's nbgrader_config.py sets it (default: no penalty)."""
    from nbgrader.preprocessors import AssignLatePenalties
    from traitlets.config.loader import Config, PyFileConfigLoader
    found = (Path(course) / "nbgrader_config.py").exists()
    config = PyFileConfigLoader("nbgrader_config.py", str(course)).load_config() if found else Config()
    step = AssignLatePenalties(config=config)
    step.init_plugin()
    return step.plugin_inst


def progress(done, total, start, out=sys.stderr):
    rate = done / max(time.time() - start, 1e-9)
    eta = (total - done) / rate if rate > 0 else 0
    bar = "#" * int(30 * done / max(total, 1))
    out.write(f"\r[{bar:<30}] {done}/{total}  {rate * 60:6.1f}/min  ETA {int(eta) // 60}:{int(eta) % 60:02d} ")
    out.flush()


def safe_result(job, get):
    """The job's result, or a zero-score result saying why the grader itself failed on it (the others go on)."""
    start = time.time()
    try:
        return get()
    except Exception as exc:
        return failed_result(job, job["template"], f"grader error: {type(exc).__name__}: {str(exc)[:200]}", start)


def run_jobs(jobs, workers, scheduler):
    """Yield results as they finish: in this process (workers=1), a local process pool, or a Dask cluster.  Each job
    holds a submission's bytes, so `jobs` is read lazily and only a bounded number of them is in flight at once."""
    jobs = iter(jobs)
    if scheduler:
        from distributed import Client, as_completed
        with Client(scheduler) as client:
            running, job_of = as_completed(), {}

            def submit(count):
                for job in itertools.islice(jobs, count):
                    future = client.submit(grade_submission, job, pure=False, key=f"grade-{job['student']}")
                    job_of[future] = job
                    running.add(future)
            submit(max(16, 2 * sum(client.nthreads().values())))
            for future in running:
                yield safe_result(job_of.pop(future), future.result)
                submit(1)
    elif workers <= 1:
        for job in jobs:
            yield safe_result(job, lambda: grade_submission(job))
    else:
        yield from run_in_pool(jobs, workers)


def run_in_pool(jobs, workers):
    """Grade in `workers` local processes, at most two jobs per worker in flight.  If a worker dies (killed, out of
    memory), the pool breaks and every job it had not finished fails with it: those are graded again in a fresh
    pool, once; a job caught in a second break is reported as a grader error (not recorded as done: the next run
    grades it again)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool
    jobs, retry, broke_once = iter(jobs), [], set()
    while True:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        running, broken, finished = {}, False, False
        try:
            while True:
                while not broken and len(running) < 2 * workers:
                    job = retry.pop() if retry else next(jobs, None)
                    if job is None:
                        break
                    try:
                        running[pool.submit(grade_submission, job)] = job
                    except BrokenProcessPool:
                        retry.append(job)
                        broken = True
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    if not isinstance(future.exception(), BrokenProcessPool):
                        yield safe_result(job, future.result)
                        continue
                    broken = True
                    if job["student"] not in broke_once:
                        broke_once.add(job["student"])
                        retry.append(job)
                    else:
                        yield failed_result(job, job["template"], "grader error: a grading process died twice "
                                            "while this submission was queued or running", time.time())
            finished = True
        finally:
            # Finished: the workers are idle and exit.  Broken or interrupted (Ctrl-C): drop what has not started and
            # stop the workers now, or one blocked on sending a result nobody reads would keep the program from
            # exiting; what was merged stays merged, the rest is graded next run.
            workers_left = list((pool._processes or {}).values())
            pool.shutdown(wait=finished and not broken, cancel_futures=True)
            if not (finished and not broken):
                for process in workers_left:
                    process.kill()
        if not broken:
            return


def grade_class(assignment, course=ROOT, source=None, workers=1, scheduler=None, db_url=None, run_all=False,
                limits=None, use_sandbox=True, csv_path=None, quiet=False):
    """Grade every new or changed submission; return the table rows [(student, score, max, seconds, status)]."""
    from coursekit import sandbox
    intake.check_arguments(assignment, course, source, workers)
    course = Path(course)
    db_url = db_url or f"sqlite:///{course / 'gradebook.db'}"
    tmpl = template(assignment)
    limits = limits or sandbox.Limits()
    ensure_assignment_in_gradebook(course, assignment, db_url)
    state, times = State(course, assignment, db_url), submission_times(course, assignment, source)
    points = sum(float(c["points"]) for c in tmpl["cells"] if c["kind"] == "test")
    rows, todo = [], []  # todo: (student, path of the notebook to grade); its bytes are read when its job starts

    def digest_of(content):
        digest = hashlib.sha256(content)
        digest.update(tmpl["master_sha256"].encode() + str(run_all).encode())
        return digest.hexdigest()

    for student, where, content, reason in find_submissions(course, assignment, source):
        if content is not None:
            old = state.data.get(student, {})
            if old.get("sha256") == digest_of(content):
                rows.append((student, old["score"], old["max"], 0.0, "unchanged"))
                continue
            try:  # an LMS export: keep a copy where nbgrader expects submissions
                path = course / where if source is None else \
                    intake.store(course, student, assignment, tmpl["name"], content)
            except intake.Refused as exc:
                reason = str(exc)
        if reason:
            rows.append((student, 0.0, points, 0.0, f"refused: {reason}"))  # shown, never recorded as graded
        else:
            todo.append((student, path))

    def jobs():
        for student, path in todo:
            try:
                content = intake.read_file(path)
            except intake.Refused as exc:  # changed since it was found: graded next run
                rows.append((student, 0.0, points, 0.0, f"refused: {exc}"))
                continue
            yield {"student": student, "content": content, "sha256": digest_of(content), "template": tmpl,
                   "run_all": run_all, "limits": asdict(limits), "sandbox": use_sandbox}
    from nbgrader.api import Gradebook
    start, done = time.time(), 0
    gradebook = Gradebook(db_url)
    try:
        for result in run_jobs(jobs(), workers, scheduler):
            merge(dict(result, timestamp=times.get(result["student"])), course, tmpl, gradebook)
            score = sum(s for _, s, _ in result["cells"])
            total = sum(p for _, _, p in result["cells"])
            final = not result["status"].startswith("grader error")  # else: graded again next run
            state.record(result["student"], {"sha256": result["sha256"] if final else None, "score": score,
                                             "max": total, "status": result["status"],
                                             "seconds": round(result["seconds"], 2)})
            rows.append((result["student"], score, total, result["seconds"], result["status"]))
            done += 1
            if not quiet:
                progress(done, len(todo), start)
    finally:
        gradebook.close()
        if not quiet and todo:
            print(file=sys.stderr)
    rows.sort()
    if csv_path:
        export_csv([row for row in rows if not row[4].startswith("refused: ")], assignment, csv_path, db_url)
    return rows


def shown_url(db_url):
    """The gradebook URL without its password, fit to print."""
    from sqlalchemy.engine import make_url
    return make_url(db_url).render_as_string(hide_password=True)


def ensure_assignment_in_gradebook(course, assignment, db_url):
    """The gradebook must know the assignment's cells (nbgrader generate_assignment records them, and makes a new
    gradebook with nbgrader's schema version); one that cannot be opened stops the run with a one-line reason."""
    import sqlalchemy
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SQLAlchemyError
    try:
        engine = sqlalchemy.create_engine(db_url)
        try:
            new = "assignment" not in sqlalchemy.inspect(engine).get_table_names()
        finally:
            engine.dispose()
    except ModuleNotFoundError as exc:
        raise SystemExit(f"cannot open the gradebook {shown_url(db_url)}: its driver, the Python package "
                         f"'{exc.name}', is not installed (postgresql:// URLs use psycopg, in requirements.txt)")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        fix = ("does its folder exist, writable by this user?" if db_url.startswith("sqlite") else
               "is the database server running, and the database created (createdb NAME)?")
        raise SystemExit(f"cannot open the gradebook {shown_url(db_url)}: {reason}. Fix: {fix} "
                         "Or pass another --db-url.")
    if not new:
        with Gradebook(db_url) as gradebook:
            try:
                gradebook.find_assignment(assignment)
                return
            except MissingEntry:
                pass
    from coursekit.release import nbgrader
    nbgrader("generate_assignment", assignment, "--force", f"--CourseDirectory.db_url={db_url}", cwd=course)


def export_csv(rows, assignment, path, db_url=None):
    """The columns of `nbgrader export`; the due date, submission times and late penalties from the gradebook."""
    held, duedate = {}, ""
    if db_url:
        from nbgrader.api import Assignment, Gradebook, SubmittedAssignment
        with Gradebook(db_url) as gradebook:
            duedate = gradebook.find_assignment(assignment).duedate or ""
            query = gradebook.db.query(SubmittedAssignment.student_id, SubmittedAssignment.timestamp,
                                       SubmittedAssignment.late_submission_penalty)
            held = {student: (when or "", penalty or 0.0) for student, when, penalty in
                    query.join(Assignment).filter(Assignment.name == assignment)}
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                         "raw_score", "late_submission_penalty", "score", "max_score"])
        for student, score, total, _, _ in rows:
            when, penalty = held.get(student, ("", 0.0))
            writer.writerow([assignment, duedate, when, student, "", "", "", score, penalty, max(0.0, score - penalty),
                             total])


def print_table(rows, out=sys.stdout):
    """The grade table; ids and statuses (which carry student text) are printed with control characters escaped."""
    out.write(f"{'student':<28} {'score':>6} {'max':>5} {'time':>6}  status\n")
    for student, score, total, seconds, status in rows:
        out.write(f"{intake.printable(student):<28} {score:6.1f} {total:5.1f} {seconds:5.1f}s  "
                  f"{intake.printable(status)}\n")
