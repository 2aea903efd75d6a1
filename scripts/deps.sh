#!/usr/bin/env bash
# deps.sh - installs the Debian packages AATGS needs, only those missing.
set -euo pipefail
pkgs=(build-essential cmake pkg-config git libyaml-dev libsqlite3-dev libcriterion-dev sqlite3
      libxml2-dev libjansson-dev libgraphviz-dev clang libclang-rt-14-dev
      gnuplot-nox # `aatgs plot` (Debian 12's has the pngcairo and svg terminals)
      valgrind libck-dev libsimgrid-dev libstarpu-dev) # bench/: callgrind counts and the peers
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "deps.sh: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
