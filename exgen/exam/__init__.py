"""Exams: the config (`config`), networks drawn for each student (`draw`), the exam folder
(`build`), LaTeX sheets and keys (`render`, `worked`, `templates/`) and their PDFs (`pdf`)."""
