"""The README's and docs' relative links lead somewhere: the file exists and an #anchor is one
of its headings, slugged as GitHub does (lower case, punctuation dropped, spaces to hyphens)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading's text."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, flags=re.M)}


def test_slug_is_githubs():
    # GitHub's anchor for the heading "The key index (`.exam-keys.npz`, format version 3)"
    assert slug("The key index (`.exam-keys.npz`, format version 3)") == "the-key-index-exam-keysnpz-format-version-3"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page):
    bad = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            bad.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            bad.append(f"{target}: no heading with that anchor")
    assert not bad, f"{page.name}: " + "; ".join(bad)


CODE_PATH = re.compile(r"`((?:exgen|tests|docs|templates|benchmarks)/[\w./-]*)`")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_repository_paths_in_code_spans_exist(page):
    # docs/practice.md sent a student to `exgen/configs/demo.yaml`, which is exgen/exam/configs/demo.yaml
    bad = [p for p in CODE_PATH.findall(page.read_text(encoding="utf-8")) if not (ROOT / p).exists()]
    assert not bad, f"{page.name}: no such path: {', '.join(bad)}"
