"""A sandbox for the kernels that execute student notebooks while grading.

    limits = Limits(memory_bytes=2 << 30)
    km = SandboxKernelManager(limits=limits, workdir=work, hidden_paths=[ROOT / "source", ...])
    NotebookClient(nb, km=km, timeout=limits.cell_timeout, allow_errors=True, ...).execute()
    cleanup(km)                      # shut the kernel down, kill everything it left behind
    protections()                    # which protections work on this machine (probed, never assumed)
    explain(error_output, limits)    # "Your notebook used more than 2 GiB of memory in cell 14." or None

The kernel is started through a launcher, `python -m coursekit.sandbox launch CONFIG -- KERNEL CMD`,
which confines itself and then execs the kernel.  Each step is applied only where the machine allows
it, and what was applied is written to WORKDIR/.sandbox.json (informative only: the student's code
could rewrite it, as it owns the workdir):

  no_network      new (empty) network namespace: not even 127.0.0.1 is reachable.  The kernel talks to
                  the grader over unix sockets in the workdir (transport="ipc"), which still work.
  hidden_paths    in a private mount namespace, an empty read-only tmpfs covers each hidden directory
                  and /dev/null each hidden file (masters, hidden tests, submissions, gradebook).
  private_tmp     /tmp, /var/tmp, /dev/shm and /run/lock are replaced by small private tmpfs's.
  rlimits         RLIMIT_AS / CPU / FSIZE / CORE from Limits.
  unprivileged_uid  (root only) the kernel runs as a uid of its own (200000-264999, from the workdir),
                  which owns only the workdir: it can't write anywhere else, and cleanup() can kill
                  every process it started.
  process_limit   RLIMIT_NPROC, which counts per uid, so it only applies with unprivileged_uid.
Without root a user namespace is tried for the namespace-based protections (many laptops allow it).
"""
import ctypes
import dataclasses
import errno
import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RECORD = ".sandbox.json"
NAMES = ("rlimits", "unprivileged_uid", "process_limit", "no_network", "hidden_paths", "private_tmp")
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
KEEP_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "VIRTUAL_ENV")  # and LC_*, JPY_*, PYTHON*, COURSEKIT_*


@dataclasses.dataclass
class Limits:
    """What one notebook may use.  Times in seconds, sizes in bytes; `dataclasses.asdict` is JSON."""
    cell_timeout: int = 60          # wall clock per cell (pass it to NotebookClient(timeout=...))
    notebook_timeout: int = 600     # wall clock for the whole kernel: killed after this
    cpu_seconds: int = 600          # RLIMIT_CPU of the kernel process (SIGXCPU)
    memory_bytes: int = 2 << 30     # RLIMIT_AS (address space) of each process
    max_processes: int = 64         # RLIMIT_NPROC: processes + threads of the job's uid
    max_file_bytes: int = 64 << 20  # RLIMIT_FSIZE: largest file it may write
    network: bool = False           # False: the kernel gets no network at all
    tmp_bytes: int = 64 << 20       # size of each private /tmp-like tmpfs


def job_uid(workdir):
    """The unprivileged uid (= gid) for a job: stable per workdir, no passwd entry needed."""
    return 200000 + int(hashlib.sha256(str(Path(workdir).resolve()).encode()).hexdigest(), 16) % 65000


# --- the launcher: confine this process, then exec the kernel ------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _mount(source, target, fstype=None, flags=0, data=None):
    def c_string(value):
        return None if value is None else str(value).encode()
    _check(_libc.mount(c_string(source), c_string(target), c_string(fstype), ctypes.c_ulong(flags),
                       c_string(data)), f"mount {target}")


def _unshare(network):
    """New mount (+ network) namespace; without root, inside a new user namespace mapping us to ourselves."""
    flags = CLONE_NEWNS | (0 if network else CLONE_NEWNET)
    if os.geteuid() == 0:
        return _check(_libc.unshare(flags), "unshare")
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(flags | CLONE_NEWUSER), "unshare (user namespace)")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        Path("/proc/self", name).write_text(text)


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _cover(target, keep=(), mode="0755", size=1 << 20, readonly=True):
    """Mount an empty tmpfs over directory `target`; bind the paths in `keep` (inside it) back."""
    keep = [p for p in keep if _inside(p, target) and p != target]
    fds = [(p, os.open(p, os.O_PATH)) for p in keep]  # before they disappear under the tmpfs
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode},size={size}")
    for path, fd in fds:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").close()
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
    if readonly:
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _blocked(path):
    """The outermost ancestor of `path` that other users can't enter (e.g. /root holding pyenv)."""
    parts = Path(path).parts
    for i in range(2, len(parts)):
        folder = os.path.join(*parts[:i])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _needed(cfg, program, hidden):
    """What the kernel must reach: workdir, connection file, the interpreter, and its sys.path (unless hidden)."""
    exe = shutil.which(program) or program
    paths = [cfg["workdir"], os.path.dirname(cfg["connection_file"]), sys.prefix, sys.base_prefix,
             os.path.dirname(os.path.realpath(exe))]
    paths += [p for p in sys.path if os.path.isabs(p) and not any(_inside(os.path.realpath(p), h) for h in hidden)]
    paths = sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})
    return [p for p in paths if not any(_inside(p, q) and p != q for q in paths)]


def _kernel_env(work):
    """A clean environment (no grader secrets) with home, config and caches in WORKDIR/.home.
    Copies our matplotlib font cache there: rebuilding it would cost every kernel ~0.3 s."""
    home = os.path.join(work, ".home")
    for sub in (".ipython", ".matplotlib", ".jupyter/runtime", ".cache"):
        os.makedirs(os.path.join(home, sub), exist_ok=True)
    cache = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib")
    for font_list in Path(cache).glob("fontlist-*.json"):
        shutil.copy(font_list, os.path.join(home, ".matplotlib"))
    env = {k: v for k, v in os.environ.items()
           if k in KEEP_ENV or k.startswith(("LC_", "JPY_", "PYTHON", "COURSEKIT_"))}
    env.update(HOME=home, IPYTHONDIR=f"{home}/.ipython", MPLCONFIGDIR=f"{home}/.matplotlib",
               JUPYTER_RUNTIME_DIR=f"{home}/.jupyter/runtime", XDG_CACHE_HOME=f"{home}/.cache", TMPDIR="/tmp",
               MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MALLOC_ARENA_MAX="2", PYTHONDONTWRITEBYTECODE="1")
    return env


def _chown_tree(root, uid, gid):
    os.lchown(root, uid, gid)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), uid, gid)


def _confine(cfg, program=sys.executable):
    """Apply every protection this machine allows to this process; return the record of what held."""
    limits, work, uid = Limits(**cfg["limits"]), cfg["workdir"], cfg["uid"]
    root = os.geteuid() == 0
    on, why = dict.fromkeys(NAMES, False), {}
    hidden = [os.path.realpath(p) for p in cfg["hidden"] if os.path.exists(p)]
    needed = _needed(cfg, program, hidden)
    env = _kernel_env(work)  # before anything is hidden

    try:  # 1. namespaces, mount changes private to them
        _unshare(limits.network)
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        namespace = True
        if limits.network:
            why["no_network"] = "Limits.network is True"
        else:
            on["no_network"] = True
    except OSError as e:
        namespace = False
        for name in ("no_network", "hidden_paths", "private_tmp"):
            why[name] = f"no mount/network namespace ({e.strerror or e})"

    def step(name, action):
        try:
            action()
            on[name] = True
        except OSError as e:
            on[name], why[name] = False, str(e)

    def hide():  # 2. empty read-only tmpfs over hidden folders, /dev/null over hidden files
        for path in hidden:
            if os.path.isdir(path):
                _cover(path, needed, mode="0555")
            else:
                _mount("/dev/null", path, None, MS_BIND)

    def private_tmp():  # 3. small private tmpfs over the world-writable folders
        for folder in SHARED_TMP:
            if os.path.isdir(folder) and os.stat(folder).st_mode & 0o002:
                _cover(folder, needed, mode="1777", size=limits.tmp_bytes, readonly=False)

    if namespace:
        step("hidden_paths", hide)
        step("private_tmp", private_tmp)

    # 4. the unprivileged uid must reach the interpreter: cover e.g. /root (0700), keeping only what's needed
    blocked = sorted({b for b in map(_blocked, needed) if b}) if root else []
    if blocked and namespace:
        try:
            for folder in blocked:
                _cover(folder, needed)
        except OSError:
            pass
        blocked = [b for b in map(_blocked, needed) if b]

    os.environ.clear()  # 5. the kernel's environment
    os.environ.update(env)

    def rlimits():  # 6. resource limits (never above the current hard limit)
        wanted = {resource.RLIMIT_AS: (limits.memory_bytes,) * 2, resource.RLIMIT_CORE: (0, 0),
                  resource.RLIMIT_CPU: (limits.cpu_seconds, limits.cpu_seconds + 1),
                  resource.RLIMIT_FSIZE: (limits.max_file_bytes,) * 2}
        if root and not blocked:
            wanted[resource.RLIMIT_NPROC] = (limits.max_processes,) * 2
        for kind, (soft, hard) in wanted.items():
            current = resource.getrlimit(kind)[1]
            hard = hard if current == resource.RLIM_INFINITY else min(hard, current)
            resource.setrlimit(kind, (min(soft, hard), hard))
    step("rlimits", rlimits)

    def drop():  # 7. the job's own uid, owning only the workdir
        _chown_tree(work, uid, uid)
        if not _inside(cfg["connection_file"], work):
            os.lchown(cfg["connection_file"], uid, uid)
        os.setgroups([]), os.setgid(uid), os.setuid(uid)
        try:
            os.setuid(0)
        except PermissionError:
            return
        raise OSError("could still become root again")

    if not root:
        why["unprivileged_uid"] = why["process_limit"] = "not root: the kernel runs as your own user"
    elif blocked:
        why["unprivileged_uid"] = why["process_limit"] = f"{blocked[0]} is closed to other users, can't cover it"
    else:
        step("unprivileged_uid", drop)
        on["process_limit"] = on["unprivileged_uid"] and on["rlimits"]
        if not on["process_limit"]:
            why["process_limit"] = why.get("unprivileged_uid") or why.get("rlimits")
    why = {k: v for k, v in why.items() if not on[k]}
    return {"protections": {**on, "reasons": why}, "uid": os.getuid(), "gid": os.getgid(),
            "limits": dataclasses.asdict(limits), "hidden": hidden if on["hidden_paths"] else []}


def _probe(cfg):
    """Inside the probe process: confine, then check from the inside that it holds."""
    record = _confine(cfg)
    on, why = record["protections"], record["protections"]["reasons"]

    def refute(name, reason):
        if on[name]:
            on[name], why[name] = False, reason
    secret, secret_file = cfg["hidden"]
    try:
        if open(secret_file).read() or os.listdir(secret):
            refute("hidden_paths", "a hidden path was still readable")
    except OSError:
        pass
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
        refute("no_network", "127.0.0.1 was still reachable")
    except OSError as e:
        if e.errno != errno.ENETUNREACH:
            refute("no_network", f"127.0.0.1 was reachable ({e.strerror})")
    if on["unprivileged_uid"] and os.getuid() != cfg["uid"]:
        refute("unprivileged_uid", "uid did not change")
    print(json.dumps(record))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) >= 2 and argv[0] == "probe":
        return _probe(json.loads(argv[1]))
    if len(argv) < 4 or argv[0] != "launch" or argv[2] != "--":
        sys.exit("usage: python -m coursekit.sandbox launch CONFIG_JSON -- KERNEL_COMMAND...")
    cfg, cmd = json.loads(argv[1]), argv[3:]
    record = _confine(cfg, cmd[0])
    Path(cfg["workdir"], RECORD).write_text(json.dumps({**record, "kernel": cmd}, indent=1))
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":  # the launcher needs only what is above: it starts fast
    sys.exit(main())

from jupyter_client import AsyncKernelManager  # noqa: E402


# --- protections: probed once per process -------------------------------------------------------

_PROBED = None


def protections():
    """Which protections work here: {name: bool for each of NAMES, "reasons": {name: why it is off}}
    ("reasons" is the one key that is not a bool).  Found once per process by running the launcher's
    own confinement in a throwaway process and checking from inside that it holds."""
    global _PROBED
    if _PROBED is None:
        with tempfile.TemporaryDirectory(prefix="coursekit-probe-") as tmp:
            work, secret = Path(tmp, "work"), Path(tmp, "secret")
            work.mkdir(), secret.mkdir(), (secret / "s").write_text("s"), Path(tmp, "s.txt").write_text("s")
            cfg = _config(Limits(), work, [secret, Path(tmp, "s.txt")], work / "kernel.json")
            out = None
            try:
                out = subprocess.run([sys.executable, "-m", "coursekit.sandbox", "probe", json.dumps(cfg)],
                                     cwd=work, capture_output=True, text=True, timeout=60)
                _PROBED = json.loads(out.stdout.splitlines()[-1])["protections"]
            except (OSError, subprocess.SubprocessError, IndexError, ValueError, KeyError) as e:
                why = f"the probe failed: {e!r} {out.stderr.strip()[-300:] if out else ''}"
                _PROBED = {**dict.fromkeys(NAMES, False), "reasons": dict.fromkeys(NAMES, why)}
    return json.loads(json.dumps(_PROBED))  # a copy


# --- the kernel manager ---------------------------------------------------------------------------

class SandboxKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel is started through the sandbox launcher.

    It uses ipc transport: the connection file and the sockets (.kernel.json, .kernel-ipc-N) are in the
    workdir, so they work inside a network namespace without interfaces.  After `notebook_timeout`
    seconds the kernel and its processes are killed (nbclient then raises DeadKernelError)."""

    def __init__(self, limits=None, workdir=".", hidden_paths=(), **kwargs):
        workdir = Path(workdir).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        ip = str(workdir / ".kernel-ipc")
        if len(ip) > 100:  # sun_path holds 107 bytes, and zmq adds "-N"
            raise ValueError(f"workdir path too long for unix sockets ({len(ip)} > 100 chars): {workdir}")
        super().__init__(transport="ipc", connection_file=str(workdir / ".kernel.json"), ip=ip, **kwargs)
        self.limits = limits or Limits()
        self.workdir = workdir
        self.hidden_paths = [Path(p) for p in hidden_paths]
        self.uid = job_uid(workdir)
        self.exit_status = None  # the kernel's return code, once cleanup() saw it (-N: killed by signal N)
        self.timed_out = False   # True if the notebook_timeout killed it
        self._timer = None

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        cfg = _config(self.limits, self.workdir, self.hidden_paths, self.connection_file)
        return [sys.executable, "-m", "coursekit.sandbox", "launch", json.dumps(cfg), "--", *cmd]

    async def start_kernel(self, **kw):
        await super().start_kernel(**kw)
        self._timer = threading.Timer(self.limits.notebook_timeout, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self):
        self.timed_out = True
        _kill_job(self)

    def record(self):
        """The launcher's record (WORKDIR/.sandbox.json) of what was applied, or None."""
        try:
            return json.loads((self.workdir / RECORD).read_text())
        except (OSError, ValueError):
            return None


def _config(limits, workdir, hidden, connection_file):
    workdir = Path(workdir).resolve()
    uid = job_uid(workdir) if os.geteuid() == 0 else os.getuid()
    return {"limits": dataclasses.asdict(limits), "workdir": str(workdir), "uid": uid,
            "hidden": [str(p) for p in hidden], "connection_file": str(Path(connection_file).resolve())}


def cleanup(km, client=None):
    """Shut the kernel down and kill every process it left behind (all processes of the job's uid,
    else the kernel's process group), give the workdir back to us.  Safe to call more than once."""
    if km._timer:
        km._timer.cancel()
    process = getattr(km.provisioner, "process", None)
    if process is not None and process.poll() is not None:
        km.exit_status = process.returncode
    if client is not None and client.kc is not None:
        client.kc.stop_channels()
    from jupyter_core.utils import run_sync
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # a dead or half-started kernel: killed below anyway
        pass
    _kill_job(km)
    if os.geteuid() == 0 and km.workdir.is_dir():
        _chown_tree(km.workdir, os.getuid(), os.getgid())


def _kill_job(km):
    pgid = getattr(km.provisioner, "pgid", None)
    if pgid:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
    if os.geteuid() == 0:
        kill_uid(km.uid)


def kill_uid(uid, tries=100, reap_wait=5.0):
    """Kill every process of `uid` (a fork bomb too): a shell running as `uid` does kill(-1, SIGKILL),
    which signals them all at once; repeat until /proc shows none alive.  Then wait up to `reap_wait` s
    for init to reap the orphans (zombies still count for RLIMIT_NPROC).  True if none is left."""
    for _ in range(tries):
        if not uid_processes(uid):
            break
        subprocess.run(["/bin/sh", "-c", "kill -9 -1"], user=uid, group=uid, extra_groups=[],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.01)
    deadline = time.monotonic() + reap_wait
    while uid_processes(uid, zombies=True) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not uid_processes(uid, zombies=True)


def uid_processes(uid, zombies=False):
    """PIDs of the processes whose real uid is `uid` (zombies only if asked)."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            status = Path("/proc", entry, "status").read_text()
        except (OSError, ValueError):
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)] and (zombies or not fields["State"].startswith("Z")):
            pids.append(int(entry))
    return pids


# --- explaining a limit to the student ----------------------------------------------------------

def _size(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):g} {unit}"
    return f"{n} bytes"


def explain(error, limits=None, cell=None, km=None):
    """A sentence for the student if `error` (an exception, an nbformat error output, or text) is a limit
    being hit, else None.  `cell` (a number) and `km` (after cleanup: how the kernel ended) add detail."""
    limits = limits or Limits()
    if isinstance(error, BaseException):
        name = " ".join(t.__name__ for t in type(error).__mro__)
        text = f"{error!r} {getattr(error, 'traceback', '')}"
    elif isinstance(error, dict):
        name, text = error.get("ename", ""), f"{error.get('evalue', '')} {' '.join(error.get('traceback', []))}"
    else:
        name, text = "", str(error)
    where = f" in cell {cell}" if cell is not None else ""
    if "CellTimeoutError" in name or "Cell execution timed out" in text:
        return f"Your notebook took longer than {limits.cell_timeout} s{where} (the limit per cell)."
    if "MemoryError" in name or "MemoryError" in text or "Cannot allocate memory" in text:
        return f"Your notebook used more than {_size(limits.memory_bytes)} of memory{where}."
    if "File too large" in text or "EFBIG" in text:
        return f"Your notebook wrote a file larger than {_size(limits.max_file_bytes)}{where}."
    if "BlockingIOError" in name or "Resource temporarily unavailable" in text or "new thread" in text:
        return f"Your notebook tried to start too many processes{where} (limit {limits.max_processes})."
    if "DeadKernel" in name or "Kernel died" in text or "kernel died" in text:
        status = getattr(km, "exit_status", None)
        if getattr(km, "timed_out", False):
            return f"Your notebook took longer than {limits.notebook_timeout} s in total and was stopped."
        if status == -signal.SIGXCPU:
            return f"Your notebook used more than {limits.cpu_seconds} s of CPU time{where}."
        detail = "" if status is None else f", exit status {status}"
        return f"The kernel stopped{where} (sys.exit / os._exit / killed{detail}): the cells after it did not run."
    return None


def explain_notebook(nb, limits=None):
    """[(cell number from 1, sentence)] for every error output of an executed notebook that is a limit."""
    found = []
    for number, cell in enumerate(nb.cells, 1):
        for output in cell.get("outputs", []):
            message = output.get("output_type") == "error" and explain(output, limits, cell=number)
            if message:
                found.append((number, message))
    return found
