package io.stationmq.message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the pickle of one numpy array, as {@code pickle.dumps(array, protocol)} writes it for
 * protocols 2 to 5: {@code numpy.core.multiarray._reconstruct} followed by {@code __setstate__}
 * (protocols 2 to 4), or {@code numpy.core.numeric._frombuffer} (protocol 5); numpy 2's {@code
 * numpy._core} names too.
 *
 * <p>This is not a Python unpickler. It interprets only the opcodes those pickles use, knows only
 * the five globals they name (as tokens, nothing is looked up or instantiated), accepts only
 * numeric dtypes without fields, and refuses anything else with a {@link MessageFormatException}
 * naming the opcode, global or dtype. Every length is checked against the bytes that remain before
 * anything is allocated, and the stack and memo are bounded, so hostile input costs at most a copy
 * of its own size. Stateless and thread-safe.
 */
final class NumpyPickle {
  /** An array as the pickle holds it: raw bytes in the pickle's byte order and memory order. */
  record Pickled(DType dtype, int[] shape, boolean fortranOrder, boolean bigEndian, byte[] data) {}

  private static final int MAX_STACK = 256;
  private static final int MAX_MEMO = 256;
  private static final int MAX_NDIM = 64;
  private static final Object MARK = new Object();
  private static final Object NONE = new Object();

  /** The callables an ndarray pickle names. */
  private enum Global { RECONSTRUCT, FROMBUFFER, NDARRAY, DTYPE, CODECS_ENCODE, BYTES }

  private static final Map<String, Global> GLOBALS = Map.of(
      "numpy.core.multiarray _reconstruct", Global.RECONSTRUCT,
      "numpy._core.multiarray _reconstruct", Global.RECONSTRUCT,
      "numpy.core.numeric _frombuffer", Global.FROMBUFFER,
      "numpy._core.numeric _frombuffer", Global.FROMBUFFER,
      "numpy ndarray", Global.NDARRAY,
      "numpy dtype", Global.DTYPE,
      "_codecs encode", Global.CODECS_ENCODE,
      "__builtin__ bytes", Global.BYTES,
      "builtins bytes", Global.BYTES);

  /** Bytes, bytearray or a Python 2 str. */
  private record Bytes(byte[] value) {}

  /** A {@code numpy.dtype(...)} call, completed by its {@code __setstate__}. */
  private static final class Descr {
    final DType dtype;
    char byteOrder = '=';

    Descr(DType dtype) {
      this.dtype = dtype;
    }
  }

  /** An ndarray from {@code _reconstruct} ({@code result} null) that its BUILD fills in. */
  private static final class ArrayObj {
    Pickled result;
  }

  private final byte[] p;
  private int pos;
  private final List<Object> stack = new ArrayList<>();
  private final Map<Integer, Object> memo = new HashMap<>();

  private NumpyPickle(byte[] p) {
    this.p = p;
  }

  /**
   * Reads the array pickled in {@code pickle}.
   *
   * @throws MessageFormatException when it is not exactly one numeric numpy array pickle
   */
  static Pickled read(byte[] pickle) {
    return new NumpyPickle(pickle).run();
  }

  private Pickled run() {
    while (true) {
      int op = u8();
      switch (op) {
        case 0x80 -> {
          int proto = u8();
          if (proto < 2 || proto > 5) {
            throw fail("protocol " + proto + " is not supported (2 to 5 are)");
          }
        }
        case 0x95 -> len(8); // FRAME: a length hint; the framed opcodes follow in line
        case 0x2e -> {
          return finish();
        }
        case 0x28 -> push(MARK);
        case 0x94 -> put(memo.size());
        case 0x71 -> put(u8());
        case 0x72 -> put(index(4));
        case 0x68 -> push(get(u8()));
        case 0x6a -> push(get(index(4)));
        case 0x4e -> push(NONE);
        case 0x88 -> push(Boolean.TRUE);
        case 0x89 -> push(Boolean.FALSE);
        case 0x4a -> push((long) (int) uint(4));
        case 0x4b -> push((long) u8());
        case 0x4d -> push(uint(2));
        case 0x8a -> push(long1());
        case 0x8c -> push(text(u8()));
        case 0x58 -> push(text(len(4)));
        case 0x8d -> push(text(len(8)));
        case 0x43, 0x55 -> push(new Bytes(bytes(u8())));
        case 0x42, 0x54 -> push(new Bytes(bytes(len(4))));
        case 0x8e, 0x96 -> push(new Bytes(bytes(len(8))));
        case 0x29 -> push(List.of());
        case 0x74 -> push(List.copyOf(popToMark()));
        case 0x85 -> push(tuple(1));
        case 0x86 -> push(tuple(2));
        case 0x87 -> push(tuple(3));
        case 0x63 -> push(global(line() + " " + line()));
        case 0x93 -> {
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw fail("STACK_GLOBAL needs two strings");
          }
          push(global(m + " " + n));
        }
        case 0x52 -> {
          Object args = pop();
          push(call(pop(), args));
        }
        case 0x62 -> {
          Object state = pop();
          build(peek(), state);
        }
        case 0x97, 0x98 -> throw fail("out-of-band buffers are not supported");
        default -> throw fail(String.format("opcode 0x%02x at offset %d is not allowed in an array pickle", op, pos - 1));
      }
    }
  }

  private Pickled finish() {
    if (pos != p.length) {
      throw fail((p.length - pos) + " bytes follow the STOP opcode");
    }
    if (stack.size() != 1) {
      throw fail("STOP with " + stack.size() + " values on the stack, expected the array alone");
    }
    Object top = stack.get(0);
    if (top instanceof ArrayObj a && a.result != null) {
      return a.result;
    }
    if (top instanceof Pickled result) {
      return result;
    }
    throw fail("the pickle holds " + describe(top) + ", not a numpy array");
  }

  private Object call(Object callable, Object argsObj) {
    if (!(callable instanceof Global g)) {
      throw fail("REDUCE on " + describe(callable) + ", which is not callable here");
    }
    List<?> args = asTuple(argsObj, g + " arguments");
    switch (g) {
      case RECONSTRUCT -> {
        if (args.size() != 3 || args.get(0) != Global.NDARRAY) {
          throw fail("_reconstruct must rebuild a numpy.ndarray");
        }
        return new ArrayObj();
      }
      case DTYPE -> {
        if (args.isEmpty() || !(args.get(0) instanceof String code)) {
          throw fail("numpy.dtype needs a type code");
        }
        return new Descr(dtypeOf(code));
      }
      case FROMBUFFER -> {
        if (args.size() != 4 || !(args.get(0) instanceof Bytes data) || !(args.get(1) instanceof Descr d)
            || !(args.get(3) instanceof String order) || !(order.equals("C") || order.equals("F"))) {
          throw fail("_frombuffer needs (buffer, dtype, shape, 'C' or 'F')");
        }
        return array(d, args.get(2), order.equals("F"), data.value());
      }
      case CODECS_ENCODE -> {
        if (args.size() != 2 || !(args.get(0) instanceof String s) || !(args.get(1) instanceof String enc)
            || !(enc.equals("latin1") || enc.equals("latin-1"))) {
          throw fail("_codecs.encode is allowed only as (str, 'latin1')");
        }
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
          char c = s.charAt(i);
          if (c > 0xff) {
            throw fail("latin1 text holds the character U+" + Integer.toHexString(c));
          }
          out[i] = (byte) c;
        }
        return new Bytes(out);
      }
      case BYTES -> {
        if (!args.isEmpty()) {
          throw fail("bytes(...) is allowed only without arguments");
        }
        return new Bytes(new byte[0]);
      }
      default -> throw fail(g + " cannot be called");
    }
  }

  private void build(Object target, Object stateObj) {
    List<?> state = asTuple(stateObj, "BUILD state");
    if (target instanceof Descr d) {
      if (state.size() < 8 || !(state.get(1) instanceof String order) || order.length() != 1
          || "<>|=".indexOf(order.charAt(0)) < 0) {
        throw fail("dtype state must carry a byte order");
      }
      if (state.get(2) != NONE || state.get(3) != NONE || state.get(4) != NONE) {
        throw fail("dtypes with subarrays or fields are not supported");
      }
      d.byteOrder = order.charAt(0);
    } else if (target instanceof ArrayObj a && a.result == null) {
      // (version, shape, dtype, is_fortran, data), or the same without the version.
      int base = state.size() == 5 ? 1 : 0;
      if (state.size() - base != 4 || !(state.get(base + 1) instanceof Descr d)
          || !(state.get(base + 2) instanceof Boolean fortran) || !(state.get(base + 3) instanceof Bytes data)) {
        throw fail("ndarray state must be (version, shape, dtype, is_fortran, bytes)");
      }
      a.result = array(d, state.get(base), fortran, data.value());
    } else {
      throw fail("BUILD on " + describe(target));
    }
  }

  private Pickled array(Descr d, Object shapeObj, boolean fortran, byte[] data) {
    List<?> dims = asTuple(shapeObj, "shape");
    if (dims.size() > MAX_NDIM) {
      throw fail("shape has " + dims.size() + " dimensions, more than " + MAX_NDIM);
    }
    int[] shape = new int[dims.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (!(dims.get(i) instanceof Long dim) || dim < 0 || dim > Integer.MAX_VALUE) {
        throw fail("shape " + dims + " is not a tuple of non-negative ints");
      }
      shape[i] = (int) (long) dim;
      count = count > (1L << 40) / Math.max(dim, 1) ? 1L << 40 : count * dim;
    }
    long needed = count * d.dtype.itemSize();
    if (needed != data.length) {
      throw fail("shape " + Arrays.toString(shape) + " " + d.dtype.numpyName() + " needs " + needed
          + " bytes but the pickle holds " + data.length);
    }
    return new Pickled(d.dtype, shape, fortran, d.byteOrder == '>' && d.dtype.itemSize() > 1, data);
  }

  private static DType dtypeOf(String code) {
    DType t = switch (code) {
      case "b1" -> DType.BOOL;
      case "i1" -> DType.INT8;
      case "i2" -> DType.INT16;
      case "i4" -> DType.INT32;
      case "i8" -> DType.INT64;
      case "u1" -> DType.UINT8;
      case "u2" -> DType.UINT16;
      case "u4" -> DType.UINT32;
      case "u8" -> DType.UINT64;
      case "f4" -> DType.FLOAT32;
      case "f8" -> DType.FLOAT64;
      default -> null;
    };
    if (t == null) {
      throw fail("numpy dtype '" + abbreviate(code) + "' is not supported (bool, int8..int64, uint8..uint64,"
          + " float32 and float64 are)");
    }
    return t;
  }

  // ---------------------------------------------------------------- stack and memo

  private void push(Object o) {
    if (stack.size() >= MAX_STACK) {
      throw fail("stack deeper than " + MAX_STACK);
    }
    stack.add(o);
  }

  private Object pop() {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw fail("stack underflow at offset " + (pos - 1));
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw fail("stack underflow at offset " + (pos - 1));
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popToMark() {
    int mark = stack.lastIndexOf(MARK);
    if (mark < 0) {
      throw fail("TUPLE without a MARK");
    }
    List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
    stack.subList(mark, stack.size()).clear();
    return items;
  }

  private List<Object> tuple(int n) {
    Object[] items = new Object[n];
    for (int i = n - 1; i >= 0; i--) {
      items[i] = pop();
    }
    return List.of(items);
  }

  private void put(int index) {
    if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
      throw fail("more than " + MAX_MEMO + " memo entries");
    }
    memo.put(index, peek());
  }

  private Object get(int index) {
    Object o = memo.get(index);
    if (o == null) {
      throw fail("memo entry " + index + " was never stored");
    }
    return o;
  }

  private static Global global(String qualified) {
    Global g = GLOBALS.get(qualified);
    if (g == null) {
      throw fail("global '" + abbreviate(qualified) + "' is not allowed in an array pickle");
    }
    return g;
  }

  // ---------------------------------------------------------------- reading

  private int u8() {
    need(1);
    return p[pos++] & 0xff;
  }

  /** An unsigned little-endian integer of {@code n} bytes (n at most 8; 8 must fit a long). */
  private long uint(int n) {
    need(n);
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (p[pos + i] & 0xffL) << (8 * i);
    }
    pos += n;
    return v;
  }

  /** A length or memo index of {@code n} bytes, which must fit what remains to be read. */
  private int len(int n) {
    long v = uint(n);
    if (v < 0 || v > p.length - pos) {
      throw fail("length " + Long.toUnsignedString(v) + " at offset " + (pos - n) + " exceeds the "
          + (p.length - pos) + " bytes that remain");
    }
    return (int) v;
  }

  private int index(int n) {
    long v = uint(n);
    if (v > Integer.MAX_VALUE) {
      throw fail("memo index " + v + " is out of range");
    }
    return (int) v;
  }

  private Long long1() {
    int n = u8();
    if (n > 8) {
      throw fail("integer of " + n + " bytes is too large");
    }
    need(n);
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (p[pos + i] & 0xffL) << (8 * i);
    }
    if (n > 0 && n < 8 && (p[pos + n - 1] & 0x80) != 0) {
      v |= -1L << (8 * n);
    }
    pos += n;
    return v;
  }

  private byte[] bytes(int n) {
    need(n);
    byte[] b = Arrays.copyOfRange(p, pos, pos + n);
    pos += n;
    return b;
  }

  private String text(int n) {
    need(n);
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(p, pos, n))
          .toString();
      pos += n;
      return s;
    } catch (CharacterCodingException e) {
      throw fail("text at offset " + pos + " is not valid UTF-8");
    }
  }

  /** A newline-terminated ASCII line (the GLOBAL opcode's module and name). */
  private String line() {
    int end = pos;
    while (end < p.length && end - pos <= 128 && p[end] != '\n') {
      end++;
    }
    if (end >= p.length || p[end] != '\n') {
      throw fail("GLOBAL name at offset " + pos + " is not a short line");
    }
    String s = new String(p, pos, end - pos, StandardCharsets.US_ASCII);
    pos = end + 1;
    return s;
  }

  private void need(int n) {
    if (n < 0 || n > p.length - pos) {
      throw fail("truncated at offset " + pos + " (" + n + " more bytes needed, " + (p.length - pos) + " remain)");
    }
  }

  // ---------------------------------------------------------------- helpers

  private static List<?> asTuple(Object o, String what) {
    if (!(o instanceof List<?> list)) {
      throw fail(what + " must be a tuple, got " + describe(o));
    }
    return list;
  }

  private static String describe(Object o) {
    if (o == NONE) {
      return "None";
    }
    if (o == MARK) {
      return "a MARK";
    }
    if (o instanceof Global g) {
      return "the global " + g;
    }
    return o == null ? "nothing" : "a " + o.getClass().getSimpleName();
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }

  private static MessageFormatException fail(String reason) {
    return new MessageFormatException("numpy pickle: " + reason);
  }
}
