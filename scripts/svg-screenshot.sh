#!/bin/sh
# Render an SVG boot chart in a real browser (headless Chromium) and save a PNG, to check
# by eye that the chart is readable: scripts/svg-screenshot.sh CHART.svg [OUT.png].
# Needs the Debian package chromium (scripts/install-deps.sh installs it; tests/e2e/chart.bats
# uses this script to check the chart's pixels).
set -eu

svg=${1:?usage: scripts/svg-screenshot.sh CHART.svg [OUT.png]}
png=${2:-${svg%.svg}.png}
[ -r "$svg" ] || { echo "svg-screenshot: cannot read $svg" >&2; exit 1; }
command -v chromium >/dev/null ||
	{ echo "svg-screenshot: needs chromium (apt-get install chromium)" >&2; exit 1; }
xmllint --noout "$svg"

# The chart's own size, so that nothing is cut off.
width=$(sed -n 's/.*<svg [^>]* width="\([0-9]*\)".*/\1/p' "$svg" | head -1)
height=$(sed -n 's/.*<svg [^>]* height="\([0-9]*\)".*/\1/p' "$svg" | head -1)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
abs=$(cd "$(dirname "$svg")" && pwd)/$(basename "$svg")
case $png in /*) ;; *) png=$(pwd)/$png ;; esac

chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--hide-scrollbars --user-data-dir="$profile" --screenshot="$png" \
	--window-size="${width:-1400},${height:-600}" "file://$abs" >/dev/null 2>&1
[ -s "$png" ] || { echo "svg-screenshot: chromium wrote no screenshot" >&2; exit 1; }
echo "$png"
