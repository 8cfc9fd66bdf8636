"""Writing the exam-wide key index `.exam-keys.npz` (its format and its reading: exgen.grading.keyindex).

The keys are read, parsed and prepared `chunk` at a time (`Prepared.add` on each chunk); only
their arrays (a few KB a key) are kept, so a class of 40,000 students is indexed in a fraction of
the memory its parsed keys would take. The result is the same bytes as one `Prepared` of all the
keys: groups are merged by their signature in the order of their first key, rows in file order
(the engine computes each network on its own, so a key's values do not depend on its chunk), and
the slip table keeps the (slip, question) pairs where some key of the whole group has a value.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from exgen.grading.csvrecords import g12
from exgen.grading.keyindex import FORMAT, VERSION
from exgen.grading.keys import Group, Prepared

CHUNK = 250  # keys parsed at once (~100 KB each while parsed and prepared)


@dataclass
class _Rows:
    """One group's arrays, chunk by chunk: meta (its entry in meta "groups"), parts[name] the
    chunks' arrays, slips[i] (present (C, Q), values (k, n)) each chunk's slip table, compact."""
    meta: dict[str, Any]
    rows: int = 0
    parts: dict[str, list[np.ndarray]] = field(default_factory=dict)
    slips: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def add(self, g: Group) -> None:
        n, (K, Q) = g.net, g.expected.shape
        codes, cols = g.slip_columns()
        if self.meta.setdefault("slips", list(codes)) != list(codes):  # a group's slips: by its shape alone
            raise ValueError(f"answer keys of one shape with other slips: {self.meta['slips']} and {codes}")
        got = {"answer": g.expected, "answer_text": g12(g.expected), "points": g.points, "tkind": g.tkind, "tval": g.tval,
               "x": n.x, "y": n.y, "eta": n.eta, **{f"W{l}": w for l, w in enumerate(n.W)},
               **{f"b{l}": b for l, b in enumerate(n.b or [])},
               "rounded": np.stack([g.rounded[d] for d in g.policy.roundings]).reshape(-1, K, Q),
               "gaps": np.stack(g.gaps)}
        for name, a in got.items():
            self.parts.setdefault(name, []).append(a)
        table = np.stack(cols) if cols else np.empty((0, K, Q))
        present = np.asarray(~np.isnan(table).all(axis=1))
        self.slips.append((present, table.transpose(1, 0, 2)[:, present]))
        self.rows += K

    def arrays(self, gi: int) -> dict[str, np.ndarray]:
        """The group's arrays, named as in the index (g<gi>_...); rounded and gaps are (R, K, Q)."""
        out = {f"g{gi}_{name}": np.concatenate(a, axis=1 if name in ("rounded", "gaps") else 0)
               for name, a in self.parts.items()}
        present = np.logical_or.reduce([p for p, _ in self.slips])
        col = np.full(present.shape, -1, dtype=np.int64)
        col[present] = np.arange(int(present.sum()))
        vals, r = np.full((self.rows, int(present.sum())), np.nan), 0
        for p, v in self.slips:  # each chunk's columns among the group's
            vals[r:r + len(v), col[p]] = v
            r += len(v)
        return {**out, f"g{gi}_slipq": present, f"g{gi}_slips": vals}


def index_bytes(names: Iterable[str], read: Callable[[str], bytes], exam: str = "",
                folder: str = "answer_keys", chunk: int = CHUNK) -> bytes:
    """The index of the key files `names` (plain file names; `read(name)`: a file's bytes, UTF-8
    JSON as exgen writes it), as bytes: the same for the same keys, whatever `chunk` (>= 1)."""
    if chunk < 1:
        raise ValueError(f"chunk: expected at least 1, got {chunk}")
    names = sorted(names)
    by_sig: dict[tuple, int] = {}  # a group's signature (Prepared) -> its number in the index
    groups: list[_Rows] = []
    size: list[int] = []
    sha: list[str] = []
    sids: list[str] = []
    pos: list[tuple[int, int]] = []
    for start in range(0, len(names), chunk):
        part = names[start:start + chunk]
        data = [read(n) for n in part]
        keys = [json.loads(d.decode("utf-8")) for d in data]
        prep = Prepared()
        prep.add(keys, part)
        local = {}  # group number in this chunk -> in the index
        for sig, li in prep._by_sig.items():  # in the order of their first key
            if sig not in by_sig:
                g = prep.groups[li]
                first = part[next(i for i, k in enumerate(keys) if prep.key_pos[id(k)][0] == li)]
                by_sig[sig] = len(groups)
                groups.append(_Rows({"qids": g.qids, "refs": g.refs, "kinds": g.kinds, "deps": g.deps, "first": first}))
            local[li] = by_sig[sig]
        for k, d, n in zip(keys, data, part):
            li, row = prep.key_pos[id(k)]
            pos.append((local[li], groups[local[li]].rows + row))
            size.append(len(d))
            sha.append(hashlib.sha256(d).hexdigest())
            sids.append(k.get("student_id", Path(n).stem))
        for li, g in enumerate(prep.groups):
            groups[local[li]].add(g)
        del keys, data, prep
    meta = {"format": FORMAT, "version": VERSION, "exam": exam, "keys": folder, "groups": [r.meta for r in groups]}
    arrays: dict[str, np.ndarray] = {}
    for gi, r in enumerate(groups):
        arrays.update(r.arrays(gi))
    groups.clear()
    p = np.array(pos, dtype=np.int64).reshape(-1, 2)
    arrays.update(meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
                  files=np.array(names, dtype=str), size=np.array(size, dtype=np.int64),
                  sha256=np.array(sha, dtype=str), student_id=np.array(sids, dtype=str),
                  group=p[:, 0], row=p[:, 1])
    return _npz(arrays)


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    """The arrays as an uncompressed .npz with fixed timestamps, by name (each dropped once written)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            with z.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.ascontiguousarray(arrays.pop(name)), allow_pickle=False)
    return buf.getvalue()
