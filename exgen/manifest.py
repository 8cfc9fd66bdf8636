"""The record an exgen output folder keeps of what exgen wrote in it (`.exgen-manifest.json`,
format version 1): the kind of output and, for every file, its size and SHA-256. Read back, it is
trusted only for paths exgen could have written (relative, inside the folder, reached without a
symbolic link). Used by `exgen.outdir`."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from exgen.errors import OutputExistsError

MANIFEST = ".exgen-manifest.json"
LOCK = ".exgen.lock"
STAGING = ".exgen-staging"
READY = ".exgen-ready"
RESERVED = frozenset({MANIFEST, LOCK, STAGING, READY})
MANIFEST_VERSION = 1
MARK = {"exam": "exam.json", "grades": "grades.csv"}  # a file every output of that kind has
WHAT = {"exam": "an exam (exgen generate)", "grades": "grades (exgen grade)"}



@dataclass
class Manifest:
    kind: str
    files: dict[str, dict] = field(default_factory=dict)  # path -> {"size": n, "sha256": hex}

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            kind, files = data["kind"], data["files"]
            if not (isinstance(kind, str) and kind in WHAT and isinstance(files, dict)
                    and all(isinstance(k, str) and _safe_rel(k) for k in files)
                    and not any(MARK[k] in files for k in MARK if k != kind)):
                raise TypeError  # (a "grades" record listing exam.json: its kind was edited)
            return cls(kind, {k: {"size": int(v["size"]), "sha256": str(v["sha256"])}
                              for k, v in files.items()})
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            raise OutputExistsError(f"{path}: exgen's record of this folder is damaged; exgen will not "
                                    "replace files it cannot account for: choose another --out") from None

    def dumps(self) -> str:
        return json.dumps({"format": "exgen-output", "version": MANIFEST_VERSION, "kind": self.kind,
                           "files": self.files}, indent=1, sort_keys=True) + "\n"

    def unchanged(self, root: Path, rel: str, st: os.stat_result) -> bool:
        """Is `root/rel` (with stat `st`) the file this manifest recorded?"""
        rec = self.files.get(rel)
        return (rec is not None and _safe_rel(rel) and _inside(root, rel) and rec["size"] == st.st_size
                and not os.path.islink(root / rel) and (root / rel).is_file()
                and rec["sha256"] == _sha256(root / rel))


def _safe_rel(rel: str) -> bool:
    """Is `rel` a path exgen could have written: relative, inside the folder, no `..`, no empty or
    `.` part, no backslash or control character, not one of exgen's own bookkeeping names?
    A manifest listing anything else was not written by exgen (a hand-edited `../x` or `/etc/x`
    must never make exgen delete or replace a file outside its folder)."""
    parts = rel.split("/")
    return (bool(rel) and not rel.startswith("/") and "\\" not in rel
            and not any(ord(c) < 32 or c == "\x7f" for c in rel)
            and all(x not in ("", ".", "..") for x in parts) and parts[0] not in RESERVED
            and not os.path.isabs(rel) and not (len(parts[0]) >= 2 and parts[0][1] == ":"))


def _inside(root: Path, rel: str) -> bool:
    """Is `root/rel` reached without passing through a symbolic link (the file itself may be one)?"""
    p = root
    for part in rel.split("/")[:-1]:
        p = p / part
        if p.is_symlink() or not p.is_dir():
            return False
    return True


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


_HASHED: dict[str, tuple[tuple[int, int, int, int], str]] = {}  # path -> (its stat, its SHA-256)


def hashed(path: Path, sha256: str) -> None:
    """Note the SHA-256 of the bytes just written to `path` (hashed while writing them), so that
    recording the file does not read it back. Used only while the file keeps the same inode, size
    and modification time; else the file is read and hashed (a file changed in between is then
    recorded as it is; a stale note could only make exgen refuse to replace it later, never
    replace a file it did not write)."""
    st = os.stat(path)
    _HASHED[os.fspath(path)] = ((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns), sha256)


def _record(root: Path, rel: str, st: os.stat_result) -> dict:
    got = _HASHED.pop(os.fspath(root / rel), None)
    if got is not None and got[0] == (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns):
        return {"size": st.st_size, "sha256": got[1]}
    return {"size": st.st_size, "sha256": _sha256(root / rel)}
