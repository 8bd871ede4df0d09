// glibc's malloc tuning (mallopt), which Swift's Glibc module does not export; the `tau`
// executable uses it to keep freed memory for reuse (Sources/tau/Tau.swift).
#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#endif
