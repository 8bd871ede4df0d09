#!/usr/bin/env bash
# Builds and runs the C references for `tau bench` (same OpenBLAS, gcc -O3 -march=native) and
# prints their figures in tau bench's format, names prefixed with c/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/bin"
mkdir -p "$bin"
flags="-O3 -march=native $(pkg-config --cflags openblas 2>/dev/null || true)"
libs="$(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)"
gcc $flags -o "$bin/gemm" "$here/gemm.c" $libs
gcc $flags -o "$bin/multiply_add" "$here/multiply_add.c"
gcc $flags -o "$bin/step_products" "$here/step_products.c" $libs
"$bin/gemm"
"$bin/multiply_add"
OPENBLAS_NUM_THREADS=1 "$bin/step_products"
