"""nbgrader preprocessors of the kit: `nbgrader autograde` grades with the same rules as `coursekit grade`.

`GradeWithKit` takes the place of nbgrader's OverwriteCells (sanitising) and Execute (autograding) steps and runs the
class grader's own job (coursekit.job): the master's cells restored by grade id and tampering noted, the notebook run
in the sandbox with no hidden-test code in it, every test judged by the grader.  nbgrader then scores the cells as
usual (an error output scores 0), saves the grades and writes the graded notebook.
"""
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Int

from coursekit import job
from coursekit.sandbox import Limits


class GradeWithKit(NbGraderPreprocessor):
    """Grade the notebook with coursekit.job (see the module's docstring)."""

    sandbox = Bool(True, help="Run the kernel in the kit's sandbox (see coursekit/sandbox.py).").tag(config=True)
    run_all = Bool(False, help="Also run demonstration cells that no graded test needs.").tag(config=True)
    cell_timeout = Int(Limits.cell_timeout, help="Wall seconds per cell.").tag(config=True)
    notebook_timeout = Int(Limits.notebook_timeout, help="Wall seconds per notebook.").tag(config=True)

    def preprocess(self, nb, resources):
        tmpl = job.template(resources["nbgrader"]["assignment"])
        limits = Limits(cell_timeout=self.cell_timeout, notebook_timeout=self.notebook_timeout)
        try:
            cells, rejected = job.student_cells(nbformat.writes(nb).encode(), tmpl), []
        except job.Rejected as exc:  # graded as an empty submission: every test fails
            self.log.error("%s: rejected: %s", resources["nbgrader"]["student"], exc)
            cells, rejected = [], [f"this submission was rejected: {exc}"]
        graded, notes = job.notebook_to_run(cells, tmpl, self.run_all)
        notes = rejected or notes
        work = Path(tempfile.mkdtemp(prefix="grade-"))
        try:
            status, _ = job.run(graded, tmpl, limits, work, self.sandbox)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if status != "graded":
            self.log.warning("%s: %s", resources["nbgrader"]["student"], status)
        for note in notes:
            self.log.warning("%s: %s", resources["nbgrader"]["student"], note)
        if notes:
            graded.cells.insert(0, nbformat.v4.new_markdown_cell("**Grader notes:** " + "; ".join(notes) + "."))
        return graded, resources
