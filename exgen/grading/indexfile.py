"""The key index file (exgen.grading.keyindex) on disk: its arrays read in place, and whether the
folder of JSON keys beside it still holds exactly the keys it was written from."""
from __future__ import annotations

import functools
import hashlib
import io
import math
import mmap
import os
import zipfile
from pathlib import Path

import numpy as np

from exgen.grading.keydir import is_key_name
from exgen.grading.read import no_gc


def arrays(path: Path) -> dict[str, np.ndarray]:
    """The index's arrays, read in place: memory-mapped, read-only, each page read when first used
    (the .npy members are stored uncompressed; the zip's CRCs are not checked: the arrays are
    checked as keys instead, see the module doc). An index with a compressed member: np.load."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
    if any(i.compress_type != zipfile.ZIP_STORED or not i.filename.endswith(".npy") for i in infos):
        with no_gc(), np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    out = {}
    for info in infos:
        start = info.header_offset  # the member's local header: 30 bytes, its name and extra field
        head = mm[start:start + 30]
        if head[:4] != b"PK\x03\x04":
            raise ValueError("not a zip member")
        start += 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
        end = start + info.file_size
        fp = io.BytesIO(mm[start:min(end, start + 65536)])  # the .npy header (a few hundred bytes)
        header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        shape, fortran, dtype = header[np.lib.format.read_magic(fp)](fp)
        if dtype.hasobject or start + fp.tell() + dtype.itemsize * math.prod(shape) != end:
            raise ValueError("not a plain array")
        a = np.frombuffer(mm, dtype=dtype, count=math.prod(shape), offset=start + fp.tell())
        out[info.filename[:-4]] = a.reshape(shape, order="F" if fortran else "C")
    return out


def matches(d: Path, files: list[str], size: np.ndarray, sha: np.ndarray, index_mtime: int) -> bool:
    """Does `d` hold exactly these *.json files, unchanged since the index was written? One stat
    a file (an edit gives it a new mtime; the bytes of one newer than the index are hashed)."""
    found = [n for n in os.listdir(d) if is_key_name(n)]  # the files keydir.load_keys reads
    if len(found) != len(files) or not set(found) >= set(files):
        return False
    if os.stat not in os.supports_dir_fd:  # (Windows)
        stats = [os.stat(d / f) for f in files]
    else:
        fd = os.open(d, os.O_RDONLY)
        try:
            stats = list(map(functools.partial(os.stat, dir_fd=fd), files))  # plain names (listed above)
        finally:
            os.close(fd)
    if not (np.fromiter((s.st_size for s in stats), dtype=np.int64, count=len(files)) == size).all():
        return False
    mtime = np.fromiter((s.st_mtime_ns for s in stats), dtype=np.int64, count=len(files))
    for i in np.flatnonzero(mtime > index_mtime).tolist():  # copied or touched since: the same bytes?
        if hashlib.sha256((d / files[i]).read_bytes()).hexdigest() != sha[i]:
            return False
    return True
