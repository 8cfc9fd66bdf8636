"""The exam-wide key index `.exam-keys.npz`: every key of an exam as columnar arrays.

`exgen generate` writes it (exgen.grading.indexwrite: the key files read a chunk at a time) into
the exam folder, beside `answer_keys/` with the per-student JSON keys (which stay: students need them);
`exgen grade --keys DIR` uses it instead of reading and validating thousands of JSON files, but
only when it matches the JSON keys, and falls back to them otherwise (same verdicts, same errors).

Format (version 3): an .npz (a zip of .npy arrays, stored uncompressed, fixed timestamps: the same
keys give the same bytes; no pickles) holding
  meta        UTF-8 JSON {"format": "exgen-key-index", "version": 3, "exam", "keys" (the name of
              the key folder beside it: "answer_keys"), "groups": [{"qids",
              "refs", "kinds", "deps" (local indices of depends_on), "first" (file of its first
              key)}]} as uint8
  files       (N,) key file names, sorted as `load_keys` reads them; size (N,) their byte sizes;
  sha256      (N,) their SHA-256 (hex); student_id (N,); group (N,), row (N,): the key's group
              and its row in the group's arrays
  g<i>_answer, g<i>_points, g<i>_tval (K, Q) float, g<i>_tkind (K, Q) int (0 abs, 1 rel, 2 sig),
  g<i>_x (K, B, n_0), g<i>_y (K, B, n_L), g<i>_eta (K,), g<i>_W<l>, g<i>_b<l>: group i's keys
  (answers NaN at the shape questions: a group's shapes are its first key's, one architecture)
Version 2 adds what grading would otherwise compute from every key (engine runs with rounding and
with each slip): g<i>_rounded (R, K, Q) the hand-rounded values (the policy's hand roundings, in
order), g<i>_gaps (1 + R, K, Q) the windows' cuts (grading.distract), g<i>_slipq (C, Q) bool and
g<i>_slips (K, n) the slip table at the (slip, question) pairs where a key has a value (the
group's "slips": its C codes). They are used only when the first key of the group, computed
afresh, has the same rows; else recomputed, as for an index of version 1 (still read).
Version 3 adds g<i>_answer_text (K, Q) bytes (S19): "%.12g" of each answer (b"" for NaN), the text
answers.csv writes (grading.csvrecords), used when the first key's row is its own; else (and for
an earlier version) formatted while writing.

Grading reads the arrays in place (memory-mapped, read-only, each page when first used; the .npy
members are stored uncompressed, so the zip's CRCs are not read: the checks below are the index's).
The index matches when the folder holds exactly its `*.json` files with their sizes, and each file
is no newer than the index (written after the keys) or else has the recorded SHA-256 (one stat a
file: an edit after the index was written gives the file a newer mtime). The arrays
are checked as `Prepared.add` checks keys (finite numbers, tolerances, shapes, positive learning
rates, targets in [0, 1] where the loss needs it), and the first key of each group is read and
validated in full and must equal its row. Anything else: the JSON keys are read as before.
"""
from __future__ import annotations

import functools
import json
import os
import zipfile
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from exgen.acceptance import policy_of
from exgen.core import engine
from exgen.errors import ExgenError
from exgen.core.functions import PROBABILISTIC_LOSSES
from exgen.answer_key import DEFAULT_TOLERANCE, read_key_file, validate_key
from exgen.core.spec import from_dict
from exgen.grading.csvrecords import g12
from exgen.grading.indexfile import arrays, matches
from exgen.grading.keydir import Keys, load_keys
from exgen.grading import shapes
from exgen.grading.keys import TOL_KINDS, Group, Prepared
from exgen.grading.slips import DIAGNOSES
from exgen.grading.stack import stack_dicts

INDEX = ".exam-keys.npz"
FORMAT, VERSION = "exgen-key-index", 3
READ_VERSIONS = (1, 2, 3)  # earlier versions are read too (what they lack is then computed)


# -- the derived arrays of an index (written by exgen.grading.indexwrite), checked -----------------
def _stored(a: dict, gm: dict, gi: int, g: Group, first: dict) -> dict | None:
    """The derived arrays of group gi (version 2), checked: shapes, and the first key's rows equal
    to what this exgen computes for it (else None: recomputed, as for a version-1 index)."""
    K, Q = g.expected.shape
    R = len(g.policy.roundings)
    codes = gm.get("slips")
    rounded, gaps, present, vals = (a[f"g{gi}_{n}"] for n in ("rounded", "gaps", "slipq", "slips"))
    if not (isinstance(codes, list) and all(c in DIAGNOSES for c in codes) and present.dtype == bool
            and present.shape == (len(codes), Q) and vals.shape == (K, int(present.sum()))
            and vals.dtype.kind == "f" and rounded.shape == (R, K, Q) and rounded.dtype.kind == "f"
            and gaps.shape == (R + 1, K, Q) and gaps.dtype.kind == "f" and ((gaps > 0) | (gaps == -1)).all()):
        return None
    col = np.full(present.shape, -1, dtype=np.int64)
    col[present] = np.arange(vals.shape[1])
    g._compact = (list(codes), col, vals)
    one = Prepared()
    one.add([first])  # the first key alone, computed here: the index must hold the same
    o = one.groups[0]
    k0 = g.keys.names.index(gm["first"])  # type: ignore[attr-defined]
    oc, ov = o.slip_values_at(np.zeros(Q, dtype=np.int64), np.arange(Q))
    if not (oc == codes and _same(ov, g.slip_values_at(np.full(Q, k0), np.arange(Q))[1])
            and _same(np.stack(o.gaps), gaps[:, k0:k0 + 1])
            and _same(np.stack([o.rounded[d] for d in o.policy.roundings]), rounded[:, k0:k0 + 1])):
        g._compact = None
        return None
    return {"rounded": rounded, "gaps": gaps}


def _texts(a: dict, gi: int, g: Group, k0: int) -> np.ndarray | None:
    """The "%.12g" of group gi's expected values (version 3), if the first key's row is its own."""
    t = a[f"g{gi}_answer_text"]
    if t.dtype.kind == "S" and t.shape == g.expected.shape and np.array_equal(t[k0], g12(g.expected[k0])):
        return t
    return None


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """The same values up to the engine's rounding errors (a batch and a single network may sum in another order)."""
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-15, equal_nan=True))


# -- reading (exgen grade) --------------------------------------------------------------------
class LazyKeys(Sequence):
    """A group's keys as dicts, read from their JSON files when asked for (feedback needs them);
    the last KEPT keys read are kept (a key per student read by feedback would otherwise all stay:
    75 KB each), so ask again for a key rather than keeping an id of it."""

    KEPT = 256

    def __init__(self, folder: Path, names: list[str]):
        self.folder, self.names = folder, names
        self._read = functools.lru_cache(maxsize=self.KEPT)(self._read_key)

    def _read_key(self, k: int) -> dict:
        return read_key_file(self.folder / self.names[k])

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, k):  # type: ignore[override]
        return self._read(int(k))


class IndexedKeys(Mapping):
    """Answer keys by student id, backed by the index: `prepared` holds their groups, and a key's
    dict is read from its file only when asked for."""

    def __init__(self, prepared: Prepared, sids: list[str], pos: np.ndarray, folder: str, files: list[str]):
        self.prepared, self.pos = prepared, pos  # pos (N, 2): (group, row), in sids order (sorted)
        self.sids = sids
        self._folder, self._files = folder, files  # the key file of each student, in sids order

    @functools.cached_property
    def sources(self) -> dict[str, str]:
        """The file of each student's key."""
        return dict(zip(self.sids, (self._folder + f for f in self._files)))

    @functools.cached_property
    def _at(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.sids)}

    def __getitem__(self, sid: str) -> dict:
        g, r = self.pos[self._at[sid]]
        return self.prepared.groups[g].keys[r]

    def __iter__(self) -> Iterator[str]:
        return iter(self.sids)

    def __len__(self) -> int:
        return len(self.sids)


def load_prepared(directory: str | Path) -> tuple[Mapping, Prepared]:
    """The keys of `directory` and their prepared groups: from the index when it matches the
    JSON keys, else from the JSON keys (`load_keys`, `Prepared.add`: every key validated)."""
    got = read_index(directory)
    if got is not None:
        return got, got.prepared
    keys = load_keys(directory)
    prep = Prepared()
    prep.add(list(keys.values()), [keys.sources[s] for s in keys] if isinstance(keys, Keys) else None)
    return keys, prep


def read_index(directory: str | Path) -> IndexedKeys | None:
    """The keys as the index has them, or None if there is no index or it does not match."""
    d = Path(directory)
    try:
        index = d.resolve().parent / INDEX
        if not index.is_file():
            return None
        st = os.stat(index)
        a = arrays(index)
        meta = json.loads(a["meta"].tobytes().decode("utf-8"))
        if meta.get("format") != FORMAT or meta.get("version") not in READ_VERSIONS or meta.get("keys") != d.resolve().name:
            return None
        files = a["files"].tolist()
        # the folder's files are checked (one stat a file: system calls, mostly outside the GIL)
        # while the index is built; a build of an index that does not match is dropped
        with ThreadPoolExecutor(1) as pool:
            same = pool.submit(matches, d, files, a["size"], a["sha256"], st.st_mtime_ns)
            built = _build(d, meta, a, files)
            return built if same.result() else None
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, zipfile.BadZipFile,
            ExgenError):
        return None


def _finite(a: np.ndarray, shape: tuple) -> bool:
    return a.shape == shape and a.dtype.kind == "f" and bool(np.isfinite(a).all())


def _answers_ok(E: np.ndarray, shape: tuple, shape_cols: list[int]) -> bool:
    """Finite answers, but NaN at the shape questions (their answers are the first key's: _build)."""
    if not shape_cols:
        return _finite(E, shape)
    num = np.setdiff1d(np.arange(shape[1]), shape_cols)
    return E.shape == shape and _finite(E[:, num], (shape[0], num.size)) and bool(np.isnan(E[:, shape_cols]).all())


def _build(d: Path, meta: dict, a: dict, files: list[str]) -> IndexedKeys | None:
    group, row = a["group"].astype(np.int64), a["row"].astype(np.int64)
    sids = a["student_id"].tolist()
    N = len(files)
    if group.shape != (N,) or row.shape != (N,) or len(sids) != N or len(set(sids)) != N:
        return None
    prep = Prepared()
    for gi, gm in enumerate(meta["groups"]):
        members = np.flatnonzero(group == gi)
        K = len(members)
        if K == 0 or not (np.sort(row[members]) == np.arange(K)).all():
            return None
        names = np.array(files, dtype=object)[members[np.argsort(row[members])]].tolist()
        first = read_key_file(d / gm["first"])
        validate_key(first, str(d / gm["first"]))  # the first key of the group in full, as Prepared.add does
        like = from_dict(first["spec"])
        qs = first["questions"]
        pos = {q["id"]: i for i, q in enumerate(qs)}
        if (gm["qids"] != [q["id"] for q in qs] or gm["refs"] != [q["ref"] for q in qs]
                or gm["kinds"] != [q.get("kind", "") for q in qs]
                or gm["deps"] != [[pos[x] for x in q.get("depends_on", []) if x in pos] for q in qs]):
            return None
        Q = len(qs)
        g = Group(list(gm["qids"]), list(gm["refs"]), list(gm["kinds"]), [list(x) for x in gm["deps"]],
                  keys=LazyKeys(d, names), like=like, policy=policy_of(first))  # type: ignore[arg-type]
        E, P, TK, TV = (a[f"g{gi}_{n}"] for n in ("answer", "points", "tkind", "tval"))
        if not (_answers_ok(E, (K, Q), g.shape_cols) and _finite(P, (K, Q)) and _finite(TV, (K, Q)) and TK.shape == (K, Q)
                and TK.dtype.kind == "i" and (P >= 0).all() and (TV > 0).all() and ((TK >= 0) & (TK <= 2)).all()
                and (TV[TK == 2] == np.floor(TV[TK == 2])).all()):
            return None
        L, B = like.n_layers, like.x.shape[0]
        x, y, eta = a[f"g{gi}_x"], a[f"g{gi}_y"], a[f"g{gi}_eta"]
        W = [a[f"g{gi}_W{l}"] for l in range(L)]
        b = None if like.biases is None else [a[f"g{gi}_b{l}"] for l in range(L)]
        if not (_finite(x, (K, B, like.layers[0])) and _finite(y, (K, B, like.layers[-1])) and _finite(eta, (K,))
                and (eta > 0).all() and all(_finite(W[l], (K, like.layers[l + 1], like.layers[l])) for l in range(L))
                and (b is None or all(_finite(b[l], (K, like.layers[l + 1])) for l in range(L)))):
            return None
        if like.loss in PROBABILISTIC_LOSSES and ((y < 0) | (y > 1)).any():
            return None
        g.net = engine.Nets(tuple(like.layers), tuple(like.activations), like.loss, like.batched, x, y, W, b, eta)
        # the first key's row is the first key
        k0 = names.index(gm["first"])
        ref = stack_dicts([first["spec"]], like)
        tol = [q.get("tolerance", DEFAULT_TOLERANCE) for q in qs]
        if g.shape_cols:  # the same shapes for every key of the group (one architecture and batch), checked by mismatch()
            g.shape_answers = shapes.key_shapes([first], g.shape_cols) * K
        cols = set(g.shape_cols)
        answers = [np.nan if i in cols else q["answer"] for i, q in enumerate(qs)]
        if not (np.array_equal(E[k0], answers, equal_nan=True) and np.array_equal(P[k0], [q.get("points", 1) for q in qs])
                and np.array_equal(TK[k0], [TOL_KINDS[t["kind"]] for t in tol])
                and np.array_equal(TV[k0], [t["value"] for t in tol])
                and all(np.array_equal(u, v[k0:k0 + 1]) for u, v in
                        zip([ref.x, ref.y, ref.eta, *ref.W, *(ref.b or [])], [x, y, eta, *W, *(b or [])]))):
            return None
        g.expected, g.points, g.tkind, g.tval = E, P, TK.astype(np.int64, copy=False), TV
        stored = _stored(a, gm, gi, g, first) if meta["version"] >= 2 else None
        g.expected_text = _texts(a, gi, g, k0) if meta["version"] >= 3 else None
        g.compute_with(stored)
        if g.mismatch() is not None:  # a key that is not its spec's values: read the JSON keys, which name it
            return None
        prep.groups.append(g)
    if not len(prep.groups) or group.min() < 0 or group.max() >= len(prep.groups):
        return None
    ids = a["student_id"]
    order = np.arange(N) if (ids[1:] > ids[:-1]).all() else np.argsort(ids, kind="stable")  # by student id
    positions = np.stack([group, row], axis=1)[order]
    base = os.path.join(d, "")  # os.path.join(d, name) of each file name (plain names, checked by indexfile.matches)
    if (order == np.arange(N)).all():
        return IndexedKeys(prep, sids, positions, base, files)
    return IndexedKeys(prep, [sids[i] for i in order.tolist()], positions, base, [files[i] for i in order.tolist()])
