"""Homework tooling: exercises built from solutions, and grading (the `homework` extra)."""
