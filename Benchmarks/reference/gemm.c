/* C reference for `tau bench` gemm/… and bmm/…: cblas_?gemm from C into a preallocated output,
   on the same OpenBLAS, with the same timing method (common.h). */
#include <cblas.h>
#include <stdio.h>
#include "common.h"

typedef struct { int n, batch, dbl; void *a, *b, *c; } Job;

static void run(void *context) {
  Job *j = context;
  size_t size = (size_t)j->n * j->n;
  for (int i = 0; i < j->batch; i++) {
    if (j->dbl)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, j->n, j->n, j->n, 1.0,
                  (double *)j->a + i * size, j->n, (double *)j->b + i * size, j->n, 0.0,
                  (double *)j->c + i * size, j->n);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, j->n, j->n, j->n, 1.0f,
                  (float *)j->a + i * size, j->n, (float *)j->b + i * size, j->n, 0.0f,
                  (float *)j->c + i * size, j->n);
  }
}

static void measure(const char *name, int n, int batch, int dbl) {
  size_t count = (size_t)batch * n * n, width = dbl ? sizeof(double) : sizeof(float);
  Job job = {n, batch, dbl, malloc(count * width), malloc(count * width), malloc(count * width)};
  for (size_t i = 0; i < count; i++) {
    double x = (double)((i * 2654435761u) % 1000) / 500.0 - 1.0;
    if (dbl) { ((double *)job.a)[i] = x; ((double *)job.b)[i] = -x; }
    else { ((float *)job.a)[i] = (float)x; ((float *)job.b)[i] = (float)-x; }
  }
  double seconds = median_seconds(run, &job);
  printf("%s\t%.2f\tGFLOP/s\n", name, 2.0 * batch * n * (double)n * n / seconds / 1e9);
  free(job.a); free(job.b); free(job.c);
}

int main(void) {
  char name[64];
  int sizes[] = {64, 256, 1024};
  for (int i = 0; i < 3; i++)
    for (int dbl = 0; dbl < 2; dbl++) {
      snprintf(name, sizeof name, "c/gemm/%s/%d", dbl ? "f64" : "f32", sizes[i]);
      measure(name, sizes[i], 1, dbl);
    }
  measure("c/bmm/f32/12x64", 64, 12, 0);
  measure("c/bmm/f64/12x64", 64, 12, 1);
  return 0;
}
