"""A plain-text view of a master notebook, for writing and reviewing it in an editor.

    # %% [markdown] id=intro
    Some *markdown*.
    # %% id=sigmoid grade_id=sigmoid solution
    def sigmoid(z): ...
    # %% grade_id=sigmoid_test test points=2
    sigmoid_test(sigmoid)

Flags: `solution` (a graded answer cell), `test` (an autograded test cell, with `points=`), `locked` (read-only),
`demo` (a demonstration cell no graded test depends on; the grader may skip it). `to_text` and `from_text` round-trip.
"""
import nbformat

from coursekit.notebooks import normalize

HEADER = "# %%"


def _meta_from_flags(flags, values):
    meta = {}
    grade_id = values.get("grade_id")
    if "solution" in flags or "test" in flags or "locked" in flags:
        nb = {"grade": "test" in flags, "solution": "solution" in flags, "locked": "solution" not in flags,
              "grade_id": grade_id, "schema_version": 3}
        if "test" in flags:
            nb["points"] = int(values.get("points", 1))
        meta["nbgrader"] = nb
    if "demo" in flags:
        meta["coursekit"] = {"demo": True}
    return meta


def from_text(text):
    nb = nbformat.v4.new_notebook()
    chunks = text.split("\n" + HEADER)
    assert chunks[0].startswith(HEADER), "the text must start with a '# %%' cell header"
    chunks[0] = chunks[0][len(HEADER):]
    for chunk in chunks:
        header, _, body = chunk.partition("\n")
        words = header.split()
        markdown = words[:1] == ["[markdown]"]
        words = words[1:] if markdown else words
        values = dict(w.split("=", 1) for w in words if "=" in w)
        flags = {w for w in words if "=" not in w}
        body = body.strip("\n")
        cell = nbformat.v4.new_markdown_cell(body) if markdown else nbformat.v4.new_code_cell(body)
        cell.metadata = nbformat.from_dict(_meta_from_flags(flags, values))
        cell.id = values.get("id") or values.get("grade_id") or ""
        nb.cells.append(cell)
    return normalize(nb)


def to_text(nb):
    parts = []
    for cell in nb.cells:
        words = [HEADER] + (["[markdown]"] if cell.cell_type == "markdown" else []) + [f"id={cell.id}"]
        meta = cell.metadata.get("nbgrader")
        if meta:
            words.append(f"grade_id={meta['grade_id']}")
            words.append("solution" if meta.get("solution") else "test" if meta.get("grade") else "locked")
            if meta.get("grade") and not meta.get("solution"):
                words.append(f"points={meta.get('points', 1)}")
        if cell.metadata.get("coursekit", {}).get("demo"):
            words.append("demo")
        parts.append(" ".join(words) + "\n" + cell.source)
    return "\n".join(parts) + "\n"
