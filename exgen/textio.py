"""Small file helpers shared by the commands: UTF-8 text in with a clear error, atomic writes out."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputFileError


def read_utf8(path: str | Path, what: str, hint: str = "") -> str:
    """The text of a UTF-8 file (a BOM is fine). Errors name the file, and the line of a bad byte.
    `what` names the kind of file in the encoding hint ("roster", "answers")."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: not a file" if p.exists() else f"{p}: no such file{hint}")
    raw = p.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputFileError(f"{p}: line {line}: not UTF-8 text (byte 0x{raw[e.start]:02x}); "
                             f"save the {what} as CSV UTF-8") from None


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
