"""Typed errors. The CLI prints them as one line, ``Error: <message>``, and exits 1."""


class ExgenError(Exception):
    """Base class of every error exgen reports to a user."""


class SpecError(ExgenError):
    """A network spec is malformed: names the file (if any), the field and what was expected."""

    def __init__(self, field: str | None, problem: str, source: str | None = None):
        self.field, self.problem, self.source = field, problem, source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{problem}" if field is None else f"{where}field '{field}': {problem}")


class ConfigError(ExgenError):
    """An exam config is malformed."""


class InputFileError(ExgenError):
    """An input file (roster, submissions, key) cannot be read."""


class TexError(ExgenError):
    """TeX is missing or a document failed to compile."""


class OutputExistsError(ExgenError):
    """An output directory already holds results and --force was not given."""


class UsageError(ExgenError):
    """An argument is out of range, or two arguments conflict (e.g. a roster and a count)."""
