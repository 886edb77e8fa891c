"""Make everything a student's code produced in an executed notebook inert before anything renders it as HTML.

Feedback (`nbgrader generate_feedback`) and formgrader render the notebooks in autograded/ with nbconvert's HTML
exporter, which puts text/html, JavaScript, SVG, Markdown and widget outputs, Markdown cells, attachments and some
metadata into the page as they are.  `sanitize_notebook` keeps only what nbconvert renders as inert text or a checked
image: text/plain, PNG and JPEG outputs (valid base64, right magic bytes, bounded), stream and error outputs (nbconvert
escapes them and turns ANSI colours into spans).  Every other output type is dropped and named in a text note.
Markdown cells are rendered as Markdown only when their text is one of the master's (or plain prose); any other
Markdown or raw cell is shown as escaped plain text.  Metadata is cut to the plain values nbgrader and the templates
need.

nbconvert's own SanitizeHTML preprocessor was not used: it keeps text/latex and application/json, leaves output and
cell metadata, attachments and execution counts alone, and runs bleach over Markdown *source*, which mangles math such
as `$a<b$`; its allow-list still passes links and classes a student could use to spoof the grader's page.  The
exporter's `sanitize_html` option escapes the masters' own headings, paragraphs and tables, so it is not used either.
"""
import base64
import binascii
import html
import math
import re
import uuid
from pathlib import Path

import nbformat

IMAGES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}  # mime type -> magic bytes
MAX_IMAGE_BYTES = 2 << 20
MAX_IMAGE_SIDE = 10_000  # pixels, for the width/height metadata nbconvert writes unquoted into <img>
NAME = re.compile(r"[A-Za-z0-9_.+-]{1,100}")  # grade ids, tags, metadata keys: nothing HTML could act on
PLAIN = re.compile(r"[A-Za-z0-9_.+/() -]{0,100}")  # kernelspec and language_info values ("Python 3 (ipykernel)")
CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
TEXT_CLASS = "coursekit-student-text"
INERT = re.compile(rf'<pre class="{TEXT_CLASS}">[^<>]*</pre>')  # what _as_text makes: no tag can hide in it
PROSE = re.compile(r"[\w\s.,;:!?'*#-]*")  # Markdown without HTML, links, images, code or math (the grader's notes)
NBGRADER_FLAGS = ("grade", "solution", "locked", "task")


def sanitize_notebook(nb, trusted_markdown=()):
    """Make `nb` (an executed notebook) safe to render as HTML, in place; return it.

    `trusted_markdown`: the master's Markdown sources.  A Markdown cell whose text is one of them, or plain prose
    (PROSE), is kept as Markdown; every other Markdown or raw cell becomes its text, escaped, in a <pre> block."""
    trusted = {str(source).strip() for source in trusted_markdown}
    nb.metadata = nbformat.from_dict({key: value for key in ("kernelspec", "language_info")
                                      if (value := _plain(nb.metadata.get(key))) is not None})
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict(_cell_metadata(cell.get("metadata")))
        if "id" in cell and not (isinstance(cell.id, str) and CELL_ID.fullmatch(cell.id)):
            cell.id = uuid.uuid4().hex[:16]
        if cell.cell_type == "code":
            cell.source = _text(cell.get("source", ""))
            cell.execution_count = _count(cell.get("execution_count"))
            cell.outputs = [nbformat.from_dict(o) for o in map(_output, cell.get("outputs", [])) if o]
            cell.pop("attachments", None)
            continue
        source = _text(cell.get("source", ""))
        if cell.cell_type == "markdown" and (source.strip() in trusted or PROSE.fullmatch(source)):
            attachments = {name: kept for name, files in (cell.get("attachments") or {}).items()
                           if isinstance(name, str) and (kept := _images(files))}
            if attachments:
                cell.attachments = nbformat.from_dict(attachments)
            else:
                cell.pop("attachments", None)
            continue
        cell.cell_type, cell.source = "markdown", source if INERT.fullmatch(source) else _as_text(source)
        for key in ("attachments", "outputs", "execution_count"):
            cell.pop(key, None)
    return nb


def _as_text(source):
    """Markdown that renders `source` as plain text: an HTML block, so Markdown leaves it alone, and a <pre>, so
    MathJax leaves it alone too."""
    return f'<pre class="{TEXT_CLASS}">{html.escape(source)}</pre>'


def _output(output):
    """The inert copy of one output, or None to drop it."""
    if not isinstance(output, dict):
        return None
    kind = output.get("output_type")
    if kind == "stream":
        return {"output_type": kind, "name": "stderr" if output.get("name") == "stderr" else "stdout",
                "text": _text(output.get("text", ""))}
    if kind == "error":
        traceback = output.get("traceback")
        return {"output_type": kind, "ename": _text(output.get("ename", "")), "evalue": _text(output.get("evalue", "")),
                "traceback": [_text(line) for line in traceback] if isinstance(traceback, list) else []}
    if kind not in ("display_data", "execute_result"):
        return None
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    kept = _images(data)
    if "text/plain" in data:
        kept["text/plain"] = _text(data["text/plain"])
    dropped = sorted(set(data) - set(kept))
    if dropped and "text/plain" not in kept:
        names = ", ".join(re.sub(r"[^A-Za-z0-9_.+/-]", "?", str(name))[:60] for name in dropped[:5])
        kept["text/plain"] = f"[output not shown in the graded notebook: {names}]"
    metadata = {}
    for mime in set(kept) & set(IMAGES):
        given = output.get("metadata", {}).get(mime) if isinstance(output.get("metadata"), dict) else None
        size = {k: v for k, v in (given.items() if isinstance(given, dict) else ())
                if k in ("width", "height") and type(v) is int and 0 < v <= MAX_IMAGE_SIDE}
        if size:
            metadata[mime] = size
    result = {"output_type": kind, "data": kept, "metadata": metadata}
    if kind == "execute_result":
        result["execution_count"] = _count(output.get("execution_count"))
    return result


def _images(data):
    """{mime: base64} of the PNG and JPEG images in `data` that are valid base64, of their type and not too big."""
    found = {}
    for mime, magic in IMAGES.items():
        value = data.get(mime) if isinstance(data, dict) else None
        if not isinstance(value, str) or len(value) > MAX_IMAGE_BYTES * 4 // 3 + 4096:
            continue
        try:
            raw = base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        if raw.startswith(magic) and len(raw) <= MAX_IMAGE_BYTES:
            found[mime] = base64.b64encode(raw).decode("ascii")
    return found


def _text(value):
    return "".join(map(str, value)) if isinstance(value, list) else str(value)


def _count(value):
    return value if type(value) is int and value >= 0 else None


def _cell_metadata(meta):
    """Only what nbgrader and the templates read, in plain values: the nbgrader block, tags, and boolean flags
    (e.g. {"jupyter": {"source_hidden": true}}, {"coursekit": {"demo": true}})."""
    out = {}
    for key, value in (meta.items() if isinstance(meta, dict) else ()):
        if not (isinstance(key, str) and NAME.fullmatch(key)):
            continue
        if key == "nbgrader":
            value = _nbgrader_metadata(value)
        elif key == "tags":
            value = [tag for tag in value if isinstance(tag, str) and NAME.fullmatch(tag)] \
                if isinstance(value, list) else None
        elif isinstance(value, dict):
            value = {k: v for k, v in value.items() if isinstance(k, str) and NAME.fullmatch(k) and type(v) is bool}
        elif type(value) is not bool:
            value = None
        if value is not None:
            out[key] = value
    return out


def _nbgrader_metadata(meta):
    """nbgrader's cell metadata with only its own fields, each of its own type; None if the grade id could carry
    markup (the templates write it into attributes unescaped).  `score` and `comment` are left out: nbgrader's
    GetGrades adds them from the gradebook when it renders feedback."""
    if not isinstance(meta, dict) or not (isinstance(meta.get("grade_id"), str) and NAME.fullmatch(meta["grade_id"])):
        return None
    out = {key: meta[key] for key in NBGRADER_FLAGS if type(meta.get(key)) is bool}
    out["grade_id"] = meta["grade_id"]
    points = meta.get("points")
    if type(points) in (int, float) and math.isfinite(points):
        out["points"] = points
    if type(meta.get("schema_version")) is int:
        out["schema_version"] = meta["schema_version"]
    if meta.get("cell_type") in ("code", "markdown", "raw"):
        out["cell_type"] = meta["cell_type"]
    if isinstance(meta.get("checksum"), str) and NAME.fullmatch(meta["checksum"]):
        out["checksum"] = meta["checksum"]
    return out


def _plain(value, depth=0):
    """`value` (notebook metadata) with only short plain strings, numbers and flags; None if nothing is left."""
    if type(value) in (bool, int) or (type(value) is float and math.isfinite(value)):
        return value
    if isinstance(value, str):
        return value if PLAIN.fullmatch(value) else None
    if isinstance(value, dict) and depth < 2:
        kept = {k: v for k, item in value.items()
                if isinstance(k, str) and NAME.fullmatch(k) and (v := _plain(item, depth + 1)) is not None}
        return kept or None
    return None


def terminal_text(text):
    """`text` safe to print on a terminal: every control character (ANSI escapes, carriage returns, newlines, bidi
    overrides...) shown as a Python escape such as \\x1b."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


def master_markdown(path):
    """The Markdown sources of the master notebook at `path` ([] if there is none)."""
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return []
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


def _preprocessor():
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import NbGraderPreprocessor

    class SanitizeNotebook(NbGraderPreprocessor):
        """nbgrader step: `sanitize_notebook`, trusting the Markdown cells of the assignment's master
        (source/<assignment>/<notebook>.ipynb).  For `nbgrader autograde` (last step, so that the graded notebook
        written to autograded/ is safe) and `nbgrader generate_feedback` (before GetGrades)."""

        def preprocess(self, nb, resources):
            info = resources.get("nbgrader") or {}
            assignment = info.get("assignment") or resources.get("assignment_id")
            notebook = info.get("notebook") or resources.get("notebook_id")
            coursedir = getattr(getattr(self.parent, "parent", None), "coursedir", None) or \
                CourseDirectory(config=self.config)
            trusted = []
            if assignment and notebook:
                folder = coursedir.format_path(coursedir.source_directory, ".", assignment)
                trusted = master_markdown(Path(folder) / f"{notebook}.ipynb")
            return sanitize_notebook(nb, trusted), resources

    SanitizeNotebook.__qualname__ = "SanitizeNotebook"
    return SanitizeNotebook


def __getattr__(name):
    """`SanitizeNotebook` is built on first use: importing nbgrader costs a grading worker 1.5 s."""
    if name == "SanitizeNotebook":
        globals()[name] = _preprocessor()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
