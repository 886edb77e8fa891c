"""nbgrader preprocessors of the kit."""
from nbformat.v4 import new_output
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells

from coursekit.notebooks import BEGIN_HIDDEN, END_HIDDEN, strip_region

SAFE_ERRORS = ("HiddenTestFailure", "NotImplementedYet")
TAMPERED = "coursekit_tampered"
NOTE = "Grader note: this test cell was changed in your submission; the original was put back for grading.\n"


class OverwriteCellsTellingTampering(OverwriteCells):
    """nbgrader's OverwriteCells without its false alarm, and with real tampering reported to the student.

    nbgrader records a test cell's checksum before cutting its hidden tests out, so every untampered submission of a
    cell with hidden tests "has changed" (jupyter/nbgrader#1961).  Here a read-only cell that is exactly what was
    released is put back silently; one that differs is reported as nbgrader does and marked, so that
    NoteTampering can say so in the graded notebook and the feedback."""

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        released = None
        if grade_id is not None:
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
                if source_cell.locked:
                    released = strip_region(source_cell.source, BEGIN_HIDDEN, END_HIDDEN)
            except MissingEntry:
                pass
        as_released = released is not None and _lines(cell.source) == _lines(released)
        self._as_released = as_released
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if released is not None and not as_released and cell.cell_type == "code":
            cell.metadata[TAMPERED] = True
        return cell, resources

    def report_change(self, name, attr, old, new):
        if not (attr == "checksum" and self._as_released):
            super().report_change(name, attr, old, new)


def _lines(source):
    return [line.rstrip() for line in source.strip().split("\n")]


class NoteTampering(NbGraderPreprocessor):
    """After execution: a note under every test cell OverwriteCellsTellingTampering had to put back."""

    def preprocess_cell(self, cell, resources, index):
        if cell.metadata.pop(TAMPERED, False):
            cell.setdefault("outputs", []).append(new_output("stream", name="stdout", text=NOTE))
        return cell, resources


class HideHiddenTests(NbGraderPreprocessor):
    """For feedback: remove hidden-test code, and reduce what hidden-test cells printed to a safe summary.

    A hidden test's own failure message (HiddenTestFailure) names only the case and the likely mistake, so it is kept;
    any other error keeps its type only (its text or traceback could quote hidden inputs); printed output is dropped
    (a submission could print the hidden inputs).
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or BEGIN_HIDDEN not in cell.source:
            return cell, resources
        cell.source = strip_region(cell.source, BEGIN_HIDDEN, END_HIDDEN, "# (hidden tests)")
        outputs = []
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                text = output.evalue if output.ename in SAFE_ERRORS else \
                    "the hidden tests stopped with this error type; run the public tests to find out more."
                output.evalue = text
                output.traceback = [f"{output.ename}: {text}"]
                outputs.append(output)
            elif output.output_type == "stream" and output.name == "stdout" and \
                    output.text.strip().endswith("All hidden tests passed.\x1b[0m"):
                output.text = "All hidden tests passed.\n"
                outputs.append(output)
            elif output.output_type == "stream" and output.text == NOTE:
                outputs.append(output)
        cell.outputs = outputs
        return cell, resources
