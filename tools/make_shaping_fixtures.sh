#!/usr/bin/env bash
# Regenerates Tests/GlyphRenderTests/Fixtures/hb-shape.json: what HarfBuzz's own
# `hb-shape` (Debian libharfbuzz-bin) gives for a few strings in the shipped
# fonts. ShapingFixtureTests checks GlyphRender's shaper against it.
# Developer-only: tests read the committed file and never run hb-shape.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hb-shape >/dev/null || { echo "needs hb-shape: apt-get install libharfbuzz-bin" >&2; exit 1; }
out=Tests/GlyphRenderTests/Fixtures/hb-shape.json
cases=(
  "NotoSansArabic-Regular.ttf|مرحبا بالعالم"
  "NotoSansArabic-Regular.ttf|السلام عليكم"
  "NotoSansDevanagari-Regular.ttf|नमस्ते दुनिया"
  "NotoSansDevanagari-Regular.ttf|क्षत्रिय हिन्दी"
  "LiberationSans-Regular.ttf|AVATAR Wafer office"
)
{
  echo "{\"hb_shape_version\": \"$(hb-shape --version | head -1)\", \"cases\": ["
  first=1
  for c in "${cases[@]}"; do
    font=${c%%|*}; text=${c#*|}
    glyphs=$(hb-shape --output-format=json --no-glyph-names "fonts/$font" "$text")
    [ $first -eq 1 ] || echo ","
    first=0
    printf '{"font": "%s", "text": "%s", "glyphs": %s}' "$font" "$text" "$glyphs"
  done
  echo "]}"
} > "$out"
python3 -m json.tool "$out" > /dev/null
echo "wrote $out"
