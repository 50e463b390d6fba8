"""Figures for lesson 02 Numerical stability and log-sum-exp (issue 4)."""

__all__: list[str] = []
