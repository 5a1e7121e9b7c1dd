#!/usr/bin/env bash
# System packages the platform needs beyond PyPI and npm: a TrueType font with Vietnamese glyphs for PDFs
# (transfer letters, card sheets; reportlab's built-in fonts have none), and with `--browser` Debian's
# Chromium for the browser tests (browser downloads by test tools do not work on CI machines) and promtool.
# Point the services at a font of your own (<SERVICE>_PDF_FONT_PATH, e.g. MEMBERS_PDF_FONT_PATH) to skip it.
set -euo pipefail
packages=()
if [ -z "${MEMBERS_PDF_FONT_PATH:-}" ] && [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    packages+=(fonts-dejavu-core)
fi
if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
    packages+=(chromium)
fi
# The test suite checks the production alert rules with promtool (deploy/production/monitoring).
if [ "${1:-}" = "--browser" ] && ! command -v promtool >/dev/null 2>&1; then
    packages+=(prometheus)
fi
[ ${#packages[@]} -gt 0 ] || exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
else
    echo "warning: install these Debian packages: ${packages[*]}" >&2
fi
