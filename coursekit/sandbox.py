"""A sandbox for the kernels that execute student notebooks while grading.

    limits = Limits(memory_bytes=2 << 30)
    km = SandboxKernelManager(limits=limits, workdir=work)   # readable=(extra read-only paths,)
    NotebookClient(nb, km=km, timeout=limits.cell_timeout, allow_errors=True, ...).execute()
    cleanup(km)                      # shut the kernel down, kill everything it left behind
    protections()                    # which protections work on this machine (probed, never assumed)
    explain(error_output, limits)    # "Your notebook used more than 2 GiB of memory in cell 14." or None

The kernel is started through a launcher, `python -I -S .../sandbox.py launch CONFIG -- KERNEL CMD`.
It enters new namespaces and forks: its child is PID 1 of a new PID namespace, which builds the kernel's
file system, forks the kernel (PID 2), reaps orphans and, when the kernel ends, passes its wait status
to the launcher, which ends the same way (so jupyter_client sees the kernel's exit status).  The
kernel's stdout and stderr are a pipe that the launcher copies to its stderr.  When PID 1
ends, every process left in the namespace is killed.  All three share one process group: jupyter_client's
interrupts (SIGINT to the group) reach the kernel directly; the launcher and PID 1 ignore them.  Each
step is applied only where the machine allows it; what was applied is written to WORKDIR/.sandbox.json
(informative only: the student's code could rewrite it):

  allow_list      the kernel's root is a new tmpfs holding only: allowed_paths() (the interpreter, its
                  packages, the system libraries, /etc/ld.so.cache and /etc/localtime, the kit's
                  student-side folders) and `readable`, read-only; the workdir, read-write; private /tmp,
                  /var/tmp and /dev/shm; null, zero, full, random, urandom and tty in /dev; the PID
                  namespace's own /proc.  The host's root is detached (pivot_root): no other host file,
                  unix socket (/run, /tmp...) or /proc entry can be reached.
  pid_namespace   the kernel sees only its own processes (not the grader's command line or environment).
  ipc_namespace   SysV shared memory, semaphores and message queues, and POSIX message queues, are the
                  job's own and disappear with it.
  no_network      a new network namespace without interfaces: not even 127.0.0.1, nor the host's abstract
                  unix sockets.  The kernel talks to the grader over unix sockets in the workdir.
  clean_env       the kernel's environment: PATH, LANG, LANGUAGE, LC_*, TZ, TERM, and the sandbox's own
                  (HOME in the workdir, one BLAS thread...), nothing else of the grader's.
  rlimits         RLIMIT_AS / CPU / FSIZE / CORE from Limits.
  unprivileged_uid  (root only) the kernel runs as a uid of its own (200000-264999, from the workdir),
                  which owns only the workdir, and cleanup() can kill every process it started.
  process_limit   RLIMIT_NPROC, which counts per uid, so it only applies with unprivileged_uid.
Without root a user namespace is tried for the namespace-based protections (many laptops allow it).
"""
import ctypes
import errno
import json
import os
import resource
import select
import signal
import sys

RECORD = ".sandbox.json"
NAMES = ("rlimits", "unprivileged_uid", "process_limit", "no_network", "allow_list", "pid_namespace",
         "ipc_namespace", "clean_env")
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = (
    0x20000, 0x8000000, 0x10000000, 0x20000000, 0x40000000)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_NOATIME, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 32, 1024, 4096, 16384, 1 << 18)
MNT_DETACH, PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 2, 1, 4
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(os.uname().machine)
KEEP_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM")  # and LC_*
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
IGNORED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)  # by the launcher and PID 1


# --- the launcher: confine, then exec the kernel.  It runs as `python -I -S` and imports only the
# --- modules above, so that it costs ~20 ms of CPU per kernel.

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


def _unshare(flags):
    """New namespaces; without root, inside a new user namespace mapping us to ourselves."""
    if os.geteuid() == 0:
        return _check(_libc.unshare(flags), "unshare")
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(flags | CLONE_NEWUSER), "unshare (user namespace)")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _bind(source, target, writable=False):
    """Bind `source` (a path or /proc/self/fd/N) on `target`, created as an empty file or folder."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | (0 if writable else MS_REC))  # not the workdir's staging tmpfs
    kept = os.statvfs(target).f_flag & (MS_NOEXEC | MS_NOATIME)  # a user namespace may not drop these
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | kept | (0 if writable else MS_RDONLY))


def _tmpfs(target, mode, size):
    os.makedirs(target, exist_ok=True)
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode},size={size}")


def _new_root(work, readable, tmp_bytes):
    """Build the kernel's file system on a tmpfs and pivot into it (the old root is detached).  The tmpfs
    is staged over the workdir, a folder we know exists; the workdir itself is bound back by descriptor."""
    paths, links = set(), {}
    for path in filter(os.path.exists, readable):
        real = os.path.realpath(path)
        paths.add(real)
        if real != os.path.abspath(path):  # e.g. /lib -> usr/lib: the same link in the new root
            links[os.path.abspath(path)] = os.readlink(path) if os.path.islink(path) else real
    outer = [p for p in sorted(paths) if not any(_inside(p, q) and p != q for q in paths)]
    work_fd = os.open(work, os.O_PATH)
    _tmpfs(work, "0755", 1 << 20)
    try:
        _tmpfs(work + "/dev", "0755", 1 << 16)
        for name in DEVICES:
            if os.path.exists(f"/dev/{name}"):
                os.close(os.open(f"{work}/dev/{name}", os.O_CREAT))
                _mount(f"/dev/{name}", f"{work}/dev/{name}", None, MS_BIND)
        for i, name in enumerate(("stdin", "stdout", "stderr")):
            os.symlink(f"/proc/self/fd/{i}", f"{work}/dev/{name}")
        os.symlink("/proc/self/fd", f"{work}/dev/fd")
        for folder in ("/tmp", "/var/tmp", "/dev/shm"):
            _tmpfs(work + folder, "1777", tmp_bytes)
        for path in outer:
            _bind(path, work + path)
        for path, target in links.items():
            if not os.path.lexists(work + path):
                os.makedirs(os.path.dirname(work + path), exist_ok=True)
                os.symlink(target, work + path)
        _bind(f"/proc/self/fd/{work_fd}", work + work, writable=True)
        os.makedirs(work + "/proc")
        _mount("proc", work + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _mount(None, work, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        if SYS_PIVOT_ROOT is None:
            raise OSError(errno.ENOSYS, f"pivot_root: syscall number unknown on {os.uname().machine}")
        os.chdir(work)
        _check(_libc.syscall(ctypes.c_long(SYS_PIVOT_ROOT), b".", b"."), "pivot_root")
        _check(_libc.umount2(b".", MNT_DETACH), "umount the old root")
    except OSError:
        _libc.umount2(work.encode(), MNT_DETACH)
        raise
    finally:
        os.close(work_fd)
    os.chdir(work)


def _blocked(path):
    """The outermost ancestor of `path` that other users can't enter (e.g. /root holding pyenv)."""
    parts = os.path.realpath(path).split("/")
    for i in range(2, len(parts)):
        folder = "/".join(parts[:i])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _kernel_env(work):
    """A clean environment (no grader variable) with home, config and caches in WORKDIR/.home.
    Copies our matplotlib font cache there: rebuilding it would cost every kernel ~0.3 s."""
    home = os.path.join(work, ".home")
    for sub in (".ipython", ".matplotlib", ".jupyter/runtime", ".cache"):
        os.makedirs(os.path.join(home, sub), exist_ok=True)
    cache = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib")
    for name in os.listdir(cache) if os.path.isdir(cache) else ():
        if name.startswith("fontlist-") and name.endswith(".json"):
            with open(os.path.join(cache, name), "rb") as src, open(f"{home}/.matplotlib/{name}", "wb") as dst:
                dst.write(src.read())
    env = {k: v for k, v in os.environ.items() if k in KEEP_ENV or k.startswith("LC_")}
    env.setdefault("PATH", os.defpath)
    env.update(HOME=home, IPYTHONDIR=f"{home}/.ipython", MPLCONFIGDIR=f"{home}/.matplotlib",
               JUPYTER_RUNTIME_DIR=f"{home}/.jupyter/runtime", XDG_CACHE_HOME=f"{home}/.cache", TMPDIR="/tmp",
               MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MALLOC_ARENA_MAX="2", PYTHONDONTWRITEBYTECODE="1",
               JPY_PARENT_PID="1")  # true in the namespace: ipykernel neither polls it nor prints a banner
    return env


def _chown_tree(root, uid, gid):
    os.lchown(root, uid, gid)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), uid, gid)


def _wait(child, status_pipe, output):
    """The launcher: pass the kernel's output on to our stderr and wait for PID 1 (killing it if the
    grader dies); return the kernel's wait status."""
    parent, pidfd = os.getppid(), os.pidfd_open(child)
    watched = [pidfd, output]
    while watched:  # until PID 1 has ended and every writer of `output` with it
        ready = select.select(watched, [], [], 1.0)[0]
        for fd in ready:
            data = os.read(fd, 1 << 16) if fd == output else b""
            if not data:
                watched.remove(fd)
            while data:
                data = data[os.write(2, data):]
        if os.getppid() != parent:
            os.kill(child, signal.SIGKILL)
    status = os.waitpid(child, 0)[1]
    return int(os.read(status_pipe, 32) or status)


def _end_like(status):
    """End this process as the kernel ended: same exit code, or killed by the same signal."""
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        code = 128 - code
    os._exit(code)


def _init(kernel, status_pipe):
    """PID 1: reap every orphan; when the kernel ends, report its status and end (killing the rest)."""
    while True:
        pid, status = os.wait()
        if pid == kernel:
            try:
                os.write(status_pipe, str(status).encode())
            finally:  # the launcher may be gone already
                os._exit(0)


def _confine(cfg, program, then):
    """Apply every protection this machine allows, then call `then(record)` in the confined process (it
    execs the kernel, or runs the probe's checks).  Only that process returns from here."""
    limits, work, uid = cfg["limits"], cfg["workdir"], cfg["uid"]
    root = os.geteuid() == 0
    on, why = dict.fromkeys(NAMES, False), {}
    env = _kernel_env(work)
    for sig in IGNORED:  # they reach the kernel through the process group we share
        signal.signal(sig, signal.SIG_IGN)

    try:  # 1. namespaces; this process stays outside, waiting for PID 1 of the new PID namespace
        _unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | (0 if limits["network"] else CLONE_NEWNET))
        namespace = True
    except OSError as e:
        namespace = False
        why.update(dict.fromkeys(("no_network", "allow_list", "pid_namespace", "ipc_namespace"),
                                 f"no namespaces ({e.strerror or e})"))
    if namespace:
        (status_read, status_write), (output_read, output_write) = os.pipe(), os.pipe()
        child = os.fork()
        if child:
            os.close(status_write), os.close(output_write)
            _end_like(_wait(child, status_read, output_read))
        os.close(status_read), os.close(output_read)
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        _libc.prctl(PR_SET_DUMPABLE, 0)  # its /proc/1/environ (the grader's) stays closed even to our uid
        on["ipc_namespace"] = True
        if limits["network"]:
            why["no_network"] = "Limits.network is True"
        else:
            on["no_network"] = True
        try:  # 2. the file system: an allow-list, with this namespace's own /proc
            _mount(None, "/", None, MS_REC | MS_PRIVATE)
            _new_root(work, cfg["readable"], limits["tmp_bytes"])
            on["allow_list"] = on["pid_namespace"] = True
        except OSError as e:
            why["allow_list"] = str(e)
            try:
                _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
                on["pid_namespace"] = True
            except OSError as e:
                why["pid_namespace"] = str(e)
        kernel = os.fork()
        if kernel:
            os.close(output_write)
            _init(kernel, status_write)
        os.close(status_write)
        for fd in (1, 2):  # a pipe to the launcher, not the grader's own stdout/stderr (a log file to reopen)
            os.dup2(output_write, fd)
        os.close(output_write)
    for sig in IGNORED:
        signal.signal(sig, signal.SIG_DFL)

    def step(name, action):
        try:
            action()
            on[name] = True
        except OSError as e:
            on[name], why[name] = False, str(e)

    os.environ.clear()  # 3. the kernel's environment
    os.environ.update(env)
    on["clean_env"] = True
    blocked = root and not on["allow_list"] and _blocked(program)

    def rlimits():  # 4. resource limits (never above the current hard limit)
        wanted = {resource.RLIMIT_AS: (limits["memory_bytes"],) * 2, resource.RLIMIT_CORE: (0, 0),
                  resource.RLIMIT_CPU: (limits["cpu_seconds"], limits["cpu_seconds"] + 1),
                  resource.RLIMIT_FSIZE: (limits["max_file_bytes"],) * 2}
        if root and not blocked:
            wanted[resource.RLIMIT_NPROC] = (limits["max_processes"],) * 2
        for kind, (soft, hard) in wanted.items():
            current = resource.getrlimit(kind)[1]
            hard = hard if current == resource.RLIM_INFINITY else min(hard, current)
            resource.setrlimit(kind, (min(soft, hard), hard))
    step("rlimits", rlimits)

    def drop():  # 5. the job's own uid, owning only the workdir
        _chown_tree(work, uid, uid)
        os.setgroups([]), os.setgid(uid), os.setuid(uid)
        try:
            os.setuid(0)
        except PermissionError:
            return
        raise OSError("could still become root again")

    if not root:
        why["unprivileged_uid"] = why["process_limit"] = "not root: the kernel runs as your own user"
    elif blocked:
        why["unprivileged_uid"] = why["process_limit"] = f"{blocked} is closed to other users"
    else:
        step("unprivileged_uid", drop)
        on["process_limit"] = on["unprivileged_uid"] and on["rlimits"]
        if not on["process_limit"]:
            why["process_limit"] = why.get("unprivileged_uid") or why.get("rlimits")
    why = {k: v for k, v in why.items() if not on[k]}
    then({"protections": {**on, "reasons": why}, "uid": os.getuid(), "gid": os.getgid(), "limits": limits,
          "readable": cfg["readable"] if on["allow_list"] else None})


def _probe(record, cfg):
    """Inside the probe process: check from the inside that each protection holds."""
    import socket
    on, why = record["protections"], record["protections"]["reasons"]

    def refute(name, reason):
        if on[name]:
            on[name], why[name] = False, reason
    if os.path.exists(cfg["probe"]["secret"]):
        refute("allow_list", "a file outside the allow-list was visible")
    if set(filter(str.isdigit, os.listdir("/proc"))) - {"1", str(os.getpid())}:
        refute("pid_namespace", "/proc showed other processes")
    if os.readlink("/proc/self/ns/ipc") == cfg["probe"]["ipc"]:
        refute("ipc_namespace", "the IPC namespace was the grader's")
    if "COURSEKIT_PROBE" in os.environ:
        refute("clean_env", "a variable of the grader's environment was passed on")
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
        refute("no_network", "127.0.0.1 was still reachable")
    except OSError as e:
        if e.errno != errno.ENETUNREACH:
            refute("no_network", f"127.0.0.1 was reachable ({e.strerror})")
    if on["unprivileged_uid"] and os.getuid() != cfg["uid"]:
        refute("unprivileged_uid", "uid did not change")
    with open(os.path.join(cfg["workdir"], RECORD), "w") as f:
        json.dump(record, f)


def _launch(record, cfg, cmd):
    with open(os.path.join(cfg["workdir"], RECORD), "w") as f:
        json.dump({**record, "kernel": cmd}, f, indent=1)
    os.execvp(cmd[0], cmd)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) >= 2 and argv[0] == "probe":
        cfg = json.loads(argv[1])
        return _confine(cfg, sys.executable, lambda record: _probe(record, cfg))
    if len(argv) < 4 or argv[0] != "launch" or argv[2] != "--":
        sys.exit("usage: python -I -S sandbox.py launch CONFIG_JSON -- KERNEL_COMMAND...")
    cfg, cmd = json.loads(argv[1]), argv[3:]
    _confine(cfg, cmd[0], lambda record: _launch(record, cfg, cmd))


if __name__ == "__main__":
    sys.exit(main())

# --- the grader's side --------------------------------------------------------------------------

import dataclasses  # noqa: E402
import hashlib  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from jupyter_client import AsyncKernelManager  # noqa: E402

from coursekit import ROOT  # noqa: E402

LAUNCHER = [sys.executable, "-I", "-S", os.path.abspath(__file__)]
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache", "/etc/localtime")
STUDENT_SIDE = ("utils", "public_tests", "datasets", "images")  # of ROOT


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


def allowed_paths():
    """What every kernel may read: the interpreter and its packages, the system libraries they load, and
    the kit's student-side folders (nothing else of ROOT)."""
    paths = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix, *SYSTEM,
             *(str(ROOT / name) for name in STUDENT_SIDE)}
    return sorted(p for p in paths if os.path.lexists(p))


def _config(limits, workdir, readable=()):
    workdir = Path(workdir).resolve()
    uid = job_uid(workdir) if os.geteuid() == 0 else os.getuid()
    return {"limits": dataclasses.asdict(limits), "workdir": str(workdir), "uid": uid,
            "readable": allowed_paths() + [str(Path(p).absolute()) for p in readable]}


# --- protections: probed once per process -------------------------------------------------------

_PROBED = None


def protections():
    """Which protections work here: {name: bool for each of NAMES, "reasons": {name: why it is off}}
    ("reasons" is the one key that is not a bool).  Found once per process by running the launcher's
    own confinement in a throwaway process and checking from inside that it holds."""
    global _PROBED
    if _PROBED is None:
        with tempfile.TemporaryDirectory(prefix="coursekit-probe-") as tmp:
            work, secret = Path(tmp, "work"), Path(tmp, "secret.txt")
            work.mkdir(), secret.write_text("s")
            cfg = {**_config(Limits(), work), "probe": {"secret": str(secret), "ipc": os.readlink("/proc/self/ns/ipc")}}
            out = None
            try:
                out = subprocess.run([*LAUNCHER, "probe", json.dumps(cfg)], cwd=work, capture_output=True, text=True,
                                     timeout=60, env=dict(os.environ, COURSEKIT_PROBE="1"))
                _PROBED = json.loads((work / RECORD).read_text())["protections"]
            except (OSError, subprocess.SubprocessError, ValueError, KeyError) as e:
                why = f"the probe failed: {e!r} {out.stderr.strip()[-300:] if out else ''}"
                _PROBED = {**dict.fromkeys(NAMES, False), "reasons": dict.fromkeys(NAMES, why)}
    return json.loads(json.dumps(_PROBED))  # a copy


# --- the kernel manager ---------------------------------------------------------------------------

class SandboxKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel is started through the sandbox launcher.

    `readable`: paths the kernel may read beyond allowed_paths().  It uses ipc transport: the connection
    file and the sockets (.kernel.json, .kernel-ipc-N) are in the workdir, so they work inside a network
    namespace without interfaces.  After `notebook_timeout` seconds the kernel and its processes are
    killed (nbclient then raises DeadKernelError)."""

    def __init__(self, limits=None, workdir=".", readable=(), **kwargs):
        workdir = Path(workdir).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        ip = str(workdir / ".kernel-ipc")
        if len(ip) > 100:  # sun_path holds 107 bytes, and zmq adds "-N"
            raise ValueError(f"workdir path too long for unix sockets ({len(ip)} > 100 chars): {workdir}")
        super().__init__(transport="ipc", connection_file=str(workdir / ".kernel.json"), ip=ip, **kwargs)
        self.limits = limits or Limits()
        self.workdir = workdir
        self.readable = [Path(p) for p in readable]
        self.uid = job_uid(workdir)
        self.exit_status = None  # the kernel's return code, once cleanup() saw it (-N: killed by signal N)
        self.timed_out = False   # True if the notebook_timeout killed it
        self._timer = None

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        return [*LAUNCHER, "launch", json.dumps(_config(self.limits, self.workdir, self.readable)), "--", *cmd]

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


def cleanup(km, client=None):
    """Shut the kernel down and kill every process it left behind (the launcher's process group, which
    holds PID 1 of the job's PID namespace, so the whole namespace; and all processes of the job's uid),
    give the workdir back to us.  Safe to call more than once."""
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

def size_text(n):
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
        return f"Your notebook used more than {size_text(limits.memory_bytes)} of memory{where}."
    if "File too large" in text or "EFBIG" in text:
        return f"Your notebook wrote a file larger than {size_text(limits.max_file_bytes)}{where}."
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
