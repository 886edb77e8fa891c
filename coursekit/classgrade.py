"""Grade a whole class: every submission in its own sandboxed kernel, in parallel or on a Dask cluster.

    python -m coursekit grade C1W2A1 [--submissions DIR|ZIP] [--workers N | --scheduler ADDRESS] [--run-all]

Each job grades one (student, assignment) in a private working copy and returns the executed notebook and the score
of every graded cell; only the driver writes, merging each result into nbgrader's own layout and gradebook
(`autograded/<student>/<ID>/`, the `db_url` database), so formgrader and `nbgrader generate_feedback` work as usual.
Hidden tests are decided here, outside the sandbox (see coursekit.grading).  Re-running grades only new or changed
submissions; an interrupted run keeps everything already merged.
"""
import ast
import csv
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict
from pathlib import Path

import nbformat

from coursekit import ROOT, STUB, master_path
from coursekit.notebooks import BEGIN_HIDDEN, END_HIDDEN, is_demo, is_test, nbgrader_meta, python_lines, read, \
    strip_region, stub_out

MAX_NOTEBOOK_BYTES = 64 << 20
MAX_OUTPUT_CHARS = 20_000  # per output, in the graded notebook
MAX_CELL_OUTPUT_CHARS = 1_000_000  # per cell, held in the grader's memory while it runs (the rest is dropped)
SKIPPED = "# Demonstration cell: skipped by the grader (no graded test depends on it; `--run-all` runs it)."


# ------------------------------------------------------------------------------------------ the assignment template

def defined_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def used_names(tree):
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def skippable_demo_cells(cells):
    """Ids of demo cells that nothing after them reads: no later non-demo cell uses a name they define."""
    trees = [ast.parse(python_lines(c.source)) if c.cell_type == "code" else None for c in cells]
    later_uses, skippable = set(), set()
    for cell, tree in reversed(list(zip(cells, trees))):
        if tree is None:
            continue
        if is_demo(cell) and not (defined_names(tree) & later_uses):
            skippable.add(cell.id)
        else:
            later_uses |= used_names(tree)
    return skippable


def template(assignment):
    """What a grading job needs to know about the master (plain data, sent to every worker)."""
    nb = read(master_path(assignment))
    cells = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        kind = "solution" if meta.get("solution") else "test" if is_test(cell) else \
            "locked" if meta.get("locked") else "demo" if is_demo(cell) else cell.cell_type
        source = cell.source
        if kind == "solution":
            source = stub_out(source, STUB)
        cells.append({"id": cell.id, "kind": kind, "type": cell.cell_type, "source": source,
                      "grade_id": meta.get("grade_id"), "points": meta.get("points", 0),
                      "student_source": strip_region(cell.source, BEGIN_HIDDEN, END_HIDDEN) if kind == "test" else None,
                      "metadata": dict(cell.metadata)})
    return {"assignment": assignment, "name": master_path(assignment).name, "cells": cells,
            "skippable": sorted(skippable_demo_cells(nb.cells)),
            "master_sha256": hashlib.sha256(master_path(assignment).read_bytes()).hexdigest()}


# ------------------------------------------------------------------------------------------ one job

def notebook_to_run(submission, tmpl, run_all):
    """The master's cells in the master's order; the student's answers (and cells they added) in the answer slots.

    Test and read-only cells always come from the master (deleted ones come back, edits are undone, duplicates and
    reordering are ignored); returns (notebook, notes about tampering).
    """
    student = [c for c in submission.cells if c.get("cell_type") in ("code", "markdown")]
    by_grade = {}
    for cell in student:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        by_grade.setdefault(gid, cell) if gid else None
    master_ids = {c["id"] for c in tmpl["cells"]} | {c["grade_id"] for c in tmpl["cells"] if c["grade_id"]}
    notes, out, position = [], [], 0
    for cell in tmpl["cells"]:
        if cell["kind"] == "solution":
            answer = by_grade.get(cell["grade_id"])
            if answer is not None:
                index = next(i for i, c in enumerate(student) if c is answer)
                out += [c for c in student[position:index] if c.get("id") not in master_ids
                        and not c.get("metadata", {}).get("nbgrader") and c.cell_type == "code"]
                position = max(position, index + 1)
            source = answer.source if answer is not None else cell["source"]
            new = _cell("code", source)
        elif cell["type"] == "markdown":
            new = _cell("markdown", cell["source"])
        else:
            source = SKIPPED if (cell["kind"] == "demo" and not run_all and cell["id"] in tmpl["skippable"]) \
                else cell["source"]
            new = _cell("code", source)
            if cell["kind"] == "test":
                mine = by_grade.get(cell["grade_id"])
                if mine is None:
                    notes.append(f"test cell {cell['grade_id']} was missing: it was put back for grading")
                elif mine.source.strip() != cell["student_source"].strip():
                    notes.append(f"test cell {cell['grade_id']} was edited: the original was used for grading")
        new.id = cell["id"]
        new.metadata = nbformat.from_dict(cell["metadata"])
        out.append(new)
    nb = nbformat.v4.new_notebook(cells=out)
    nb.metadata = nbformat.from_dict({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                      "language_info": {"name": "python"}})
    return nb, notes


def _cell(kind, source):
    """A new cell, like nbformat.v4.new_*_cell without validating each one (the whole notebook is valid)."""
    fields = {"execution_count": None, "outputs": []} if kind == "code" else {}
    return nbformat.from_dict({"cell_type": kind, "metadata": {}, "source": source, **fields})


_HIDDEN = {}


def hidden_cases(tmpl):
    """{cell id: [(assignment, name, cases)]} from the master's hidden-test code (run here, never in the sandbox);
    kept for the life of the process, with the expected values the cases compute (see grading.expected_entry)."""
    key = (tmpl["assignment"], tmpl["master_sha256"])
    if key not in _HIDDEN:
        _HIDDEN[key] = _hidden_cases(tmpl)
    return _HIDDEN[key]


def _hidden_cases(tmpl):
    from coursekit import grading, reference
    found = {}
    for cell in tmpl["cells"]:
        if cell["kind"] == "test" and BEGIN_HIDDEN in cell["source"]:
            code = cell["source"].split(BEGIN_HIDDEN, 1)[1].split(END_HIDDEN, 1)[0]
            found[cell["id"]] = grading.collect(code, dict(vars(reference.load(tmpl["assignment"]))))
    return found


def expected_checks(tmpl):
    """{test cell id: [(kind, assignment, name, cases)]}: the checks each test cell must report to the grader."""
    import importlib
    import re
    public = importlib.import_module(f"public_tests.{tmpl['assignment']}").CASES
    hidden = hidden_cases(tmpl)
    checks = {}
    for cell in tmpl["cells"]:
        if cell["kind"] != "test":
            continue
        if cell["id"] in hidden:
            checks[cell["id"]] = [("hidden",) + h for h in hidden[cell["id"]]]
        else:
            names = [n for n in re.findall(r"\b(\w+)_test\(", cell["source"]) if n in public]
            checks[cell["id"]] = [("public", tmpl["assignment"], n, public[n]) for n in names]
    return checks


def decide_tests(nb, tmpl):
    """Judge every test cell here, from what the kernel recorded; a cell passes only if it ran without error AND
    the recorded outputs pass.  A test function replaced or skipped by the submission records nothing: it fails."""
    from coursekit.grading import decide
    from public_tests.harness import GREEN, RECORD_MIME, RESET
    checks = expected_checks(tmpl)
    for cell in nb.cells:
        if cell.id not in checks:
            continue
        outputs = cell.get("outputs", [])
        records = [json.loads(o["data"][RECORD_MIME]) for o in outputs
                   if o.get("output_type") == "display_data" and RECORD_MIME in o.get("data", {})]
        cell.outputs = [o for o in outputs if not (o.get("output_type") == "display_data"
                                                   and RECORD_MIME in o.get("data", {}))]
        if any(o.get("output_type") == "error" for o in cell.outputs) or cell.get("execution_count") is None:
            continue  # failed (or never ran) by itself
        expected = checks[cell.id]
        hidden = bool(expected) and expected[0][0] == "hidden"
        message = None
        if [(r["kind"], r["name"]) for r in records] != [(k, n) for k, _, n, _ in expected]:
            message = "the tests in this cell did not report to the grader (were they changed or replaced?)."
        else:
            for data, (_, _, _, cases) in zip(records, expected):
                message = decide(data, cases)
                if message:
                    break
        if message:
            ename = "HiddenTestFailure" if hidden else "TestFailure"
            cell.outputs.append(nbformat.v4.new_output("error", ename=ename, evalue=message,
                                                       traceback=[f"{ename}: {message}"]))
        elif hidden:
            cell.outputs.append(nbformat.v4.new_output("stream", name="stdout",
                                                       text=f"{GREEN}All hidden tests passed.{RESET}\n"))


def trim_outputs(nb):
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and len(output.text) > MAX_OUTPUT_CHARS:
                output.text = output.text[:MAX_OUTPUT_CHARS] + f"\n... (output cut: {len(output.text):,} characters)\n"


def scores(nb, tmpl):
    """[(grade_id, score, points)] for the test cells: full points when the cell ran without an error."""
    by_id = {c.id: c for c in nb.cells}
    result = []
    for cell in tmpl["cells"]:
        if cell["kind"] == "test":
            ran = by_id.get(cell["id"])
            ok = ran is not None and ran.get("execution_count") is not None and \
                not any(o.get("output_type") == "error" for o in ran.get("outputs", []))
            result.append((cell["grade_id"], float(cell["points"]) if ok else 0.0, float(cell["points"])))
    return result


def failed_result(job, tmpl, status, start):
    return {"student": job["student"], "assignment": tmpl["assignment"], "status": status,
            "cells": [(c["grade_id"], 0.0, float(c["points"])) for c in tmpl["cells"] if c["kind"] == "test"],
            "notebook": None, "seconds": time.time() - start, "sha256": job["sha256"], "protections": {}}


def _size(output):
    """Characters of an output (or of a message's content): its text and every representation of its data."""
    return len(output.get("text", "")) + sum(len(str(v)) for v in output.get("data", {}).values())


def capped_client(nb, **kwargs):
    """A NotebookClient that keeps at most MAX_CELL_OUTPUT_CHARS of output per cell, so a cell printing gigabytes
    cannot exhaust the grader's memory.  Errors and the tests' records are always kept."""
    from nbclient import NotebookClient
    from public_tests.harness import RECORD_MIME

    class CappedClient(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            if msg["msg_type"] != "error" and RECORD_MIME not in content.get("data", {}):
                room = MAX_CELL_OUTPUT_CHARS - self.kept.get(cell_index, 0)
                size = _size(content)
                if size > room:
                    if msg["msg_type"] != "stream" or room <= 0:
                        self.dropped[cell_index] = self.dropped.get(cell_index, 0) + size
                        return None
                    self.dropped[cell_index] = self.dropped.get(cell_index, 0) + size - room
                    content["text"], size = content["text"][:room], room
                self.kept[cell_index] = self.kept.get(cell_index, 0) + size
            return super().output(outs, msg, display_id, cell_index)

    client = CappedClient(nb, **kwargs)
    client.kept, client.dropped = {}, {}  # cell index -> characters kept, dropped
    return client


def grade_submission(job):
    """Grade one submission (runs in a worker; touches nothing outside its own temporary folder)."""
    from nbclient.exceptions import DeadKernelError
    from coursekit import sandbox
    start, tmpl = time.time(), job["template"]
    if len(job["content"]) > MAX_NOTEBOOK_BYTES:
        return failed_result(job, tmpl, f"rejected: the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB", start)
    try:
        submission = nbformat.reads(job["content"].decode("utf-8"), as_version=4)
    except Exception as exc:  # not JSON, not a notebook, empty file...
        return failed_result(job, tmpl, f"rejected: not a valid notebook ({type(exc).__name__}: {str(exc)[:120]})",
                             start)
    answers = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in submission.cells
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    known = {c["grade_id"] for c in tmpl["cells"] if c["kind"] == "solution"}
    if not answers & known or answers - known:
        return failed_result(job, tmpl, f"rejected: this is not a notebook of {tmpl['assignment']} "
                                        f"(its answer cells: {', '.join(sorted(answers)[:5]) or 'none'})", start)
    nb, notes = notebook_to_run(submission, tmpl, job["run_all"])
    limits = sandbox.Limits(**job["limits"])
    work = Path(tempfile.mkdtemp(prefix="grade-"))
    status = "graded"
    try:
        if job["sandbox"]:
            km = sandbox.SandboxKernelManager(limits=limits, workdir=work, hidden_paths=job["hidden_paths"])
        else:
            from jupyter_client.manager import AsyncKernelManager
            km = AsyncKernelManager(kernel_name="python3")
        deadline = time.time() + limits.notebook_timeout
        client = capped_client(nb, km=km, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
                                timeout_func=lambda cell: max(1, min(limits.cell_timeout, deadline - time.time())),
                                resources={"metadata": {"path": str(work)}})
        try:
            client.execute(env=dict(os.environ, COURSEKIT_GRADER="record"))
        except DeadKernelError as exc:
            status = sandbox.explain(exc, limits, km=km) if job["sandbox"] else "the kernel stopped"
        except Exception as exc:
            status = f"stopped: {type(exc).__name__}: {str(exc)[:200]}"
        finally:
            if job["sandbox"]:
                sandbox.cleanup(km)
            elif km.has_kernel:  # nbclient leaves a kernel it did not start running
                from jupyter_core.utils import run_sync
                run_sync(km.shutdown_kernel)(now=True)
        for index, size in client.dropped.items():
            nb.cells[index].outputs.append(nbformat.from_dict({
                "output_type": "stream", "name": "stdout",
                "text": f"\n... (output cut: {size:,} more characters not kept; the grader keeps at most "
                        f"{MAX_CELL_OUTPUT_CHARS:,} per cell)\n"}))
        for number, cell in enumerate(nb.cells, 1):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    hint = sandbox.explain(output, limits, cell=number)
                    if output.get("ename") == "KeyboardInterrupt":  # nbclient interrupts a cell at its timeout
                        hint = f"Your notebook took longer than {limits.cell_timeout} s in cell {number}."
                    if hint:
                        output.evalue = f"{output.evalue} ({hint})"
                        output.traceback = list(output.get("traceback", [])) + [hint]
        decide_tests(nb, tmpl)
        trim_outputs(nb)
        if notes:
            nb.cells.insert(0, nbformat.v4.new_markdown_cell("**Grader notes:** " + "; ".join(notes) + "."))
        protections = json.loads((work / ".sandbox.json").read_text()) if (work / ".sandbox.json").exists() else {}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"student": job["student"], "assignment": tmpl["assignment"], "status": status, "notes": notes,
            "cells": scores(nb, tmpl), "notebook": nbformat.writes(nb), "seconds": time.time() - start,
            "sha256": job["sha256"], "protections": protections}


# ------------------------------------------------------------------------------------------ the driver

def find_submissions(course, assignment, source=None):
    """[(student, bytes)]: nbgrader's submitted/<student>/<ID>/*.ipynb, or <student>.ipynb files in a folder/zip."""
    found = []
    if source is None:
        for path in sorted((course / "submitted").glob(f"*/{assignment}/*.ipynb")):
            found.append((path.parent.parent.name, path.read_bytes()))
    elif str(source).endswith(".zip"):
        with zipfile.ZipFile(source) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.filename.endswith(".ipynb") and not info.is_dir():
                    found.append((Path(info.filename).stem, archive.read(info)))
    else:
        found = [(p.stem, p.read_bytes()) for p in sorted(Path(source).glob("*.ipynb"))]
    return found


class State:
    """What has been merged already: {student: {"sha256", "score", ...}}.

    Kept as an append-only log, one JSON line per merged result (the last line for a student wins), so recording a
    result costs one short write however large the class; a line cut short by a crash is ignored.
    """

    def __init__(self, course, assignment):
        self.path = course / ".coursekit" / f"graded-{assignment}.jsonl"
        self.data = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                    self.data[entry.pop("student")] = entry
                except (ValueError, KeyError, AttributeError):
                    continue

    def record(self, student, entry):
        self.data[student] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as log:
            log.write(json.dumps(dict(entry, student=student), sort_keys=True) + "\n")
            log.flush()
            os.fsync(log.fileno())


def merge(result, course, tmpl, gradebook):
    """Write the graded notebook into nbgrader's layout and its scores into nbgrader's gradebook (kept open for the
    whole run: opening one costs nbgrader a migration check)."""
    student, assignment, name = result["student"], tmpl["assignment"], Path(tmpl["name"]).stem
    if result["notebook"] is not None:
        target = course / "autograded" / student / assignment / tmpl["name"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(result["notebook"])
    gradebook.update_or_create_student(student)
    gradebook.update_or_create_submission(assignment, student)
    for grade_id, score, _ in result["cells"]:
        grade = gradebook.find_grade(grade_id, name, assignment, student)
        grade.auto_score = score
    gradebook.db.commit()


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
    """Yield results as they finish: in this process (workers=1), a local process pool, or a Dask cluster."""
    if scheduler:
        from distributed import Client, as_completed
        with Client(scheduler) as client:
            futures = client.map(grade_submission, jobs, pure=False, key=[f"grade-{j['student']}" for j in jobs])
            job_of = dict(zip(futures, jobs))
            for future in as_completed(futures):
                yield safe_result(job_of[future], future.result)
    elif workers <= 1:
        for job in jobs:
            yield safe_result(job, lambda: grade_submission(job))
    else:
        yield from run_in_pool(jobs, workers)


def run_in_pool(jobs, workers):
    """Grade in `workers` local processes.  If one dies (killed, out of memory), the pool breaks and every job it
    had not finished fails with it: those are graded again in a fresh pool, once; after a second break they are
    reported as grader errors (not recorded as done: the next run grades them again)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool
    todo, attempt = list(jobs), 0
    while todo:
        attempt += 1
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        finished = False
        try:
            job_of = {pool.submit(grade_submission, job): job for job in todo}
            todo = []
            for future in as_completed(job_of):
                job = job_of[future]
                if not isinstance(future.exception(), BrokenProcessPool):
                    yield safe_result(job, future.result)
                elif attempt == 1:
                    todo.append(job)
                else:
                    yield failed_result(job, job["template"], "grader error: a grading process died twice "
                                        "while this submission was queued or running", time.time())
            finished = True
        finally:
            # Finished: the workers are idle and exit.  Broken or interrupted (Ctrl-C): drop what has not started and
            # stop the workers now, or one blocked on sending a result nobody reads would keep the program from
            # exiting; what was merged stays merged, the rest is graded next run.
            workers_left = list((pool._processes or {}).values())
            pool.shutdown(wait=finished and not todo, cancel_futures=True)
            if not (finished and not todo):
                for process in workers_left:
                    process.kill()


def grade_class(assignment, course=ROOT, source=None, workers=1, scheduler=None, db_url=None, run_all=False,
                limits=None, use_sandbox=True, csv_path=None, quiet=False):
    """Grade every new or changed submission; return the table rows [(student, score, max, seconds, status)]."""
    from coursekit import sandbox
    course = Path(course)
    db_url = db_url or f"sqlite:///{course / 'gradebook.db'}"
    tmpl = template(assignment)
    limits = limits or sandbox.Limits()
    ensure_assignment_in_gradebook(course, assignment, db_url)
    state = State(course, assignment)
    hidden = [ROOT / "source", ROOT / "tests", ROOT / ".git", course / "submitted", course / "autograded",
              course / "feedback", course / ".coursekit"] + [course / "source"] * (course != ROOT)
    hidden += [Path(db_url[len("sqlite:///"):])] if db_url.startswith("sqlite:///") else []
    jobs, rows = [], []
    for student, content in find_submissions(course, assignment, source):
        digest = hashlib.sha256(content + tmpl["master_sha256"].encode() + str(run_all).encode()).hexdigest()
        if state.data.get(student, {}).get("sha256") == digest:
            old = state.data[student]
            rows.append((student, old["score"], old["max"], 0.0, "unchanged"))
            continue
        if source is not None:  # an LMS export: keep a copy where nbgrader expects submissions
            copy = course / "submitted" / student / assignment / tmpl["name"]
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(content)
        jobs.append({"student": student, "content": content, "sha256": digest, "template": tmpl, "run_all": run_all,
                     "limits": asdict(limits), "sandbox": use_sandbox, "hidden_paths": [str(p) for p in hidden]})
    from nbgrader.api import Gradebook
    start, done = time.time(), 0
    gradebook = Gradebook(db_url)
    try:
        for result in run_jobs(jobs, workers, scheduler):
            merge(result, course, tmpl, gradebook)
            score = sum(s for _, s, _ in result["cells"])
            total = sum(p for _, _, p in result["cells"])
            final = not result["status"].startswith("grader error")  # else: graded again next run
            state.record(result["student"], {"sha256": result["sha256"] if final else None, "score": score,
                                             "max": total, "status": result["status"],
                                             "seconds": round(result["seconds"], 2)})
            rows.append((result["student"], score, total, result["seconds"], result["status"]))
            done += 1
            if not quiet:
                progress(done, len(jobs), start)
    finally:
        gradebook.close()
        if not quiet and jobs:
            print(file=sys.stderr)
    rows.sort()
    if csv_path:
        export_csv(rows, assignment, csv_path)
    return rows


def ensure_assignment_in_gradebook(course, assignment, db_url):
    """The gradebook must know the assignment's cells (nbgrader generate_assignment records them)."""
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(db_url) as gradebook:
        try:
            gradebook.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    from coursekit.release import nbgrader
    nbgrader("generate_assignment", assignment, "--force", f"--CourseDirectory.db_url={db_url}", cwd=course)


def export_csv(rows, assignment, path):
    """The columns of `nbgrader export`."""
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                         "raw_score", "late_submission_penalty", "score", "max_score"])
        for student, score, total, _, _ in rows:
            writer.writerow([assignment, "", "", student, "", "", "", score, 0.0, score, total])


def print_table(rows, out=sys.stdout):
    out.write(f"{'student':<28} {'score':>6} {'max':>5} {'time':>6}  status\n")
    for student, score, total, seconds, status in rows:
        out.write(f"{student:<28} {score:6.1f} {total:5.1f} {seconds:5.1f}s  {status}\n")
