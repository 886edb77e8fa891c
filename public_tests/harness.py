"""The engine behind every `<function>_test(target)` the notebooks call.

A test runs the student's function on a few cases and compares what comes back with the expected value stored in
`public_tests/fixtures/<ID>.json` (computed from the reference solution by `python -m coursekit fixtures`).
On the first failure it raises `TestFailure` (an AssertionError, so nbgrader scores the cell 0) naming the case, the
variable, expected vs got, and the likely mistake.  On success it prints one green line.
"""
import ast
import copy
import dis
import inspect
import io
import json
import re
import textwrap
import traceback
import types
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

STUB_BEGIN = "# YOUR CODE STARTS HERE"
STUB_END = "# YOUR CODE ENDS HERE"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GREEN, RESET = "\033[92m", "\033[0m"


class TestFailure(AssertionError):
    """A public test found a wrong answer; the message says which case, which variable and why."""
    __test__ = False  # not a pytest test class


class HiddenTestFailure(AssertionError):
    """A hidden test found a wrong answer; the message names the case and the likely mistake, never its data."""


class NotImplementedYet(NotImplementedError):
    """The function's `# YOUR CODE STARTS HERE` block is still empty; `reason` names which function."""

    def __init__(self, message, reason=None):
        super().__init__(message)
        self.reason = reason or message


@dataclass
class Case:
    """One test case: `args()` builds fresh inputs each time (so one call can't spoil the next).

    outputs: names of the returned values, used in messages (e.g. ("grads", "cost")).
    strict_types: the number types must match exactly (e.g. a Python float, not a 0-d array).
    check_stdout: the printed output must match too.
    """
    name: str
    args: Callable[[], tuple]
    kwargs: dict = field(default_factory=dict)
    outputs: tuple = ()
    hint: str = ""
    rtol: float = 1e-6
    atol: float = 1e-8
    strict_types: bool = False
    check_stdout: bool = False


# ---------------------------------------------------------------------------------------------- fixtures (JSON)

def encode(value):
    """Python/NumPy value -> JSON-able structure (exact: floats keep their repr)."""
    if isinstance(value, np.ndarray):
        return {"__ndarray__": encode(value.tolist()), "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return {"__npscalar__": value.item(), "dtype": str(value.dtype)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in a fixture")


DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32",
          "float64", "complex64", "complex128"}
MAX_DECODED = 20_000_000  # numbers in one decoded value (160 MB of float64)


class DecodeError(ValueError):
    """A stored or recorded value that is not one `encode` could have made (or is larger than allowed)."""


def decode(value, budget=None, depth=0):
    """The inverse of `encode`.  Safe on untrusted input: only plain number dtypes, shapes that match their data,
    at most MAX_DECODED numbers in all (a shared `budget` list counts them), bounded nesting."""
    budget = [MAX_DECODED] if budget is None else budget
    if depth > 32:
        raise DecodeError("nested too deeply")
    if isinstance(value, list):
        budget[0] -= len(value)
        if budget[0] < 0:
            raise DecodeError("too large")
        return [decode(v, budget, depth + 1) for v in value]
    if isinstance(value, dict):
        if "__ndarray__" in value or "__npscalar__" in value:
            dtype = value.get("dtype")
            if dtype not in DTYPES:
                raise DecodeError(f"dtype {str(dtype)[:20]!r} is not allowed")
            if "__npscalar__" in value:
                item = value["__npscalar__"]
                if isinstance(item, (list, dict, str)) or item is None:
                    raise DecodeError("a number was expected")
                return np.dtype(dtype).type(item)
            shape = value.get("shape")
            if not (isinstance(shape, list) and len(shape) <= 32 and
                    all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d for d in shape)):
                raise DecodeError("bad shape")
            if int(np.prod(shape, dtype=object)) > budget[0]:
                raise DecodeError("too large")
            data = value["__ndarray__"]
            _check_nested(data, shape)
            budget[0] -= int(np.prod(shape, dtype=object))
            return np.array(data, dtype=dtype).reshape(shape)
        if "__tuple__" in value:
            if not isinstance(value["__tuple__"], list):
                raise DecodeError("bad tuple")
            return tuple(decode(value["__tuple__"], budget, depth + 1))
        budget[0] -= len(value)
        if budget[0] < 0:
            raise DecodeError("too large")
        return {str(k): decode(v, budget, depth + 1) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, str):
            budget[0] -= len(value) // 8
        return value
    raise DecodeError(f"a {type(value).__name__} cannot be decoded")


def _check_nested(data, shape):
    """`data` is nested lists of numbers exactly `shape` deep and wide."""
    if not shape:
        if isinstance(data, (list, dict, str)) or data is None:
            raise DecodeError("a number was expected")
        return
    if not isinstance(data, list) or len(data) != shape[0]:
        raise DecodeError("the data does not match its shape")
    for item in data:
        _check_nested(item, shape[1:])


_fixture_cache = {}


def load_fixture(assignment):
    if assignment not in _fixture_cache:
        path = FIXTURES / f"{assignment}.json"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: restore it from the kit, or regenerate it with "
                                    f"`python -m coursekit fixtures {assignment}`.")
        _fixture_cache[assignment] = json.loads(path.read_text())["functions"]
    return _fixture_cache[assignment]


# ---------------------------------------------------------------------------------------------- unfilled stubs

def stub_is_empty(source):
    """True if the first `# YOUR CODE STARTS HERE` block in `source` holds only blank lines and comments."""
    lines = source.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == STUB_BEGIN]
    if not starts:
        return False
    for line in lines[starts[0] + 1:]:
        text = line.strip()
        if text == STUB_END:
            return True
        if text and not text.startswith("#"):
            return False
    return False


_stubs = {}  # function name -> shapes of its released stubs (from the fixtures of the assignments imported)


def code_shape(source):
    """A function's code without its comments and layout (so `s = None` rewritten to `s = 1 / ...` differs)."""
    return ast.dump(ast.parse(textwrap.dedent(source)).body[0])


def register_stubs(assignment):
    """Know the released stubs of an assignment's functions (called when its public tests are imported)."""
    path = FIXTURES / f"{assignment}.json"
    if path.exists():
        for name, source in json.loads(path.read_text()).get("stubs", {}).items():
            _stubs.setdefault(name, set()).add(code_shape(source))


def is_unfilled(func):
    """True if `func` is still the released stub: its YOUR CODE block empty and nothing else in it changed (code
    written elsewhere in it, e.g. on its `s = None` line, counts as an answer)."""
    if getattr(func, "__kit_unfilled__", False):
        return True
    try:
        source = inspect.getsource(func)
        if not stub_is_empty(source):
            return False
        stubs = _stubs.get(getattr(func, "__name__", None))
        return stubs is None or code_shape(source) in stubs
    except (OSError, TypeError, SyntaxError, IndexError):
        return False


def not_implemented(name):
    return NotImplementedYet(f"{name}() is not implemented yet: write your code between '{STUB_BEGIN}' and "
                             f"'{STUB_END}' in its cell, run that cell, then run this one again.",
                             reason=f"{name}() is not implemented yet")


# ---------------------------------------------------------------------------------------------- comparing values

def show(value):
    """A compact one-line picture of a value for messages."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=8, edgeitems=2, separator=", ")
        return " ".join(text.split()) + f"  (shape {value.shape}, dtype {value.dtype})"
    if isinstance(value, dict):
        return "a dict with keys " + ", ".join(repr(k) for k in value)
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return repr(value) + f"  ({type(value).__name__})"


def _is_number(value):
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def _ratio_hint(expected, got):
    """Name a systematic difference (sign, constant factor) between two float arrays of the same shape."""
    expected = np.asarray(expected, dtype=float)
    got = np.asarray(got, dtype=float)
    mask = np.abs(expected) > 1e-12
    if not mask.any() or not np.all(np.isfinite(got)):
        return ""
    ratios = got[mask] / expected[mask]
    r = float(np.median(ratios))
    if abs(r - 1) > 1e-6 and np.allclose(ratios, r, rtol=1e-6):
        if abs(r + 1) < 1e-6:
            return "every value has the wrong sign."
        return (f"every value is {r:.6g} times the expected one: a missing or extra constant factor "
                f"(the 1/m? a factor of 2? the learning rate?).")
    return ""


def compare(expected, got, var, case):
    """Return None if `got` matches `expected`, else (variable, message, generic hint)."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return var, f"expected a dict with keys {sorted(expected)}, got {show(got)}", ""
        missing = [k for k in expected if k not in got]
        if missing:
            return var, f"is missing the key(s) {missing}", f"the dict must have the keys {list(expected)}."
        for key in expected:
            diff = compare(expected[key], got[key], f'{var}["{key}"]', case)
            if diff:
                return diff
        return None
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return var, f"expected a {type(expected).__name__} of {len(expected)} values, got {show(got)}", ""
        if len(got) != len(expected):
            return var, f"expected {len(expected)} values, got {len(got)}", "check what your function returns."
        names = case.outputs if var == "output" and len(case.outputs) == len(expected) else None
        for i, (e, g) in enumerate(zip(expected, got)):
            diff = compare(e, g, names[i] if names else f"{var}[{i}]", case)
            if diff:
                return diff
        return None
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray):
            if _is_number(got) and expected.size == 1 and not case.strict_types:
                got = np.asarray(got)
            else:
                return var, f"expected a numpy array {show(expected)}, got {show(got)}", \
                    "return a numpy array (np.dot, np.exp, ... all return arrays)."
        if type(got) is not np.ndarray:  # a subclass could override the comparisons below
            got = np.ndarray.view(got, np.ndarray)
        if got.shape != expected.shape:
            hint = "check the shapes of your matrix products."
            if got.shape == expected.shape[::-1]:
                hint = "it looks transposed: check the order of the product and where you use .T."
            elif tuple(d for d in got.shape if d != 1) == tuple(d for d in expected.shape if d != 1):
                hint = "a dimension of size 1 was dropped or added: use keepdims=True, or reshape."
            elif got.size == expected.size:
                hint = "the right number of values in the wrong shape: check your reshape."
            return var, f"has shape {got.shape}, expected {expected.shape}", hint
        if expected.dtype.kind in "fc" or got.dtype.kind in "fc":
            try:
                ok = np.allclose(got, expected, rtol=case.rtol, atol=case.atol, equal_nan=True)
            except TypeError:
                ok = False
        else:
            ok = np.array_equal(got, expected)
        if ok:
            return None
        hint = ""
        if got.dtype.kind in "fiub" and expected.dtype.kind in "fiub":
            hint = _ratio_hint(expected, got)
            if np.isnan(got.astype(float)).any() and not np.isnan(expected.astype(float)).any():
                hint = hint or "got NaN: a log of 0 or a division by 0?"
        return var, f"expected {show(expected)}\n     got {show(got)}", hint
    if _is_number(expected):
        if isinstance(got, np.ndarray) and got.size == 1 and not case.strict_types:
            got = got.reshape(-1)[0]
        if not _is_number(got):
            hint = "return a Python float, e.g. cost.item()." if case.strict_types else ""
            if isinstance(got, np.ndarray) and got.size > 1:
                hint = "an array came back where one number belongs: sum over all values, or check the axis."
            return var, f"expected a number {show(expected)}, got {show(got)}", hint
        if case.strict_types and isinstance(expected, float) and not isinstance(got, float):
            return var, f"expected a Python float, got {show(got)}", "convert with .item() or float()."
        if isinstance(expected, (int, np.integer)) and not isinstance(expected, float):
            ok = got == expected
        else:
            ok = bool(np.isclose(got, expected, rtol=case.rtol, atol=case.atol))
        if ok:
            return None
        return var, f"expected {expected!r}, got {got!r}", _ratio_hint(np.array([expected]), np.array([got]))
    if got != expected:
        return var, f"expected {show(expected)}, got {show(got)}", ""
    return None


# ---------------------------------------------------------------------------------------------- running a case

def _same(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a is b or a == b


def global_variables_read(func):
    """Names of plain data (not modules, functions or classes) the function reads from the notebook's globals."""
    found, codes = set(), [func.__code__]
    while codes:
        code = codes.pop()
        codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        for ins in dis.get_instructions(code):
            if ins.opname == "LOAD_GLOBAL" and ins.argval in func.__globals__:
                value = func.__globals__[ins.argval]
                if not (callable(value) or isinstance(value, types.ModuleType) or value is None):
                    found.add(ins.argval)
    return sorted(found)


def _student_line(exc):
    """'line 4: s = 1 / (1 + np.exp(x))' for the deepest frame in notebook code, if any."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if "site-packages" not in f.filename and not f.filename.startswith(str(Path(__file__).parent))]
    if not frames:
        return ""
    f = frames[-1]
    return f" (in {f.name}, line {f.lineno}: {f.line})" if f.line else f" (in {f.name})"


CRASH_HINTS = [
    ("could not be broadcast", "the shapes don't line up: check axis= and keepdims=True."),
    ("not aligned", "a matrix product with mismatched shapes: check the order of the factors and the .T."),
    ("matmul", "a matrix product with mismatched shapes: check the order of the factors and the .T."),
    ("can be converted to Python scalars", "math.* functions take one number: use np.exp, np.log, ... on arrays."),
    ("division by zero", "a division by zero: check the formula's denominator."),
]


def crash_hint(exc):
    text = f"{type(exc).__name__}: {exc}"
    return next((hint for key, hint in CRASH_HINTS if key in text), "")


def call(target, case):
    """Run one case; return (output, stdout, args_before, args_after)."""
    args = case.args()
    before = copy.deepcopy(args)
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        output = target(*args, **case.kwargs)
    return output, buffer.getvalue(), before, args


def observe(target, case):
    """Call the target on one case and note what happened (the part that must run beside the student's code).

    Returns a dict: output, stdout, modified (name of an input changed in place, or None), error ((what, hint) if
    the call raised, else None), etype (the exception's type name, or None).  A function that is still the
    released stub raises NotImplementedYet.
    """
    if is_unfilled(target):
        raise not_implemented(getattr(target, "__name__", "this function"))
    try:
        output, stdout, before, after = call(target, case)
    except NotImplementedYet:
        raise
    except Exception as exc:  # the student's code raised: say where
        what = f"your function raised {type(exc).__name__}: {exc}{_student_line(exc)}"
        return {"output": None, "stdout": "", "modified": None, "error": (what, crash_hint(exc) or case.hint),
                "etype": type(exc).__name__}
    modified = None
    for i, (b, a) in enumerate(zip(before, after)):
        if not _same(b, a):
            try:
                params = list(inspect.signature(target).parameters)
            except (TypeError, ValueError):
                params = []
            modified = params[i] if i < len(params) else f"argument {i + 1}"
            break
    return {"output": output, "stdout": stdout, "modified": modified, "error": None, "etype": None}


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def same_printed(got, expected, case):
    """Printed text equal up to the tolerance of the numbers in it (the last digit of a printed float can differ
    between machines and BLAS thread counts)."""
    if got == expected:
        return True
    if NUMBER.split(got) != NUMBER.split(expected):
        return False
    pairs = zip(NUMBER.findall(got), NUMBER.findall(expected))
    return all(a == b or np.isclose(float(a), float(b), rtol=case.rtol, atol=case.atol) for a, b in pairs)


def judge(seen, case, entry):
    """Return None if what was observed passes the case, else (variable, what, likely mistake)."""
    if seen["error"]:
        return ("(call)",) + tuple(seen["error"])
    if seen["modified"]:
        arg = seen["modified"]
        return arg, "was modified in place by your function", \
            f"don't change the input {arg}: compute a new array (x = x / n, not x /= n)."
    output, expected = seen["output"], entry["expected"]
    if output is None and expected is not None:
        return "output", "your function returned None", "did you forget the return statement?"
    diff = compare(expected, output, "output", case)
    if diff is None and case.check_stdout and not same_printed(seen["stdout"], entry["stdout"], case):
        diff = ("printed output", f"expected:\n{entry['stdout']}\n     got:\n{seen['stdout']}",
                "check what you print and when.")
    if diff is None:
        return None
    for message, wrong in entry.get("mistakes", []):
        if compare(wrong, output, "output", case) is None:
            return diff[0], diff[1], message
    return diff[0], diff[1], diff[2] or case.hint


def find_problem(target, case, entry, name):
    """Return None if the case passes, else (variable, what, likely mistake)."""
    return judge(observe(target, case), case, entry)


def check_target(name, target):
    if not callable(target):
        raise TestFailure(f"{name}_test expects your function itself, e.g. {name}_test({name}); got {show(target)}.")
    if isinstance(target, types.FunctionType):
        used = global_variables_read(target)
        if used:
            raise TestFailure(f"{name} reads the global variable(s) {', '.join(used)} from the notebook. "
                              f"Use only its parameters, so it works on any input.")


RECORD_MIME = "text/x-coursekit-record"
MAX_RECORD_STDOUT = 20_000  # characters of printed output kept per case
MAX_RECORD_VALUES = 5_000_000  # numbers in one returned value


def _count(value):
    """How many numbers `encode(value)` would write (without writing them)."""
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, (tuple, list)):
        return len(value) + sum(_count(v) for v in value)
    if isinstance(value, dict):
        return len(value) + sum(_count(v) for v in value.values())
    return 1


def grader_observe(target, request):
    """Called by the grader, never by a notebook: run `target` on the inputs the grader sent (JSON: [{"args",
    "kwargs", "random_state"}]) and display what happened as one record.  It judges nothing: which function, which inputs and what
    is right are the grader's, decided outside this kernel."""
    from IPython.display import display
    record = {"callable": callable(target), "globals": [], "seen": []}
    if callable(target) and isinstance(target, types.FunctionType):
        record["globals"] = global_variables_read(target)[:20]
    for spec in json.loads(request) if callable(target) else []:
        case = Case("", args=lambda spec=spec: tuple(decode(spec["args"])), kwargs=decode(spec["kwargs"]))
        np.random.set_state(decode(spec["random_state"]))
        try:
            seen = observe(target, case)
        except NotImplementedYet:
            record["seen"].append({"unfilled": True})
            break
        seen["error"] = seen["error"] and [seen["error"][0][:2000], seen["error"][1]]
        seen["stdout"] = seen["stdout"][:MAX_RECORD_STDOUT]
        try:
            if _count(seen["output"]) > MAX_RECORD_VALUES:
                raise TypeError("too large")
            seen["output"] = encode(seen["output"])
        except Exception:
            seen["output"] = None
            seen["error"] = ["your function returned something the grader cannot read (numbers, numpy arrays of "
                             "numbers, tuples, lists and dicts of them)", "return numbers and numpy arrays."]
            seen["etype"] = "UnreadableOutput"
        record["seen"].append(seen)
    display({RECORD_MIME: json.dumps(record)}, raw=True)


def run_cases(assignment, name, target, cases):
    """The public test: every case must pass; the first failure raises TestFailure with a full explanation."""
    check_target(name, target)
    entries = load_fixture(assignment)[name]
    for number, case in enumerate(cases, 1):
        entry = entries[number - 1]
        if entry["case"] != case.name:
            raise RuntimeError(f"fixture out of date for {name}: run `python -m coursekit fixtures {assignment}`")
        problem = find_problem(target, case, decode(entry), name)
        if problem:
            var, what, mistake = problem
            message = f"{name}: case {number} of {len(cases)} failed ({case.name}).\n  {var}: {what}"
            if mistake:
                message += f"\n  Likely mistake: {mistake}"
            raise TestFailure(message)
    print(f"{GREEN}All tests passed.{RESET}")


def make_test(assignment, name, cases):
    def test(target):
        run_cases(assignment, name, target, cases)
    test.__name__ = f"{name}_test"
    test.__qualname__ = test.__name__
    test.__doc__ = f"Check your `{name}` on {len(cases)} cases; say which case fails and why."
    return test


def make_tests(assignment, cases_by_function, namespace):
    """Define `<name>_test` for every function in `cases_by_function` inside `namespace` (a module's globals)."""
    register_stubs(assignment)
    names = []
    for name, cases in cases_by_function.items():
        namespace[f"{name}_test"] = make_test(assignment, name, cases)
        names.append(f"{name}_test")
    return names
