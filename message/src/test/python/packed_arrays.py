"""Writes message bodies whose arrays are blosc-packed as autopilot packs them, for the Java tests.

Usage: python3 packed_arrays.py blosc|blosc2 OUT_DIR

With "blosc" (python-blosc, Blosc 1) or "blosc2" (python-blosc2, Blosc 2) it writes one body per
case to OUT_DIR/NAME.json, shaped like autopilot's Message.serialize() with blosc=True, and
OUT_DIR/cases.json listing every case with the dtype, shape and the SHA-256 of the array's raw
little-endian C-order bytes. Deterministic for a given library and numpy version.
"""
import base64
import hashlib
import json
import os
import pickle
import sys

import numpy as np


def arrays():
    """(name, array) pairs: every dtype, several shapes and orders, sizes and kinds of data."""
    base = np.arange(24).reshape(2, 3, 4) % 7
    for dt in ("bool", "uint8", "uint16", "uint32", "uint64",
               "int8", "int16", "int32", "int64", "float32", "float64"):
        signed = dt.startswith(("int", "float"))
        yield "dtype_" + dt, (base - 3 if signed else base).astype(dt)
    rng = np.random.RandomState(2026)
    yield "scalar_0d", np.array(2.5)
    yield "empty_1d", np.zeros(0, dtype="int32")
    yield "empty_2d", np.zeros((0, 3), dtype="float32")
    yield "fortran_2d", np.asfortranarray(np.arange(35, dtype="int16").reshape(5, 7))
    yield "fortran_3d", np.asfortranarray(np.arange(60, dtype="float64").reshape(3, 4, 5))
    yield "strided_slice", np.arange(60, dtype="int32").reshape(6, 10)[:, ::3]
    yield "big_endian", np.arange(10, dtype=">u4")
    yield "odd_length", np.arange(1001, dtype="uint16")
    yield "camera_frame", (rng.rand(48, 64, 3) * 255).astype("uint8")
    yield "daq_samples", np.sin(np.linspace(0, 20, 4000)).astype("float32").reshape(1000, 4)
    yield "incompressible", rng.randint(0, 256, size=6000).astype("uint8")
    yield "incompressible_f8", rng.rand(1200)
    yield "zeros", np.zeros(2000, dtype="float64")
    yield "constant", np.full(3000, 7, dtype="int32")
    yield "large_compressible", np.arange(150000, dtype="int64")


def variants(lib):
    """(suffix, pack function) pairs for the shuffles, codecs and levels the library offers."""
    if lib == "blosc":
        import blosc

        def pack(**kw):
            return lambda a: blosc.pack_array(a, **kw)

        yield "", pack()
        yield "_noshuffle", pack(shuffle=blosc.NOSHUFFLE)
        yield "_bitshuffle", pack(shuffle=blosc.BITSHUFFLE)
        for cname in ("lz4", "lz4hc", "snappy", "zlib", "zstd"):
            if cname in blosc.cnames:
                yield "_" + cname, pack(cname=cname)
        yield "_clevel0", pack(clevel=0)
        yield "_clevel5", pack(clevel=5)
        for proto in (2, 3, 4):
            yield "_pickle%d" % proto, (
                lambda a, p=proto: blosc.compress(pickle.dumps(a, p), typesize=a.itemsize))
    else:
        import blosc2

        def pack(**kw):
            return lambda a: blosc2.pack_array(a, **kw)

        yield "", pack()
        yield "_noshuffle", pack(filter=blosc2.Filter.NOFILTER)
        yield "_bitshuffle", pack(filter=blosc2.Filter.BITSHUFFLE)
        for name in ("LZ4", "LZ4HC", "ZLIB", "ZSTD"):
            yield "_" + name.lower(), pack(codec=getattr(blosc2.Codec, name))
        yield "_clevel0", pack(clevel=0)
        yield "_clevel5", pack(clevel=5)


def small_blocks(lib):
    """Forces 4 KiB blocks so that modest arrays span several blocks and end in a short one."""
    if lib == "blosc":
        import blosc
        blosc.set_blocksize(4096)
    else:
        import blosc2
        blosc2.set_blocksize(4096)


def body(name, packed, array):
    value = {"NUMPY_ARRAY": base64.b64encode(packed).decode("ascii"),
             "DTYPE": array.dtype.name, "SHAPE": list(array.shape)}
    msg = {"id": "pilot_1_" + name, "to": "T", "sender": "pilot_1", "key": "DATA",
           "value": {"frame": value}, "timestamp": "2026-11-21T10:15:30.123456",
           "changed": False, "flags": {}, "blosc": True, "ttl": 2}
    return json.dumps(msg).encode("utf-8")


def main():
    lib, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    cases = []
    everything = list(arrays())
    # Every dtype and shape with the default packing; the other variants on a subset.
    subset = {"dtype_bool", "dtype_uint16", "dtype_float64", "odd_length", "camera_frame",
              "daq_samples", "incompressible", "zeros", "fortran_2d"}
    for suffix, pack in variants(lib):
        for name, a in everything:
            if suffix and name not in subset:
                continue
            if suffix.startswith("_pickle") and name not in ("dtype_float64", "fortran_2d", "empty_1d"):
                continue
            cases.append((name + suffix, a, pack(a)))
    small_blocks(lib)
    for name in ("odd_length", "daq_samples", "incompressible_f8", "camera_frame", "dtype_int64"):
        a = dict(everything)[name]
        cases.append((name + "_4k_blocks", a, variants_default(lib)(a)))
        if lib == "blosc":
            import blosc
            cases.append((name + "_4k_blocks_bitshuffle", a, blosc.pack_array(a, shuffle=blosc.BITSHUFFLE)))
        else:
            import blosc2
            cases.append((name + "_4k_blocks_bitshuffle", a,
                          blosc2.pack_array(a, filter=blosc2.Filter.BITSHUFFLE)))
    index = []
    for name, a, packed in cases:
        if len(packed) > 200_000:
            raise SystemExit("case %s packs to %d bytes, too large for a test resource" % (name, len(packed)))
        raw = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes(order="C")
        with open(os.path.join(out, name + ".json"), "wb") as f:
            f.write(body(name, packed, a))
        index.append({"name": name, "dtype": a.dtype.name, "shape": list(a.shape),
                      "sha256": hashlib.sha256(raw).hexdigest(), "packed_bytes": len(packed)})
    with open(os.path.join(out, "cases.json"), "w") as f:
        f.write('{"library": "%s", "numpy": "%s", "cases": [\n' % (lib, np.__version__))
        f.write(",\n".join(json.dumps(c) for c in index))
        f.write("\n]}\n")


def variants_default(lib):
    return next(iter(variants(lib)))[1]


if __name__ == "__main__":
    main()
