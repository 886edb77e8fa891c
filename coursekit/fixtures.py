"""Expected values for the public tests, computed from the master's reference solutions.

`python -m coursekit fixtures [ID ...]` writes public_tests/fixtures/<ID>.json; a test checks they are in sync.
Each case also stores the outputs of the known mistakes in tests/mutants/<ID>.py, so a failing student can be told
"likely mistake: ..." when their output matches one.
"""
import ast
import importlib
import json
import re

import numpy as np

from coursekit import STUB, master_path, reference
from coursekit.notebooks import nbgrader_meta, python_lines, read, stub_out
from public_tests.harness import FIXTURES, call, compare, encode


def load_cases(assignment):
    return importlib.import_module(f"public_tests.{assignment}").CASES


def load_mistakes(assignment):
    try:
        return importlib.import_module(f"tests.mutants.{assignment}").MUTANTS
    except ModuleNotFoundError:
        return {}


def outputs_of_known_mistakes(name, case, expected, mistakes):
    found = []
    for mistake in mistakes.get(name, []):
        if not mistake.known:
            continue
        try:
            with np.errstate(all="ignore"):
                wrong = call(mistake.func, case)[0]
        except Exception:
            continue  # a mistake that crashes is reported by the crash itself
        if wrong is not None and compare(expected, wrong, "output", case) is not None:
            found.append([mistake.message, encode(wrong)])
    return found


def stubs(assignment):
    """{function name: its source as released to students} for every function of the master's answer cells."""
    found = {}
    for cell in read(master_path(assignment)).cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
            source = stub_out(cell.source, STUB)
            for node in ast.parse(python_lines(source)).body:
                if isinstance(node, ast.FunctionDef):
                    found[node.name] = ast.get_source_segment(source, node)
    return found


def build(assignment):
    ref = reference.load(assignment)
    mistakes = load_mistakes(assignment)
    functions = {}
    for name, cases in load_cases(assignment).items():
        names = [c.name for c in cases]
        assert len(set(names)) == len(names), f"{name}: case names must be unique"
        entries = []
        for case in cases:
            state = np.random.get_state()
            output, stdout, _, _ = call(getattr(ref, name), case)
            np.random.set_state(state)
            entries.append({"case": case.name, "expected": encode(output), "stdout": stdout,
                            "mistakes": outputs_of_known_mistakes(name, case, output, mistakes)})
        functions[name] = entries
    data = {"assignment": assignment, "generated_by": f"python -m coursekit fixtures {assignment}",
            "functions": functions, "stubs": stubs(assignment)}
    text = json.dumps(data, indent=1)
    # one line per innermost list of numbers keeps the file short and its diffs readable
    return re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text) + "\n"


def write(assignment):
    FIXTURES.mkdir(exist_ok=True)
    path = FIXTURES / f"{assignment}.json"
    path.write_text(build(assignment))
    return path
