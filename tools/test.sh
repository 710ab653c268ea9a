#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this): install what is missing,
# run every test, then the packet library's tests again under ASan + UBSan.
# Lab tests need root; REFLECTOR_REQUIRE_LAB=1 makes them fail instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
export REFLECTOR_REQUIRE_LAB="${REFLECTOR_REQUIRE_LAB:-1}"
bazel test //... "$@"
bazel test --config=asan //reflector/... "$@"
