#!/usr/bin/env bash
# Installs the Debian packages GlyphPoster builds and runs against, only when missing.
# Used by both README commands and by .ci/run.
set -euo pipefail
packages=(
  pkg-config
  libfreetype-dev libharfbuzz-dev libpng-dev libturbojpeg0-dev
  libopenblas-dev libtesseract-dev tesseract-ocr-eng
  fonts-noto-cjk
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
