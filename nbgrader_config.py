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

# Autograde: put deleted test cells back; stop runaway cells; keep going after errors.
c.OverwriteCells.add_missing_cells = True


# No false "checksum has changed" for untampered cells with hidden tests (jupyter/nbgrader#1961); a test cell that was
# really changed is put back and a note says so under it, in the graded notebook and the feedback.
def _kit_autograde_steps():
    """nbgrader's own autograde steps, with OverwriteCells swapped for the kit's and NoteTampering after Execute."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, OverwriteCells
    from coursekit.nbgrader_ext import NoteTampering, OverwriteCellsTellingTampering
    traits = Autograde.class_traits()
    sanitize = [OverwriteCellsTellingTampering if step is OverwriteCells else step
                for step in traits["sanitize_preprocessors"].default()]
    autograde = list(traits["autograde_preprocessors"].default())
    autograde.insert(autograde.index(Execute) + 1, NoteTampering)
    return sanitize, autograde


c.Autograde.sanitize_preprocessors, c.Autograde.autograde_preprocessors = _kit_autograde_steps()

# Cells: stop runaway ones.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# Feedback: nothing a student's code produced is live in the page (scripts, HTML, SVG, Markdown outputs, their own
# Markdown cells: coursekit/sanitize.py; again here in case a notebook reached autograded/ unsanitised); never show
# hidden tests (nbgrader shows them by default: jupyter/nbgrader#917, #1363).
c.GenerateFeedback.preprocessors = [
    "coursekit.sanitize.SanitizeNotebook",  # before GetGrades, which adds the trusted scores and comments
    "nbgrader.preprocessors.GetGrades",
    "coursekit.nbgrader_ext.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
