#ifndef SWEEP_CZLIB_SHIM_H
#define SWEEP_CZLIB_SHIM_H
#include <zlib.h>
#endif
