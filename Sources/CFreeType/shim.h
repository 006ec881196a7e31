// Thin shim over FreeType 2 (pkg-config freetype2).
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include FT_BITMAP_H
