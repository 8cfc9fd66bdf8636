"""csvcells.cell_rows (grades.csv's totals and scores, a few cells per distinct text) gives the
cells csv.writer writes for the row formatted cell by cell, on random and nasty values."""
import csv
import io

import numpy as np
import pytest

from exgen.grading.csvcells import cell_rows

NASTY = [0.0, -0.0, 1.0, 0.5, 1e-300, -2.5, 1e16, 123456789.0, 1 / 3, float("inf"), float("-inf"), float("nan")]


def _reference(values, fmt, has, end):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row, h in zip(values.tolist(), has.tolist()):
        w.writerow([fmt.format(v) if k else "" for v, k in zip(row, h)])
    text = buf.getvalue()
    return text if end == "\n" else text.replace("\n", end)


@pytest.mark.parametrize("seed", range(12))
def test_cell_rows_equal_csv_writer_cell_by_cell(seed):
    rng = np.random.default_rng(seed)
    S, C = int(rng.choice([0, 1, 3, 40, 500])), int(rng.integers(2, 30))  # (csv.writer writes a lone empty cell "")
    pool = np.array(NASTY + rng.normal(size=int(rng.integers(1, 40))).round(int(rng.integers(0, 4))).tolist())
    values = rng.choice(pool[: int(rng.integers(1, len(pool) + 1))], size=(S, C))  # few or many distinct values
    has = rng.random((S, C)) < rng.choice([1.0, 0.9, 0.3, 0.0])
    fmt, end = ["{:g}", "{:.2f}", "{:.12g}"][seed % 3], ["\n", ","][seed % 2]
    got = cell_rows(values, fmt, has, end)
    assert got.shape[0] == S and got.shape[1] <= C
    assert "".join(got.ravel().tolist()) == _reference(values, fmt, has, end)
    if has.all():
        assert "".join(cell_rows(values, fmt, None, end).ravel().tolist()) == _reference(values, fmt, has, end)


def test_no_columns_no_cells():
    assert cell_rows(np.zeros((4, 0)), "{:g}").shape == (4, 0)


@pytest.mark.parametrize("seed", range(20))
def test_fields_equal_each_cell_neutralised_and_quoted(seed):
    """csvcells.fields (a column's cells, looked at one by one only when one may need it) equals
    safe_cell then csv.writer's quoting of each cell, on texts with and without dangerous starts,
    dangerous characters elsewhere, NULs, quotes and separators."""
    from exgen.escape import safe_cell
    from exgen.grading.csvcells import field, fields
    rng = np.random.default_rng(seed)
    alphabet = list("ab1.") + list(["=+-@\t\r", ",\"\n", "\x00=", "x"][seed % 4])
    texts = ["".join(rng.choice(alphabet, size=int(rng.integers(0, 6)))) for _ in range(int(rng.integers(0, 60)))]
    if seed % 5 == 0:
        texts += ["-1.5", "=1", "+x", "a-b", "b=c", "\x00-"]
    assert fields(texts) == [field(safe_cell(t)) for t in texts]


def test_write_chunks_records_the_hash_of_the_utf8_text(tmp_path):
    """The file is head + chunks in UTF-8 (chunks given as text or as bytes), and its manifest record (hashed while writing, not read
    back) is the size and SHA-256 of those bytes."""
    import hashlib

    from exgen.grading.csvcells import write_chunks
    from exgen.manifest import _record
    chunks = ["a,b\n", "é,\"x\"\n" * 1000, "", "漢字\n" * 30000]
    given = [c.encode("utf-8") if i % 2 else c for i, c in enumerate(chunks)]  # texts, or their UTF-8 bytes
    write_chunks(tmp_path / "t.csv", "h\n", iter(given))
    data = ("h\n" + "".join(chunks)).encode("utf-8")
    assert (tmp_path / "t.csv").read_bytes() == data
    assert _record(tmp_path, "t.csv", (tmp_path / "t.csv").lstat()) == {"size": len(data),
                                                                        "sha256": hashlib.sha256(data).hexdigest()}
