// Thin shim over the Tesseract C API and Leptonica.
#include <tesseract/capi.h>
