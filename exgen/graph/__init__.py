"""Computational graphs of scalar gates (seed 002): spec, parser, solver, generated exercises.

spec.py reads a graph spec (`graph: {inputs, nodes, output}` or `expression` with `inputs`);
parse.py takes expressions apart into one node per gate (a small recursive-descent parser, never
eval); ops.py is the one table of gates (value, local gradients, formula text); solve.py runs the
forward and backward passes, vectorised over many graphs of one shape (grading), with hooks for
hand rounding, a student's own values and slips. draw.py, render.py and grading.py make exams
of graphs; the question kinds are units in exgen/kinds/graph.py (the solver never imports them).
"""
