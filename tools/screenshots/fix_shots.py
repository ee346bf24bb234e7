"""The fix preview picture: the player on a small clip with a 2x upscale and 2x interpolation
previewed (B, after the fix, at 1:1) and the synthesised frames marked on the timeline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from anicurate.core.fix import FixSpec, Interpolation
from tools.screenshots.shot_tools import grab, settle, wait_for

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow

#: Previewed, never stored: the project file is left as it was.
PREVIEWED = FixSpec(upscale=2, interpolate=Interpolation("factor", 2), interp_model="blend")


def render_fix_screenshots(window: MainWindow, outdir: Path) -> list[Path]:
    """Grab ``fix-preview.png`` into ``outdir`` (nothing without a clip on screen)."""
    from anicurate.ui import fix

    feature = fix.install(window, window.session, window.jobs)
    if feature.row is None or feature.row.clip is None:
        return []
    feature.dock.show()
    feature.dock.raise_()
    wait_for(feature.previewer.ready, lambda: feature.preview_spec(PREVIEWED))
    settle()
    try:
        return [grab(window, Path(outdir) / "fix-preview.png")]
    finally:
        feature.show_clip(window.current.player_row())  # back to the stored fix
        window.inspector_dock.raise_()
