"""One call from files to outputs (`exgen grade`), and the demo's designed sample submission."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from exgen.grading.attempts import ATTEMPT_RULES
from exgen.grading.grade import GradeResult, grade_submissions
from exgen.grading.keyindex import load_prepared
from exgen.roster import alias_map, read_roster
from exgen.grading.files import read_columns
from exgen.grading.read import ANSWER_COLUMNS, no_gc, read_mapping, read_submissions
from exgen.acceptance import check_carried_credit
from exgen.errors import UsageError
from exgen.outdir import OutputDir
from exgen.textio import check_paths
from exgen.grading.outputs import summary, write_outputs


def grade_files(submissions: str | Path, keys_dir: str | Path, out: str | Path, *,
                id_column: str | None = None, mapping: list[str] | None = None,
                mapping_file: str | Path | None = None, roster: str | Path | None = None,
                sheet: str | None = None, carried_credit: float | None = None, force: bool = False,
                feedback: bool = True, report: bool = True, attempt: str = "latest",
                canvas_assignment_id: str | None = None,
                blackboard_column_id: str | None = None) -> tuple[GradeResult, str]:
    """Grade a submissions file against `keys_dir/*.json` and write the grades folder `out`
    (an exgen output folder, see `exgen.outdir`: refused if it is or holds an input, or holds
    files exgen did not write; an earlier grading is replaced only with `force`).
    Of a student's several attempts the one `attempt` names counts: latest, first (by the attempt
    number or timestamp column; row order without one) or best (the highest total score).
    A Moodle Responses or Canvas Student Analysis report of an `exgen export`ed quiz is graded per
    variant with no mapping (exgen.lms.regrade); the gradebooks for Canvas, Moodle and Blackboard
    carry the roster's LMS columns (exgen.lms.writeback).
    Returns the result and the stdout summary."""
    if attempt not in ATTEMPT_RULES:
        raise UsageError(f"--attempt: must be one of {', '.join(ATTEMPT_RULES)}, got {attempt!r}")
    check_carried_credit(carried_credit)
    check_paths(inputs=[submissions, mapping_file, roster], input_dirs=[keys_dir], outputs=[out])
    inputs = {"SUBMISSIONS": submissions, "--keys": keys_dir, "--map-file": mapping_file, "--roster": roster}
    with OutputDir(out, "grades", force=force, inputs=inputs) as stage, ThreadPoolExecutor(1) as pool, no_gc():
        # the submissions' cells are read and their answers parsed (numbers.Parsed; NumPy on the
        # file's bytes, mostly outside the GIL) while the keys load: two cores at work; a reading
        # error is raised only where reading was
        cells = pool.submit(read_columns, submissions, sheet, () if mapping or mapping_file else ANSWER_COLUMNS)
        # every key validated (errors name its file) before anything else is read; from the
        # exam-wide index (answer_keys/.exam-keys.npz) when it matches the JSON keys
        keys, prep = load_prepared(keys_dir)
        students = read_roster(roster) if roster else None
        lms = None
        if not (mapping or mapping_file or id_column):
            from exgen.lms.regrade import read_lms
            lms = read_lms(submissions, keys, roster=students, sheet=sheet, attempt=attempt,
                           carried_credit=carried_credit)
        if lms is not None:
            res = grade_submissions(lms.sub, lms.keys, carried_credit=carried_credit, attempt=attempt)
            res.notes += lms.notes
        else:
            known = {q for g in prep.groups for q in g.qids}
            sub = read_submissions(submissions, known_qids=known, id_column=id_column,
                                   mapping=read_mapping(mapping, mapping_file),
                                   roster=alias_map(students) if students else None, sheet=sheet,
                                   table=cells.result())
            res = grade_submissions(sub, keys, carried_credit=carried_credit, prepared=prep,
                                    attempt=attempt)
            if sub.lms_layout:
                res.notes.append(f"Layout: {sub.lms_layout}.")
        exam = next(iter(keys.values())).get("exam", "")
        write_outputs(res, stage, exam=exam, feedback=feedback, report=report,
                      lms={"info": lms.info if lms else None, "roster": students,
                           "canvas_assignment_id": canvas_assignment_id,
                           "blackboard_column_id": blackboard_column_id})
    files = ["answers.csv", "grades.csv", "grades_canvas.csv", "grades_moodle.csv", "grades_blackboard.csv",
             "issues.csv"] + \
        ["feedback/"] * feedback + ["report.html"] * report
    return res, summary(res) + f"\nWrote {out}/ ({', '.join(files)})."


def sample_submission(keys: dict[str, dict], path: str | Path, seed: int = 0) -> Path:
    """A long-form submissions CSV for `keys` that shows every verdict (see `sample.py`):
    correct, carried, wrong with diagnoses, invalid and missing. Deterministic for a seed."""
    from exgen.grading.sample import sample_submission as designed
    return designed(keys, path, seed)
