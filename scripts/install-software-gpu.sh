#!/usr/bin/env bash
# Installs Mesa's software Vulkan driver (lavapipe) from Debian bookworm-backports, so onnxruntime-node's WebGPU
# execution provider runs on the CPU and the WebGPU tests can check correctness, node placement and traffic.
# Idempotent: does nothing when a new enough lavapipe is installed. Debian 12 (bookworm) only.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

installed_major() {
  dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | sed -E 's/^([0-9]+:)?([0-9]+).*/\2/' || true
}

major="$(installed_major)"
if [ -n "$major" ] && [ "$major" -ge 24 ]; then
  echo "install-software-gpu: mesa-vulkan-drivers $major.x already installed"
  exit 0
fi

if ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
  echo "install-software-gpu: not Debian bookworm; install Mesa's Vulkan drivers (lavapipe) 24 or newer yourself" >&2
  exit 0
fi

# Reuse the mirror the machine already uses for bookworm: copy its stanza with the suite changed.
src=/etc/apt/sources.list.d/debian.sources
backports=/etc/apt/sources.list.d/bookworm-backports.sources
if [ ! -f "$backports" ]; then
  if [ -f "$src" ]; then
    awk 'BEGIN{RS=""; ORS="\n\n"} /Suites:[^\n]*bookworm( |$|\n)/ && !done { sub(/Suites:[^\n]*/, "Suites: bookworm-backports"); print; done=1 }' "$src" \
      | $SUDO tee "$backports" >/dev/null
  else
    grep -E '^deb .* bookworm main' /etc/apt/sources.list | head -1 | sed -E 's/ bookworm / bookworm-backports /' \
      | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
fi

$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -t bookworm-backports mesa-vulkan-drivers
