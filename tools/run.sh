#!/usr/bin/env bash
# The main job: install what is missing, build, run. Until the daemon lands this runs the
# packet library over the built-in frame table and prints every verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
bazel run //tools:frame_demo -- "$@"
