"""Nothing a student's code produced is live in the feedback or in formgrader's page (coursekit/sanitize.py).

Hostile outputs are built directly and also produced by a real kernel; the notebook is rendered as `nbgrader
generate_feedback` and formgrader render it, the HTML is parsed, and everything that could run (script, event
handler, javascript: URL, SVG, frame, style...) must be the template's own, while a figure and a coloured test
message still show.  The last test goes through `nbgrader autograde` and `generate_feedback` on a scratch course.
"""
import base64
import copy
import html
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from traitlets.config import Config, PyFileConfigLoader

from coursekit import ROOT, master_path
from coursekit.sanitize import sanitize_notebook, terminal_text

GREEN, RESET = "\033[92m", "\033[0m"  # public_tests.harness colours
PASSED = f"{GREEN}All tests passed.{RESET}\n"
NOTE = "**Grader notes:** test cell sigmoid-test was edited: the original was used for grading."  # job.py writes it
MASTER_MD = "# Heading of the master\n\nThe sigmoid is $\\sigma(x) = \\frac{1}{1+e^{-x}}$, and $0 < \\sigma(x) < 1$."
SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
STUDENT_MD = ('<script>alert(3)</script> <img src=x onerror=alert(4)> [link](javascript:alert(5)) <iframe '
              'srcdoc="<script>alert(6)</script>"></iframe> <style>body{display:none}</style> ' + SVG +
              ' $\\href{javascript:alert(7)}{x}$ <a href=" jav&#x09;ascript:alert(8)">y</a> </pre><b onclick=alert(9)>')


def png_bytes():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [1, 0])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def display(data, metadata=None, kind="display_data"):
    extra = {"execution_count": 1} if kind == "execute_result" else {}
    return new_output(kind, data=data, metadata=metadata or {}, **extra)


def hostile_notebook(png):
    """An executed notebook with every kind of hostile output, cell and metadata, built directly; plus a master's
    Markdown cell, a figure and a coloured test message that must survive."""
    b64 = base64.b64encode(png).decode()
    svg64 = base64.b64encode(SVG.encode()).decode()
    outputs = [
        display({"text/html": "<img src=x onerror=alert(10)><script>alert(11)</script>",
                 "text/plain": "<IPython.core.display.HTML object>"}),
        display({"text/html": "<script>alert(12)</script>"}, {"text/html": {"isolated": True}}),
        display({"application/javascript": "alert(13)"}),
        display({"image/svg+xml": SVG}),
        display({"text/markdown": "[x](javascript:alert(14)) <img src=x onerror=alert(15)>"}),
        display({"text/latex": "$\\href{javascript:alert(16)}{x}$"}),
        display({"application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2, "version_minor": 0},
                 "text/plain": "IntSlider(value=0)"}),
        display({"application/x-evil</pre><script>alert(17)</script>": "x"}),
        display({"image/png": b64}, {"image/png": {"width": "1 onload=alert(18)", "height": 40},
                                     "filenames": {"image/png": "javascript:alert(19)"}}),
        display({"image/png": 'x" onerror="alert(20)'}),
        display({"image/jpeg": b64}),  # a PNG claiming to be a JPEG
        display({"image/png": b64, "text/plain": "<Figure>"}, {"image/png": {"width": 100}}, kind="execute_result"),
        new_output("stream", name="stdout", text="<script>alert(21)</script>\x1b[38;2;255;0;0m red\x1b[0m \x1b]8;;"
                   "javascript:alert(37)\x1b\\link\x1b]8;;\x1b\\\n" + PASSED),
        new_output("stream", name="stderr", text="<img src=x onerror=alert(22)>"),
        new_output("error", ename="<script>alert(23)</script>", evalue="<img src=x onerror=alert(24)>",
                   traceback=["\x1b[31m<img src=x onerror=alert(25)>\x1b[0m", "<svg onload=alert(26)>"]),
    ]
    code = new_code_cell("print('hi')", outputs=outputs, execution_count=1)
    code.metadata = {"tags": ["x onmouseover=alert(27)", "ok"], "alt": '" onerror="alert(28)',
                     "nbgrader": {"grade": True, "grade_id": '"><script>alert(29)</script>', "points": 1}}
    forged_count = new_code_cell("1", execution_count=2, outputs=[display({"text/plain": "1"}, kind="execute_result")])
    graded = new_code_cell("sigmoid_test(sigmoid)", execution_count=3, outputs=[new_output("stream", text=PASSED)])
    graded.metadata = {"nbgrader": {"grade": True, "grade_id": "sigmoid-test", "points": 2.0, "locked": True,
                                    "schema_version": 3, "score": "<script>alert(32)</script>"}}
    attached = new_markdown_cell("![a](attachment:x.svg)")
    attached.attachments = {"x.svg": {"image/svg+xml": svg64}}
    raw = new_raw_cell("<script>alert(33)</script>")
    raw.metadata = {"raw_mimetype": "text/html"}
    nb = new_notebook(cells=[new_markdown_cell(MASTER_MD), code, forged_count, graded, new_markdown_cell(STUDENT_MD),
                             attached, raw, new_markdown_cell(NOTE)])
    nb.cells[1].id = 'x" onclick="alert(34)'
    forged_count.execution_count = "<script>alert(30)</script>"  # (nbclient copies what the kernel sends)
    forged_count.outputs[0].execution_count = "<img src=x onerror=alert(31)>"
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
                   "language_info": {"name": "python"}, "title": "</title><script>alert(35)</script>",
                   "widgets": {"application/vnd.jupyter.widget-state+json": {
                       "state": {"m": {"x": "</script><script>alert(36)</script>"}}, "version_major": 2,
                       "version_minor": 0}}}
    return nb


KERNEL_CELLS = [
    "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0]);",
    "from IPython.display import HTML, SVG, Javascript, Markdown, Latex, display\nimport ipywidgets\n"
    "display(HTML('<img src=x onerror=alert(40)>'), Javascript('alert(41)'), SVG('''" + SVG + "'''),\n"
    "        Markdown('[x](javascript:alert(42)) <script>alert(43)</script>'),\n"
    "        Latex(r'$\\href{javascript:alert(44)}{x}$'),"
    "\n        ipywidgets.IntSlider())\n"
    "display({'text/html': '<script>alert(45)</script>', 'application/x-evil': '<b onclick=alert(46)>'}, raw=True)\n"
    "print('<script>alert(47)</script>')",
    "from public_tests.harness import GREEN, RESET\nprint(f'{GREEN}All tests passed.{RESET}')",
    "raise ValueError('<img src=x onerror=alert(48)>')",
]


@pytest.fixture(scope="module")
def kernel_notebook(tmp_path_factory):
    """The cells above, run for real in a kernel (widget state stored, as a notebook saved in Jupyter would)."""
    from nbclient import NotebookClient
    nb = new_notebook(cells=[new_markdown_cell(MASTER_MD)] + [new_code_cell(s) for s in KERNEL_CELLS])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    work = tmp_path_factory.mktemp("kernel")
    NotebookClient(nb, kernel_name="python3", timeout=60, allow_errors=True, store_widget_state=True,
                   resources={"metadata": {"path": str(work)}}).execute()
    kinds = {k for c in nb.cells for o in c.get("outputs", []) for k in o.get("data", {})}
    assert {"image/png", "text/html", "application/javascript", "image/svg+xml", "text/markdown",
            "application/vnd.jupyter.widget-view+json"} <= kinds, kinds
    return nb


# ------------------------------------------------------------------------------------------ rendering and checking

def kit_config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()


def give_scores(nb, resources=None):
    """What nbgrader's GetGrades adds before the feedback template runs (it needs a gradebook)."""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") or meta.get("solution") or meta.get("task"):
            meta["score"], meta["comment"] = 0.0, None
    return nb, resources


def feedback_html(nb, kit_steps=False):
    """The HTML `nbgrader generate_feedback` writes: its HTMLExporter, configured by GenerateFeedback (template
    'feedback').  Its steps: GetGrades (a stand-in) and the CSS, so that only `sanitize_notebook` protects the page;
    or, with `kit_steps`, those of the kit's config (SanitizeNotebook included)."""
    from nbconvert.exporters import HTMLExporter
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    converter = GenerateFeedback(coursedir=CourseDirectory(root=str(ROOT)), config=kit_config())
    exporter = HTMLExporter(parent=converter, config=converter.config)
    for step in converter.preprocessors if kit_steps else [give_scores, CSSHTMLHeaderPreprocessor]:
        exporter.register_preprocessor(give_scores if "GetGrades" in str(step) else step, enabled=True)
    resources = {"nbgrader": {"assignment": "C1W2A1", "notebook": master_path("C1W2A1").stem, "student": "mallory",
                              "score": 2.0, "max_score": 3.0, "late_penalty": 0}}
    return exporter.from_notebook_node(copy.deepcopy(nb), resources=resources)[0]


def formgrader_html(nb, folder, exporter_step=None):
    """The HTML formgrader serves for an autograded notebook (nbgrader's SubmissionHandler.get): an HTMLExporter with
    the course's config plus the formgrader extension's (template 'formgrade'), from the file in autograded/.
    `exporter_step`: a preprocessor for the course config's HTMLExporter.preprocessors (formgrader runs no other)."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    config = kit_config()
    extra = Config()
    extra.HTMLExporter.template_name = "formgrade"
    extra.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    if exporter_step:
        extra.HTMLExporter.preprocessors = [exporter_step]
    config.merge(extra)
    stem = master_path("C1W2A1").stem
    path = Path(folder) / f"{stem}.ipynb"
    path.write_text(json.dumps(nb))  # as it is: nbformat.write would refuse an invalid one
    resources = {"assignment_id": "C1W2A1", "notebook_id": stem, "submission_id": "abc", "index": 0,
                 "total": 1, "base_url": "", "student": "mallory", "last_name": None, "first_name": None,
                 "notebook_path": f"autograded/mallory/C1W2A1/{stem}.ipynb"}
    return HTMLExporter(config=config).from_filename(str(path), resources=resources)[0]


ACTIVE_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style", "link",
               "meta", "base", "form", "template"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster"}


class Active(HTMLParser):
    """Everything in a page's body that could run or restyle it: active tags (with their text), event-handler
    attributes, URLs that are not http(s), a fragment, or a PNG/JPEG data URL.  (Nothing of the notebook's goes in
    the head but its escaped title; the head's styles vary with the pygments style in use.)"""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.open, self.pngs, self.body = [], None, [], False

    def handle_starttag(self, tag, attrs):
        self.body = self.body or tag == "body"
        if not self.body:
            return
        src = dict(attrs).get("src") or ""
        if tag == "img" and src.startswith("data:image/png;base64,"):
            try:
                self.pngs.append(base64.b64decode(src.split(",", 1)[1], validate=True))
            except ValueError:
                self.pngs.append(src)
        for name, value in attrs:
            url = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or (name in URL_ATTRS and url and not re.match(
                    r"(https?://|#|data:image/(png|jpeg);base64,[a-z0-9+/=]*$)", url)):
                self.found.append((tag, name, value))
        if tag in ACTIVE_TAGS:
            self.found.append((tag, tuple(sorted((k, v or "") for k, v in attrs))))
            self.open = len(self.found) - 1

    def handle_endtag(self, tag):
        self.open = None

    def handle_data(self, data):
        if self.open is not None:
            self.found[self.open] += (data.strip(),)
            self.open = None


def parse(page):
    parser = Active()
    parser.feed(page)
    return parser


def active(page):
    return parse(page).found


def live_student_content(page, baseline):
    """What is active in `page` and not in the template's own page (`baseline`, a notebook with no output)."""
    allowed = active(baseline)
    return [item for item in active(page) if item not in allowed]


def baseline_notebook():
    return new_notebook(cells=[new_code_cell("x = 1")], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}, "language_info": {"name": "python"}})


RENDERERS = ["feedback", "formgrader"]


def render(kind, nb, tmp_path):
    return feedback_html(nb) if kind == "feedback" else formgrader_html(nb, tmp_path)


def assert_legitimate_output_kept(page, png):
    images = parse(page).pngs
    assert images and all(image == png for image in images)
    assert '<span class="ansi-green-intense-fg">All tests passed.</span>' in page
    assert re.search(r"<h1 id=\"Heading-of-the-master\">Heading of the master", page)  # the master's Markdown
    assert "$\\sigma(x) = \\frac{1}{1+e^{-x}}$" in page and "$0 &lt; \\sigma(x) &lt; 1$" in page  # its math


# ------------------------------------------------------------------------------------------ the tests

@pytest.mark.parametrize("kind", RENDERERS)
def test_the_check_sees_hostile_output_when_nothing_sanitizes(kind, tmp_path):
    """The check can fail: without sanitize_notebook, both pages run the student's scripts."""
    nb = hostile_notebook(png_bytes())
    nb.cells[1].id, nb.cells[2].execution_count = "c1", 2  # else nbconvert refuses the notebook
    nb.cells[2].outputs[0].execution_count = 2
    found = live_student_content(render(kind, nb, tmp_path), render(kind, baseline_notebook(), tmp_path))
    assert any(item[0] == "script" and "alert(11)" in item[-1] for item in found)
    assert any(item[1] == "onerror" for item in found) and any(item[0] == "svg" for item in found)


@pytest.mark.parametrize("kind", RENDERERS)
def test_built_hostile_outputs_are_inert(kind, tmp_path):
    png = png_bytes()
    nb = sanitize_notebook(hostile_notebook(png), trusted_markdown=[MASTER_MD])
    nbformat.validate(nb)
    page = render(kind, nb, tmp_path)
    assert live_student_content(page, render(kind, baseline_notebook(), tmp_path)) == []
    assert_legitimate_output_kept(page, png)
    assert "<IPython.core.display.HTML object>" in page.replace("&lt;", "<").replace("&gt;", ">")
    for hidden in ("alert(13)", "alert(14)", "alert(16)", "alert(36)"):  # dropped, not merely escaped
        assert hidden not in page


@pytest.mark.parametrize("kind", RENDERERS)
def test_kernel_made_hostile_outputs_are_inert(kind, kernel_notebook, tmp_path):
    nb = copy.deepcopy(kernel_notebook)
    assert live_student_content(render(kind, nb, tmp_path), render(kind, baseline_notebook(), tmp_path))
    png = base64.b64decode(next(o.data["image/png"] for c in nb.cells for o in c.get("outputs", [])
                                if "image/png" in o.get("data", {})))
    sanitize_notebook(nb, trusted_markdown=[MASTER_MD])
    nbformat.validate(nb)
    page = render(kind, nb, tmp_path)
    assert live_student_content(page, render(kind, baseline_notebook(), tmp_path)) == []
    assert_legitimate_output_kept(page, png)
    assert "ValueError" in page and "alert(47)" in page  # printed and raised text is still shown, as text


def unsanitized_with_real_master_markdown():
    nb = hostile_notebook(png_bytes())
    master = next(c for c in nbformat.read(master_path("C1W2A1"), 4).cells if c.cell_type == "markdown")
    nb.cells.insert(0, new_markdown_cell(master.source))
    nb.cells[2].id, nb.cells[3].execution_count = "c1", 2  # nbconvert would refuse the notebook before any step
    nb.cells[3].outputs[0].execution_count = 2
    return nb


def assert_real_master_markdown_only(page):
    assert '<h1 id="Python-Basics-with-NumPy">' in page and "Heading of the master" in page
    assert '<h1 id="Heading-of-the-master">' not in page  # not the master's: shown as text


def test_feedback_step_of_the_kit_config_sanitizes_by_itself():
    """Defence in depth: the kit's GenerateFeedback steps make an unsanitized autograded notebook inert, and keep
    the Markdown of the real master (found by SanitizeNotebook in source/) rendered."""
    page = feedback_html(unsanitized_with_real_master_markdown(), kit_steps=True)
    assert live_student_content(page, feedback_html(baseline_notebook(), kit_steps=True)) == []
    assert_real_master_markdown_only(page)


def test_formgrader_with_sanitize_notebook_as_exporter_step(tmp_path):
    """The same for formgrader, if the course config adds
    c.HTMLExporter.preprocessors = ["coursekit.sanitize.SanitizeNotebook"] (recommended; not in the config yet)."""
    step = "coursekit.sanitize.SanitizeNotebook"
    page = formgrader_html(unsanitized_with_real_master_markdown(), tmp_path, step)
    assert live_student_content(page, formgrader_html(baseline_notebook(), tmp_path, step)) == []
    assert_real_master_markdown_only(page)


def test_what_is_kept_and_dropped():
    png = png_bytes()
    nb = sanitize_notebook(hostile_notebook(png), trusted_markdown=[MASTER_MD])
    outputs = nb.cells[1].outputs
    assert [sorted(o.get("data", {})) for o in outputs[:12]] == [["text/plain"]] * 8 + [
        ["image/png"], ["text/plain"], ["text/plain"], ["image/png", "text/plain"]]
    assert outputs[2].data["text/plain"] == "[output not shown in the graded notebook: application/javascript]"
    assert outputs[8].metadata == {"image/png": {"height": 40}}  # the width was not a number
    assert outputs[11].metadata == {"image/png": {"width": 100}}
    assert [o.output_type for o in outputs[12:]] == ["stream", "stream", "error"]
    assert outputs[14].traceback[0] == "\x1b[31m<img src=x onerror=alert(25)>\x1b[0m"  # kept; nbconvert escapes it
    assert nb.cells[1].metadata == {"tags": ["ok"]} and nb.cells[2].execution_count is None
    assert nb.cells[3].metadata.nbgrader == {"grade": True, "grade_id": "sigmoid-test", "points": 2.0, "locked": True,
                                             "schema_version": 3}
    assert nb.cells[0].source == MASTER_MD
    student = nb.cells[4].source
    assert student.startswith('<pre class="coursekit-student-text">') and "<script" not in student[5:]
    assert [c.cell_type for c in nb.cells[5:]] == ["markdown"] * 3 and "attachments" not in nb.cells[5]
    assert nb.cells[7].source == NOTE  # plain prose stays Markdown
    assert set(nb.metadata) == {"kernelspec", "language_info"}
    again = sanitize_notebook(copy.deepcopy(nb), trusted_markdown=[MASTER_MD])
    assert again == nb  # idempotent: feedback may sanitize a notebook the grader already sanitized


def test_masters_pass_through_unchanged():
    """What the class grader will pass (the master's Markdown) keeps every master cell as it is: Markdown, grade ids,
    points, flags (else the feedback would lose a cell's grading); a missing master trusts nothing."""
    from coursekit import assignments
    from coursekit.sanitize import master_markdown
    for assignment in assignments():
        master = nbformat.read(master_path(assignment), 4)
        nb = sanitize_notebook(copy.deepcopy(master), master_markdown(master_path(assignment)))
        assert [(c.cell_type, c.source, c.metadata) for c in nb.cells] == \
            [(c.cell_type, c.source, c.metadata) for c in master.cells], assignment
    assert master_markdown(ROOT / "source" / "nowhere.ipynb") == []


def test_images_must_be_valid_and_bounded():
    from coursekit.sanitize import MAX_IMAGE_BYTES
    png = png_bytes()
    big = base64.b64encode(png + b"\0" * MAX_IMAGE_BYTES).decode()
    good = base64.b64encode(png).decode()
    cases = [good, good[:-3], good.replace("A", "*", 1), big, base64.b64encode(b"GIF89a").decode()]
    nb = new_notebook(cells=[new_code_cell("", outputs=[display({"image/png": c}) for c in cases])])
    kept = ["image/png" in o.data for o in sanitize_notebook(nb).cells[0].outputs]
    assert kept == [True, False, False, False, False]


def test_untrusted_markdown_shows_as_its_own_text(tmp_path):
    nb = sanitize_notebook(new_notebook(cells=[new_markdown_cell(STUDENT_MD)]))
    page = feedback_html(nb)
    texts = re.findall(r'<pre class="coursekit-student-text">(.*?)</pre>', page, re.S)
    assert [html.unescape(t) for t in texts] == [STUDENT_MD]


def test_terminal_text():
    shown = terminal_text("ok \x1b[2J\x1b]0;title\x07 \r\n\u202eevil é")
    assert shown == "ok \\x1b[2J\\x1b]0;title\\x07 \\r\\n\\u202eevil é"
    assert terminal_text(3.5) == "3.5"


def test_nbgrader_autograde_and_feedback_are_inert(tmp_path):
    """End to end on a scratch course: a submission with a hostile added code cell and Markdown cell; `nbgrader
    autograde` with SanitizeNotebook as its last step (as the lead is asked to add it), then formgrader's rendering
    of autograded/ and `nbgrader generate_feedback` with the kit's config."""
    from coursekit.release import nbgrader, scratch_course
    assignment, name = "C1W2A1", master_path("C1W2A1").name
    course = scratch_course([assignment])
    try:
        config = course / "nbgrader_config.py"
        config.write_text(config.read_text() + "\nfrom coursekit.sanitize import SanitizeNotebook\n"
                          "c.Autograde.autograde_preprocessors = c.Autograde.autograde_preprocessors + "
                          "[SanitizeNotebook]\n")
        nbgrader("generate_assignment", assignment, "--force", cwd=course)
        nb = nbformat.read(course / "notebooks" / assignment / name, 4)
        nb.cells.insert(1, new_code_cell(KERNEL_CELLS[1]))
        nb.cells.insert(1, new_markdown_cell(STUDENT_MD))
        edited = next(c for c in nb.cells[3:] if c.cell_type == "markdown")
        edited.source += "\n<img src=x onerror=alert(50)>"  # an edited master cell is the student's
        (course / "submitted" / "mallory" / assignment).mkdir(parents=True)
        nbformat.write(nb, course / "submitted" / "mallory" / assignment / name)
        nbgrader("autograde", assignment, "--force", cwd=course)
        graded = nbformat.read(course / "autograded" / "mallory" / assignment / name, 4)
        kinds = {k for c in graded.cells for o in c.get("outputs", []) for k in o.get("data", {})}
        assert kinds == {"text/plain"}  # the HTML, JavaScript, SVG, Markdown... of the added cell are gone
        baseline = baseline_notebook()
        page = formgrader_html(graded, tmp_path)
        assert live_student_content(page, formgrader_html(baseline, tmp_path)) == []
        nbgrader("generate_feedback", assignment, "--force", cwd=course)
        page = (course / "feedback" / "mallory" / assignment / f"{Path(name).stem}.html").read_text()
        assert live_student_content(page, feedback_html(baseline)) == []
        assert '<h1 id="Python-Basics-with-NumPy">' in page  # the master's Markdown still renders
        assert "<img src=x onerror=alert(50)>" not in page  # the graded notebook has the master's Markdown cells
    finally:
        shutil.rmtree(course, ignore_errors=True)
