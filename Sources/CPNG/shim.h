// Thin shim over libpng 1.6 simplified API (png_image); the setjmp API is not usable from Swift.
#include <png.h>
