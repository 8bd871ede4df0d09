// The bounds of the calling thread's native stack, for the interpreter's stack guard
// (Sources/TauLang/Eval/StackGuard.swift). pthread_getattr_np is a GNU extension that Swift's
// Glibc module does not export, so it is declared here; glibc has had it since 2.2.
#ifndef CSTACK_SHIM_H
#define CSTACK_SHIM_H
#include <stddef.h>
#include <stdint.h>
#if defined(__linux__)
#include <pthread.h>
int pthread_getattr_np(pthread_t thread, pthread_attr_t *attr);

/// The lowest address of the calling thread's stack and its size; 0 on success.
static inline int cstack_current_bounds(uintptr_t *low, size_t *size) {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return -1;
  void *address = NULL;
  int status = pthread_attr_getstack(&attr, &address, size);
  pthread_attr_destroy(&attr);
  *low = (uintptr_t)address;
  return status;
}
#else
static inline int cstack_current_bounds(uintptr_t *low, size_t *size) { return -1; }
#endif
#endif
