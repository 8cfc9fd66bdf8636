"""CSV cells and files as `csv.writer` writes them (minimal quoting, "\\n" line ends), after
`exgen.escape.safe_cell` has neutralised every text cell a spreadsheet would evaluate as a
formula; built a column or a chunk at a time (grading.csvout, lms.writeback). Files are written
chunk by chunk and hashed on the way for the output folder's manifest."""
from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from exgen.escape import DANGEROUS, safe_cell, safe_cells
from exgen.manifest import hashed


def _quoted() -> str:
    """The characters that make csv.writer quote a field (this Python's rules)."""
    out = ""
    for c in ',"\r\n':
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([c, ""])
        out += c if buf.getvalue().startswith('"') else ""
    return out


QUOTED = _quoted()
SPECIAL = re.compile("[" + re.escape(QUOTED) + "]")


def field(s: str) -> str:
    """One text cell as csv.writer writes it (QUOTE_MINIMAL)."""
    return '"' + s.replace('"', '""') + '"' if SPECIAL.search(s) else s


def cell(s: str) -> str:
    """A text cell as written: neutralised (safe_cell), then quoted if needed (field)."""
    return field(safe_cell(s))


def header_line(cells: list[str]) -> str:
    return ",".join(cell(c) for c in cells) + "\n"


def factorize(codes: np.ndarray, few: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(inv, uniq) of the flattened codes, uniq in order of first appearance. few: few distinct
    codes are expected (a hash table that starts small is 2-3x faster then, 2x slower when not)."""
    import pandas as pd
    inv, uniq = pd.factorize(codes.ravel(), size_hint=min(codes.size, 1 << 14) if few else None)
    return inv, uniq


def formatted(values: np.ndarray, fmt: str) -> np.ndarray:
    """Each float formatted with `fmt` (e.g. "{:g}"), each distinct value once. Object array."""
    inv, uniq = factorize(np.ascontiguousarray(values, dtype=np.float64).view(np.int64))
    texts = np.array([fmt.format(v) for v in uniq.view(np.float64).tolist()] + [""], dtype=object)
    return texts[inv].reshape(np.shape(values))


def cell_rows(values: np.ndarray, fmt: str, has: np.ndarray | None = None, end: str = "\n") -> np.ndarray:
    """The cells of each row of `values` (S, C) as written: fmt (e.g. "{:g}") of each float, ""
    where not `has` (S, C), each followed by "," and a row's last by `end` (csv.writer would write
    a row of one empty cell as two quotes); as (S, B) texts of a few adjacent cells each (object
    array), so that each distinct text of a few cells is made once: the cells' codes (one
    factorize of all values) read as digits of one number per block. Blocks are as wide as keeps
    their possible texts under about S/8, so each text is likely shared by several rows."""
    S, C = values.shape
    if C == 0:
        return np.empty((S, 0), dtype=object)
    inv, uniq = factorize(np.ascontiguousarray(values, dtype=np.float64).view(np.int64), few=True)
    digit = inv.reshape(S, C)  # (S, C) the code of each cell's value; len(uniq) where it has none
    texts = [fmt.format(v) for v in uniq.view(np.float64).tolist()]
    if has is not None and not has.all():
        digit = np.where(has, digit, len(uniq))
        texts.append("")
    inner, last = (np.array([t + e for t in texts], dtype=object) for e in (",", end))  # a cell as written
    radix = max(len(texts), 2)
    width = max(1, int(np.log(max(S // 8, 16)) / np.log(radix)))
    B = (C + width - 1) // width
    padded = np.zeros((S, B * width), dtype=np.int64)  # (S, B * width) the digits, 0 after the last
    padded[:, :C] = digit
    codes = padded.reshape(S, B, width) @ radix ** np.arange(width - 1, -1, -1)  # (S, B) each block's digits as one number
    out = np.empty((S, B), dtype=object)
    for b in range(B):
        binv, buniq = factorize(codes[:, b], few=True)
        cols = []
        for c in range(b * width, min(b * width + width, C)):  # the digits of each distinct block, most significant first
            cols.append((inner if c < C - 1 else last)[buniq // radix ** ((b + 1) * width - 1 - c) % radix].tolist())
        out[:, b] = np.array(["".join(t) for t in zip(*cols)], dtype=object)[binv]
    return out


_STARTS = tuple("\x00" + c for c in sorted(DANGEROUS))


def fields(texts: list[str]) -> list[str]:
    """cell() of each text; the list itself when none needs neutralising or quoting. Texts are
    looked at one by one (safe_cells) only when one of them may start with a dangerous character
    (substring searches in all of them joined by NULs; a NUL inside a text can only make it look;
    neutralising adds no character that needs quoting)."""
    joined = "\x00" + "\x00".join(texts)
    if any(d in joined for d in DANGEROUS) and any(d in joined for d in _STARTS):  # (one character: memchr)
        texts = safe_cells(texts)
    return [field(t) for t in texts] if any(c in joined for c in QUOTED) else texts


def text_cells(texts: list[str], numbers: np.ndarray | None = None) -> list[str]:
    """cell() of each text stripped, where `numbers` (bool (m,), e.g. grading's parse status is
    OK; None: none known) are not neutralised: one strip of all of them, quoting looked for in
    all of them at once."""
    st = list(map(str.strip, texts))
    for i in (range(len(st)) if numbers is None else np.flatnonzero(~numbers).tolist()):
        if st[i][:1] in DANGEROUS:
            st[i] = safe_cell(st[i])
    joined = "".join(st)
    if any(c in joined for c in QUOTED):
        ends = np.cumsum(np.fromiter(map(len, st), dtype=np.int64, count=len(st)))  # (m,)
        for i in np.unique(np.searchsorted(ends, [m.start() for m in SPECIAL.finditer(joined)], side="right")).tolist():
            st[i] = field(st[i])
    return st


_BYTE = np.arange(256)
# (256,) each: a first or last byte that strip() may take off (a non-ASCII one may start or end a space)
_SPACE = np.array([chr(c).isspace() for c in range(128)] + [True] * 128)
_DANGER = np.isin(_BYTE, [ord(c) for c in DANGEROUS])  # (256,)
_QUOTE = np.isin(_BYTE, [ord(c) for c in QUOTED])  # (256,)


def terminated(cells: list[str]) -> tuple[bytes, np.ndarray] | None:
    """The cells' UTF-8 bytes, each followed by a NUL, and the NULs' positions (m,); None when
    a cell holds a NUL itself (or cannot be encoded)."""
    try:
        data = ("\x00".join(cells) + "\x00").encode("utf-8")
    except UnicodeEncodeError:
        return None
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0)  # (m,)
    return (data, ends) if len(ends) == len(cells) else None


def answer_cells(texts: list[str], numbers: np.ndarray | None) -> tuple[list[str], tuple[bytes, np.ndarray] | None]:
    """text_cells of the texts with one more, "", last; and those cells `terminated` (what the
    byte records of answers.csv are made from, grading.csvrecords), None when not. Through the
    bytes: only texts whose first or last byte may be a space strip() takes, whose first may
    make safe_cell neutralise them (not numbers) or that hold a character csv.writer quotes go
    through text_cells (the bytes are made again if one changed); the rest are their own cells.
    Texts with a NUL: text_cells of all of them, and None."""
    cells = list(texts)
    cells.append("")
    enc = terminated(cells)
    if enc is None:
        return text_cells(texts, numbers) + [""], None
    raw, ends = enc
    data = np.frombuffer(raw, dtype=np.uint8)
    starts = np.append(0, ends[:-1] + 1)  # (m + 1,)
    first, last = data[starts[:-1]], data[ends[:-1] - 1]  # (m,) an empty text's: a NUL
    look = _SPACE[first] | _SPACE[last] | (_DANGER[first] if numbers is None else _DANGER[first] & ~numbers)  # (m,)
    if any(c.encode() in raw for c in QUOTED):
        at = np.flatnonzero(_QUOTE[data])  # the positions of the characters quoted
        look[np.searchsorted(ends, at)] = True  # the text each is in
    todo = np.flatnonzero(look).tolist()
    changed = False
    for i, c in zip(todo, text_cells([texts[i] for i in todo], None if numbers is None else numbers[todo])):
        if c != texts[i]:
            cells[i], changed = c, True
    return cells, (terminated(cells) if changed else enc)


def float_texts(values: np.ndarray, end: str) -> np.ndarray:
    """f"{v:.12g}" + end of each float (NaN: end alone), as an object array of values' shape; one
    %-format over all of them (C speed; the same text as f"{v:.12g}")."""
    flat = np.ascontiguousarray(values, dtype=np.float64).ravel()
    out = np.empty(flat.size, dtype=object)
    if flat.size:
        out[:] = (("%.12g" + end.replace("%", "%%") + "\x00") * flat.size % tuple(flat.tolist())).split("\x00")[:-1]
        nan = np.isnan(flat)
        if nan.any():
            out[nan] = end
    return out.reshape(np.shape(values))


def chunks_of(parts: list[str], n: int = 1 << 14) -> Iterator[str]:
    """The concatenation of `parts`, a few thousand at a time."""
    return ("".join(parts[i:i + n]) for i in range(0, len(parts), n))


def write_chunks(path: Path, head: str, chunks: Iterable[str | bytes]) -> None:
    """head and the chunks (texts, or their UTF-8 bytes), UTF-8. Written chunk by chunk: the same
    bytes as one join, but the buffers stay small and in cache (2-3x faster than joining and
    encoding 50 MB at once). Hashed on the way, for the output folder's manifest (exgen.manifest):
    not read back."""
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for c in itertools.chain((head,), chunks):
            b = c if isinstance(c, bytes) else c.encode("utf-8")
            h.update(b)
            f.write(b)
    hashed(path, h.hexdigest())
