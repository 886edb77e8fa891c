"""Instructor tooling for the course kit: authoring, release, fixtures, grading.  Run `python -m coursekit --help`."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
NOTEBOOKS = ROOT / "notebooks"
STUB = "# YOUR CODE STARTS HERE\n\n# YOUR CODE ENDS HERE"


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
