"""Notebook comfort: clear messages instead of confusing crashes while stubs are still empty.

Installed by `from public_tests.<ID> import *` (only inside IPython/Jupyter):
- a test failure or an unfilled function shows as a short red message, not a long traceback;
- after each cell, a function that is still its released stub is swapped for one that raises "not implemented yet"
  when called, so a later cell using it fails with that message, not with a TypeError (a function whose code was
  written outside its `# YOUR CODE` block, e.g. on its `s = None` line, is not a stub and works as written);
- a cell that stopped on "not implemented yet" leaves the variables it meant to assign as `Unavailable` values that
  repeat that message when used, so later cells don't fail with a NameError.
"""
import ast
import functools
import types

from public_tests.harness import HiddenTestFailure, NotImplementedYet, TestFailure, is_unfilled, not_implemented

RED, RESET = "\033[91m", "\033[0m"


class Unavailable:
    """Stands in for a variable whose cell stopped because a function is not implemented yet."""

    def __init__(self, name, reason):
        object.__setattr__(self, "_reason", reason)
        object.__setattr__(self, "_message", f"`{name}` was not computed because {reason}.")

    def _fail(self, *args, **kwargs):
        raise NotImplementedYet(object.__getattribute__(self, "_message"), object.__getattribute__(self, "_reason"))

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):  # let copy/pickle/numpy probes see a plain object
            raise AttributeError(attr)
        self._fail()

    def __repr__(self):
        return f"<unavailable: {object.__getattribute__(self, '_message')}>"

    __call__ = __getitem__ = __setitem__ = __iter__ = __len__ = __bool__ = __float__ = __int__ = __array__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _fail
    __matmul__ = __rmatmul__ = __pow__ = __neg__ = __lt__ = __le__ = __gt__ = __ge__ = __format__ = _fail


def _raiser(func):
    @functools.wraps(func)
    def unfilled(*args, **kwargs):
        raise not_implemented(func.__name__)
    unfilled.__kit_unfilled__ = True
    return unfilled


def _assigned_names(source):
    """Top-level names a cell assigns (x = ..., a, b = ..., x += ...)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    return names


def _after_cell(shell, result):
    ns = shell.user_ns
    for name, value in list(ns.items()):
        if isinstance(value, types.FunctionType) and value.__module__ == "__main__" and not name.startswith("_") \
                and not getattr(value, "__kit_unfilled__", False) and is_unfilled(value):
            ns[name] = _raiser(value)
    error = result.error_in_exec
    if isinstance(error, NotImplementedYet):
        for name in _assigned_names(result.info.raw_cell if result.info else ""):
            if name not in ns:
                ns[name] = Unavailable(name, error.reason)


def _short_error(shell, etype, value, tb, tb_offset=None):
    text = str(value)
    shell._showtraceback(etype, value, [f"{RED}{etype.__name__}: {text}{RESET}"])


def install():
    try:
        shell = get_ipython()  # noqa: F821 (exists only inside IPython)
    except NameError:
        return
    if getattr(shell, "_coursekit_installed", False):
        return
    shell._coursekit_installed = True
    shell.set_custom_exc((TestFailure, HiddenTestFailure, NotImplementedYet), _short_error)
    shell.events.register("post_run_cell", functools.partial(_after_cell, shell))
