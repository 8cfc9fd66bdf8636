"""Prototype (a proposal, not used by exgen): the exam-wide key index (.exam-keys.npz) built from the
key files in chunks, to the same bytes as exgen.grading.keyindex.index_bytes, in a fraction of its
memory.

index_bytes(texts) parses every key (~44 KB of Python objects each for the 25-question exam of
issue 10) and keeps them all, their texts and bytes and a Prepared of all of them until the end:
about 100 KB per key, ~4 GB for 40,000 students, the peak of `exgen generate`. Here the keys are
read, parsed and prepared CHUNK at a time (Prepared.add on a chunk; groups merged by their
signature in the order of first appearance, rows in file order, so positions, "first" files and
every array are those of one Prepared; the slip table's present columns are the union over the
chunks); only the arrays (~6 KB per key) are kept. It relies on the engine computing each
network alone (as exgen.exam.search does). Uses Prepared._by_sig and keyindex._derived's layout:
the change belongs in keyindex.py (index_bytes taking names and a reader, or an iterator of
texts), where it can use them as its own.

    python benchmarks/index_chunked_prototype.py EXAM_FOLDER full|chunked [CHUNK]
prints the time, the peak RSS above the start and whether the bytes equal the folder's index.
"""
import hashlib, io, json, zipfile, sys, time, threading
from pathlib import Path
import numpy as np
from exgen.grading.keys import Prepared
from exgen.grading import keyindex as KI

def index_bytes_chunked(folder: Path, names: list[str], exam: str = "", chunk: int = 2000) -> bytes:
    names = sorted(names)
    groups, meta_groups, parts = {}, [], []   # sig -> gi; per-gi dict of lists
    files_size, files_sha, sids, pos = [], [], [], []
    for start in range(0, len(names), chunk):
        part = names[start:start + chunk]
        data = [(folder / n).read_bytes() for n in part]
        keys = [json.loads(d.decode("utf-8")) for d in data]
        prep = Prepared(); prep.add(keys, part)
        local = {}
        for sig, li in prep._by_sig.items():
            if sig not in groups:
                groups[sig] = len(meta_groups)
                g = prep.groups[li]
                first = part[next(i for i, k in enumerate(keys) if prep.key_pos[id(k)][0] == li)]
                meta_groups.append({"qids": g.qids, "refs": g.refs, "kinds": g.kinds, "deps": g.deps, "first": first})
                parts.append({"rows": 0})
            local[li] = groups[sig]
        for li, g in enumerate(prep.groups):
            gi, acc = local[li], parts[local[li]]
            codes, cols = g.slip_columns()
            K, Q = g.expected.shape
            if "codes" in acc and acc["codes"] != list(codes):
                raise ValueError("slip codes differ between chunks")
            acc["codes"] = list(codes)
            n = g.net
            arrs = {"answer": g.expected, "points": g.points, "tkind": g.tkind, "tval": g.tval, "x": n.x, "y": n.y, "eta": n.eta,
                    **{f"W{l}": w for l, w in enumerate(n.W)}, **{f"b{l}": b for l, b in enumerate(n.b or [])}}
            for k, v in arrs.items():
                acc.setdefault(k, []).append(v)
            acc.setdefault("rounded", []).append(np.stack([g.rounded[d] for d in g.policy.roundings]).reshape(-1, K, Q))
            acc.setdefault("gaps", []).append(np.stack(g.gaps))
            acc.setdefault("table", []).append(np.stack(cols) if cols else np.empty((0, K, Q)))
        for k, d, n in zip(keys, data, part):
            files_size.append(len(d)); files_sha.append(hashlib.sha256(d).hexdigest())
            sids.append(k.get("student_id", Path(n).stem))
            li, row = prep.key_pos[id(k)]
            pos.append((local[li], parts[local[li]]["rows"] + row))
        for li, g in enumerate(prep.groups):
            parts[local[li]]["rows"] += len(g.keys)
        del keys, data, prep
    meta = {"format": KI.FORMAT, "version": KI.VERSION, "exam": exam, "keys": "answer_keys", "groups": meta_groups}
    arrays = {}
    for gi, acc in enumerate(parts):
        table = np.concatenate(acc.pop("table"), axis=1)
        present = ~np.isnan(table).all(axis=1)
        meta_groups[gi]["slips"] = acc.pop("codes")
        arrays[f"g{gi}_rounded"] = np.concatenate(acc.pop("rounded"), axis=1)
        arrays[f"g{gi}_gaps"] = np.concatenate(acc.pop("gaps"), axis=1)
        arrays[f"g{gi}_slipq"] = np.asarray(present)
        arrays[f"g{gi}_slips"] = table.transpose(1, 0, 2)[:, present]
        acc.pop("rows")
        for k, v in acc.items():
            arrays[f"g{gi}_{k}"] = np.concatenate(v)
    # meta key order as index_bytes: qids, refs, kinds, deps, first, slips
    p = np.array(pos, dtype=np.int64).reshape(-1, 2)
    arrays.update(meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
                  files=np.array(names, dtype=str), size=np.array(files_size, dtype=np.int64),
                  sha256=np.array(files_sha, dtype=str), student_id=np.array(sids, dtype=str), group=p[:, 0], row=p[:, 1])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            with z.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.ascontiguousarray(arrays[name]), allow_pickle=False)
    return buf.getvalue()

if __name__ == "__main__":
    exam = Path(sys.argv[1]); folder = exam / "answer_keys"
    names = sorted(p.name for p in folder.glob("*.json"))
    def rss():
        for line in open('/proc/self/status'):
            if line.startswith('VmRSS'): return int(line.split()[1]) / 1024
    peak = [0]
    def sample():
        while True: peak[0] = max(peak[0], rss()); time.sleep(0.01)
    threading.Thread(target=sample, daemon=True).start()
    time.sleep(0.1); base = rss()
    mode = sys.argv[2]
    t = time.perf_counter()
    if mode == "chunked":
        b = index_bytes_chunked(folder, names, "bench", int(sys.argv[3]) if len(sys.argv) > 3 else 2000)
    else:
        b = KI.index_bytes({n: (folder / n).read_text(encoding="utf-8") for n in names}, "bench")
    dt = time.perf_counter() - t
    same = b == (exam / KI.INDEX).read_bytes()
    print(f"{mode}: {len(names)} keys, {dt:.1f} s, peak RSS above start {peak[0]-base:.0f} MB, same bytes as the exam's index: {same}")
