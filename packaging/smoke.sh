#!/usr/bin/env bash
# Smoke test of a release archive, as a user gets it: unpack, run the frozen binary, install.
# Usage: packaging/smoke.sh ARCHIVE PYTHON   (PYTHON: an interpreter with anicurate's deps, used
# only to draw the test clips and read JSON; the bundle itself runs with no Python around).
# Exits non-zero on the first failure.
set -euo pipefail
archive="$(realpath "$1")"; py="$2"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
step() { echo "--- smoke: $*"; }
fail() { echo "SMOKE FAILED: $*" >&2; exit 1; }

tar -xzf "$archive" -C "$work"
bundle="$(find "$work" -mindepth 1 -maxdepth 1 -type d)"
app="$bundle/anicurate"
# a clean user: no settings, caches or models from this machine; Qt without a display
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_CACHE_HOME="$work/home/.cache" \
  XDG_DATA_HOME="$work/home/.local/share" QT_QPA_PLATFORM=offscreen
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
mkdir -p "$HOME"

step "--version"
want="anicurate $("$py" -c 'import tomllib;print(tomllib.load(open("'"$repo"'/pyproject.toml","rb"))["project"]["version"])')"
got="$("$app" --version)"; echo "$got"
[ "$got" = "$want" ] || fail "--version said '$got', expected '$want'"

step "doctor"
"$app" doctor
"$app" doctor --json > "$work/doctor.json"
"$py" - "$work/doctor.json" "$bundle" <<'PY' || fail "doctor"
import json, sys
from pathlib import Path
report, bundle = json.load(open(sys.argv[1])), Path(sys.argv[2])
missing = [k for k, v in report["versions"].items() if "not installed" in v or "not importable" in v]
assert not missing, f"doctor finds no metadata for {missing}"
assert "frozen bundle" in report["versions"]["Python"], report["versions"]["Python"]
providers = {p["name"]: p for p in report["providers"]}
assert providers["CPUExecutionProvider"]["works"], providers
for name in ("CUDAExecutionProvider", "TensorrtExecutionProvider"):
    if name in providers:  # the CPU bundle leaves their libraries out and says so
        p = providers[name]
        assert not p["works"] and p["detail"].startswith("provider library absent"), p
shipped = [p.name for p in bundle.rglob("*") if p.name.startswith(("libcudart", "libcudnn", "libcublas", "libqgtk3", "libgtk-3"))]
assert not shipped, f"host or GPU libraries in the bundle: {shipped}"
print("doctor: every package found; providers:", {n: p["works"] for n, p in providers.items()})
PY
"$app" doctor | grep -F "$bundle/models" >/dev/null || fail "doctor does not search $bundle/models"

step "fix: the shipped models are found and run"
"$app" fix --list | tee "$work/fix-list.txt"
for engine in waifu2x-upconv7-2x rife-4 waifu2x-cunet-denoise1; do
  grep -q "	$engine	" "$work/fix-list.txt" || fail "fix --list lacks the shipped $engine"
done
"$py" - "$work/small.mp4" <<'PY' || fail "small clip"
import sys
import numpy as np
from anicurate.core.media.writer import write_video
import cv2
frames = []
for i in range(8):  # a figure moving over a flat sky: one shot, so RIFE synthesises
    rgb = np.full((72, 128, 3), (150, 200, 245), np.uint8)
    cv2.circle(rgb, (30 + 6 * i, 36), 14, (250, 222, 200), -1)
    cv2.circle(rgb, (30 + 6 * i, 36), 14, (28, 24, 36), 2)
    frames.append(rgb)
write_video(sys.argv[1], frames, 24)
PY
"$app" fix "$work/small.mp4" --out "$work/fixed.mkv" --upscale 2 --interpolate 2 -q \
  || fail "fix with the shipped upscaler and interpolator"
"$py" - "$work/fixed.mkv" <<'PY' || fail "fixed clip"
import sys, av
with av.open(sys.argv[1]) as c:
    frames = list(c.decode(video=0))
assert (frames[0].width, frames[0].height) == (256, 144), (frames[0].width, frames[0].height)
assert len(frames) >= 15, len(frames)  # frame k became frame 2k
print(f"fixed: {len(frames)} frames {frames[0].width}x{frames[0].height}")
PY

step "analyze --workers 3 on three generated clips"
"$py" "$repo/packaging/make_clips.py" "$work/clips"
"$app" import -q "$work/p.anicurate" "$work/clips"
"$app" analyze --project "$work/p.anicurate" --workers 3 --json -q > "$work/analysis.jsonl"
cat "$work/analysis.jsonl" | cut -c1-160
"$py" - "$work/analysis.jsonl" <<'PY' || fail "analysis results"
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert len(rows) == 3, rows
cuts = sorted(r["metrics"]["cuts"] for r in rows)
assert cuts == [[], [], [48]], cuts  # a.mp4 has one hard cut at frame 48
PY

step "export t2v-json"
"$app" export --project "$work/p.anicurate" --format t2v-json --out "$work/export" --include all -q
"$py" - "$work/export" <<'PY' || fail "export"
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
videos = sorted(p.name for p in (out / "videos").glob("*.mp4"))
assert len(videos) == 3, videos
assert (out / "train.json").is_file() and (out / "manifest.json").is_file()
json.loads((out / "manifest.json").read_text())
print("export:", videos)
PY

step "screenshots (offscreen)"
"$app" --screenshots "$work/shots" --project "$work/p.anicurate" -q > "$work/shots.txt"
n="$(grep -c '\.png$' "$work/shots.txt" || true)"
[ "$n" -gt 0 ] || fail "no screenshots written"
for f in $(cat "$work/shots.txt"); do [ -s "$f" ] || fail "empty screenshot $f"; done
echo "$n screenshots"

step "install.sh / uninstall.sh into a scratch ~/.local"
"$bundle/install.sh"
prefix="$HOME/.local"
[ "$("$prefix/bin/anicurate" --version)" = "$want" ] || fail "installed symlink does not run"
desktop="$prefix/share/applications/anicurate.desktop"
grep -qx "Exec=\"$prefix/lib/anicurate/anicurate\" %f" "$desktop" || fail "Exec line: $(grep ^Exec "$desktop")"
[ -f "$prefix/share/mime/packages/anicurate.xml" ] || fail "MIME XML not installed"
[ -f "$prefix/share/icons/hicolor/scalable/apps/anicurate.svg" ] || fail "icon not installed"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop" || fail "desktop-file-validate"; fi
if command -v update-mime-database >/dev/null; then
  grep -q "anicurate" "$prefix/share/mime/globs2" || fail "MIME database has no *.anicurate glob"
fi
"$prefix/lib/anicurate/uninstall.sh"
left="$(find "$prefix" -name '*anicurate*' ! -path '*/mime/*' | head -5)"
[ -z "$left" ] || fail "uninstall left: $left"
[ ! -e "$prefix/share/mime/packages/anicurate.xml" ] || fail "uninstall left the MIME XML"

if command -v objdump >/dev/null; then
  step "glibc needed (highest GLIBC_ symbol version of any bundled ELF file)"
  find "$bundle" -type f \( -name '*.so*' -o -name anicurate \) -exec objdump -T {} + 2>/dev/null \
    | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 || true
fi
echo "SMOKE OK"
