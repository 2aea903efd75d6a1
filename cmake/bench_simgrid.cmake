# bench/peers/simgrid_dag.cpp: the SimGrid program bench_simgrid and
# test_simgrid_peer compare the simulator with (issue [5]). Built into the
# build directory when SimGrid (pkg-config simgrid, 3.32 or later: the C++
# DAG loaders of simgrid/s4u/Activity.hpp) and a C++ compiler are found;
# otherwise nothing is built and bench_simgrid measures AATGS alone.
pkg_check_modules(SIMGRID IMPORTED_TARGET simgrid>=3.32)
if(SIMGRID_FOUND)
  include(CheckLanguage)
  check_language(CXX)
endif()
if(SIMGRID_FOUND AND CMAKE_CXX_COMPILER)
  enable_language(CXX)
  add_executable(simgrid_dag bench/peers/simgrid_dag.cpp)
  set_target_properties(simgrid_dag PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON
                                               CXX_EXTENSIONS OFF)
  target_compile_options(simgrid_dag PRIVATE -O2 -Wall -Wextra)
  target_link_libraries(simgrid_dag PRIVATE PkgConfig::SIMGRID)
  foreach(user bench_simgrid test_simgrid_peer)
    if(TARGET ${user})
      target_compile_definitions(${user} PRIVATE AATGS_SIMGRID_PEER="$<TARGET_FILE:simgrid_dag>")
      add_dependencies(${user} simgrid_dag)
    endif()
  endforeach()
  message(STATUS "AATGS: SimGrid ${SIMGRID_VERSION} found, building the simgrid_dag peer")
else()
  message(STATUS "AATGS: SimGrid >= 3.32 or a C++ compiler not found; simgrid_dag not built "
                 "(bench_simgrid measures AATGS alone, test_simgrid_peer skips)")
endif()
