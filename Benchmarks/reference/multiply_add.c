/* C reference for `tau bench` multiplyAdd/…: out = a*b + c over 1e6 elements, compiled with
   -O3 -march=native, into a preallocated output. GB/s counts three reads and one write. */
#include <stdio.h>
#include "common.h"

#define COUNT 1000000

typedef struct { float *a, *b, *c, *out; } FloatJob;
typedef struct { double *a, *b, *c, *out; } DoubleJob;

static void run_float(void *context) {
  FloatJob *j = context;
  float *restrict out = j->out;
  const float *restrict a = j->a, *restrict b = j->b, *restrict c = j->c;
  for (int i = 0; i < COUNT; i++) out[i] = a[i] * b[i] + c[i];
}

static void run_double(void *context) {
  DoubleJob *j = context;
  double *restrict out = j->out;
  const double *restrict a = j->a, *restrict b = j->b, *restrict c = j->c;
  for (int i = 0; i < COUNT; i++) out[i] = a[i] * b[i] + c[i];
}

int main(void) {
  FloatJob f = {malloc(COUNT * 4), malloc(COUNT * 4), malloc(COUNT * 4), malloc(COUNT * 4)};
  DoubleJob d = {malloc(COUNT * 8), malloc(COUNT * 8), malloc(COUNT * 8), malloc(COUNT * 8)};
  for (int i = 0; i < COUNT; i++) {
    f.a[i] = f.b[i] = f.c[i] = f.out[i] = (float)(i % 7) / 7.0f;
    d.a[i] = d.b[i] = d.c[i] = d.out[i] = (double)(i % 7) / 7.0;
  }
  printf("c/multiplyAdd/f32/%d\t%.2f\tGB/s\n", COUNT, 4.0 * COUNT * 4 / median_seconds(run_float, &f) / 1e9);
  printf("c/multiplyAdd/f64/%d\t%.2f\tGB/s\n", COUNT, 4.0 * COUNT * 8 / median_seconds(run_double, &d) / 1e9);
  return 0;
}
