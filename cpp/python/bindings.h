// bindings.h: one function per core folder, each adding that folder's names
// to tomes._core. Bindings convert and release the GIL; they hold no logic.
#pragma once

#include <pybind11/pybind11.h>

namespace tomes::python {

void bind_analysis(pybind11::module_& m);
void bind_fst(pybind11::module_& m);
void bind_text(pybind11::module_& m);
void bind_index(pybind11::module_& m);
void bind_epub(pybind11::module_& m);

}  // namespace tomes::python
