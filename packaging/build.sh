#!/usr/bin/env bash
# Build the CPU release bundle from the lock and smoke-test it (packaging/README.md):
#   dist/anicurate/                               the frozen app folder
#   dist/anicurate-<version>-linux-x86_64.tar.gz  what users download (with install.sh)
# Exits non-zero when the build or any smoke step fails. PYTHON picks the interpreter (python3).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
source .ci/uv.sh
UV="$repo/$UV"

venv="$repo/build/venv"
echo "=== clean build venv from uv.lock (runtime + the packaging extra) in $venv"
rm -rf "$venv"
UV_PROJECT_ENVIRONMENT="$venv" "$UV" sync --locked --no-editable --extra packaging \
  --python "${PYTHON:-python3}" --quiet
version="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("anicurate"))')"

echo "=== pyinstaller"
start=$SECONDS
rm -rf dist/anicurate build/pyinstaller
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN --distpath dist \
  --workpath build/pyinstaller packaging/anicurate.spec
echo "pyinstaller took $((SECONDS - start)) s"

# models/ next to the executable: where users put taggers (anicurate.paths.bundled_models_dir);
# the fix models the repo ships are in _internal/models (the spec's datas), so that folder holds
# only what the user put there and uninstall.sh can tell it apart
mkdir -p dist/anicurate/models dist/anicurate/share
cp models/README.md dist/anicurate/models/README.md
cp packaging/install.sh packaging/uninstall.sh dist/anicurate/
cp packaging/anicurate.desktop packaging/anicurate-mime.xml resources/icons/anicurate.svg \
  dist/anicurate/share/

archive="dist/anicurate-$version-linux-x86_64.tar.gz"
tar -czf "$archive" -C dist --transform "s,^anicurate,anicurate-$version," anicurate
echo "=== sizes"
du -sh dist/anicurate | sed 's/\t/  /'
du -sh "$archive" | sed 's/\t/  /'

echo "=== smoke test of $archive"
bash packaging/smoke.sh "$archive" "$venv/bin/python"
echo "=== built $archive"
