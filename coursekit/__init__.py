"""Instructor tooling for the course kit: authoring, release, fixtures, grading.  Run `python -m coursekit --help`."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
NOTEBOOKS = ROOT / "notebooks"
STUB = "# YOUR CODE STARTS HERE\n\n# YOUR CODE ENDS HERE"

# nbgrader runs `alembic` from PATH when it opens a new gradebook: make this interpreter's own scripts reachable,
# so `.venv/bin/python -m coursekit ...` works without an activated venv.
if os.path.dirname(sys.executable) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


def assignments():
    """Assignment IDs that have a master notebook, in course order."""
    return sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and list(p.glob("*.ipynb")))


def master_path(assignment):
    paths = sorted((SOURCE / assignment).glob("*.ipynb"))
    if len(paths) != 1:
        raise FileNotFoundError(f"expected exactly one master notebook in source/{assignment}/, found {len(paths)}")
    return paths[0]


def student_path(assignment):
    return NOTEBOOKS / assignment / master_path(assignment).name
