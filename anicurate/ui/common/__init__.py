"""Widgets, models and helpers every part of the window shares (no feature logic)."""
