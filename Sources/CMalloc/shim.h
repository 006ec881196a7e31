// Thin shim over glibc's allocator tuning (mallopt, M_* parameters), which Swift's Glibc module leaves out.
#include <malloc.h>
