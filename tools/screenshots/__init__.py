"""Render the main screens of the window to PNG files (README pictures, visual review).

Run ``python -m tools.screenshots OUTDIR [--project P]`` from the repository root.
"""
