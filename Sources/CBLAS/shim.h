// OpenBLAS (CBLAS interface, plus openblas_set_num_threads) and LAPACKE, for TauTensor.
#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
