"""Reading, normalising and transforming notebooks (masters are stored without outputs, with stable cell ids)."""
import hashlib
import re

import nbformat

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
KEEP_CELL_METADATA = ("nbgrader", "coursekit", "tags")


def read(path):
    return nbformat.read(str(path), as_version=4)


def dumps(nb):
    return nbformat.writes(nb) + "\n"


def write(nb, path):
    text = dumps(nb)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def normalize(nb):
    """No outputs, no execution counts, only the metadata we use, and a stable id on every cell."""
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = nbformat.from_dict({
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    seen = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.pop("attachments", None)
        cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA})
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not cell.get("id") or cell.id in seen or re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", cell.id):
            cell.id = grade_id or hashlib.sha1(f"{index}:{cell.source}".encode()).hexdigest()[:12]
        seen.add(cell.id)
    return nb


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def is_test(cell):
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def is_demo(cell):
    return bool(cell.metadata.get("coursekit", {}).get("demo", False))


def strip_region(source, begin, end, replacement=None):
    """Remove the lines from `begin` to `end` (inclusive); put `replacement` (indented) in their place if given."""
    out, inside = [], False
    for line in source.split("\n"):
        if line.strip() == begin:
            inside = True
            if replacement is not None:
                out.append(line[:len(line) - len(line.lstrip())] + replacement)
        elif line.strip() == end:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def stub_out(source, stub):
    """The student's view of a solution cell: each solution region replaced by `stub`, at the region's indentation."""
    out, inside = [], False
    for line in source.split("\n"):
        if line.strip() == BEGIN_SOLUTION:
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            out += [indent + stub_line for stub_line in stub.split("\n")]
        elif line.strip() == END_SOLUTION:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def drop_delimiters(source):
    """Solution code without its `### BEGIN/END SOLUTION` lines."""
    return "\n".join(l for l in source.split("\n") if l.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def solution_regions(source):
    """The text between each pair of solution delimiters (as written in the master)."""
    return re.findall(rf"^[ \t]*{BEGIN_SOLUTION}\n(.*?)^[ \t]*{END_SOLUTION}", source + "\n", flags=re.S | re.M)


def python_lines(source):
    """Cell source with IPython magics and shell escapes commented out, so plain `exec` can run it."""
    return "\n".join(("# " + l) if l.lstrip().startswith(("%", "!")) else l for l in source.split("\n"))
