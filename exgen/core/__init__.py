"""The engine (`engine.run`, batched over networks, with the hooks grading needs) and the solution
refs it answers (`refs`). `exgen.engine.solve` is the single-network view of the same engine."""
from .engine import ALL, BACKWARD, FORWARD, LOSS, SLIPS, UPDATE, Nets, Result, rounder, run
from .refs import parameters, stage

__all__ = ["ALL", "BACKWARD", "FORWARD", "LOSS", "SLIPS", "UPDATE", "Nets", "Result", "parameters",
           "rounder", "run", "stage"]
