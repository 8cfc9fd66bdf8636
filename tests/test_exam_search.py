"""The batched search (exgen.exam.search, what `exgen generate` uses) finds exactly the networks of
the one-by-one definition: `draw.distinct` over `draw.make_exercise`, each student drawing and
filtering their candidates one at a time."""
import pytest

from exgen.errors import ConfigError
from exgen.exam import config, search
from exgen.exam.draw import distinct, fingerprint, make_exercise, make_exercises, student_seed

CONFIGS = [
    {},  # the default exam: 2-2-2 sigmoid, every question type of a single sample
    {"layers": [4, 5, 6], "seed": 2024},  # the benchmark's class (25 questions)
    {"layers": [3, 4, 3], "activations": ["tanh", "softmax"], "loss": "cross_entropy", "seed": 7},
    {"layers": [2, 3, 2], "activations": ["relu", "linear"], "loss": "mse", "decimals": 1, "answer_decimals": 3},
    {"layers": [2, 3, 3, 1], "activations": ["sigmoid", "tanh", "sigmoid"], "loss": "bce", "biases": False,
     "questions": ["forward", "loss", "gradients", "deltas", "update", "loss_after", "shapes"]},
    {"layers": [2, 2, 2], "activations": ["sigmoid", "softmax"], "loss": "cross_entropy", "batch": 3,
     "questions": ["forward", "loss", "gradients", "update", "loss_after"]},
]


def one_by_one(cfg, ids):
    return distinct(cfg, ids, make_exercise, fingerprint)


def same(a, b):
    return (a.student_id == b.student_id and a.student_seed == b.student_seed and a.attempts == b.attempts
            and a.spec.to_dict() == b.spec.to_dict() and a.solution_json == b.solution_json
            and [q.to_dict() for q in a.questions] == [q.to_dict() for q in b.questions])


@pytest.mark.parametrize("d", CONFIGS)
def test_search_finds_the_one_by_one_networks(d, monkeypatch):
    monkeypatch.setattr(search, "CHUNK", 7)  # several chunks
    monkeypatch.setattr(search, "FIRST_ROUND", 2)  # and several rounds within them
    cfg = config.from_dict(d)
    ids = [f"s{i:03d}" for i in range(23)]
    want = one_by_one(cfg, ids)
    got = make_exercises(cfg, ids)
    assert [e.student_id for e in got] == ids
    assert all(same(a, b) for a, b in zip(want, got))
    assert any(e.attempts > 2 for e in want)  # found in a later round


def test_streamed_in_the_order_of_the_student_seeds():
    cfg = config.from_dict({"seed": 5})
    ids = ["zed", "amy", "bob", "cy"]
    got = [e.student_id for e in search.exercises(cfg, ids)]
    assert got == sorted(ids, key=lambda s: student_seed(5, s))


def test_a_clash_is_redrawn_as_one_by_one():
    # the same id twice: the second (later in seed order, same seed) clashes with the first's network
    cfg = config.from_dict({"seed": 1})
    ids = ["a", "b", "a", "c"]
    want = one_by_one(cfg, ids)
    got = make_exercises(cfg, ids)
    assert all(same(x, y) for x, y in zip(want, got))
    first = make_exercise(cfg, "a")
    assert not same(got[0], first)  # the redrawn one is the later duplicate's, kept by the dict


def test_no_good_network_is_the_one_by_one_error(monkeypatch):
    from exgen.exam import draw
    monkeypatch.setattr(draw, "MAX_ATTEMPTS", 3)
    monkeypatch.setattr(search, "MAX_ATTEMPTS", 3)
    cfg = config.from_dict({"layers": [4, 5, 6], "decimals": 1, "answer_decimals": 2})
    with pytest.raises(ConfigError) as one:
        one_by_one(cfg, ["s1", "s2", "s3", "s4", "s5", "s6"])
    with pytest.raises(ConfigError) as batched:
        make_exercises(cfg, ["s1", "s2", "s3", "s4", "s5", "s6"])
    assert str(one.value) == str(batched.value)


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_worker_processes_write_the_same_files(tmp_path):
    """generate with 2 worker processes (3 chunks of students) writes the bytes of 1 process."""
    from exgen.exam.build import generate_exam
    from exgen.roster import count_roster
    cfg = config.from_dict({"seed": 12})
    students = count_roster(2 * search.CHUNK + 5)
    generate_exam(cfg, students, tmp_path / "one", pdf=False, jobs=1)
    generate_exam(cfg, students, tmp_path / "two", pdf=False, jobs=2)
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert len(one) == 3 * len(students) + 4  # sheets, keys, JSON keys; index, CSV, exam.json, manifest
    assert one == two


def test_a_clashing_student_gets_the_one_by_one_files(tmp_path):
    import json
    from exgen.exam.build import generate_exam
    from exgen.exam.students import key_json
    from exgen.roster import Student
    cfg = config.from_dict({"seed": 1})
    students = [Student("a", "A"), Student("b", "B"), Student("a", "A")]
    generate_exam(cfg, students, tmp_path / "exam", pdf=False, jobs=1)
    want = one_by_one(cfg, ["a", "b", "a"])
    got = (tmp_path / "exam" / "answer_keys" / "a.json").read_text(encoding="utf-8")
    assert got == key_json(cfg, want[0], students[0])
    assert json.loads(got)["spec"] != json.loads(key_json(cfg, make_exercise(cfg, "a"), students[0]))["spec"]
