"""The exgen command line (typer): `main` holds the app, its error handling and `solve`; `exam`,
`grade` and `student` register their commands on it. Thin: parse, call the library, print."""
from exgen.cli.main import app, main
from exgen.cli import exam, grade, lms, page, student  # noqa: E402,F401  (the commands register on `app`)

__all__ = ["app", "main"]
