"""Figures for lesson 01 Definition: from scores to probabilities (issue 4)."""

__all__: list[str] = []
