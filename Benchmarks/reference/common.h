/* Timing shared by the C references: the same method as `tau bench` (Sources/tau/Benchmarks):
   one warm-up call, samples of enough calls to last ~5 ms, at least 5 samples and at least
   MIN_SECONDS in all, and the median seconds per call. */
#ifndef TAU_REFERENCE_COMMON_H
#define TAU_REFERENCE_COMMON_H
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double min_seconds(void) {
  const char *text = getenv("MIN_SECONDS");
  return text ? atof(text) : 0.5;
}

/* Median seconds per call of body(context). */
static double median_seconds(void (*body)(void *), void *context) {
  body(context);
  double begin = now();
  body(context);
  double once = now() - begin;
  long calls = (long)(0.005 / (once > 1e-9 ? once : 1e-9));
  if (calls < 1) calls = 1;
  double samples[100000];
  int count = 0;
  double start = now();
  while ((count < 5 || now() - start < min_seconds()) && count < 100000) {
    double t0 = now();
    for (long i = 0; i < calls; i++) body(context);
    samples[count++] = (now() - t0) / calls;
  }
  qsort(samples, count, sizeof(double), compare_doubles);
  return samples[count / 2];
}
#endif
