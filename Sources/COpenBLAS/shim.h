#ifndef LOSSLAB_COPENBLAS_SHIM_H
#define LOSSLAB_COPENBLAS_SHIM_H
#include <cblas.h>

// LAPACK routines OpenBLAS ships (Fortran calling convention: everything by pointer).
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work,
             const int *lwork, int *info);
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda, const float *tau,
             float *work, const int *lwork, int *info);

// Thread control (declared in OpenBLAS's cblas.h on most builds; repeated here so the shim is
// self-contained across distributions).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

// OpenBLAS starts its worker threads when the library loads, and an idle worker busy-waits
// (sched_yield) for a while before it sleeps: in a short process that never calls BLAS (such as
// `losslab bleu`) it steals a core. `blas_thread_shutdown_` is the routine OpenBLAS's own fork
// handler uses to stop the workers; OpenBLAS starts them again on the next multithreaded call.
// Looked up at run time so that a BLAS without it is simply left alone.
#include <dlfcn.h>
static inline int losslab_openblas_stop_workers(void) {
  int (*shutdown)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");
  if (shutdown == 0) return 0;
  shutdown();
  return 1;
}

// glibc's allocator tuning (mallopt), used once by the tensor layer; see Tape.swift `Allocator`.
#if defined(__linux__)
#include <malloc.h>
#endif
#endif
