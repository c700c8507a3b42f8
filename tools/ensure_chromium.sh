#!/usr/bin/env bash
# Make sure the end-to-end tests have Debian's Chromium; they never download a browser.
# Installs it where we can (root with apt-get). Elsewhere the e2e tests skip with one
# clear line, except under CI, where a missing browser is a failure.
set -u
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Debian's chromium for the end-to-end tests (once)"
  if apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; then
    exit 0
  fi
  echo "e2e: could not install chromium with apt-get" >&2
fi
if [ "${CI:-}" = "true" ]; then
  echo "e2e: $CHROMIUM is missing and could not be installed; CI needs it" >&2
  exit 1
fi
echo "e2e: $CHROMIUM not found and not installable here; the browser tests will be skipped"
exit 0
