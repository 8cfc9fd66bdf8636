"""The NumPy reader of clean delimited bytes (exgen.grading.cells, the fast path of table.py) reads
every file exactly as the csv module does (the exact path): random files built from nasty cells
(unicode, lengths around the 8-byte words, long cells, shared prefixes, blanks, short rows, CRLF,
no final line feed, every separator)."""
import random

import numpy as np
import pytest

from exgen.grading import cells, table
from exgen.grading.files import csv_text_rows
from exgen.grading.table import delimiter, factorize, fast_table, from_rows

PIECES = ["0.5", "-0,25", "1e-3", "\u22120.125", "3/8", " 7 ", "abc", "é", "漢字", "😀x", "", " ", "\t",
          "st000001", "st0000012", "st00000123", "12345678", "123456789", "1234567812345678", "12345678123456789",
          "x" * 300, "x" * 299 + "y", "é" * 130, "-", "n/a", "=1+2", "0", "-0", "00012", ".5", "5."]


def _cell(rng, sep):
    c = rng.choice(PIECES) if rng.random() < .7 else "".join(rng.choice("0123456789.,;|-é ") for _ in range(rng.randint(0, 20)))
    return c.replace(sep, "")  # a separator inside a cell would need quotes


def _file(rng, sep, width, rows):
    head = sep.join(["student_id", "question_id", "answer", "x", "y"][:width])
    sep = delimiter(head)  # "," for a single column
    lines = [head]
    for _ in range(rows):
        r = rng.random()
        if r < .05:
            lines.append(rng.choice(["", "   ", sep * (width - 1)]))
        elif r < .12:
            lines.append(sep.join(_cell(rng, sep) for _ in range(rng.randint(1, width))))  # a short row
        else:
            lines.append(sep.join(_cell(rng, sep) for _ in range(width)))
    end = rng.choice(["\n", "\r\n"])
    return end.join(lines) + (end if rng.random() < .8 else "")


def _expanded(t):
    return t.header, t.lines.tolist(), [[texts[c] for c in codes.tolist()] for codes, texts in t.columns]


@pytest.mark.parametrize("threads", [False, True])
@pytest.mark.parametrize("seed", range(40))
def test_numpy_reader_equals_csv_module(monkeypatch, seed, threads):
    """The fast path reads a random file as the csv module does, its columns read one after the
    other and by two threads (as large files are)."""
    monkeypatch.setattr(table, "THREADED_ROWS", 0 if threads else 10**9)
    rng = random.Random(seed)
    sep = rng.choice([",", ";", "\t", "|"])
    text = _file(rng, sep, rng.randint(1, 5), rng.choice([0, 1, 3, 60, 400]))
    utf8 = text.encode("utf-8")
    fast = fast_table(utf8)
    assert fast is not None
    assert _expanded(fast) == _expanded(from_rows(*csv_text_rows(text, "x")))


def test_long_cells_and_a_small_word_limit(monkeypatch):
    """Cells compared as whole bytes (longer than LONG) and word by word give the same codes."""
    rng = random.Random(3)
    text = _file(rng, ",", 3, 500)
    exact = _expanded(from_rows(*csv_text_rows(text, "x")))
    for long in (8, 16, 40, 256):
        monkeypatch.setattr(cells, "LONG", long)
        assert _expanded(fast_table(text.encode())) == exact


def _assert_factorized(texts: list[str]):
    """cells.factorize of the texts, one a line: the same codes and first cells as pandas'
    factorize of the texts. Returns the file, the cells (starts, lens), the codes and firsts."""
    data = "\n".join(texts).encode()
    b = cells.Bytes(data)
    lens = np.array([len(t.encode()) for t in texts])
    starts = np.r_[0, np.cumsum(lens + 1)[:-1]]
    codes, first = cells.factorize(b, starts, lens)
    ref, uniq = factorize(texts)
    assert codes.tolist() == ref.tolist()
    assert [texts[i] for i in first] == uniq
    return b, starts, lens, codes, first


@pytest.mark.parametrize("seed", range(10))
def test_factorize_codes_equal_exactly_where_the_texts_are(seed):
    """cells.factorize: the codes of the cells equal pandas' factorize of their texts (both in
    order of first appearance), and `first` is the first cell of each code; cells.decode: the
    texts of cells of every size (its texts grouped by size, `where` each cell's)."""
    rng = random.Random(seed)
    texts = [rng.choice(PIECES) + rng.choice(["", "a", "ab" * rng.randint(0, 40)]) for _ in range(2000)]
    b, starts, lens, codes, first = _assert_factorized(texts)
    got, where = cells.decode(b, starts[first], lens[first])
    assert [got[i] for i in where] == [texts[i] for i in first]
    got, where = cells.decode(b, starts, lens)
    assert [got[i] for i in where] == texts


def test_rows_wider_than_the_header_are_left_to_the_csv_module():
    assert fast_table(b"a,b\n1,2\n1,2,3\n") is None
    assert fast_table(b"a,b\n1,2,3\n4\n") is None  # as many cells as two rows of two: not every row is
    assert fast_table(b"a,b\n1,2\n") is not None


@pytest.mark.parametrize("text", ["a\n1\n", "a\n1", "a\n", "ab,c\n,\n", "a;b\r\n1;\r\n", "x\n" + "é" * 3, "a\n\n\n"])
def test_tiny_files_and_cells_at_the_end(text):
    """Files shorter than a word, and cells within 8 bytes of the end (read shifted down)."""
    exact = from_rows(*csv_text_rows(text, "x"))
    assert _expanded(fast_table(text.encode())) == _expanded(exact)


@pytest.mark.parametrize("runs", [[1], [3], [25], [25, 1], [1, 25]])
def test_factorize_of_runs(runs):
    """A column whose texts come in runs (a student's rows) is factorized one run at a time (when
    its first 4096 cells and all of them have few runs): the same codes as pandas' factorize of
    the texts (runs of 25, of 1, ..., or of 25 in the first half and of 1 in the second)."""
    rng = random.Random(str(runs))
    heads = [(run, f"s{rng.randrange(30)}" * (i % 2 + 1) if i % 97 else "") for run in runs
             for i in range(9000 // len(runs) // run)]  # a text per run
    texts = [t for run, t in heads for _ in range(run)]
    data = "\n".join(texts).encode()
    b = cells.Bytes(data)
    lens = np.array([len(t) for t in texts])
    starts = np.r_[0, np.cumsum(lens + 1)[:-1]]
    codes, first = cells.factorize(b, starts, lens)
    assert codes.tolist() == factorize(texts)[0].tolist()
    assert [texts[i] for i in first] == factorize(texts)[1]


@pytest.mark.parametrize("late", [None, 4095, 4096, 30000, 39999])
def test_first_cells_of_many_codes(late):
    """cells.factorize's first cell of each code, when every text is seen in the first rows (the
    first cells found in a prefix) and when one is first seen late (at row `late`): the same as
    the first index of each text, found by a dict."""
    rng = random.Random(late)
    texts = [rng.choice(PIECES[:12]) for _ in range(40000)]
    if late is not None:
        texts[late] = "late"
    data = "\n".join(texts).encode()
    b = cells.Bytes(data)
    lens = np.array([len(t.encode()) for t in texts])
    starts = np.r_[0, np.cumsum(lens + 1)[:-1]]
    codes, first = cells.factorize(b, starts, lens)
    seen: dict = {}
    for i, t in enumerate(texts):
        seen.setdefault(t, i)
    assert first.tolist() == list(seen.values())
    assert [texts[i] for i in first[codes]] == texts  # codes: in order of first appearance


@pytest.mark.parametrize("mix", [None, 0, 1])
@pytest.mark.parametrize("run", [1, 25])
def test_factorize_of_two_words(monkeypatch, mix, run):
    """Cells of 9 to 16 bytes (two words each), alone or in runs: the two words are hashed as one
    mixed word and checked; a mix that makes different cells collide (0: word 1 alone; 1: the sum, "12345678abcdefgh" and "abcdefgh12345678")
    is caught and the cells coded exactly. The same codes and first cells as pandas' factorize
    of the texts."""
    if mix is not None:
        monkeypatch.setattr(cells, "_MIX", np.uint64(mix))
    rng = random.Random(run)
    heads, tails = ["12345678", "abcdefgh", "st000001", "é" * 4, "x"], ["", "a", "b", "ab", "12345678", "é"]
    texts = [t for t in (rng.choice(heads) + rng.choice(tails) for _ in range(6000 // run)) for _ in range(run)]
    _assert_factorized(texts)


@pytest.mark.parametrize("some", [7, 1 << 15])
@pytest.mark.parametrize("cut", [0, 3, 10**6])
def test_decode_cut_out_and_gathered(monkeypatch, cut, some):
    """cells.decode of cells in file order (all, every other, a few, the last one ending the file,
    files with and without a final line feed) cut out of the file (CUT large; `some` cells at a
    time) and gathered word by word (CUT 0): the texts."""
    monkeypatch.setattr(cells, "CUT", cut)
    monkeypatch.setattr(cells, "CUT_CELLS", some)
    rng = random.Random(cut)
    texts = [rng.choice(PIECES) for _ in range(3000)]
    for end in ("", "\n"):
        data = ("\n".join(texts) + end).encode()
        b = cells.Bytes(data)
        lens = np.array([len(t.encode()) for t in texts])
        starts = np.r_[0, np.cumsum(lens + 1)[:-1]]
        for pick in (slice(None), slice(None, None, 2), slice(5, None, 700), slice(-1, None), slice(-3, None)):
            got, where = cells.decode(b, starts[pick], lens[pick])
            assert [got[i] for i in where] == texts[pick]


@pytest.mark.parametrize("threads", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_columns_of_distinct_cells(monkeypatch, seed, threads):
    """A file whose answers are all different (one key per student): that column's cells are
    decoded one text per row, cut out of the file (a few cells at a time, or all at once); the
    same rows as the csv module's (the columns read one after the other, and by two threads)."""
    monkeypatch.setattr(table, "THREADED_ROWS", 0 if threads else 10**9)
    monkeypatch.setattr(cells, "CUT_CELLS", 1 << 15 if seed % 3 else 13)
    rng = random.Random(seed)
    sep = rng.choice([",", ";", "\t"])
    end = rng.choice(["\n", "\r\n"])
    rows = [sep.join(["student_id", "question_id", "answer"])]
    rows += [sep.join([f"st{i // 5:06d}", f"{i % 5 + 1}a", f"{rng.random():.{rng.randint(1, 17)}f}" + rng.choice(["", "é", " "])])
             for i in range(600)]
    text = end.join(rows) + (end if seed % 2 else "")
    fast = fast_table(text.encode())
    assert len(fast.columns[2][1]) == 600  # a text per row
    assert _expanded(fast) == _expanded(from_rows(*csv_text_rows(text, "x")))


@pytest.mark.parametrize("long", [8, 16, 40, 256])
@pytest.mark.parametrize("run", [1, 25])
def test_factorize_of_runs_of_long_cells(monkeypatch, long, run):
    """Cells of every length in runs (or not), compared with the cell before word by word and,
    beyond LONG bytes, as bytes ("x" * 300 and "x" * 299 + "y" differ in their last byte only):
    the same codes and first cells as pandas' factorize of the texts."""
    monkeypatch.setattr(cells, "LONG", long)
    rng = random.Random(run * long)
    heads = [rng.choice(PIECES) + rng.choice(["", "ab" * rng.randint(0, 40)]) for _ in range(9000 // run)]
    texts = [t for t in heads for _ in range(run)]
    _assert_factorized(texts)


@pytest.mark.parametrize("seed", range(8))
def test_blank_rows(seed):
    """Table.blank_rows: the rows whose every cell is empty or whitespace (str.strip), as the csv
    module's rows say, in files with blank lines and in files where one column is never blank."""
    rng = random.Random(seed)
    text = _file(rng, ",", rng.randint(1, 4), 300)
    if seed % 2:  # the first column never blank (the other ones often are)
        text = "\n".join("s" + line for line in text.split("\n"))
    rows, _ = csv_text_rows(text, "x")
    exact = from_rows(rows, list(range(1, len(rows) + 1)))
    want = [not any(c.strip() for c in r) for r in rows[1:]]  # (the header is not blank)
    assert any(want) == (seed % 2 == 0)
    assert exact.blank_rows().tolist() == want
    assert fast_table(text.encode()).blank_rows().tolist() == want
