# ctest layering_check: the layering check (cmake/check_layering.cmake)
# passes on the real tree and fails, naming file, line, include and the
# allowed folders, on a copy of cpp/ with an include running the wrong way.
#   cmake -DTOMES_SOURCE_DIR=<repo> -DWORK_DIR=<scratch dir> -P tests/cmake/test_layering.cmake
cmake_minimum_required(VERSION 3.18)
set(check "${TOMES_SOURCE_DIR}/cmake/check_layering.cmake")

# run(<name> <tree> <expect pass|fail> [<expected output fragment>...])
function(run name tree expect)
  set(fragments ${ARGN})
  execute_process(COMMAND ${CMAKE_COMMAND} -DTOMES_SOURCE_DIR=${tree} -P ${check}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(out "${out}${err}")
  if(expect STREQUAL "pass" AND NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: the check failed, expected it to pass:\n${out}")
  elseif(expect STREQUAL "fail" AND rc EQUAL 0)
    message(FATAL_ERROR "${name}: the check passed, expected it to fail")
  endif()
  foreach(fragment IN LISTS fragments)
    string(FIND "${out}" "${fragment}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${name}: expected \"${fragment}\" in the check's output:\n${out}")
    endif()
  endforeach()
  message(STATUS "${name}: ok")
endfunction()

# The real tree.
run(real_tree "${TOMES_SOURCE_DIR}" pass)

# A scratch copy of cpp/ (the check reads only cpp/ and the table).
set(tree "${WORK_DIR}/layering_tree")
file(REMOVE_RECURSE "${tree}")
file(COPY "${TOMES_SOURCE_DIR}/cpp" DESTINATION "${tree}")
run(copy "${tree}" pass)

# Appends an include to a copy of <file> (whose lines are counted, so the
# expected line number is known), runs the check, restores the file.
function(run_with_include name file include expect)
  set(path "${tree}/cpp/${file}")
  file(READ "${path}" original)
  string(REGEX MATCHALL "\n" newlines "${original}")
  list(LENGTH newlines line)
  math(EXPR line "${line} + 1")
  file(APPEND "${path}" "#include ${include}\n")
  string(REPLACE "LINE" "${line}" fragments "${ARGN}")
  run(${name} "${tree}" ${expect} ${fragments})
  file(WRITE "${path}" "${original}")
endfunction()

# index and search never include each other.
run_with_include(index_includes_search index/pipeline.cc "\"search/query.h\"" fail
  "cpp/index/pipeline.cc:LINE: #include \"search/query.h\": index may include only index, common, analysis, parse, chunk, fst, postings, segment"
  "cmake/tomes_layers.cmake")
run_with_include(search_includes_index search/query.cc "\"index/pipeline.h\"" fail
  "cpp/search/query.cc:LINE: #include \"index/pipeline.h\": search may include only search, common, analysis, fst, postings, segment")
# Angle brackets are checked too; lower layers cannot reach up.
run_with_include(postings_includes_fst postings/bitpacking.h "<fst/fst_reader.h>" fail
  "cpp/postings/bitpacking.h:LINE: #include <fst/fst_reader.h>: postings may include only postings, common")
# Declared dependencies, own folder, bare names and system headers pass.
run_with_include(declared_ok search/query.cc "\"postings/postings_reader.h\"" pass)
run_with_include(system_ok common/json.cc "<sys/stat.h>" pass)

# A folder the table does not know fails.
file(MAKE_DIRECTORY "${tree}/cpp/extra")
file(WRITE "${tree}/cpp/extra/extra.h" "#pragma once\n")
run(undeclared_folder "${tree}" fail "cpp/extra/: a folder with no row in the layer table")

file(REMOVE_RECURSE "${tree}")
