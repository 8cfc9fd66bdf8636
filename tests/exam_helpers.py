"""Shared by the exam tests: the TeX skip, the graph exam config the kind tests use, reading an
exam folder's answer keys, and the sigmoid as the tests' own NumPy reference."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from exgen.exam import pdf

HAVE_TEX = not pdf.missing_tex() and shutil.which("pdftotext") is not None
needs_tex = pytest.mark.skipif(not HAVE_TEX, reason=f"lualatex/pdftotext not installed ({pdf.APT_HINT} poppler-utils)")

GRAPH_CONFIG = """name: Graph exam
seed: 11
kind: graph
graph: {gates: [add, mul, max, relu, addc, pow, sigmoid], size: 6, inputs: 3}
answer_decimals: 3
"""


def answer_keys(folder: Path) -> dict[str, dict]:
    """The answer keys of an exam folder exgen wrote, by file stem (s001, v001, ...), sorted."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((Path(folder) / "answer_keys").glob("*.json"))}


def sig(z):
    return 1 / (1 + np.exp(-z))
