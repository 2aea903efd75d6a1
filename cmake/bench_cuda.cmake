# cmake/bench_cuda.cmake - bench/bench_gpu.cu, the GPU figures of issue [5]
# (us per task for the pipeline, back-to-back launches and a CUDA Graph of the
# same DAG; recording on and off; sim against real error), run on the GPU
# machine by bench/gpu.sh. Built only where the CUDA backend is
# (AATGS_HAVE_CUDA_BACKEND); elsewhere it says so and builds nothing.
if(AATGS_HAVE_CUDA_BACKEND)
  add_executable(bench_gpu bench/bench_gpu.cu)
  target_link_libraries(bench_gpu PRIVATE aatgs_bench aatgs_analysis aatgs_traces aatgs_backends
                                          aatgs_cuda aatgs_engine CUDA::cudart)
  target_compile_options(bench_gpu PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-O2>)
else()
  message(STATUS "AATGS: bench_gpu not built (no CUDA backend in this build)")
endif()
