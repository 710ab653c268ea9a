#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. install what is missing (tools/setup.sh);
#   2. bazel test -c opt //... — unit tests, kernel-vs-userspace tests, veth lab tests of every
#      data path, pcap replay, fuzz corpus replays, on the optimised build;
#   3. the packet library and the fuzz corpora again under ASan + UBSan (gcc);
#   4. every fuzz target under libFuzzer + ASan + UBSan (clang): its corpus, then a fixed number
#      of runs from a fixed seed, so a commit always gets the same verdict (fuzz/run_ci.sh).
# Lab tests need root: REFLECTOR_REQUIRE_LAB=1 (the default here) makes them fail instead of
# skipping when it is missing, so CI cannot go green by skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
export REFLECTOR_REQUIRE_LAB="${REFLECTOR_REQUIRE_LAB:-1}"
# Builds come from the disk cache; test results never do: lab tests depend on the kernel
# they run on, so every run runs every test. Tests run the optimised build users install
# (README: -c opt), which also catches what gcc 12 warns about only at -O2 (issue 20); the
# unoptimised code is still built and tested below, under the sanitizers.
bazel test -c opt --nocache_test_results //... "$@"
# Layers: a dependency in the wrong direction must not build (issue 12).
tools/check_layers.sh
bazel test --nocache_test_results --config=asan //reflector/... //fuzz/... "$@"
fuzz/run_ci.sh
