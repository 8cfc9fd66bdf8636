"""exgen: backpropagation exercises, solved exactly, typeset and graded.

The library under the `exgen` command (docs/api.md):

>>> import exgen
>>> sol = exgen.solve(exgen.load_example("seed002-3-2-2"))
>>> sol.loss > sol.loss_after
True
"""
from exgen.api import (check_answers, export_canvas, export_moodle, generate_exam, grade_files, load_config, load_example, load_key,
                  load_spec, solution_json, solve, write_page)
from exgen.errors import (ConfigError, ExgenError, InputFileError, OutputExistsError, SpecError, TexError,
                     UsageError)

__version__ = "0.1.0"
__all__ = ["ConfigError", "ExgenError", "InputFileError", "OutputExistsError", "SpecError", "TexError",
           "UsageError", "check_answers", "export_canvas", "export_moodle", "generate_exam", "grade_files", "load_config", "load_example",
           "load_key", "load_spec", "solution_json", "solve", "write_page"]
