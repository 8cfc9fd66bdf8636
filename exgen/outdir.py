"""Output folders that exgen owns: it replaces or deletes only what it wrote itself.

Every run that writes a folder (`generate`, `grade`, `demo`) goes through `OutputDir`:

- it takes a lock on the folder (`.exgen.lock`), so a second run into it stops with an error;
- it refuses a folder that is an input of the same run, or that holds anything exgen did not
  write (files not listed in the folder's manifest, or changed since exgen wrote them);
- it refuses a folder that exgen wrote before unless `force` is given;
- it writes the whole output into a staging folder inside the output folder, and only when that is
  complete renames it to `.exgen-ready` (the commit point) and moves the files into place, removing
  what the previous run wrote and this one does not (stale students, stale PDFs);
- a run killed before the commit point leaves the old output as it was (its staging folder is
  removed by the next run); one killed after it is completed by the next run.

The manifest `.exgen-manifest.json` (format version 1) records the kind of output and, for every
file, its size and SHA-256 (so a rerun writes the same bytes, and an edited file is noticed); nested output folders with a manifest of their own (the
`grades/` of a demo) belong to their own runs and are left alone.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from types import TracebackType

from exgen.errors import OutputExistsError
from exgen.fields import listing as _listing
from exgen.manifest import (LOCK, MANIFEST, MANIFEST_VERSION, MARK, READY, RESERVED, STAGING, WHAT,  # noqa: F401
                            Manifest, _record)

class OutputLockedError(OutputExistsError):
    """Another exgen run is writing the same output folder."""


def _rel(root: Path, p: Path) -> str:
    return p.relative_to(root).as_posix()


def _scan(root: Path) -> dict[str, os.stat_result]:
    """Every file below `root` (relative POSIX path -> stat), except exgen's own bookkeeping and
    nested folders that hold a manifest of their own."""
    found: dict[str, os.stat_result] = {}
    for d, dirs, files in os.walk(root):
        here = Path(d)
        if here == root:
            dirs[:] = [x for x in dirs if x not in RESERVED]
            files = [f for f in files if f not in RESERVED]
        links = [x for x in dirs if (here / x).is_symlink()]  # a link is an entry, never followed
        dirs[:] = sorted(x for x in dirs if x not in links and not (here / x / MANIFEST).is_file())
        files = [*files, *links]
        for f in files:
            p = here / f
            found[_rel(root, p)] = p.lstat()
    return found


class _Lock:
    """An exclusive, non-blocking lock on `out/.exgen.lock`, released when the process ends."""

    def __init__(self, out: Path):
        self.path = out / LOCK
        self.fd: int | None = None

    def acquire(self) -> None:
        for _ in range(5):
            try:  # never through a link: a planted `.exgen.lock -> /elsewhere` creates nothing there
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
            except OSError as e:
                raise OutputLockedError(f"{self.path}: cannot create exgen's lock file here "
                                        f"({e.strerror}); choose another --out") from None
            if not _try_lock(fd):
                os.close(fd)
                raise OutputLockedError(f"{self.path.parent}: another exgen run is writing this folder; "
                                        "wait for it to finish, or choose another --out")
            try:  # the file may have been removed by the run that held it: then lock the new one
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                self.fd = fd
                return
            os.close(fd)
        raise OutputLockedError(f"{self.path.parent}: cannot lock this folder; try again")

    def release(self) -> None:
        if self.fd is not None:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
            os.close(self.fd)  # closing drops the lock
            self.fd = None


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":  # pragma: no cover
            import msvcrt
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


class OutputDir:
    """A context manager that stages one run's output and commits it into `out` at the end.

    >>> with OutputDir("exam1", "exam", force=False, inputs={"--roster": "roster.csv"}) as stage:
    ...     (stage / "exam.json").write_text("{}")      # doctest: +SKIP

    `inputs` names the files and folders the run reads (option -> path): an output folder that is,
    holds or lies inside one of them is refused. On an exception nothing of the run is kept."""

    def __init__(self, out: str | Path, kind: str, *, force: bool = False,
                 inputs: dict[str, str | Path | None] | None = None):
        self.out = Path(out)
        self.kind = kind
        self.force = force
        self.inputs = {k: Path(v) for k, v in (inputs or {}).items() if v is not None}
        self._lock = _Lock(self.out)
        self._created = False
        self.old: Manifest | None = None

    # -- checks before any work -------------------------------------------------------------
    def _check_inputs(self) -> None:
        out = self.out.resolve()
        for opt, p in self.inputs.items():
            rp = p.resolve()
            if rp == out or out in rp.parents or rp in out.parents:
                how = ("is" if rp == out else "holds" if out in rp.parents else "lies inside")
                raise OutputExistsError(f"{self.out}: the output folder {how} an input of this run "
                                        f"({opt} {p}); choose another --out")

    def _check_contents(self) -> None:
        mpath = self.out / MANIFEST
        found = _scan(self.out)
        if not mpath.is_file():
            if found:
                raise OutputExistsError(
                    f"{self.out}: holds files exgen did not write ({_listing(sorted(found))}); exgen writes "
                    "only into a new or empty folder or one it wrote itself: choose another --out")
            return
        old = Manifest.read(mpath)
        if old.kind != self.kind:
            raise OutputExistsError(f"{self.out}: holds {WHAT.get(old.kind, old.kind)}, not "
                                    f"{WHAT.get(self.kind, self.kind)}: choose another --out")
        foreign = sorted(r for r in found if r not in old.files)
        if foreign:
            raise OutputExistsError(f"{self.out}: holds files exgen did not write ({_listing(foreign)}); "
                                    "move them away or choose another --out")
        changed = sorted(r for r, st in found.items() if not old.unchanged(self.out, r, st))
        if changed:
            raise OutputExistsError(f"{self.out}: files changed since exgen wrote them ({_listing(changed)}); "
                                    "exgen will not replace them: move them away or choose another --out")
        if not self.force:
            raise OutputExistsError(f"{self.out}: already holds {WHAT.get(self.kind, self.kind)}; "
                                    "pass --force to replace it, or choose another --out")
        self.old = old

    # -- the run ------------------------------------------------------------------------------
    def __enter__(self) -> Path:
        if self.out.exists() and not self.out.is_dir():
            raise OutputExistsError(f"{self.out}: exists and is not a folder")
        self._check_inputs()
        self._created = not self.out.exists()
        self.out.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except BaseException:
            self._remove_if_made()
            raise
        try:
            self._recover()
            self._check_contents()
            self.stage = self.out / STAGING
            self.stage.mkdir()
        except BaseException:
            self._close(failed=True)
            raise
        return self.stage

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        failed = et is not None
        try:
            if et is None:
                self._commit()
        except BaseException:
            failed = not (self.out / READY).is_dir()  # after the commit point the next run completes it
            raise
        finally:
            self._close(failed=failed)

    def _close(self, failed: bool) -> None:
        if failed:
            shutil.rmtree(self.out / STAGING, ignore_errors=True)
        self._lock.release()
        if failed:
            self._remove_if_made()

    def _remove_if_made(self) -> None:
        if self._created:
            try:
                self.out.rmdir()  # only if empty: a folder this run made and filled with nothing
            except OSError:
                pass

    def _recover(self) -> None:
        """Finish a run that was stopped after its commit point; drop one stopped before it."""
        for name in (READY, STAGING):
            p = self.out / name
            if p.is_symlink() or (p.exists() and not p.is_dir()):
                raise OutputExistsError(f"{p}: is not a folder exgen made (a link or a file); exgen will "
                                        "not use it: move it away or choose another --out")
        if (self.out / READY).is_dir():
            _move_into_place(self.out)
        shutil.rmtree(self.out / STAGING, ignore_errors=True)

    def _check_collisions(self, new: Manifest) -> None:
        """Before the commit point: every file of the new output can take its place (no folder, and
        no link or file where a folder is needed, that exgen did not write: an empty folder
        `exam.json/` is not in any manifest, so the scan does not see it)."""
        clash = []
        for rel in new.files:
            p = self.out
            parts = rel.split("/")
            for i, part in enumerate(parts):
                p = p / part
                last = i == len(parts) - 1
                if p.is_symlink() and not last:
                    clash.append(rel)
                    break
                if last and (p.is_dir() and not p.is_symlink()):
                    clash.append(rel)
                elif not last and p.exists() and not p.is_dir():
                    clash.append(rel)
                    break
        if clash:
            raise OutputExistsError(f"{self.out}: holds folders, links or files exgen did not write where its "
                                    f"output goes ({_listing(sorted(clash))}); move them away or choose "
                                    "another --out")

    def _commit(self) -> None:
        new = Manifest(self.kind, {r: _record(self.stage, r, st) for r, st in _scan(self.stage).items()})
        self._check_collisions(new)
        (self.stage / MANIFEST).write_text(new.dumps(), encoding="utf-8")
        os.replace(self.stage, self.out / READY)  # the commit point
        _move_into_place(self.out)


def _move_into_place(out: Path) -> None:
    """Move `.exgen-ready/*` into `out`, delete what the old manifest lists and the new one does
    not, then replace the manifest. Safe to run again after an interruption at any point."""
    ready = out / READY
    new = Manifest.read(ready / MANIFEST)
    old = Manifest.read(out / MANIFEST) if (out / MANIFEST).is_file() else Manifest(new.kind)
    _merge(ready, out)
    for rel in sorted(set(old.files) - set(new.files)):
        p = out / rel
        try:
            if old.unchanged(out, rel, p.lstat()):
                p.unlink()
                _prune(p.parent, out)
        except FileNotFoundError:
            pass
    os.replace(ready / MANIFEST, out / MANIFEST)
    shutil.rmtree(ready)


def _merge(src: Path, dst: Path) -> None:
    for entry in sorted(os.listdir(src)):
        if entry == MANIFEST and src.name == READY:
            continue
        s, d = src / entry, dst / entry
        if s.is_dir() and not s.is_symlink() and d.is_dir() and not d.is_symlink():
            _merge(s, d)
        else:
            os.replace(s, d)


def _prune(d: Path, top: Path) -> None:
    """Remove `d` and its parents up to `top` while they are empty."""
    while d != top and top in d.parents:
        try:
            d.rmdir()
        except OSError:
            return
        d = d.parent
