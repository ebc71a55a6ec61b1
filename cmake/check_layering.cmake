# The layering check, in the spirit of `gn check`: every .h and .cc under
# cpp/<folder>/ may include headers of its own folder and of the folders the
# layer table (cmake/tomes_layers.cmake) lists for it, nothing else. The build
# runs it before compiling anything (CMakeLists.txt); run it by hand with
#
#   cmake -P cmake/check_layering.cmake
#
# Variables (all optional):
#   TOMES_SOURCE_DIR        the tree to check (default: this file's ../)
#   TOMES_LAYERING_STAMP    a file touched when the check passes (the build's output)
#
# An include is `#include "<folder>/..."` or `#include <<folder>/...>` where
# <folder> is a folder of the table or under cpp/; any other include (the
# standard library, TBB, zlib, a header of the same folder by bare name) is
# not the check's business. Every folder under cpp/ must be in the table.
cmake_minimum_required(VERSION 3.18)

include("${CMAKE_CURRENT_LIST_DIR}/tomes_layers.cmake")
if(NOT TOMES_SOURCE_DIR)
  get_filename_component(TOMES_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
endif()
set(_cpp "${TOMES_SOURCE_DIR}/cpp")
if(NOT IS_DIRECTORY "${_cpp}")
  message(FATAL_ERROR "check_layering: no ${_cpp}")
endif()

set(_problems "")

# Every folder under cpp/ has a row in the table.
file(GLOB _entries LIST_DIRECTORIES true RELATIVE "${_cpp}" "${_cpp}/*")
set(_folders "")
foreach(_entry IN LISTS _entries)
  if(IS_DIRECTORY "${_cpp}/${_entry}")
    list(APPEND _folders "${_entry}")
    if(NOT _entry IN_LIST TOMES_LAYERS)
      list(APPEND _problems "cpp/${_entry}/: a folder with no row in the layer table; add tomes_layer(${_entry} ...) to cmake/tomes_layers.cmake")
    endif()
  endif()
endforeach()
set(_known ${TOMES_LAYERS} ${_folders})
list(REMOVE_DUPLICATES _known)
string(REPLACE ";" "|" _known_alternatives "${_known}")

foreach(_layer IN LISTS TOMES_LAYERS)
  if(NOT IS_DIRECTORY "${_cpp}/${_layer}")
    continue()  # declared ahead of its code
  endif()
  set(_allowed ${_layer} ${TOMES_LAYER_DEPS_${_layer}})
  string(REPLACE ";" ", " _allowed_text "${_allowed}")

  file(GLOB_RECURSE _files "${_cpp}/${_layer}/*.h" "${_cpp}/${_layer}/*.cc")
  list(SORT _files)
  foreach(_file IN LISTS _files)
    # Only the lines that include one of our folders (native and fast, even
    # on the 1 MB generated Unicode table).
    file(STRINGS "${_file}" _lines
         REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<](${_known_alternatives})/")
    set(_content "")
    foreach(_line IN LISTS _lines)
      if(NOT _line MATCHES "^[ \t]*#[ \t]*include[ \t]*([\"<])(([^/\">]+)/[^\">]*)")
        continue()
      endif()
      set(_path "${CMAKE_MATCH_2}")
      set(_target "${CMAKE_MATCH_3}")
      if(CMAKE_MATCH_1 STREQUAL "<")
        set(_spelled "<${_path}>")
      else()
        set(_spelled "\"${_path}\"")
      endif()
      if(_target IN_LIST _allowed)
        continue()
      endif()
      # A violation: find its line number (read the file only now).
      if(_content STREQUAL "")
        file(READ "${_file}" _content)
      endif()
      string(FIND "${_content}" "${_line}" _offset)
      string(SUBSTRING "${_content}" 0 ${_offset} _before)
      string(REGEX MATCHALL "\n" _newlines "${_before}")
      list(LENGTH _newlines _line_number)
      math(EXPR _line_number "${_line_number} + 1")
      file(RELATIVE_PATH _relative "${TOMES_SOURCE_DIR}" "${_file}")
      list(APPEND _problems "${_relative}:${_line_number}: #include ${_spelled}: ${_layer} may include only ${_allowed_text}")
    endforeach()
  endforeach()
endforeach()

if(_problems)
  list(LENGTH _problems _count)
  foreach(_problem IN LISTS _problems)
    message("${_problem}")
  endforeach()
  message(FATAL_ERROR "tomes layering check: ${_count} include(s) against "
    "the layer table in cmake/tomes_layers.cmake (listed above). Include only "
    "the folders allowed, or, if the dependency is intended, add it to the "
    "folder's tomes_layer(...) row; index and search never include each other.")
endif()

if(TOMES_LAYERING_STAMP)
  file(TOUCH "${TOMES_LAYERING_STAMP}")
endif()
