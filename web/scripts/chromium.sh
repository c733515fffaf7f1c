#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own download cannot reach its host
# from here). Install it and the CJK fonts the pages are read in when they are missing.
set -euo pipefail
have_fonts() { fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; }
if [[ -x /usr/bin/chromium ]] && have_fonts; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "the browser tests need Debian's chromium and fonts-noto-cjk: sudo apt-get install -y chromium fonts-noto-cjk" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
