# The layer table: the one place that says which folder under cpp/ may
# include which. CMakeLists.txt makes one target per folder (tomes_<folder>)
# linking exactly these folders, and cmake/check_layering.cmake fails the
# build on any `#include "<folder>/..."` the table does not allow.
#
#   tomes_layer(<folder> [<folder it may include>...] [EXTERNAL <imported target>...])
#
# A folder may always include its own headers. Dependencies are direct: a
# folder lists every folder it includes, even one its dependencies already
# bring. A folder comes after every folder it depends on, so the graph has no
# cycles. EXTERNAL names the third-party targets a folder's own code uses.
# This file is read both by CMakeLists.txt and in script mode (cmake -P).

set(TOMES_LAYERS "")

function(tomes_layer layer)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "EXTERNAL")
  if(layer IN_LIST TOMES_LAYERS)
    message(FATAL_ERROR "tomes_layers.cmake: ${layer} is declared twice")
  endif()
  foreach(dep IN LISTS arg_UNPARSED_ARGUMENTS)
    if(NOT dep IN_LIST TOMES_LAYERS)
      message(FATAL_ERROR "tomes_layers.cmake: ${layer} depends on ${dep}, "
        "which is not declared above it (a folder comes after its dependencies)")
    endif()
  endforeach()
  set(TOMES_LAYERS ${TOMES_LAYERS} ${layer} PARENT_SCOPE)
  set(TOMES_LAYER_DEPS_${layer} ${arg_UNPARSED_ARGUMENTS} PARENT_SCOPE)
  set(TOMES_LAYER_EXTERNAL_${layer} ${arg_EXTERNAL} PARENT_SCOPE)
endfunction()

# Two folders that must never include each other, whatever the table says.
function(tomes_layers_apart a b)
  if(a IN_LIST TOMES_LAYER_DEPS_${b} OR b IN_LIST TOMES_LAYER_DEPS_${a})
    message(FATAL_ERROR "tomes_layers.cmake: ${a} and ${b} must never include each other")
  endif()
endfunction()

# --- The table ------------------------------------------------------------------
#           folder    may include
tomes_layer(common                                                         EXTERNAL ZLIB::ZLIB TBB::tbb)
tomes_layer(analysis  common)
tomes_layer(parse     common                                               EXTERNAL ZLIB::ZLIB)
tomes_layer(chunk     common)
tomes_layer(fst       common                                               EXTERNAL TBB::tbb)
tomes_layer(postings  common)
tomes_layer(segment   common fst postings                                   EXTERNAL ZLIB::ZLIB)
tomes_layer(index     common analysis parse chunk fst postings segment     EXTERNAL TBB::tbb)
tomes_layer(search    common analysis fst postings segment              EXTERNAL TBB::tbb)
tomes_layer(python    common analysis parse chunk fst postings segment index search)

# Indexing writes segments, searching reads them; neither knows the other.
tomes_layers_apart(index search)
