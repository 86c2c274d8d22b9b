// zlib for Swift (Debian: zlib1g-dev). Swift cannot call zlib's function-like macros
// (deflateInit2, inflateInit2): RaftTrace calls deflateInit2_ / inflateInit2_ instead.
#ifndef RAFTLAB_CZLIB_SHIM_H
#define RAFTLAB_CZLIB_SHIM_H
#include <zlib.h>
#endif
