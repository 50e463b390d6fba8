"""Figures for lesson 03 Temperature, sampling and calibration (issue 5)."""

__all__: list[str] = []
