# Warnings and sanitizers applied to every kclient target.
if(KCLIENT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

function(kclient_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  # GCC 12 at -O3 reports memcpy overlaps, overreads and out-of-bounds accesses inside libstdc++'s own
  # string and vector code that cannot happen (GCC bugs 105329, 105651, 107852); the ASan build
  # checks the real thing.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-array-bounds -Wno-stringop-overread -Wno-stringop-overflow)
  endif()
  if(KCLIENT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
