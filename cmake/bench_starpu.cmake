# bench/peers/starpu_dag.c: StarPU (eager, prio, dmda) on the DAGs AATGS runs,
# used by bench/bench_host_starpu.c as a subprocess. Built only when
# pkg-config finds starpu-1.3 (Debian libstarpu-dev); otherwise the bench runs
# the AATGS candidates alone and says why.
pkg_check_modules(STARPU QUIET IMPORTED_TARGET starpu-1.3)
if(STARPU_FOUND)
  add_executable(starpu_dag bench/peers/starpu_dag.c)
  target_link_libraries(starpu_dag PRIVATE aatgs_backends aatgs_engine PkgConfig::STARPU)
  target_compile_options(starpu_dag PRIVATE -O2)
  if(TARGET bench_host_starpu)
    add_dependencies(bench_host_starpu starpu_dag)
    target_compile_definitions(bench_host_starpu PRIVATE
                               AATGS_STARPU_DAG="$<TARGET_FILE:starpu_dag>")
  endif()
  message(STATUS "AATGS: StarPU ${STARPU_VERSION} found; building bench/peers/starpu_dag")
else()
  message(STATUS "AATGS: StarPU (pkg-config starpu-1.3) not found; starpu_dag not built")
endif()
