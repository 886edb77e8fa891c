"""nbgrader configuration for the course kit (run nbgrader from this folder)."""
c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "coursekit-c1"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "notebooks"
# Grader-side helpers beside the masters never reach students.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Student stubs: exactly these lines, at the indentation of the solution they replace.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE STARTS HERE\n\n# YOUR CODE ENDS HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograde with the kit's own job (coursekit.job), the same rules as `python -m coursekit grade`: master cells put
# back by grade id (deleted or edited test cells restored, and the student told), the notebook run in the sandbox
# without any hidden-test code, every test judged by the grader.  nbgrader's OverwriteCells and Execute steps are
# replaced by it; the rest (scores, late penalties, the graded notebook) is nbgrader's.
def _kit_autograde_steps():
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import CheckCellMetadata, Execute, OverwriteCells
    from coursekit.nbgrader_ext import GradeWithKit
    traits = Autograde.class_traits()
    sanitize = [step for step in traits["sanitize_preprocessors"].default()
                if step not in (OverwriteCells, CheckCellMetadata)]  # the kit reads the student's cells itself
    autograde = [GradeWithKit if step is Execute else step for step in traits["autograde_preprocessors"].default()]
    return sanitize, autograde


c.Autograde.sanitize_preprocessors, c.Autograde.autograde_preprocessors = _kit_autograde_steps()
# Limits (cell and notebook wall time) default to coursekit.sandbox.Limits, as for `coursekit grade`; e.g.
# c.GradeWithKit.cell_timeout = 120

# Feedback: nothing a student's code produced is live in the page (scripts, HTML, SVG, Markdown outputs, their own
# Markdown cells: coursekit/sanitize.py; again here in case a notebook reached autograded/ unsanitised).  The graded
# notebook holds no hidden-test code (the kit's job never puts it there; nbgrader would show it, jupyter/nbgrader#917,
# #1363): hidden tests appear as the grader's verdicts only.
c.GenerateFeedback.preprocessors = [
    "coursekit.sanitize.SanitizeNotebook",  # before GetGrades, which adds the trusted scores and comments
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
