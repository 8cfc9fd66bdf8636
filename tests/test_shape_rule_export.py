"""The shape rule handed to the self-check page (grading.shapes.rule_data, grading.export): its
`space` is exactly the set of characters str.isspace() calls whitespace over all of Unicode (what
Python's re `\\s` matches in a str pattern, an independent reference), its form filled in with
ASCII classes reads the same shapes as parse_shape once digits are mapped to 0-9, and
acceptance_data carries each shape question's key shape and no number windows."""
import re
import sys
import unicodedata

from exgen.exam import config as config_mod
from exgen.grading.export import acceptance_data, shape_rule
from exgen.grading.shapes import parse_shape


def test_space_is_pythons_whitespace():
    rule = shape_rule()
    assert set(rule["space"]) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert rule["transposed"] == "transposed_shape" and rule["max_digits"] == 6


def _ascii(s: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in s)


def test_filled_form_reads_as_parse_shape():
    rule = shape_rule()
    space = "[" + "".join(f"\\u{ord(c):04x}" for c in rule["space"]) + "]"
    pat = re.compile(rule["form"].replace("{s}", space).replace("{d}", "[0-9]"))
    samples = ["4x3", "4×3", "4 x 3", "(4, 3)", "(4,3)", " ( 4 , 3 ) ", "4X3", "4*3", "4 by 3", "3x4x1", "",
               "\u0664x\u0663", "\uff14\u00d7\uff13", "\u00a04\u2003x\u30003", "1234567x3", "123456x3", "4x", "(4 3)"]
    for s in samples:
        m = pat.fullmatch(_ascii(s))
        mine = None
        if m:
            r, c = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            mine = (int(r), int(c)) if len(r) <= rule["max_digits"] and len(c) <= rule["max_digits"] else None
        assert mine == parse_shape(s), s


def test_acceptance_data_of_shape_questions(tmp_path):
    from typer.testing import CliRunner
    import json
    from exgen.cli.main import app
    r = CliRunner().invoke(app, ["generate", str(config_mod.demo_path().with_name("matrix.yaml")), "--count", "1",
                                 "--no-pdf", "--out", str(tmp_path / "e")])
    assert r.exit_code == 0, r.output
    key = json.loads((tmp_path / "e" / "answer_keys" / "s001.json").read_text())
    for q, d in zip(key["questions"], acceptance_data(key)):
        if str(q["ref"]).startswith("/shapes/"):
            assert d["shape"] == [int(x) for x in q["answer"].split("x")] and d["windows"] == [] and d["slips"] == []
        else:
            assert "shape" not in d and d["windows"]
