"""A directory of answer keys (`<student_id>.json`, one per student), read into a dict by
student id; grading prepares them as arrays (exgen.grading.keys) or takes them from the exam's
key index (exgen.grading.keyindex)."""
from __future__ import annotations

from pathlib import Path

from exgen.answer_key import read_key_file, validate_key
from exgen.errors import InputFileError
from exgen.grading.read import no_gc


class Keys(dict):
    """Answer keys by student id (a dict), with the file each was read from (`sources`)."""
    sources: dict[str, str]


def is_key_name(name: str) -> bool:
    """Whether a file of a key folder is a key: `<student_id>.json`, never a name starting with
    "." (ids start with a letter or digit): macOS's ._s001.json beside s001.json is none."""
    return name.endswith(".json") and not name.startswith(".")


def load_keys(directory: str | Path) -> Keys:
    """All `<student_id>.json` keys of a directory, by student id. The keys are validated
    field by field when they are prepared for grading (`Prepared.add`, `questions.validate_key`)."""
    d = Path(directory)
    if d.is_file():
        raise InputFileError(f"{d}: is a file; --keys wants the directory of answer keys "
                             f"(<student_id>.json, one per student), e.g. {d.parent}")
    if not d.is_dir():
        raise InputFileError(f"{d}: no such directory of answer keys")
    if (d / "exam.json").is_file() and (d / "answer_keys").is_dir():  # its files are not keys
        raise InputFileError(f"{d}: is an exam folder; --keys wants its directory of answer keys, "
                             f"{d / 'answer_keys'}")
    keys, sources = Keys(), {}  # type: Keys, dict[str, str]
    with no_gc():  # millions of small objects: the cyclic collector would rescan them again and again
        for p in sorted(d.glob("*.json")):
            if not is_key_name(p.name):
                continue
            key = read_key_file(p)
            if not isinstance(key, dict) or "questions" not in key or "spec" not in key:
                validate_key(key, str(p))  # says what is missing
            sid = key.get("student_id", p.stem)
            if not isinstance(sid, str) or not sid.strip():
                validate_key(key, str(p))
            if sid in keys:
                raise InputFileError(f"{p}: student_id {sid!r} again (also in {sources[sid]}); "
                                     "one answer key per student")
            keys[sid], sources[sid] = key, str(p)
    if not keys:
        raise InputFileError(f"{d}: no answer keys (*.json) found")
    keys.sources = sources
    return keys
