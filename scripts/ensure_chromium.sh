#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own browser download
# does not work offline). Install it when it is missing; fail clearly otherwise.
set -euo pipefail
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..." >&2
  apt-get update -qq
  # The font is for people reading the screenshots: Chromium draws Chinese as boxes without one.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
  exit 0
fi
echo "error: ${CHROMIUM:-/usr/bin/chromium} is missing; install it (e.g. 'sudo apt-get install chromium') and run 'make test' again" >&2
exit 1
