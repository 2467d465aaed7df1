# cmake -DCOMPONENT=name "-DALLOWED=a;b" "-DFILES=f1;f2" -DSTAMP=path -P check_includes.cmake
# Fails when a source of COMPONENT includes a header of a component outside ALLOWED (itself and
# the components its DEPS reach): the include graph must follow the declared edges.
set(components util obs text corpus count lexicon state store serve refresh cli)
foreach(f ${FILES})
  file(STRINGS "${f}" lines REGEX "^#include \"[a-z_]+/")
  foreach(line ${lines})
    string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" dir "${line}")
    list(FIND components "${dir}" is_component)
    list(FIND ALLOWED "${dir}" is_allowed)
    if(is_component GREATER -1 AND is_allowed EQUAL -1)
      message(FATAL_ERROR "${f}: includes ${dir}/, but component ${COMPONENT} does not depend on "
                          "nightjar_${dir} (CMakeLists.txt); allowed: ${ALLOWED}")
    endif()
  endforeach()
endforeach()
file(TOUCH "${STAMP}")
