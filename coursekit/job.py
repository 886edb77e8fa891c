"""One grading job: one submission, graded in its own temporary folder and sandboxed kernel.

`template(ID)` is what a job needs to know about the master (plain data); `grade_submission(job)` runs in a worker and
returns the graded notebook and the score of every test cell.  It touches nothing outside its temporary folder.
"""
import ast
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from coursekit import STUB, master_path
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
