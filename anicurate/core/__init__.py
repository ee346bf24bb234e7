"""The Qt-free core: media, analysis, tagging, catalogue and export, driven by CLI, tests and UI."""
