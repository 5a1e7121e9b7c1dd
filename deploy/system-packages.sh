#!/usr/bin/env bash
# System packages the platform needs beyond PyPI: a TrueType font with Vietnamese glyphs for PDFs
# (transfer letters, card sheets). reportlab's built-in fonts have none. Override with
# MEMBERS_LETTER_FONT_PATH to use another font and skip this.
set -euo pipefail
if [ -n "${MEMBERS_LETTER_FONT_PATH:-}" ] || [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq fonts-dejavu-core >/dev/null
else
    echo "warning: install the DejaVu fonts (Debian: fonts-dejavu-core) or set MEMBERS_LETTER_FONT_PATH" >&2
fi
