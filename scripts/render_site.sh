#!/usr/bin/env bash
# Render the sample records' site and look at it as its readers will: screenshots at
# 1366x768 of the overview, a group's page and a unit's page, and each printed to an A4 PDF
# by the browser. Headless Chromium, with the network cut (a proxy on a closed port and
# every host name unresolvable), so a page that fetched anything from outside its folder
# would show it.
#
#   scripts/render_site.sh [OUT] [AS_OF]     # default /tmp/duchu-site-shots, 2014-06-20
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/duchu-site-shots}
as_of=${2:-2014-06-20}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "no Chromium found: apt-get install chromium" >&2
  exit 2
fi
duchu=${DUCHU:-.venv/bin/duchu}
mkdir -p "$out"
"$duchu" site --records records -o "$out/site" --as-of "$as_of"
"$duchu" site --records records -o "$out/site-en" --as-of "$as_of" --lang en
cut=(--headless --no-sandbox --disable-gpu --hide-scrollbars --proxy-server=127.0.0.1:9
     "--host-resolver-rules=MAP * ~NOTFOUND" --user-data-dir="$out/profile")
for page in index.html groups/g2.html units/zhujian.html units/weisheng.html appraisals.html; do
  name=$(echo "$page" | tr '/' '-' | sed 's/\.html$//')
  "$browser" "${cut[@]}" --window-size=1366,768 --screenshot="$out/$name.png" \
    "file://$out/site/$page" 2>/dev/null
  "$browser" "${cut[@]}" --no-pdf-header-footer --print-to-pdf="$out/$name.pdf" \
    "file://$out/site/$page" 2>/dev/null
done
"$browser" "${cut[@]}" --window-size=1366,768 --screenshot="$out/en-index.png" \
  "file://$out/site-en/index.html" 2>/dev/null
ls -l "$out"
