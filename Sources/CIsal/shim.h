// Intel's ISA-L deflate for Swift (Debian: libisal-dev): gzip-compatible output several times
// faster than zlib at its fastest level, for the trace compressor process.
#ifndef RAFTLAB_CISAL_SHIM_H
#define RAFTLAB_CISAL_SHIM_H
#include <isa-l/igzip_lib.h>
#include <stdint.h>
// The recommended level-1 working buffer size; a macro Swift cannot evaluate.
static inline uint32_t raftlab_isal_level1_buffer_bytes(void) { return ISAL_DEF_LVL1_DEFAULT; }
#endif
