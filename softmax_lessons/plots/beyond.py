"""Figures for lesson 06 Beyond: online and blockwise softmax (issue 6)."""

__all__: list[str] = []
