"""Explorers for lesson 05 Cross-entropy and gradients (issue 6)."""

__all__: list[str] = []
