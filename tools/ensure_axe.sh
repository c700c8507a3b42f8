#!/usr/bin/env bash
# Make sure the accessibility checks have axe-core: from the npm registry, pinned by
# tests/a11y/package-lock.json, into tests/a11y/node_modules (test-only, never served).
# Installs npm with apt-get where we can (root). Elsewhere the checks skip with one
# clear line, except under CI, where a missing axe-core is a failure.
set -u
HERE="$(cd "$(dirname "$0")/.." && pwd)"
AXE="$HERE/tests/a11y/node_modules/axe-core/axe.min.js"
if [ -f "$AXE" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Debian's npm for the accessibility checks (once)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
if command -v npm >/dev/null 2>&1; then
  echo "==> installing axe-core into tests/a11y (once)"
  if (cd "$HERE/tests/a11y" && npm ci --no-audit --no-fund --silent); then
    exit 0
  fi
  echo "a11y: npm ci failed" >&2
fi
if [ "${CI:-}" = "true" ]; then
  echo "a11y: axe-core is missing and could not be installed; CI needs it" >&2
  exit 1
fi
echo "a11y: axe-core not found and not installable here; the accessibility checks will be skipped"
exit 0
