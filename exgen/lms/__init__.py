"""LMS round trips: quiz exports, their response reports read back, gradebook write-back
(one module per LMS; docs/lms.md)."""
