"""nbgrader preprocessors of the kit."""
from nbgrader.preprocessors import NbGraderPreprocessor

from coursekit.notebooks import BEGIN_HIDDEN, END_HIDDEN, strip_region

SAFE_ERRORS = ("HiddenTestFailure", "NotImplementedYet")


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
        cell.outputs = outputs
        return cell, resources
