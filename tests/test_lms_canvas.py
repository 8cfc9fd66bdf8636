"""`exgen export canvas`: the QTI 1.2 package as Canvas's importer reads it.

Rules from instructure/canvas-lms: gems/plugins/qti_exporter/lib/qti/fill_in_the_blank.rb
(process_canvas: a blank is `response_lid ident="response_<blank>"`, each of its choices an accepted
answer at weight 100; the question text holds "[<blank>]"), assessment_item_converter.rb (the
question type from the `question_type` metadata field), and a question group as Canvas's own QTI
exports write one (a section with selection_number and points_per_item)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

from lms_helpers import generate


from exgen import api

NS = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    d = tmp_path_factory.mktemp("canvas")
    keys = generate(d / "q", 40)
    api.export_canvas(d / "q", d / "quiz.zip")
    return d, zipfile.ZipFile(d / "quiz.zip"), keys


def _meta(item) -> dict:
    return {f.find("q:fieldlabel", NS).text: f.find("q:fieldentry", NS).text
            for f in item.findall("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", NS)}


def test_manifest_points_at_the_assessment(package):
    _, z, _ = package
    man = ET.fromstring(z.read("imsmanifest.xml"))
    res = man.findall(".//{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}resource")
    assert [r.get("type") for r in res] == ["imsqti_xmlv1p2"]
    href = res[0].find("{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}file").get("href")
    assert href in z.namelist()


def test_one_group_picks_one_of_40(package):
    _, z, keys = package
    root = ET.fromstring(z.read("exgen_quiz/exgen_quiz.xml"))
    groups = root.findall(".//q:section/q:section", NS)
    assert len(groups) == 1
    g = groups[0]
    assert g.find("q:selection_ordering/q:selection/q:selection_number", NS).text == "1"
    items = g.findall("q:item", NS)
    assert len(items) == 40
    ppi = float(g.find(".//q:points_per_item", NS).text)
    for item, (vid, key) in zip(items, keys.items()):
        meta = _meta(item)
        assert meta["question_type"] == "fill_in_multiple_blanks_question"
        assert float(meta["points_possible"]) == sum(q["points"] for q in key["questions"]) == ppi
        text = item.find("q:presentation/q:material/q:mattext", NS).text
        assert f"exgen variant {vid}" in text
        blanks = re.findall(r"\[([^\]]+)\]", text)  # Canvas's blanks in the question text
        lids = item.findall("q:presentation/q:response_lid", NS)
        assert [lid.get("ident") for lid in lids] == [f"response_{b}" for b in blanks]
        assert len(blanks) == len(key["questions"]) == len(set(blanks))
        ids = []
        for lid, kq in zip(lids, key["questions"]):
            texts = [lab.find("q:material/q:mattext", NS).text for lab in lid.findall("q:render_choice/q:response_label", NS)]
            ids += [lab.get("ident") for lab in lid.findall("q:render_choice/q:response_label", NS)]
            # Canvas grades a blank by the text typed (trimmed, case-insensitive): the key's answer as
            # the sheet asks for it (4 decimals), with "." or ",", is accepted; its sign flip is not
            right = f"{kq['answer']:.4f}"
            assert right in texts and right.replace(".", ",") in texts
            assert f"{-kq['answer']:.4f}" not in texts
        assert meta["original_answer_ids"].split(",") == ids and len(set(ids)) == len(ids)
        conds = item.findall("q:resprocessing/q:respcondition/q:conditionvar/q:varequal", NS)
        assert {c.text for c in conds} == set(ids)


def test_deterministic(package, tmp_path):
    d, _, _ = package
    api.export_canvas(d / "q", tmp_path / "again.zip")
    assert (tmp_path / "again.zip").read_bytes() == (d / "quiz.zip").read_bytes()


def test_cli_export(package, tmp_path):
    from typer.testing import CliRunner
    from exgen.cli import app
    d, _, _ = package
    r = CliRunner().invoke(app, ["export", "canvas", str(d / "q"), "--out", str(tmp_path / "x.zip")])
    assert r.exit_code == 0 and "40 variants" in r.output
    (tmp_path / "y.zip").write_bytes(b"PK\x03\x04 not ours")
    r = CliRunner().invoke(app, ["export", "canvas", str(d / "q"), "--out", str(tmp_path / "y.zip")])
    assert r.exit_code == 1 and r.output.startswith("Error: ") and "--force" in r.output
    assert (tmp_path / "y.zip").read_bytes() == b"PK\x03\x04 not ours"
    r = CliRunner().invoke(app, ["export", "--help"])
    assert "exgen export moodle quiz1 --out quiz1.xml" in r.output
