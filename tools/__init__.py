"""Developer tools that are not shipped with anicurate (screenshots of the window)."""
