#!/usr/bin/env bash
# WeasyPrint (the PDF report) needs Pango from the system. Install it where we can
# (root with apt-get), as tools/ensure_chromium.sh does for the browser. Elsewhere the
# server still runs: the HTML report works and the console says how to enable PDFs.
# poppler-utils (pdftoppm, pdftotext) renders report pages for checks and screenshots.
set -u
have_pango() { ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0"; }
if have_pango && command -v pdftoppm >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Pango (PDF reports) and poppler-utils with apt-get (once)"
  if apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils >/dev/null; then
    exit 0
  fi
  echo "report: could not install Pango with apt-get" >&2
fi
if ! have_pango; then
  echo "report: Pango is missing, so PDF reports are off (the HTML report works)." \
       "Install libpango-1.0-0 and libpangoft2-1.0-0 to enable them."
fi
exit 0
