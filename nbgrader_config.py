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
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "coursekit.nbgrader_ext.OverwriteCellsTellingTampering",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "coursekit.nbgrader_ext.NoteTampering",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# Feedback: never show hidden tests (nbgrader shows them by default: jupyter/nbgrader#917, #1363).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "coursekit.nbgrader_ext.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
