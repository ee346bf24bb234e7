# Sourced by .ci/run and .ci/lock: uv at a pinned version, in a venv of its own (never inside the
# environment it syncs), installed once and reused. Sets UV to its path.
UV_VERSION=0.13.9
UV=.ci/.tools/bin/uv
if [ "$("$UV" --version 2>/dev/null | cut -d" " -f1-2)" != "uv $UV_VERSION" ]; then
  python3 -m venv .ci/.tools
  .ci/.tools/bin/python -m pip install -q "uv==$UV_VERSION"
fi
