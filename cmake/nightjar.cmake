# nightjar_component(NAME DEPS ...) builds src/NAME/*.cc (minus *_test.cc and main.cc) into the
# static library nightjar_NAME, and src/NAME/*_test.cc into the test binary NAME_test.
function(nightjar_component name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cc)
  set(lib_srcs)
  set(test_srcs)
  foreach(f ${srcs})
    if(f MATCHES "_test\\.cc$")
      list(APPEND test_srcs ${f})
    elseif(NOT f MATCHES "/main\\.cc$")
      list(APPEND lib_srcs ${f})
    endif()
  endforeach()
  add_library(nightjar_${name} STATIC ${lib_srcs})
  # The components this one may include: itself and every nightjar_* its DEPS reach. A build
  # step checks the sources' includes against them, so that a wrong include fails the build.
  set(reach ${name})
  foreach(dep ${ARG_DEPS})
    if(dep MATCHES "^nightjar_(.*)$")
      get_property(dep_reach GLOBAL PROPERTY nightjar_reach_${CMAKE_MATCH_1})
      list(APPEND reach ${CMAKE_MATCH_1} ${dep_reach})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES reach)
  set_property(GLOBAL PROPERTY nightjar_reach_${name} ${reach})
  set(stamp ${CMAKE_BINARY_DIR}/include_check_${name}.stamp)
  file(GLOB headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.h)
  set(checked ${lib_srcs} ${headers})
  list(FILTER checked EXCLUDE REGEX "_test(_util)?\\.h$|_testing\\.h$|_test\\.cc$")
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DCOMPONENT=${name} "-DALLOWED=${reach}" "-DFILES=${checked}"
            -DSTAMP=${stamp} -P ${PROJECT_SOURCE_DIR}/cmake/check_includes.cmake
    DEPENDS ${checked} ${PROJECT_SOURCE_DIR}/cmake/check_includes.cmake
    COMMENT "Checking the includes of component ${name}" VERBATIM)
  add_custom_target(nightjar_${name}_includes DEPENDS ${stamp})
  add_dependencies(nightjar_${name} nightjar_${name}_includes)
  target_include_directories(nightjar_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(nightjar_${name} PUBLIC ${ARG_DEPS})
  if(NIGHTJAR_TESTS AND test_srcs)
    add_executable(${name}_test ${test_srcs})
    target_link_libraries(${name}_test PRIVATE nightjar_${name} GTest::gtest GTest::gmock
                                               GTest::gtest_main)
    target_compile_definitions(${name}_test PRIVATE
                               NIGHTJAR_TESTDATA="${PROJECT_SOURCE_DIR}/tests/data")
    gtest_discover_tests(${name}_test DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
