#!/usr/bin/env bash
# Install this anicurate bundle for the current user (no root): the bundle into
# $PREFIX/lib/anicurate, a $PREFIX/bin/anicurate symlink (the PATH entry), the icon, the .desktop
# entry and the MIME type of .anicurate projects. PREFIX defaults to ~/.local.
# Run it from the unpacked archive: ./install.sh   Undo with: ~/.local/lib/anicurate/uninstall.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PREFIX="${PREFIX:-$HOME/.local}"
app="$PREFIX/lib/anicurate"
[ -x "$here/anicurate" ] && [ -d "$here/_internal" ] || { echo "install.sh: run it from the unpacked bundle" >&2; exit 1; }

if [ "$here" != "$app" ]; then
  if [ -d "$app/models" ]; then  # keep taggers the user put into an earlier install
    keep="$(mktemp -d)"; cp -a "$app/models/." "$keep/"
  fi
  rm -rf "$app"; mkdir -p "$app"
  cp -a "$here/." "$app/"
  if [ -n "${keep:-}" ]; then cp -an "$keep/." "$app/models/"; rm -rf "$keep"; fi
fi

mkdir -p "$PREFIX/bin" "$PREFIX/share/applications" "$PREFIX/share/mime/packages" \
  "$PREFIX/share/icons/hicolor/scalable/apps"
ln -sfn "$app/anicurate" "$PREFIX/bin/anicurate"
cp "$app/share/anicurate.svg" "$PREFIX/share/icons/hicolor/scalable/apps/anicurate.svg"
cp "$app/share/anicurate-mime.xml" "$PREFIX/share/mime/packages/anicurate.xml"
# Exec and TryExec get the absolute path: the menu works even when ~/.local/bin is not on PATH.
sed -e "s|^Exec=anicurate |Exec=\"$app/anicurate\" |" -e "s|^TryExec=anicurate$|TryExec=$app/anicurate|" \
  "$app/share/anicurate.desktop" > "$PREFIX/share/applications/anicurate.desktop"

command -v update-mime-database >/dev/null && update-mime-database "$PREFIX/share/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database -q "$PREFIX/share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" || true

echo "installed anicurate in $app"
echo "  command: $PREFIX/bin/anicurate; menu entry and .anicurate file association added"
echo "  tagger models go in $app/models/<name>/"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "  note: $PREFIX/bin is not on your PATH; add it (e.g. in ~/.profile) to type 'anicurate'" ;;
esac
