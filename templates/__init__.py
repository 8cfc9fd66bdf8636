"""jinja2 LaTeX templates, shipped as the package data `exgen.templates`."""
