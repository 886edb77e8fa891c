"""Executing notebooks with nbclient (the same kernel and imports students and the grader use)."""
import subprocess

import nbformat
from nbclient import NotebookClient


def execute(nb, cwd, timeout=600, allow_errors=False):
    """Run every cell of `nb` in place (working directory `cwd`); return the notebook."""
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log (a TCP warning), not the notebook's output
    return nb


def errors(nb):
    """(cell index, ename, evalue) for every error output in an executed notebook."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append((index, output.ename, output.evalue))
    return found


def read_executed(path):
    return nbformat.read(str(path), as_version=4)
