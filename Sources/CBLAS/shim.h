#ifndef SWEEP_CBLAS_SHIM_H
#define SWEEP_CBLAS_SHIM_H
#include <cblas.h>
#endif
