#!/usr/bin/env bash
# The main job: install what is missing, build, run.
#   tools/run.sh --interface=eth0 [reflectord flags]   reflect on a real interface until Ctrl-C
#   tools/run.sh                                       the self-contained veth lab (tools/lab.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
if (($# == 0)); then
  exec tools/lab.sh
fi
bazel build -c opt //reflector:reflectord >&2
exec "$(bazel info -c opt bazel-bin 2>/dev/null)/reflector/reflectord" "$@"
