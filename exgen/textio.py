"""Small file helpers shared by the commands: paths checked before any work, UTF-8 text in with a
clear error, atomic writes out."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from exgen.errors import InputFileError


def read_utf8(path: str | Path, what: str, hint: str = "") -> str:
    """The text of a UTF-8 file (a BOM is fine). Errors name the file, and the line of a bad byte.
    `what` names the kind of file in the encoding hint ("roster", "answers")."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: not a file" if p.exists() else f"{p}: no such file{hint}")
    from exgen import limits
    limits.check("bytes", p.stat().st_size, limits.MAX_TABLE_BYTES, str(p))
    raw = p.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputFileError(f"{p}: line {line}: not UTF-8 text (byte 0x{raw[e.start]:02x}); "
                             f"save the {what} as CSV UTF-8") from None


def csv_rows(reader, source: str | Path):
    """The rows of a csv.reader (or DictReader), a malformed one (a cell over the csv module's
    field size limit, a NUL) as an InputFileError naming the file and line, never a csv.Error."""
    import csv
    it = iter(reader)
    while True:
        try:
            row = next(it)
        except StopIteration:
            return
        except csv.Error as e:
            line = getattr(reader, "reader", reader).line_num  # a DictReader's own count lags behind
            raise InputFileError(f"{source}: line {line}: cannot be parsed as CSV ({e})") from None
        yield row


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file so that it is either complete or not there: a temp file beside it, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the file gets the user's umask
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o22)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


class PathError(InputFileError):
    """A path given (on the command line or to the library) is missing, of the wrong kind, or cannot be read."""


def input_file(path: Path | str | None, hint: str = "") -> None:
    """Refuse at once an input FILE that is missing, a directory (or not a regular file) or unreadable."""
    if path is None:
        return
    p = Path(path)
    if not p.exists():
        raise PathError(f"{p}: no such file{hint}")
    if p.is_dir():
        raise PathError(f"{p}: is a directory, not a file{hint}")
    if not p.is_file():
        raise PathError(f"{p}: not a regular file (a device, socket or pipe?){hint}")
    try:
        with open(p, "rb"):
            pass
    except OSError as e:
        raise PathError(f"{p}: cannot read ({e.strerror or type(e).__name__})") from None


def input_dir(path: Path | str | None) -> None:
    """Refuse at once an input DIRECTORY that cannot be listed (missing or a file: the command says which)."""
    if path is None:
        return
    p = Path(path)
    if p.is_dir():
        try:
            next(os.scandir(p), None)
        except OSError as e:
            raise PathError(f"{p}: cannot read the directory ({e.strerror or type(e).__name__})") from None


def _file_ancestor(p: Path) -> Path | str | None:
    """The nearest existing ancestor of `p` if it is not a directory (then nothing can be made under it)."""
    for a in p.parents:
        if a.exists() or a.is_symlink():
            return None if a.is_dir() else a
    return None


def output_dir(path: Path | str | None) -> None:
    """Refuse at once an output DIRECTORY that is a file or lies under a file."""
    if path is None:
        return
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise PathError(f"{p}: is a file, not a directory; give --out a directory")
    a = _file_ancestor(p)
    if a is not None:
        raise PathError(f"{p}: cannot create it: {a} is a file, not a directory")


def output_file(path: Path | str | None, what: str = "it") -> None:
    """Refuse at once an output FILE that is a directory or lies under a file."""
    if path is None:
        return
    p = Path(path)
    if p.is_dir():
        raise PathError(f"{p}: cannot write {what}: is a directory, not a file")
    a = _file_ancestor(p)
    if a is not None:
        raise PathError(f"{p}: cannot write {what}: {a} is a file, not a directory")


def check_paths(inputs: list | tuple = (), input_dirs: list | tuple = (), outputs: list | tuple = ()) -> None:
    """The checks above for every path a run reads or writes (None entries are skipped)."""
    for f in inputs:
        input_file(f)
    for d in input_dirs:
        input_dir(d)
    for o in outputs:
        output_dir(o)
