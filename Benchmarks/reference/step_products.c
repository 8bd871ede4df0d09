/* The matrix products of one recurrent step at S1's lane size (B = 32 sequences, n = 64 units,
   4 inputs), in each row-major form a plan could call them, on the same OpenBLAS and with the
   same timing as `tau bench` (common.h). Why plans keep their weights transposed too
   (docs/PERFORMANCE.md, "Products with a stored transpose"): Y = V·Wᵀ with a transposed operand
   goes through OpenBLAS's packing path, Y = V·(Wᵀ stored) to its small-matrix kernel. The
   stacked forms ([2n × n]: a gate's and the cell's weights in one product) show what stacking
   would gain. Prints microseconds per call. */
#include <cblas.h>
#include <stdio.h>
#include "common.h"

typedef struct {
  int transpose_a, transpose_b, m, n, k, dbl;
  double beta;
  void *a, *b, *c;
} Job;

static void run(void *context) {
  Job *j = context;
  int lda = j->transpose_a ? j->m : j->k, ldb = j->transpose_b ? j->k : j->n;
  enum CBLAS_TRANSPOSE ta = j->transpose_a ? CblasTrans : CblasNoTrans;
  enum CBLAS_TRANSPOSE tb = j->transpose_b ? CblasTrans : CblasNoTrans;
  if (j->dbl)
    cblas_dgemm(CblasRowMajor, ta, tb, j->m, j->n, j->k, 1.0, j->a, lda, j->b, ldb, j->beta,
                j->c, j->n);
  else
    cblas_sgemm(CblasRowMajor, ta, tb, j->m, j->n, j->k, 1.0f, j->a, lda, j->b, ldb,
                (float)j->beta, j->c, j->n);
}

static void measure(const char *name, int ta, int tb, int m, int n, int k, double beta) {
  for (int dbl = 0; dbl <= 1; dbl++) {
    size_t count = 4 * 64 * 128, width = dbl ? sizeof(double) : sizeof(float);
    Job job = {ta, tb, m, n, k, dbl, beta, calloc(count, width), calloc(count, width),
               calloc(count, width)};
    for (size_t i = 0; i < count; i++) {
      double x = (double)((i * 2654435761u) % 1000) / 5000.0 - 0.1;
      if (dbl) { ((double *)job.a)[i] = x; ((double *)job.b)[i] = -x; }
      else { ((float *)job.a)[i] = (float)x; ((float *)job.b)[i] = (float)-x; }
    }
    double seconds = median_seconds(run, &job);
    printf("c/step/%s/%s\t%.3f\tus\n", dbl ? "f64" : "f32", name, seconds * 1e6);
    free(job.a); free(job.b); free(job.c);
  }
}

int main(void) {
  const int B = 32, n = 64, m = 4;
  measure("forward-V*W^T", 0, 1, B, n, n, 0);
  measure("forward-V*Wt-stored", 0, 0, B, n, n, 0);
  measure("forward-input-X*U^T", 0, 1, B, n, m, 1);
  measure("forward-input-X*Ut-stored", 0, 0, B, n, m, 1);
  measure("forward-stacked-V*Wt-stored-2n", 0, 0, B, 2 * n, n, 0);
  measure("backward-C*W", 0, 0, B, n, n, 1);
  measure("backward-stacked-C*W-2n", 0, 0, B, n, 2 * n, 1);
  measure("gradient-U^T*V", 1, 0, n, n, B, 1);
  measure("gradient-stacked-U^T*V-2n", 1, 0, 2 * n, n, B, 1);
  return 0;
}
