#!/bin/sh
# Bazel's --workspace_status_command under --config=release (.bazelrc): the revision that
# --version prints (reflector/base:build_info). Stable keys only, so an unchanged tree rebuilds
# nothing.
echo "STABLE_GIT_DESCRIBE $(git describe --always --dirty --tags 2>/dev/null)"
