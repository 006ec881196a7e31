// Thin shim over OpenBLAS (pkg-config openblas; Debian has no cblas.pc).
#include <cblas.h>
