"""Intake of a class's submissions: from nbgrader's `submitted/<student>/<ID>/`, a folder or a zip of
`<student>.ipynb` files, one (student, bytes) at a time.

Student ids come from file and folder names, so they are checked (a safe alphabet, bounded length, never starting
with "."); two files for one student are both refused; no symbolic link is ever followed; every read has a hard size
limit, and a zip a cap on its entries and its total inflated bytes.  A refused entry comes back with a one-line
reason instead of its bytes: it is shown, never graded, and never stops the others.
"""
import os
import stat
import string
import zipfile
import zlib
from pathlib import Path

from coursekit import job
from coursekit.sandbox import size_text
from coursekit.sanitize import terminal_text as printable  # re-exported: the grade table prints with it

ID_CHARS = frozenset(string.ascii_letters + string.digits + "_-.@")
MAX_ID = 64
ID_RULE = "letters, digits, _ - . @; at most 64; not starting with ."
MAX_ZIP_ENTRIES = 20_000
MAX_ZIP_BYTES = 8 << 30  # inflated, all entries together


class UsageError(Exception):
    """A bad argument: one line naming the thing and the fix (the grade command exits with status 2)."""


class Refused(Exception):
    """One submission that is not graded; str() is the reason."""


def id_problem(student):
    """Why `student` cannot be a student id (it names folders and gradebook rows), or None."""
    if not student:
        return "is empty"
    if student.startswith("."):
        return "starts with ."
    if len(student) > MAX_ID:
        return f"is longer than {MAX_ID} characters"
    bad = sorted(set(student) - ID_CHARS)
    return f"has a character that is not allowed ({bad[0]!r})" if bad else None


def check_arguments(assignment, course, source, workers):
    """Raise UsageError for arguments that cannot work, before anything is read or written."""
    from coursekit import assignments
    known = assignments()
    if assignment not in known:
        raise UsageError(f"unknown assignment {assignment}: known are {', '.join(known)} (masters in source/<ID>/)")
    course = Path(course)
    if not course.is_dir():
        raise UsageError(f"--course {course}: no such folder; give an nbgrader course folder")
    if not (course / "source" / assignment).is_dir():
        raise UsageError(f"--course {course} has no source/{assignment}/: copy the master's folder there "
                         f"(nbgrader records the assignment from it)")
    if workers < 1:
        raise UsageError(f"--workers {workers}: give at least 1")
    if source is not None:
        source = Path(source)
        if not source.exists():
            raise UsageError(f"--submissions {source}: no such file or folder; give a folder or a .zip of "
                             f"<student>.ipynb files")
        if not source.is_dir():
            try:
                with zipfile.ZipFile(source) as archive:
                    entries = len(archive.infolist())
            except (zipfile.BadZipFile, OSError) as exc:
                raise UsageError(f"--submissions {source} is not a zip file ({printable(exc)}); give a folder or a "
                                 f".zip of <student>.ipynb files") from None
            if entries > MAX_ZIP_ENTRIES:
                raise UsageError(f"{source.name} has {entries:,} entries; at most {MAX_ZIP_ENTRIES:,} are read: split "
                                 f"it into smaller zips")


def read_limited(stream, limit):
    """At most limit + 1 bytes of a stream, read a MiB at a time (one read(limit) would allocate the whole limit)."""
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_file(path, label=None):
    """The bytes of a regular file, not through a symbolic link, at most job.MAX_NOTEBOOK_BYTES."""
    label = label or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise Refused(f"{label} is a symbolic link (not followed)" if os.path.islink(path) else
                      f"{label} cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Refused(f"{label} is not a regular file")
        data = read_limited(f, job.MAX_NOTEBOOK_BYTES)
    if len(data) > job.MAX_NOTEBOOK_BYTES:
        raise Refused(f"{label} is larger than {size_text(job.MAX_NOTEBOOK_BYTES)}")
    return data


def store(course, student, assignment, name, content):
    """Write content to course/submitted/<student>/<assignment>/<name> without following any link; return the path.
    Refused if a folder on the way is a link."""
    fds = [os.open(course, os.O_RDONLY | os.O_DIRECTORY)]
    try:
        for part, shown in [("submitted", "submitted"), (student, f"submitted/{student}"),
                            (assignment, f"submitted/{student}/{assignment}")]:
            try:
                os.mkdir(part, dir_fd=fds[-1])
            except FileExistsError:
                pass
            try:
                fds.append(os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fds[-1]))
            except OSError:
                raise Refused(f"{shown} is a symbolic link (not followed)" if stat.S_ISLNK(
                    os.lstat(part, dir_fd=fds[-1]).st_mode) else f"{shown} is not a folder") from None
        partial = f".{name}.partial"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644, dir_fd=fds[-1])
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(partial, name, src_dir_fd=fds[-1], dst_dir_fd=fds[-1])  # replaces a link, never writes through
    finally:
        for fd in fds:
            os.close(fd)
    return Path(course) / "submitted" / student / assignment / name


def submissions(course, assignment, source=None):
    """Yield (student, where, content, reason) one at a time: content is the submission's bytes, or None and reason
    says why it is refused.  `where` names the file (e.g. submitted/zoe/ID/X.ipynb, export.zip:zoe.ipynb)."""
    course = Path(course)
    if source is None:
        yield from _from_submitted(course, assignment)
    elif Path(source).is_dir():
        yield from _from_folder(Path(source))
    else:
        yield from _from_zip(Path(source))


def _refuse_both(found):
    """[(student, where, reader)] -> the same with every student that has two files refused (both named)."""
    by_student = {}
    for student, where, reader in found:
        by_student.setdefault(student, []).append((where, reader))
    for student, files in sorted(by_student.items()):
        if len(files) == 1:
            yield student, files[0][0], files[0][1]
        else:
            first, second = sorted(where for where, _ in files)[:2]
            yield student, first, Refused(f"two files for student {student}: {first} and {second}; keep one")


def _checked(found):
    """Read each (student, where, reader) that passed; refuse bad ids and duplicates."""
    for student, where, reader in _refuse_both(found):
        problem = id_problem(student)
        if problem:
            reader = Refused(f"{where}: the student id {student!r} {problem}; rename it ({ID_RULE})")
        if isinstance(reader, Refused):
            yield student, where, None, str(reader)
            continue
        try:
            yield student, where, reader(), None
        except Refused as exc:
            yield student, where, None, str(exc)


def _from_submitted(course, assignment):
    """nbgrader's layout: submitted/<student>/<assignment>/<one notebook>."""
    root = course / "submitted"
    found = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name) if root.is_dir() else []:
        where = f"submitted/{entry.name}"
        if entry.is_symlink():
            found.append((entry.name, where, Refused(f"{where} is a symbolic link (not followed)")))
            continue
        folder = Path(entry.path) / assignment
        if not entry.is_dir() or not os.path.lexists(folder):
            continue
        if folder.is_symlink():
            found.append((entry.name, f"{where}/{assignment}",
                          Refused(f"{where}/{assignment} is a symbolic link (not followed)")))
            continue
        notebooks = sorted(p.name for p in folder.iterdir() if p.name.endswith(".ipynb")  # as nbgrader: no dot-files
                           and not p.name.startswith(".")) if folder.is_dir() else []
        if len(notebooks) > 1:
            first, second = (f"{where}/{assignment}/{name}" for name in notebooks[:2])
            found.append((entry.name, first, Refused(f"two notebooks for student {entry.name}: {first} and "
                                                     f"{second}; keep one")))
        elif notebooks:
            path, label = folder / notebooks[0], f"{where}/{assignment}/{notebooks[0]}"
            found.append((entry.name, label, lambda path=path, label=label: read_file(path, label)))
    yield from _checked(found)


def _from_folder(folder):
    """A folder of <student>.ipynb files (not its subfolders)."""
    found = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.endswith(".ipynb"):
            path = folder / entry.name
            found.append((entry.name[:-len(".ipynb")], str(path), lambda path=path: read_file(path)))
    yield from _checked(found)


def _from_zip(path):
    """A zip of <student>.ipynb files, in any folders; each entry read with a hard limit, the total capped."""
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:  # checked by check_arguments too; the zip may have changed since
            raise UsageError(f"{path.name} has {len(infos):,} entries; at most {MAX_ZIP_ENTRIES:,} are read: split "
                             f"it into smaller zips")
        left = [MAX_ZIP_BYTES]

        def read(info, where):
            if stat.S_ISLNK(info.external_attr >> 16):
                raise Refused(f"{where} is a symbolic link (not followed)")
            limit = min(job.MAX_NOTEBOOK_BYTES, left[0])
            try:
                with archive.open(info) as entry:
                    data = read_limited(entry, limit)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
                raise Refused(f"{where} cannot be read from the zip ({type(exc).__name__}: {exc})") from None
            if len(data) > job.MAX_NOTEBOOK_BYTES:
                raise Refused(f"{where} inflates to more than {size_text(job.MAX_NOTEBOOK_BYTES)}")
            if len(data) > left[0]:
                raise Refused(f"{path.name} inflates to more than {size_text(MAX_ZIP_BYTES)} in all; split it into "
                              f"smaller zips")
            left[0] -= len(data)
            return data

        found = []
        for info in infos:
            name = info.filename
            if name.endswith(".ipynb") and not info.is_dir() and not name.startswith("__MACOSX/"):
                where = f"{path.name}:{name}"
                reader = Refused(f"{where} is a path outside the zip") if name.startswith("/") or \
                    ".." in name.split("/") else lambda info=info, where=where: read(info, where)
                found.append((name.rsplit("/", 1)[-1][:-len(".ipynb")], where, reader))
        yield from _checked(found)
