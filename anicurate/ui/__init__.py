"""Qt widgets, item models and workers over the core; no algorithms live here."""
