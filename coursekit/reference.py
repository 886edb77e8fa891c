"""The reference solutions, taken from the master notebook: the one place each solution is written."""
import contextlib
import importlib
import io
import sys
import types

import numpy as np

from coursekit import master_path
from coursekit.notebooks import is_demo, is_test, python_lines, read

_cache = {}


def load(assignment):
    """A module holding everything the master defines outside test and demo cells (solutions, helpers, data)."""
    if assignment not in _cache:
        module = types.ModuleType(f"reference_{assignment}")
        module.__file__ = str(master_path(assignment))
        cells = [cell for cell in read(master_path(assignment)).cells
                 if cell.cell_type == "code" and not is_test(cell) and not is_demo(cell)]
        # pyplot costs 0.5 s to import: only when the master or the caller uses it
        plots = "matplotlib.pyplot" in sys.modules or any("matplotlib" in cell.source for cell in cells)
        plt = importlib.import_module("matplotlib.pyplot") if plots else None
        backend, random_state = plt and plt.get_backend(), np.random.get_state()
        if plt:
            plt.switch_backend("Agg")  # draw nothing; put the caller's backend (e.g. a notebook's inline) back after
        try:
            for cell in cells:
                with contextlib.redirect_stdout(io.StringIO()):
                    code = compile(python_lines(cell.source), f"<{assignment} cell {cell.id}>", "exec")
                    exec(code, module.__dict__)
        finally:
            if plt:
                plt.close("all")
                plt.switch_backend(backend)
            np.random.set_state(random_state)  # the caller's random numbers are not disturbed
        _cache[assignment] = module
    return _cache[assignment]
