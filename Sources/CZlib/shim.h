#ifndef AVIARY_CZLIB_SHIM_H
#define AVIARY_CZLIB_SHIM_H

#include <zlib.h>

// deflateInit2 and inflateInit2 are macros that Swift cannot call; these wrappers fix the parameters Aviary
// uses. windowBits 15 + 16 selects the gzip wrapper (RFC 1952), which java.util.zip.GZIPInputStream reads.
static inline int aviary_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

static inline int aviary_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}

#endif
