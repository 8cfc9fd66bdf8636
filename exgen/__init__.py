"""exgen: backpropagation exercises, solved exactly, typeset and graded."""
__version__ = "0.1.0"
