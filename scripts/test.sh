#!/usr/bin/env bash
# The whole test suite, from a fresh clone, with nothing installed by hand:
#   1. a venv with tomes (pip install ".[test]") and the test tools;
#   2. the test data (scripts/fetch_test_data.py): the pip set always, the
#      Debian set (documentation corpus, word lists) where apt-get download
#      works; TOMES_TEST_NO_APT=1 runs the pip set only;
#   3. the C++ suites under ctest, then again under ASan + UBSan;
#   4. the Python suites under pytest;
#   5. packaging: an sdist builds and installs in another fresh venv, there
#      with zlib's headers from the cmeel-zlib wheel instead of the system's.
# Set TOMES_TEST_DIR to keep the venvs and builds elsewhere (default build/test).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=${TOMES_TEST_DIR:-$root/build/test}
python=${PYTHON:-python3}
mkdir -p "$work"

step() { printf '\n== %s\n' "$*"; }

step "venv with tomes and the test extras ($work/venv)"
"$python" -m venv "$work/venv"
venv_python=$work/venv/bin/python
"$venv_python" -m pip install -q --disable-pip-version-check cmake ninja
start=$(date +%s)
"$venv_python" -m pip install -q --disable-pip-version-check ".[test]"
echo "pip install .[test]: $(( $(date +%s) - start )) s"

step "test data"
"$venv_python" scripts/fetch_test_data.py

step "C++ suites (ctest)"
"$work/venv/bin/cmake" -S . -B "$work/cpp" -G Ninja -DTOMES_BUILD_TESTS=ON -DTOMES_BUILD_PYTHON=OFF \
  -DCMAKE_MAKE_PROGRAM="$work/venv/bin/ninja" -DPython_EXECUTABLE="$venv_python" >/dev/null
"$work/venv/bin/cmake" --build "$work/cpp"
"$work/venv/bin/ctest" --test-dir "$work/cpp" --output-on-failure

step "C++ suites under AddressSanitizer and UndefinedBehaviorSanitizer (ctest)"
"$work/venv/bin/cmake" -S . -B "$work/cpp-sanitize" -G Ninja -DTOMES_BUILD_TESTS=ON -DTOMES_BUILD_PYTHON=OFF \
  -DTOMES_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_MAKE_PROGRAM="$work/venv/bin/ninja" -DPython_EXECUTABLE="$venv_python" >/dev/null
"$work/venv/bin/cmake" --build "$work/cpp-sanitize"
# Sanitizers slow the fuzz replay down ~10x: give each input more time.
TOMES_FUZZ_TIMEOUT=60 "$work/venv/bin/ctest" --test-dir "$work/cpp-sanitize" --output-on-failure

step "Python suites (pytest)"
# From outside the source tree, so the installed package is the one tested.
(cd "$work" && "$venv_python" -m pytest -q -p no:cacheprovider "$root/tests/python")

step "sdist installs in a fresh venv (with zlib from the cmeel-zlib wheel, as on a machine without zlib headers)"
rm -rf "$work/dist" "$work/sdist-venv"
"$venv_python" -m build --sdist --outdir "$work/dist" . >/dev/null
"$python" -m venv "$work/sdist-venv"
"$work/sdist-venv/bin/pip" install -q --disable-pip-version-check \
  -C cmake.define.TOMES_ZLIB_FROM_WHEEL=ON "$work/dist"/tomes-*.tar.gz
(cd "$work" && "$work/sdist-venv/bin/tomes" --version && \
  "$work/sdist-venv/bin/python" -c "import tomes; assert tomes.analyze('Straße') == ['strasse']")
echo "sdist: ok"

step "done"
"$venv_python" -c 'import json, sys; print("test data:", json.load(open(sys.argv[1]))["summary"])' \
  "$root/build/test-data/datasets.json"
