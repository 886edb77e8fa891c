"""Student release (nbgrader generate_assignment into notebooks/) and the clean solutions release."""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from coursekit import ROOT, master_path
from coursekit.notebooks import BEGIN_HIDDEN, END_HIDDEN, drop_delimiters, read, strip_region, write


def nbgrader(*args, cwd=ROOT, check=True, quiet=True):
    """Run an nbgrader command in course folder `cwd` (which holds nbgrader_config.py)."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE if quiet else None, stderr=subprocess.STDOUT if quiet else None)
    if check and result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout}")
    return result


def generate_student_version(assignment, course_dir):
    """nbgrader generate_assignment for one assignment in `course_dir`; return the student notebook's path."""
    nbgrader("generate_assignment", assignment, "--force", "--no-db", cwd=course_dir)
    return Path(course_dir) / "notebooks" / assignment / master_path(assignment).name


def scratch_course(assignments):
    """A temporary course folder with the config and the masters (so a build never touches the repo's state)."""
    course = Path(tempfile.mkdtemp(prefix="coursekit-"))
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for assignment in assignments:
        shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    return course


def build_student_version(assignment):
    """The student notebook as text, built from the master in a scratch course."""
    course = scratch_course([assignment])
    try:
        return generate_student_version(assignment, course).read_text()
    finally:
        shutil.rmtree(course, ignore_errors=True)


def release_students(assignment):
    target = ROOT / "notebooks" / assignment / master_path(assignment).name
    target.parent.mkdir(parents=True, exist_ok=True)
    text = build_student_version(assignment)
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
    return target


def solutions_notebook(assignment):
    """The master without hidden tests or solution delimiters (not executed)."""
    nb = read(master_path(assignment))
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.source = drop_delimiters(cell.source)
        if BEGIN_HIDDEN in cell.source:
            cell.source = strip_region(cell.source, BEGIN_HIDDEN, END_HIDDEN).strip("\n")
        cell.metadata.pop("nbgrader", None)
    nb.cells = [c for c in nb.cells if not (c.cell_type == "code" and (not c.source.strip() or
                                            all(l.strip().startswith("#") for l in c.source.splitlines())))]
    return nb


def release_solutions(assignment, out_dir):
    """Executed solutions for instructors to publish: out_dir/<ID>/<Name>.ipynb."""
    from coursekit.execute import execute
    nb = solutions_notebook(assignment)
    target = Path(out_dir) / assignment / master_path(assignment).name
    target.parent.mkdir(parents=True, exist_ok=True)
    execute(nb, cwd=target.parent)
    write(nb, target)
    return target
