# bench_ck.cmake - builds Concurrency Kit's ck_ring into bench_ring as the
# peer of our SPSC ring (bench/bench_ring.c, issue [5] item 2).
#
# Included by CMakeLists.txt after the bench_* executables are created, so
# it only adds to the existing bench_ring target: the include path, the
# library and AATGS_HAVE_CK=1. Without ck (Debian libck-dev, pkg-config
# name "ck") it prints a note and changes nothing: bench_ring then measures
# our ring alone and says the peer was not built.
if(NOT TARGET bench_ring)
  return()
endif()

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(CK QUIET IMPORTED_TARGET ck)
endif()
if(CK_FOUND)
  find_path(AATGS_CK_RING_H ck_ring.h HINTS ${CK_INCLUDE_DIRS})
endif()

if(CK_FOUND AND AATGS_CK_RING_H)
  message(STATUS "AATGS: bench_ring measured against ck_ring (Concurrency Kit ${CK_VERSION})")
  target_link_libraries(bench_ring PRIVATE PkgConfig::CK)
  target_compile_definitions(bench_ring PRIVATE AATGS_HAVE_CK=1)
else()
  message(STATUS "AATGS: Concurrency Kit (pkg-config ck, Debian libck-dev) not found: "
                 "bench_ring runs without its ck_ring peer")
endif()
