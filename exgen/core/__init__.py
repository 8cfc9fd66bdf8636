"""The engine (`engine.run`, batched over networks, with the hooks grading needs) and the solution
refs it answers (`refs`). `exgen.core.solve.solve` is the single-network view of the same engine."""
from exgen.core.engine import ALL, BACKWARD, FORWARD, LOSS, SLIPS, UPDATE, Nets, Result, rounder, run
from exgen.core.refs import parameters, stage

__all__ = ["ALL", "BACKWARD", "FORWARD", "LOSS", "SLIPS", "UPDATE", "Nets", "Result", "parameters",
           "rounder", "run", "stage"]
