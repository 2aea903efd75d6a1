# cmake/nvtx.cmake - the NVTX layer (issue [2] point 4): cuda/nvtx_sink.c,
# its injection-library test, and the CLI's link to it.
#
# Include it from CMakeLists.txt after the aatgs executable and the test loop
# (it adds to targets they define): include(cmake/nvtx.cmake) as the last line.
#
# -DAATGS_NVTX=AUTO (default) | ON | OFF. AUTO builds the layer when
# nvtx3/nvToolsExt.h is found (CUDA toolkit or a standalone NVTX3 install;
# -DAATGS_NVTX_INCLUDE_DIR=... points elsewhere); ON fails without it; OFF
# removes NVTX completely: nvtx_sink.c is not compiled, nothing defines
# AATGS_HAVE_NVTX, so the CLI does not wrap, and test_nvtx reports a skip.
#
# Defines, when on:
#   aatgs_nvtx          static library (cuda/nvtx_sink.c), PUBLIC include cuda/,
#                       PUBLIC compile definition AATGS_HAVE_NVTX=1, links libdl;
#                       linked here into the aatgs executable and, where it
#                       exists, the aatgs_cuda library
#   aatgs_nvtx_inject   MODULE library (tests/support/nvtx_inject.c), with
#                       AATGS_TESTS only; test_nvtx gets its path as
#                       AATGS_NVTX_INJECT_PATH="$<TARGET_FILE:aatgs_nvtx_inject>"
#   AATGS_HAVE_NVTX     (variable) ON or OFF
# NVTX3 is header-only: no CUDA runtime is linked; nvtxNameCudaStreamA is
# compiled in (AATGS_NVTX_HAVE_CUDART) when cuda.h and driver_types.h sit next
# to the NVTX headers, as in the CUDA toolkit.

set(AATGS_NVTX AUTO CACHE STRING "NVTX ranges and names: ON, OFF or AUTO (when nvtx3 is found)")
set_property(CACHE AATGS_NVTX PROPERTY STRINGS AUTO ON OFF)

set(AATGS_HAVE_NVTX OFF)
if(NOT AATGS_NVTX STREQUAL "OFF")
  set(_aatgs_nvtx_hints)
  if(CUDAToolkit_INCLUDE_DIRS)
    list(APPEND _aatgs_nvtx_hints ${CUDAToolkit_INCLUDE_DIRS})
  endif()
  if(DEFINED ENV{CUDA_HOME})
    list(APPEND _aatgs_nvtx_hints "$ENV{CUDA_HOME}/include")
  endif()
  list(APPEND _aatgs_nvtx_hints /usr/local/cuda/include)
  find_path(AATGS_NVTX_INCLUDE_DIR nvtx3/nvToolsExt.h HINTS ${_aatgs_nvtx_hints}
            DOC "Folder holding nvtx3/nvToolsExt.h")
  if(AATGS_NVTX_INCLUDE_DIR)
    set(AATGS_HAVE_NVTX ON)
  elseif(AATGS_NVTX STREQUAL "ON")
    message(FATAL_ERROR "AATGS_NVTX=ON but nvtx3/nvToolsExt.h was not found "
                        "(set AATGS_NVTX_INCLUDE_DIR)")
  endif()
endif()

if(AATGS_HAVE_NVTX)
  message(STATUS "AATGS: NVTX layer enabled (${AATGS_NVTX_INCLUDE_DIR}/nvtx3)")
  add_library(aatgs_nvtx STATIC cuda/nvtx_sink.c)
  target_include_directories(aatgs_nvtx PUBLIC cuda)
  target_include_directories(aatgs_nvtx SYSTEM PRIVATE ${AATGS_NVTX_INCLUDE_DIR})
  target_compile_definitions(aatgs_nvtx PUBLIC AATGS_HAVE_NVTX=1)
  if(EXISTS "${AATGS_NVTX_INCLUDE_DIR}/cuda.h" AND
     EXISTS "${AATGS_NVTX_INCLUDE_DIR}/driver_types.h")
    target_compile_definitions(aatgs_nvtx PRIVATE AATGS_NVTX_HAVE_CUDART=1)
  endif()
  target_link_libraries(aatgs_nvtx PUBLIC aatgs_engine ${CMAKE_DL_LIBS} Threads::Threads)

  if(TARGET aatgs)
    target_link_libraries(aatgs PRIVATE aatgs_nvtx)
  endif()
  if(TARGET aatgs_cuda)
    # The CUDA backend names its streams (aatgs_nvtx_name_stream) when
    # AATGS_HAVE_NVTX is defined, which this link brings.
    target_link_libraries(aatgs_cuda PUBLIC aatgs_nvtx)
  endif()

  if(AATGS_TESTS)
    add_library(aatgs_nvtx_inject MODULE tests/support/nvtx_inject.c)
    target_include_directories(aatgs_nvtx_inject SYSTEM PRIVATE ${AATGS_NVTX_INCLUDE_DIR})
    target_link_libraries(aatgs_nvtx_inject PRIVATE Threads::Threads)
  endif()
  if(TARGET test_nvtx)
    target_link_libraries(test_nvtx PRIVATE aatgs_nvtx)
    add_dependencies(test_nvtx aatgs_nvtx_inject)
    target_compile_definitions(test_nvtx PRIVATE
                               AATGS_NVTX_INJECT_PATH="$<TARGET_FILE:aatgs_nvtx_inject>")
    if(EXISTS "${AATGS_NVTX_INCLUDE_DIR}/cuda.h" AND
       EXISTS "${AATGS_NVTX_INCLUDE_DIR}/driver_types.h")
      target_compile_definitions(test_nvtx PRIVATE AATGS_NVTX_HAVE_CUDART=1)
    endif()
  endif()
else()
  message(STATUS "AATGS: NVTX layer not built (AATGS_NVTX=${AATGS_NVTX})")
  if(TARGET test_nvtx)
    target_include_directories(test_nvtx PRIVATE cuda)
    target_compile_definitions(test_nvtx PRIVATE AATGS_NVTX_DISABLED=1)
  endif()
endif()
