"""One call from files to outputs (`exgen grade`), and a demo that grades a sample submission."""
from __future__ import annotations

from pathlib import Path

from .grade import GradeResult, grade_submissions
from .keys import Keys, Prepared, load_keys
from .read import read_mapping, read_roster, read_submissions
from .report import summary, write_all


def grade_files(submissions: str | Path, keys_dir: str | Path, out: str | Path, *,
                id_column: str | None = None, mapping: list[str] | None = None,
                mapping_file: str | Path | None = None, roster: str | Path | None = None,
                sheet: str | None = None, carried_credit: float = 0.5, force: bool = False,
                feedback: bool = True, report: bool = True) -> tuple[GradeResult, str]:
    """Grade a submissions file against `keys_dir/*.json` and write GRADES_DIR. Returns the
    result and the stdout summary."""
    keys = load_keys(keys_dir)
    if Path(out).exists() and not force:
        from .report import OutputExistsError
        raise OutputExistsError(f"{out}: already exists; use --force to replace it")
    prep = Prepared()  # every key validated (errors name its file) before anything else is read
    prep.add(list(keys.values()), [keys.sources[s] for s in keys] if isinstance(keys, Keys) else None)
    known = {q for g in prep.groups for q in g.qids}
    sub = read_submissions(submissions, known_qids=known, id_column=id_column,
                           mapping=read_mapping(mapping, mapping_file),
                           roster=read_roster(roster) if roster else None, sheet=sheet)
    res = grade_submissions(sub, keys, carried_credit=carried_credit, prepared=prep)
    exam = next(iter(keys.values())).get("exam", "")
    write_all(res, out, exam=exam, force=force, feedback=feedback, report=report)
    files = ["answers.csv", "grades.csv", "grades_canvas.csv", "issues.csv"] + \
        ["feedback/"] * feedback + ["report.html"] * report
    return res, summary(res) + f"\nWrote {out}/ ({', '.join(files)})."


def sample_submission(keys: dict[str, dict], path: str | Path, seed: int = 0) -> Path:
    """A long-form submissions CSV for `keys` that shows every verdict (see `sample.py`):
    correct, carried, wrong with diagnoses, invalid and missing. Deterministic for a seed."""
    from .sample import sample_submission as designed
    return designed(keys, path, seed)


def grade_demo(keys_dir: str | Path, out_dir: str | Path, *, seed: int = 0,
               force: bool = False) -> tuple[GradeResult, str]:
    """Grade a generated sample submission for the keys in `keys_dir`: writes
    `out_dir/sample_submissions.csv` and the grading outputs in `out_dir/grades/`.
    Returns (result, summary text)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sub = sample_submission(load_keys(keys_dir), out_dir / "sample_submissions.csv", seed)
    return grade_files(sub, keys_dir, out_dir / "grades", force=force)
