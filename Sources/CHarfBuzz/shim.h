// Thin shim over HarfBuzz (pkg-config harfbuzz).
#include <hb.h>
#include <hb-ot.h>
