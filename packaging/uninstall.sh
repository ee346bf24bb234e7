#!/usr/bin/env bash
# Remove what install.sh added (same PREFIX, default ~/.local). Tagger models that the user put
# into $PREFIX/lib/anicurate/models are kept unless --purge is given; projects are never touched.
set -euo pipefail
PREFIX="${PREFIX:-$HOME/.local}"
app="$PREFIX/lib/anicurate"
purge=0; [ "${1:-}" = --purge ] && purge=1

[ -L "$PREFIX/bin/anicurate" ] && rm -f "$PREFIX/bin/anicurate"
rm -f "$PREFIX/share/applications/anicurate.desktop" "$PREFIX/share/mime/packages/anicurate.xml" \
  "$PREFIX/share/icons/hicolor/scalable/apps/anicurate.svg"
if [ -d "$app" ]; then
  user_models="$(find "$app/models" -mindepth 1 -maxdepth 1 ! -name README.md 2>/dev/null | head -1)"
  if [ -n "$user_models" ] && [ "$purge" = 0 ]; then
    find "$app" -mindepth 1 -maxdepth 1 ! -name models -exec rm -rf {} +
    echo "kept your tagger models in $app/models (uninstall.sh --purge removes them)"
  else
    rm -rf "$app"
  fi
fi
command -v update-mime-database >/dev/null && [ -d "$PREFIX/share/mime" ] && update-mime-database "$PREFIX/share/mime" || true
command -v update-desktop-database >/dev/null && [ -d "$PREFIX/share/applications" ] && update-desktop-database -q "$PREFIX/share/applications" || true
echo "anicurate removed from $PREFIX"
