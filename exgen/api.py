"""The exgen library: what the commands do, as typed functions (documented in docs/api.md).

Every function raises `exgen.ExgenError` (or a subclass) with a one-line message naming the file
and field for anything a user can get wrong; policy (bounds, defaults) lives here, not in the CLI.

>>> import exgen
>>> sol = exgen.solve(exgen.load_example("seed002-2-2-1"))
>>> sol.spec.layers, sol.loss_after < sol.loss
([2, 2, 1], True)
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # heavy modules are imported when a function is called, not with `import exgen`
    from exgen.exam.config import ExamConfig
    from exgen.core.solve import Solution
    from exgen.exam.build import Result as ExamResult
    from exgen.grading.grade import GradeResult
    from exgen.grading.judge import Verdict
    from exgen.page.write import PageResult
    from exgen.core.spec import Spec

PathLike = str | Path


def load_spec(source: PathLike | Mapping[str, Any]) -> Spec:
    """A network spec from a JSON/YAML file or a dict (the README's spec format), validated.

    >>> spec = load_spec({"layers": [1, 1], "activations": ["linear"], "loss": "half_sse",
    ...                   "learning_rate": 0.1, "x": [2], "y": [1], "weights": [[[0.5]]]})
    >>> spec.layers
    [1, 1]
    """
    from exgen.core import spec as spec_mod
    if isinstance(source, Mapping):
        return spec_mod.from_dict(dict(source))
    return spec_mod.load(source)


def load_example(name: str) -> Spec:
    """A built-in example from the lecture notes (`exgen solve --list-examples` lists them)."""
    from exgen.core import examples
    return examples.load(name)


def solve(spec: Spec | PathLike | Mapping[str, Any]) -> Solution:
    """Everything a student computes by hand: forward values, loss, gradients, one SGD step and
    the loss after it (`sol.loss`, `sol.bwd.grad_w`, `sol.updated_w`, ...).

    >>> solve(load_example("seed002-2-2-1")).loss_after < solve(load_example("seed002-2-2-1")).loss
    True
    """
    from exgen.core.solve import solve as solve_spec
    from exgen.core.spec import Spec
    return solve_spec(spec if isinstance(spec, Spec) else load_spec(spec))


def solution_json(spec: Spec | PathLike | Mapping[str, Any]) -> dict[str, Any]:
    """The solution object of `exgen solve --json` (README: "Solution object"), chain-rule paths
    included, in the spec's own notation; of a computational graph (a graph dict, file or built-in
    graph example name), the graph solution object (README: "Graph spec")."""
    from exgen.core.examples import notation_of
    from exgen.core.solution import to_dict
    graph = _graph(spec)
    if graph is not None:  # a computational graph: its solution object (README: "Graph spec")
        from exgen.graph.solve import solve as solve_graph, to_json
        return to_json(solve_graph(graph))
    sol = solve(spec)
    return to_dict(sol, notation_of(sol.spec))


def _graph(source: Any) -> Any:
    """The graph spec of a graph dict, file or example name, else None (a network)."""
    from exgen.graph import examples, spec as gspec
    if isinstance(source, gspec.GraphSpec):
        return source
    if isinstance(source, Mapping):
        return gspec.from_dict(dict(source)) if gspec.is_graph(source) else None
    if isinstance(source, str) and source in examples.names():
        return examples.load(source)
    if isinstance(source, (str, Path)):
        return gspec.load_if_graph(source)
    return None


def load_config(path: PathLike) -> ExamConfig:
    """An exam config (YAML; `exgen init-config` writes a commented one), validated."""
    from exgen.exam import config
    return config.load(path)


def generate_exam(config: ExamConfig | PathLike, out: PathLike, *, roster: PathLike | None = None,
                  count: int | None = None, pdf: bool = True, force: bool = False,
                  jobs: int | None = None, progress: bool = False, variants: int | None = None) -> ExamResult:
    """One personal exam per student into the folder `out`: sheets and worked keys (.tex, and
    .pdf with `pdf`), JSON answer keys, a blank submissions.csv. Give `roster` (a CSV with a
    student_id column), `count` (students s001, s002, ...) or `variants` (variant exercises v001,
    v002, ... for an LMS to hand out at random: `export_moodle`, `export_canvas`), one of them. `out` follows the
    output-folder rules of the README (new or exgen's own; replaced only with `force`). `jobs`: worker
    processes and lualatex runs, 1 to limits.MAX_JOBS (None: all cores).
    `progress` shows progress bars on stderr.

    >>> generate_exam("exam.yaml", "exam1", count=30, pdf=False)     # doctest: +SKIP
    """
    from exgen.exam import build as exam
    from exgen import roster as roster_mod
    from exgen.errors import UsageError
    from exgen.textio import check_paths
    from exgen.limits import check_jobs
    check_jobs(jobs)
    if sum(x is not None for x in (roster, count, variants)) != 1:
        raise UsageError("give a roster (--roster FILE), a number of students (--count N) or a number of "
                         "variants (--variants N), one of them")
    students = roster_mod.count_roster(count) if count is not None else \
        roster_mod.variant_roster(variants) if variants is not None else None  # bounds before any file is read
    config_file = config if isinstance(config, (str, Path)) else None
    check_paths(inputs=[config_file, roster], outputs=[out])
    cfg = config if not isinstance(config, (str, Path)) else load_config(config)
    if roster is not None:
        students = roster_mod.read_roster(roster)
    assert students is not None  # a roster or a count, checked above
    inputs = {"CONFIG": config_file, "--roster": roster}
    return exam.generate_exam(cfg, students, out, pdf=pdf, force=force, jobs=jobs, inputs=inputs,
                              progress=exam.make_progress() if progress else None, variants=variants is not None)


def grade_files(submissions: PathLike, keys: PathLike, out: PathLike, *, id_column: str | None = None,
                mapping: list[str] | None = None, mapping_file: PathLike | None = None,
                roster: PathLike | None = None, sheet: str | None = None, carried_credit: float | None = None,
                force: bool = False, feedback: bool = True, report: bool = True,
                attempt: str = "latest", canvas_assignment_id: str | None = None,
                blackboard_column_id: str | None = None) -> GradeResult:
    """Grade a submissions file (CSV long or wide, .xlsx, LMS exports; docs/grading.md) against
    the answer keys in the folder `keys`, and write the grades folder `out` (answers.csv,
    grades.csv, grades_canvas.csv, issues.csv, feedback/, report.html, summary.txt).
    `carried_credit` is the fraction of the points for an answer right given the student's own
    earlier (wrong) answers, from 0 to 1 (None: the keys' acceptance policy's, 0.5 without one). `attempt` (latest, first or best) picks which of a
    student's attempts counts: by the attempt number or timestamp column (Canvas `attempt`,
    Moodle `Started on`, Forms `Timestamp`), by row order without one; best = highest total.
    A Moodle Responses or Canvas Student Analysis report of a quiz of `export_moodle` /
    `export_canvas` needs no mapping: each answer is graded against the key of the variant it
    answered (docs/lms.md). The gradebooks grades_canvas.csv (`canvas_assignment_id` names the
    assignment), grades_moodle.csv and grades_blackboard.csv (`blackboard_column_id`) carry the
    roster's LMS columns.

    >>> res = grade_files("answers.csv", "exam1/answer_keys", "grades1")  # doctest: +SKIP
    >>> res.students[:3]                                                  # doctest: +SKIP
    """
    from exgen.grading.run import grade_files as run
    return run(submissions, keys, out, id_column=id_column, mapping=mapping, mapping_file=mapping_file,
               roster=roster, sheet=sheet, carried_credit=carried_credit, force=force,
               feedback=feedback, report=report, attempt=attempt, canvas_assignment_id=canvas_assignment_id,
               blackboard_column_id=blackboard_column_id)[0]


def load_key(path: PathLike) -> dict[str, Any]:
    """An answer key (`answer_keys/<student_id>.json`, docs/generate.md), validated field by field."""
    from exgen.student.selfcheck import load_key as load
    return load(Path(path))


def check_answers(key: PathLike | Mapping[str, Any], answers: Mapping[str, str | None],
                  carried_credit: float | None = None) -> list[Verdict]:
    """A verdict per question of the key, as `exgen check` gives them: correct, carried, wrong
    (with a diagnosis of the classic slip, if one fits), invalid or missing.

    >>> [v.verdict for v in check_answers("answer_keys/ada01.json", {"1a": "0.5"})][:1]  # doctest: +SKIP
    ['wrong']
    """
    from exgen.student.selfcheck import check_unknown, checked_key, grade
    k = load_key(key) if isinstance(key, (str, Path)) else \
        checked_key(dict(key) if isinstance(key, Mapping) else key)  # a key dict: the checks of a key file
    given = {str(q): a for q, a in answers.items()}
    check_unknown(k, {q: a or "" for q, a in given.items()})
    return grade(k, given, carried_credit)


def write_page(out: PathLike, *, preset: str | None = None, example: str | None = None,
               config: PathLike | None = None, key: PathLike | None = None, count: int | None = None,
               seed: int | None = None, title: str | None = None, force: bool = False) -> PageResult:
    """One self-contained offline HTML page (`exgen page`, docs/page.md) at `out`: the exercises of
    one source (`preset` with `count` fresh networks drawn from `seed`, an `example`, an exam
    `config` with `count` networks, or an answer `key`; none: the preset aksoy-2-2-1), each with answer boxes judged in the
    browser exactly as `check_answers` judges them, hints and worked steps. `out` is replaced only
    if exgen wrote it, or with `force`. The result holds each exercise's answer key.

    >>> res = write_page("practice.html", preset="aksoy-2-2-1", count=5, seed=1)  # doctest: +SKIP
    >>> res.exercises[0].key["questions"][0]["id"]                                 # doctest: +SKIP
    '1a'
    """
    from exgen.page.sources import gather
    from exgen.page.write import check_target, write_page as write
    from exgen.textio import check_paths, output_file
    check_paths(inputs=[config, key])
    output_file(out, "the page")
    check_target(Path(out), force)  # before any work
    exercises = gather(preset=preset, example=example, config=config, key=key, count=count, seed=seed)
    return write(exercises, out, title=title, force=force)


def export_moodle(folder: PathLike, out: PathLike, *, force: bool = False) -> Path:
    """The variants of `folder` (`generate_exam(..., variants=N)`) as a Moodle XML question bank
    (one Cloze question per variant; docs/lms.md). A file exgen did not write is not overwritten
    unless `force`.

    >>> export_moodle("quiz1", "quiz1.xml")  # doctest: +SKIP
    """
    from exgen.lms.export import export_quiz
    return export_quiz("moodle", folder, out, force=force)[0]


def export_canvas(folder: PathLike, out: PathLike, *, force: bool = False) -> Path:
    """The variants of `folder` as a Canvas Classic Quizzes QTI 1.2 package (.zip): one question
    group picking 1 of the variants (docs/lms.md). Overwrites only a file exgen wrote, unless `force`.

    >>> export_canvas("quiz1", "quiz1.zip")  # doctest: +SKIP
    """
    from exgen.lms.export import export_quiz
    return export_quiz("canvas", folder, out, force=force)[0]
