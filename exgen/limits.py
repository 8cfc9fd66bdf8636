"""Limits before work: every bound on what an input file can ask exgen to compute, in one place.

The values are generous for teaching (any network a class works through by hand, and much more)
yet small enough that nothing a file asks for takes more than a few seconds or a few hundred MB
before exgen answers or refuses. README, "Limits", lists them; change them here only.
"""
from __future__ import annotations

from typing import Any

from exgen.errors import ExgenError, UsageError

# the network (spec files, and the networks exgen draws)
MAX_LAYERS = 10  # layer sizes, input included
MAX_NEURONS = 100  # per layer
MAX_PARAMS = 10_000  # weights + biases
MAX_SAMPLES = 100  # samples in a mini-batch
MAX_PARAM_SAMPLES = 200_000  # parameters x samples: the size of a worked solution
MAX_PATHS = 10_000  # chain-rule paths listed (all parameters, all samples)

# exam configs: one student's network is drawn and solved up to generate.MAX_ATTEMPTS times
MAX_EXAM_LAYERS = 6
MAX_EXAM_NEURONS = 8
MAX_EXAM_PATHS = 1_000
MAX_GROUP_QUESTIONS = 26  # questions in one group (ids 1a..1z)
MAX_EXAM_BATCH = 8  # samples in an exam's mini-batch (config key `batch`): worked by hand

# exams: students on a roster (or --count), and the length of a student id (it names files)
MAX_STUDENTS = 50_000
MAX_ID_CHARS = 64
MAX_VARIANTS = 1_000  # variant exercises of `generate --variants` (an LMS hands one out at random)

# worker processes of `generate --jobs` (each may run a lualatex of its own): a few per core at most
MAX_JOBS = 64

# self-check pages (exgen page --count): each exercise is drawn, solved and judged once
MAX_PAGE_EXERCISES = 50

# tables (submissions, rosters, self-check answers: CSV or .xlsx), checked before parsing
MAX_TABLE_BYTES = 50_000_000  # size of a CSV file (1,000,000 answer rows take about 20 MB; 50 MB of a wide file: ~4 s, ~300 MB)
MAX_XLSX_BYTES = 200_000_000  # the uncompressed size of an .xlsx workbook's parts (a "zip bomb")
MAX_TABLE_ROWS = 1_000_000  # rows below the header
MAX_TABLE_COLUMNS = 2_000  # cells in a row
MAX_LINE_CHARS = 1_000_000  # characters in one line of a CSV file

# documents (JSON and YAML files a user gives: specs, configs, keys, mapping files)
MAX_DOC_BYTES = 1_000_000
MAX_DEPTH = 32  # nesting of lists and mappings
MAX_YAML_ALIASES = 100
MAX_YAML_VALUES = 1_000_000  # values in a YAML document with its aliases expanded
MAX_INT_DIGITS = 30  # digits of an integer (a float of any size is fine, if finite)


class LimitError(ExgenError):
    """An input asks for more than a limit allows: names the limit, the value, the file and field."""

    def __init__(self, what: str, value: Any, limit: Any, source: str | None = None,
                 where: str | None = None, hint: str = ""):
        self.what, self.value, self.limit, self.source, self.where = what, value, limit, source, where
        head = ": ".join(str(p) for p in (source, where) if p)
        msg = f"too many {what}: {_n(value)}, the limit is {_n(limit)}" + (f"; {hint}" if hint else "")
        super().__init__(f"{head}: {msg}" if head else msg)


def _n(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def field(name: str) -> str:
    return f"field '{name}'"


def check(what: str, value: int, limit: int, source: str | None = None, where: str | None = None,
          hint: str = "") -> None:
    """Raise LimitError if value > limit."""
    if value > limit:
        raise LimitError(what, value, limit, source, where, hint)


def check_jobs(jobs: int | None) -> int | None:
    """`jobs` (worker processes, None: all cores) if it is a whole number from 1 to MAX_JOBS."""
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS):
        raise UsageError(f"--jobs: expected 1..{MAX_JOBS} (worker processes), got {jobs!r}")
    return jobs


def network_paths(layers: list[int], softmax_out: bool, with_biases: bool) -> int:
    """The number of chain-rule paths of one sample, over every parameter: computed, not listed.

    A parameter feeding neuron j of layer l+1 has one path per choice of a neuron in each later
    layer (times the outputs, through a softmax), as exgen.core.paths.paths_for lists them."""
    L = len(layers) - 1
    total = 0
    for l in range(L):
        later = 1
        for n in layers[l + 2:]:
            later *= n
        if softmax_out:
            later *= layers[-1]
        total += layers[l + 1] * (layers[l] + (1 if with_biases else 0)) * later
    return total


def parameter_paths(layers: list[int], l: int, softmax_out: bool) -> int:
    """The number of chain-rule paths of one parameter of weight layer l (0-based), one sample."""
    later = 1
    for n in layers[l + 2:]:
        later *= n
    return later * (layers[-1] if softmax_out else 1)


def check_network(layers: list[int], samples: int, with_biases: bool, source: str | None) -> None:
    """The size limits of a network spec (layers must already be a list of positive ints)."""
    check("layers", len(layers), MAX_LAYERS, source, field("layers"))
    for i, n in enumerate(layers):
        check("neurons", n, MAX_NEURONS, source, field(f"layers[{i}]"))
    params = sum(layers[l + 1] * (layers[l] + (1 if with_biases else 0)) for l in range(len(layers) - 1))
    check("parameters (weights and biases)", params, MAX_PARAMS, source, field("layers"))
    check("samples", samples, MAX_SAMPLES, source, field("x"))
    check("parameters x samples", params * samples, MAX_PARAM_SAMPLES, source, field("x"))

# computational graphs (exgen.graph): spec files, and the graphs exgen draws
MAX_GRAPH_NODES = 200  # gates in a graph
MAX_GRAPH_INPUTS = 100  # inputs of a graph
MAX_EXPRESSION_CHARS = 2_000  # characters in one expression
MAX_EXPRESSION_DEPTH = 50  # nesting of parentheses, functions and unary minus
MAX_GRAPH_NUMBER = 1_000_000  # magnitude of an input or a constant
MAX_EXAM_GATES = 12  # gates of an exam config graph
