r"""The LaTeX that exgen's formulas are written in, as MathML (which browsers render natively):
the one converter of the self-check page.

A small subset, the one exgen's kinds, notations and loss formulas use: letters, numbers,
operators, groups `{...}`, `^` and `_`, `\frac`, `\hat`, `\text` (with `$...$` inside),
`\left`/`\right`/`\bigl`/`\bigr`, Greek letters, function names and a few symbols. Anything else
is kept as text (`UNKNOWN` counts such macros, for the tests). Every character that reaches the
page is HTML-escaped here.
"""
from __future__ import annotations

import html
import re

GREEK = {n: chr(c) for n, c in (("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4),
                                ("epsilon", 0x3B5), ("eta", 0x3B7), ("theta", 0x3B8), ("lambda", 0x3BB),
                                ("mu", 0x3BC), ("pi", 0x3C0), ("sigma", 0x3C3), ("tau", 0x3C4),
                                ("phi", 0x3C6), ("omega", 0x3C9), ("Delta", 0x394), ("Sigma", 0x3A3))}
SYMBOLS = {"partial": ("mi", "\u2202"), "cdot": ("mo", "\u22c5"), "times": ("mo", "\u00d7"),
           "sum": ("mo", "\u2211"), "ldots": ("mi", "\u2026"), "dots": ("mi", "\u2026"), "cdots": ("mo", "\u22ef"),
           "ne": ("mo", "\u2260"), "le": ("mo", "\u2264"), "ge": ("mo", "\u2265"), "approx": ("mo", "\u2248"),
           "to": ("mo", "\u2192"), "infty": ("mi", "\u221e"), "prime": ("mo", "\u2032")}
FUNCTIONS = ("log", "ln", "exp", "tanh", "max", "min", "softmax")
SPACES = {",": "0.167em", ":": "0.222em", ";": "0.278em", " ": "0.25em", "quad": "1em", "qquad": "2em", "!": "0em"}
FENCES = ("left", "right", "bigl", "bigr", "big", "Bigl", "Bigr")
UNKNOWN: set[str] = set()

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\d+(?:\.\d+)?|\s+|.", re.S)


def _e(s: str) -> str:
    return html.escape(s, quote=True)


class _Parser:
    def __init__(self, tex: str) -> None:
        self.toks = [t for t in _TOKEN.findall(tex)]
        self.i = 0

    def peek(self) -> str | None:
        while self.i < len(self.toks) and self.toks[self.i].isspace():
            self.i += 1
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> str:
        t = self.peek()
        assert t is not None
        self.i += 1
        return t

    def raw_group(self) -> str:
        """The source of a {...} argument (or of the next token), without its braces."""
        if self.peek() != "{":
            return self.take() if self.peek() is not None else ""
        self.take()
        depth, out = 1, []
        while self.i < len(self.toks):
            t = self.toks[self.i]
            self.i += 1
            depth += (t == "{") - (t == "}")
            if depth == 0:
                break
            out.append(t)
        return "".join(out)

    def row(self, stop: str | None = None) -> list[str]:
        items: list[str] = []
        while True:
            t = self.peek()
            if t is None or t == stop:
                if t is not None:
                    self.take()
                break
            if t == "-" and (not items or items[-1].startswith(("<mo", "<mspace"))) and self._number_next():
                self.take()  # a negative number (after an operator or at the start), not a subtraction
                items.append(self.scripts(f"<mn>\u2212{self.take()}</mn>"))
                continue
            items.append(self.scripts(self.atom()))
        return items

    def _number_next(self) -> bool:
        j = self.i + 1
        return j < len(self.toks) and self.toks[j][:1].isdigit()

    def argument(self) -> str:
        if self.peek() == "{":
            self.take()
            items = self.row("}")
            if len(items) == 3 and items[0] == _PAREN[0] and items[2] == _PAREN[1] and items[1].startswith("<mn>"):
                return f"<mn>({items[1][4:-5]})</mn>"  # a layer index such as ^{(1)}: one token
            return _group(items)
        return self.atom() if self.peek() is not None else "<mrow></mrow>"

    def scripts(self, base: str) -> str:
        sub = sup = None
        while self.peek() in ("_", "^"):
            if self.take() == "_":
                sub = self.argument()
            else:
                sup = self.argument()
        if sub is not None and sup is not None:
            return f"<msubsup>{base}{sub}{sup}</msubsup>"
        if sub is not None:
            return f"<msub>{base}{sub}</msub>"
        if sup is not None:
            return f"<msup>{base}{sup}</msup>"
        return base

    def atom(self) -> str:
        t = self.take()
        if t == "{":
            return _group(self.row("}"))
        if t[0].isdigit():
            return f"<mn>{t}</mn>"
        if t.startswith("\\"):
            return self.macro(t[1:])
        if t.isalpha():
            return f"<mi>{_e(t)}</mi>"
        if t in "()[]|":
            return f'<mo stretchy="false">{_e(t)}</mo>'  # as TeX sets them: never stretched
        if t == "-":
            return "<mo>\u2212</mo>"
        if t == "'":
            return "<mo>\u2032</mo>"
        return f"<mo>{_e(t)}</mo>"

    def macro(self, name: str) -> str:
        if name == "frac":
            return f"<mfrac>{self.argument()}{self.argument()}</mfrac>"
        if name == "hat":
            return f'<mover accent="true">{self.argument()}<mo>^</mo></mover>'
        if name in ("text", "mathrm", "textrm", "operatorname"):
            return text_mathml(self.raw_group())
        if name in FENCES:
            t = self.take() if self.peek() is not None else ""
            return "" if t == "." else f"<mo>{_e(t.lstrip(chr(92)))}</mo>"
        if name in GREEK:
            return f"<mi>{GREEK[name]}</mi>"
        if name in SYMBOLS:
            tag, ch = SYMBOLS[name]
            return f"<{tag}>{ch}</{tag}>"
        if name in FUNCTIONS:
            return f'<mi>{name}</mi><mspace width="0.167em"/>'
        if name in SPACES:
            return f'<mspace width="{SPACES[name]}"/>'
        if name in ("{", "}", "%", "$", "&", "#", "_"):
            return f"<mo>{_e(name)}</mo>"
        UNKNOWN.add(name)
        return f"<mtext>{_e(name)}</mtext>"


_PAREN = ('<mo stretchy="false">(</mo>', '<mo stretchy="false">)</mo>')


def _group(items: list[str]) -> str:
    """Items as one MathML element: a lone item as itself, else an <mrow>."""
    return items[0] if len(items) == 1 else "<mrow>" + "".join(items) + "</mrow>"


def _math_row(tex: str) -> str:
    return "".join(_Parser(tex).row())


def text_mathml(s: str) -> str:
    """The argument of \\text: text, with $...$ inside typeset as math."""
    parts = s.split("$")
    out = []
    for n, part in enumerate(parts):
        if n % 2:
            out.append(_group(_Parser(part).row()))
        elif part:
            t = part.replace('~', chr(0xA0))  # a space at either end would be trimmed away: no-break
            t = (chr(0xA0) if t[:1] == " " else "") + t.strip(" ") + (chr(0xA0) if t[-1:] == " " and t.strip(" ") else "")
            out.append(f"<mtext>{_e(t)}</mtext>")
    return _group(out)


def math(tex: str, display: bool = False, label: str | None = None) -> str:
    """A LaTeX formula (math mode) as a <math> element; `label`: its text for screen readers."""
    attrs = ' display="block"' if display else ""
    if label:
        attrs += f' aria-label="{_e(label)}"'
    return f"<math{attrs}>{_math_row(tex)}</math>"


def inline(text: str) -> str:
    """A sentence of LaTeX text with $...$ math (a question's text) as HTML with MathML."""
    out = []
    for n, part in enumerate(text.split("$")):
        if n % 2:
            out.append(math(part))
        else:
            out.append(_e(part.replace("~", "\u00a0").replace("--", "\u2013")))
    return "".join(out)


def _top_level_equals(tex: str) -> list[str]:
    """`tex` cut before each `=` outside braces."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(tex):
        depth += (ch == "{") - (ch == "}")
        if ch == "=" and depth == 0 and i > start:
            parts.append(tex[start:i])
            start = i
    return parts + [tex[start:]]


def display(tex: str) -> str:
    """A display line of a worked step as <math> blocks: a chain a = b = c is set one `=` a line
    (browsers do not break MathML lines, and a phone is narrow)."""
    parts = _top_level_equals(tex)
    if len(parts) <= 2:
        return math(tex, display=True)
    rows = [parts[0] + parts[1]] + ["{}" + p for p in parts[2:]]
    return '<div class="chain">' + "".join(math(r, display=True) for r in rows) + "</div>"
