#!/usr/bin/env bash
# Builds kaif with AddressSanitizer and UBSan (build-test/) and runs every test: unit and
# property tests, CLI tests on the example program, and the report in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(( $(nproc) < 4 ? $(nproc) : 4 ))
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKAIF_SANITIZE=ON -DKAIF_BUILD_BENCH=OFF >/dev/null
cmake --build build-test -j "$jobs"
ctest --test-dir build-test --output-on-failure -j "$jobs"
