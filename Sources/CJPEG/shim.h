// Thin shim over libjpeg-turbo TurboJPEG API: error codes instead of setjmp/longjmp.
#include <turbojpeg.h>
