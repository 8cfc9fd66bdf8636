"""`exgen generate --variants N`: variant exercises v001... with the files of students."""
import json

import pytest

from exgen import api, limits
from exgen.errors import UsageError
from exgen.roster import variant_roster


def test_variant_ids_and_bounds():
    assert [s.id for s in variant_roster(3)] == ["v001", "v002", "v003"]
    assert variant_roster(1000)[-1].id == "v1000"
    for bad in (0, limits.MAX_VARIANTS + 1, True, 2.0):
        with pytest.raises(UsageError, match="--variants"):
            variant_roster(bad)


def test_generate_variants(tmp_path):
    cfg = api.load_config(_demo())
    res = api.generate_exam(cfg, tmp_path / "q", variants=3, pdf=False)
    assert res.students == 3 and res.variants
    keys = sorted(p.name for p in (tmp_path / "q" / "answer_keys").glob("*.json"))
    assert keys == ["v001.json", "v002.json", "v003.json"]
    assert (tmp_path / "q" / "sheets" / "v002.tex").is_file()
    info = json.loads((tmp_path / "q" / "exam.json").read_text())
    assert info["variants"] is True and info["students"] == ["v001", "v002", "v003"]
    k1, k2 = (json.loads((tmp_path / "q" / "answer_keys" / n).read_text()) for n in keys[:2])
    assert k1["spec"]["weights"] != k2["spec"]["weights"]  # different exercises
    with pytest.raises(UsageError, match="one of them"):
        api.generate_exam(cfg, tmp_path / "r", variants=3, count=2, pdf=False)


def _demo():
    from exgen.exam.config import demo_path
    return demo_path()
