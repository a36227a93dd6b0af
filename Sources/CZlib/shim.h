#ifndef GRIDSYNC_CZLIB_H
#define GRIDSYNC_CZLIB_H

#include <zlib.h>

/// deflateInit2 is a macro: Swift calls this instead.
static inline int gridsync_deflate_init(z_streamp stream, int level, int window_bits, int memory_level) {
    return deflateInit2(stream, level, Z_DEFLATED, window_bits, memory_level, Z_DEFAULT_STRATEGY);
}

#endif
