"""Figures for lesson 04 Attention and masking (issue 5)."""

__all__: list[str] = []
