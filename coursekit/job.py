"""One grading job: one submission, graded in its own temporary folder and sandboxed kernel.

`template(ID)` is what a job needs to know about the master (plain data); `grade_submission(job)` runs in a worker and
returns the graded notebook and the score of every test cell.  It touches nothing outside its temporary folder.
"""
import ast
import hashlib
import json
import re
import shutil
import subprocess
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
MAX_NOTEBOOK_OUTPUT_CHARS = 1_500_000  # all cells together
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

class Rejected(ValueError):
    """A submission that cannot be graded at all (not a notebook of this assignment); scored 0 with the reason."""


def student_cells(content, tmpl):
    """The submission's cells as plain checked records {type, source, id, grade_id, nbgrader}; Rejected if the file
    is not a notebook of this assignment.  Nothing else of the student's file (metadata, outputs) is used."""
    if len(content) > MAX_NOTEBOOK_BYTES:
        raise Rejected(f"the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Rejected(f"not a valid notebook ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise Rejected("not a valid notebook (it has no list of cells)")
    cells = []
    for number, cell in enumerate(data["cells"], 1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise Rejected(f"not a valid notebook (cell {number} is malformed)")
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        meta = cell.get("metadata", {})
        meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else None
        if not isinstance(source, str) or not isinstance(meta, dict) or \
                not isinstance(meta.get("grade_id", ""), str) or not isinstance(cell.get("id", ""), str):
            raise Rejected(f"not a valid notebook (cell {number} has malformed source or nbgrader metadata)")
        cells.append({"type": cell["cell_type"], "source": source, "id": cell.get("id"),
                      "grade_id": meta.get("grade_id") or None, "solution": meta.get("solution") is True,
                      "nbgrader": bool(meta)})
    answers = {c["grade_id"] for c in cells if c["solution"] and c["grade_id"]}
    known = {c["grade_id"] for c in tmpl["cells"] if c["kind"] == "solution"}
    if not answers & known or answers - known:
        names = ", ".join(re.sub(r"[^\w.-]", "?", n)[:40] for n in sorted(answers)[:5]) or "none"
        raise Rejected(f"this is not a notebook of {tmpl['assignment']} (its answer cells: {names[:200]})")
    return cells


def notebook_to_run(cells, tmpl, run_all):
    """The master's cells in the master's order; the student's answers (and code cells they added) in the answer
    slots; test cells as the student saw them (never any hidden-test code: the grader runs hidden tests itself).

    Test and read-only cells always come from the master (deleted ones come back, edits are undone, duplicates and
    reordering are ignored); returns (notebook, notes about tampering).  `cells` come from `student_cells`.
    """
    by_grade = {}
    for cell in cells:
        if cell["grade_id"]:
            by_grade.setdefault(cell["grade_id"], cell)
    master_ids = {c["id"] for c in tmpl["cells"]} | {c["grade_id"] for c in tmpl["cells"] if c["grade_id"]}
    notes, out, position = [], [], 0
    for cell in tmpl["cells"]:
        if cell["kind"] == "solution":
            answer = by_grade.get(cell["grade_id"])
            if answer is not None:
                index = next(i for i, c in enumerate(cells) if c is answer)
                out += [_cell("code", c["source"]) for c in cells[position:index]
                        if c["id"] not in master_ids and not c["nbgrader"] and c["type"] == "code"]
                position = max(position, index + 1)
            new = _cell("code", answer["source"] if answer is not None else cell["source"])
        elif cell["type"] == "markdown":
            new = _cell("markdown", cell["source"])
        elif cell["kind"] == "test":
            new = _cell("code", cell["student_source"])
            mine = by_grade.get(cell["grade_id"])
            if mine is None:
                notes.append(f"test cell {cell['grade_id']} was missing: it was put back for grading")
            elif _lines(mine["source"]) != _lines(cell["student_source"]):
                notes.append(f"test cell {cell['grade_id']} was edited: the original was used for grading")
        else:
            skip = cell["kind"] == "demo" and not run_all and cell["id"] in tmpl["skippable"]
            new = _cell("code", SKIPPED if skip else cell["source"])
        new.id = cell["id"]
        new.metadata = nbformat.from_dict(cell["metadata"])
        out.append(new)
    nb = nbformat.v4.new_notebook(cells=out)
    nb.metadata = nbformat.from_dict({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                      "language_info": {"name": "python"}})
    return nb, notes


def _lines(source):
    """A cell's lines, ignoring trailing spaces and blank lines at either end (what counts as unchanged)."""
    return [line.rstrip() for line in source.strip().split("\n")]


def _cell(kind, source):
    """A new cell, like nbformat.v4.new_*_cell without validating each one (the whole notebook is valid)."""
    fields = {"execution_count": None, "outputs": []} if kind == "code" else {}
    return nbformat.from_dict({"cell_type": kind, "metadata": {}, "source": source, **fields})


# ------------------------------------------------------------------------------------------ the checks

_CHECKS = {}


class Check:
    """What one test cell checks, decided from the master alone: kind ("public"/"hidden"), the function's name, the
    cases (with their expected values, computed here), and the request sent to the kernel (the cases' inputs)."""

    def __init__(self, kind, name, cases):
        from coursekit.grading import request
        self.kind, self.name, self.cases, self.request = kind, name, cases, request(cases)

    def code(self, target):
        """What the kernel runs: call `target` (an expression) on the inputs, send back what it returned."""
        return (f"__import__('public_tests.harness', fromlist=['_']).grader_observe({target}, {self.request!r})")


def checks(tmpl):
    """{test cell id: Check}, kept for the life of the process (keyed by the master's content), with the expected
    values the cases compute: a hidden test that trains a model trains the reference once per worker."""
    key = (tmpl["assignment"], tmpl["master_sha256"])
    if key not in _CHECKS:
        _CHECKS.clear()
        _CHECKS[key] = _checks(tmpl)
    return _CHECKS[key]


def _checks(tmpl):
    import importlib
    import re
    from coursekit import grading, reference
    public = importlib.import_module(f"public_tests.{tmpl['assignment']}").CASES
    found = {}
    for cell in tmpl["cells"]:
        if cell["kind"] != "test":
            continue
        if BEGIN_HIDDEN in cell["source"]:
            code = cell["source"].split(BEGIN_HIDDEN, 1)[1].split(END_HIDDEN, 1)[0]
            collected = grading.collect(code, dict(vars(reference.load(tmpl["assignment"]))))
            if len(collected) != 1:
                raise ValueError(f"{tmpl['assignment']} cell {cell['id']}: one hidden_check per hidden-test cell")
            found[cell["id"]] = Check("hidden", *collected[0])
        else:
            names = [n for n in re.findall(r"\b(\w+)_test\(", cell["source"]) if n in public]
            if len(names) != 1:
                raise ValueError(f"{tmpl['assignment']} cell {cell['id']}: one public test per test cell")
            found[cell["id"]] = Check("public", names[0], public[names[0]])
    return found


# ------------------------------------------------------------------------------------------ running it

MAX_MESSAGE_BYTES = 128 << 20  # a larger message from the kernel is dropped by zmq before the grader reads it
MAX_ERROR_CHARS = 20_000  # of an error's text and traceback
PINS = "_coursekit_pins"
TIMED_OUT = "timed out"  # the answer to a grader's question the kernel did not finish in time


def _client_class():
    import zmq
    import zmq.asyncio
    from jupyter_client.asynchronous import AsyncKernelClient

    class CappedKernelClient(AsyncKernelClient):
        """A kernel client whose sockets refuse any message larger than MAX_MESSAGE_BYTES."""

        def _context_default(self):
            self._created_context = True
            context = zmq.asyncio.Context()
            context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
            return context
    return CappedKernelClient


def grading_client(nb, tmpl, limits, deadline, **kwargs):
    """A NotebookClient that runs the notebook for the student's eyes and, beside it, asks the kernel the grader's
    questions: after each public test cell, what the function returns on the public inputs; after the whole
    notebook, on the hidden ones (so no hidden input is in the kernel while any output that reaches the feedback is
    made).  Answers are kept in `client.answers` {cell id: record text or None}, never in the notebook.  It keeps at
    most MAX_CELL_OUTPUT_CHARS of output per cell, caps error texts, and ignores widget messages."""
    from queue import Empty
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from public_tests.harness import RECORD_MIME
    found = checks(tmpl)
    last = max((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), default=-1)

    class GradingClient(NotebookClient):
        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            self.current = cell_index
            if self.protections is None:  # read before any student code runs: the kernel can rewrite it later
                self.protections = self.km.record() if hasattr(self.km, "record") else {}
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            check = found.get(cell.get("id"))
            if check is not None and cell.get("execution_count") is not None:
                if check.kind == "public":
                    self.answers[cell.id] = await self.ask(check.code(f"globals().get({check.name!r})"))
                else:  # hidden: keep the function as it is now; it is called after the last cell
                    await self.ask(f"globals().setdefault({PINS!r}, {{}})[{cell.id!r}] = globals().get({check.name!r})")
                    self.pinned.append(cell.id)
            if cell_index == last:
                for cell_id in self.pinned:
                    self.answers[cell_id] = await self.ask(found[cell_id].code(f"{PINS}.get({cell_id!r})"))
            return cell

        async def ask(self, code):
            """Run the grader's code; return the one record it displayed (text), or None.  Nothing else it
            prints or displays is kept."""
            timeout = max(1.0, min(limits.cell_timeout, deadline - time.time()))
            msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
            records, end, interrupted = [], time.monotonic() + timeout, False
            while True:
                try:
                    msg = await self.kc.get_iopub_msg(timeout=max(0.05, min(1.0, end - time.monotonic())))
                except Empty:
                    if not await self.km.is_alive():
                        raise DeadKernelError("Kernel died") from None
                    if time.monotonic() < end:
                        continue
                    if interrupted:
                        return TIMED_OUT
                    await self.km.interrupt_kernel()
                    interrupted, end = True, time.monotonic() + 5
                    continue
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                content = msg["content"]
                if msg["msg_type"] == "display_data" and RECORD_MIME in content.get("data", {}):
                    records.append(content["data"][RECORD_MIME])
                elif msg["msg_type"] == "status" and content.get("execution_state") == "idle":
                    break
            return TIMED_OUT if interrupted else records[0] if len(records) == 1 else None

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            if msg["msg_type"] == "error":
                content["evalue"] = str(content.get("evalue", ""))[:MAX_ERROR_CHARS]
                content["traceback"] = _cap_lines(content.get("traceback", []), MAX_ERROR_CHARS)
            else:
                room = min(MAX_CELL_OUTPUT_CHARS - self.kept.get(cell_index, 0),
                           MAX_NOTEBOOK_OUTPUT_CHARS - sum(self.kept.values()))
                size = _size(content)
                if size > room:
                    if msg["msg_type"] != "stream" or room <= 0:
                        self.dropped[cell_index] = self.dropped.get(cell_index, 0) + size
                        return None
                    self.dropped[cell_index] = self.dropped.get(cell_index, 0) + size - room
                    content["text"], size = content["text"][:room], room
                self.kept[cell_index] = self.kept.get(cell_index, 0) + size
            return super().output(outs, msg, display_id, cell_index)

        def _update_display_id(self, display_id, msg):
            if _size(msg.get("content", {})) <= MAX_OUTPUT_CHARS:
                super()._update_display_id(display_id, msg)

        def handle_comm_msg(self, outs, msg, cell_index):
            return None  # widgets: nothing to grade, and their state would grow without bound

    client = GradingClient(nb, store_widget_state=False, **kwargs)
    client.kept, client.dropped = {}, {}  # cell index -> characters kept, dropped
    client.answers, client.pinned, client.protections, client.current = {}, [], None, 0
    return client


def _cap_lines(lines, limit):
    out, room = [], limit
    for line in lines if isinstance(lines, list) else []:
        line = str(line)[:room]
        out.append(line)
        room -= len(line)
        if room <= 0:
            out.append("... (traceback cut)")
            break
    return out


def apply_verdicts(nb, tmpl, answers, limits):
    """Judge every test cell from the kernel's answers (coursekit.grading.judge_record).  A cell passes only if it
    ran without an error AND its check passed; a failing check is added to the cell as an error output."""
    from coursekit.grading import judge_record
    from public_tests.harness import GREEN, RESET
    found = checks(tmpl)
    for cell in nb.cells:
        check = found.get(cell.get("id"))
        if check is None or cell.get("execution_count") is None:
            continue
        if any(o.get("output_type") == "error" for o in cell.outputs):
            continue  # failed by itself
        answer = answers.get(cell.id)
        if answer is TIMED_OUT:
            message = f"{check.name}: the grader's test took longer than {limits.cell_timeout} s (the limit per cell)."
        else:
            message = judge_record(check.kind, tmpl["assignment"], check.name, check.cases, answer)
        ename = "HiddenTestFailure" if check.kind == "hidden" else "TestFailure"
        if message:
            cell.outputs.append(nbformat.v4.new_output("error", ename=ename, evalue=message,
                                                       traceback=[f"{ename}: {message}"]))
        elif check.kind == "hidden":
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
    """Characters of an output (or of a message's content): its text, every representation of its data, and its
    metadata."""
    return len(str(output.get("text", ""))) + sum(len(str(v)) for v in output.get("data", {}).values()) + \
        len(str(output.get("metadata", "")))


def grade_submission(job):
    """Grade one submission (runs in a worker; touches nothing outside its own temporary folder)."""
    from coursekit import sandbox
    start, tmpl = time.time(), job["template"]
    try:
        cells = student_cells(job["content"], tmpl)
    except Rejected as exc:
        return failed_result(job, tmpl, f"rejected: {exc}", start)
    nb, notes = notebook_to_run(cells, tmpl, job["run_all"])
    limits = sandbox.Limits(**job["limits"])
    status, protections, work = "graded", {}, Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        status, protections = run(nb, tmpl, limits, work, job["sandbox"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if notes:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell("**Grader notes:** " + "; ".join(notes) + "."))
    return {"student": job["student"], "assignment": tmpl["assignment"], "status": status, "notes": notes,
            "cells": scores(nb, tmpl), "notebook": nbformat.writes(nb), "seconds": time.time() - start,
            "sha256": job["sha256"], "protections": protections}


def run(nb, tmpl, limits, work, use_sandbox=True):
    """Execute `nb` (from notebook_to_run) in a kernel confined to `work`, answer the grader's questions, and judge:
    afterwards `nb` is the graded notebook.  Returns (status, protections that held).

    If the kernel died (sys.exit, os._exit, killed: not a time limit), the hidden tests of the functions it had
    reached still run: in a fresh kernel that runs the notebook again up to the last cell that finished, without its
    public test cells (nothing of that run is shown)."""
    from coursekit import sandbox
    client, status, died = _execute(nb, tmpl, limits, work, use_sandbox)
    answers = client.answers
    if died and client.pinned:
        public = {cell_id for cell_id, check in checks(tmpl).items() if check.kind == "public"}
        replay = nbformat.v4.new_notebook(metadata=nb.metadata)
        for old in nb.cells[:client.current]:  # up to the cell during which it died
            if old.get("id") not in public:
                replay.cells.append(_cell(old.cell_type, old.source))
                replay.cells[-1].id = old.id
        folder = Path(tempfile.mkdtemp(prefix="grade-"))
        try:
            again = _execute(replay, tmpl, limits, folder, use_sandbox)[0]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        answers = dict(answers, **{cell_id: again.answers.get(cell_id) for cell_id in client.pinned})
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
    apply_verdicts(nb, tmpl, answers, limits)
    trim_outputs(nb)
    from coursekit.sanitize import sanitize_notebook  # nothing the student's code produced stays live HTML
    sanitize_notebook(nb, [c["source"] for c in tmpl["cells"] if c["type"] == "markdown"])
    return status, (client.protections or {})


def _execute(nb, tmpl, limits, work, use_sandbox):
    """Run `nb` with a grading client; return (client, status, whether the kernel died before the end)."""
    from nbclient.exceptions import DeadKernelError
    from coursekit import sandbox
    status, died = "graded", False
    if use_sandbox:
        km = sandbox.SandboxKernelManager(limits=limits, workdir=work)
    else:
        from jupyter_client.manager import AsyncKernelManager
        km = AsyncKernelManager(kernel_name="python3")
    km.client_factory = _client_class()
    deadline = time.time() + limits.notebook_timeout
    client = grading_client(nb, tmpl, limits, deadline, km=km, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, resources={"metadata": {"path": str(work)}},
                            timeout_func=lambda cell: max(1, min(limits.cell_timeout, deadline - time.time())))
    try:  # the kernel's own stdout/stderr are not the grader's terminal
        client.execute(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except DeadKernelError as exc:
        status = sandbox.explain(exc, limits, km=km) if use_sandbox else "the kernel stopped"
        died = not getattr(km, "timed_out", False)
    except Exception as exc:
        status = f"stopped: {type(exc).__name__}: {str(exc)[:200]}"
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
        if use_sandbox:
            sandbox.cleanup(km)
        elif km.has_kernel:  # nbclient leaves a kernel it did not start running
            from jupyter_core.utils import run_sync
            run_sync(km.shutdown_kernel)(now=True)
    return client, status, died
