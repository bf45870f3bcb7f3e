# Shared by ./run and ./test: a project virtualenv installed from the lock file (uv.lock), and
# reinstalled only when the lock or pyproject.toml changes. Sourced, not executed.
#   source scripts/bootstrap.sh         the service's packages
#   source scripts/bootstrap.sh test    and the test tools (the `test` extra)
# Only `test` (or nothing) is read as extras: ./run's own arguments are left for `resettlement up`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

extras=""
if [ "${1:-}" = test ]; then extras=test; fi
UV_VERSION=0.13.9
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  .venv/bin/python -m pip install --quiet "uv==$UV_VERSION"
fi
stamp=".venv/.installed-$(cat pyproject.toml uv.lock | sha256sum | cut -c1-16)"
# An install with the test extra holds everything ./run needs too.
if [ ! -f "$stamp-test" ] && [ ! -f "$stamp${extras:+-$extras}" ]; then
  echo "Installing resettlement${extras:+ [$extras]} into .venv from uv.lock ..."
  # The exact versions in uv.lock (with their hashes), never a fresh resolution; --locked fails
  # rather than quietly re-locking. To change a version: edit pyproject.toml, `uv lock`.
  .venv/bin/uv export --quiet --locked --no-emit-project ${extras:+--extra "$extras"} \
    --output-file .venv/requirements.txt
  .venv/bin/uv pip install --quiet --python .venv/bin/python --require-hashes \
    -r .venv/requirements.txt
  .venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps --editable .
  touch "$stamp${extras:+-$extras}"
fi
export PATH="$PWD/.venv/bin:$PATH"
