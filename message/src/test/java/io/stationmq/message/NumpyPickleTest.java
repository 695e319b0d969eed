package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NumpyPickle} on hand-written pickles: the array pickles it must read, and hostile ones it
 * must refuse with a {@link MessageFormatException} naming what it refused. The pickles numpy
 * writes are covered by {@link PackedArrayGoldenTest}.
 */
@Timeout(30)
class NumpyPickleTest {
  /** Writes pickle opcodes. */
  private static final class P {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    P op(int... bytes) {
      for (int b : bytes) {
        out.write(b);
      }
      return this;
    }

    P str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return op(0x8c, b.length).raw(b);
    }

    P raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    P bytearray(byte[] b) {
      op(0x96);
      for (int i = 0; i < 8; i++) {
        op((int) ((long) b.length >>> (8 * i)) & 0xff);
      }
      return raw(b);
    }

    /** numpy.dtype(code, False, True) with its state, byte order {@code order}. */
    P dtype(String code, String order) {
      return str("numpy").str("dtype").op(0x93).str(code).op(0x89, 0x88, 0x87, 0x52)
          .op(0x28, 0x4b, 3).str(order).op(0x4e, 0x4e, 0x4e, 0x4a, 0xff, 0xff, 0xff, 0xff)
          .op(0x4a, 0xff, 0xff, 0xff, 0xff, 0x4b, 0, 0x74, 0x62);
    }

    /** The protocol 5 pickle of an array: _frombuffer(data, dtype, shape, order). */
    P frombuffer(byte[] data, String code, String order, int... shape) {
      op(0x80, 5).str("numpy._core.numeric").str("_frombuffer").op(0x93, 0x28).bytearray(data).dtype(code, "<");
      op(0x28);
      for (int d : shape) {
        op(0x4a, d & 0xff, (d >>> 8) & 0xff, (d >>> 16) & 0xff, d >>> 24);
      }
      return op(0x74).str(order).op(0x74, 0x52);
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    byte[] stop() {
      return op(0x2e).bytes();
    }
  }

  @Test
  void readsAProtocol5ArrayInEitherOrder() {
    byte[] data = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0};
    NumpyPickle.Pickled c = NumpyPickle.read(new P().frombuffer(data, "i2", "C", 2, 3).stop());
    assertEquals(DType.INT16, c.dtype());
    assertArrayEquals(new int[] {2, 3}, c.shape());
    assertFalse(c.fortranOrder());
    assertArrayEquals(data, c.data());
    NumpyPickle.Pickled f = NumpyPickle.read(new P().frombuffer(data, "i2", "F", 2, 3).stop());
    assertTrue(f.fortranOrder());
    // Fortran order [[1,3,5],[2,4,6]] in memory 1..6 is C order 1,3,5,2,4,6.
    assertArrayEquals(new byte[] {1, 0, 3, 0, 5, 0, 2, 0, 4, 0, 6, 0}, PackedArray.fortranToC(data, f.shape(), 2));
  }

  @Test
  void refusesGlobalsOtherThanTheArrayOnes() {
    refused(new P().op(0x80, 2, 0x63).raw("os\nsystem\n".getBytes(StandardCharsets.US_ASCII)).stop(),
        "global 'os system' is not allowed");
    refused(new P().op(0x80, 4).str("builtins").str("eval").op(0x93).stop(), "global 'builtins eval' is not allowed");
    refused(new P().op(0x80, 4).str("numpy").op(0x4b, 1, 0x93).stop(), "STACK_GLOBAL needs two strings");
  }

  @Test
  void refusesOpcodesOutsideArrayPickles() {
    for (int op : new int[] {'}', 'd', 'i', 'o', 0x81, 0x92, 'I', 'S', 'V', 'p', 'g', 'a', 'e', 's', 'u'}) {
      refused(new P().op(0x80, 5, op).stop(), String.format("opcode 0x%02x at offset 2 is not allowed", op));
    }
    refused(new P().op(0x80, 5, 0x97).stop(), "out-of-band buffers");
    refused(new P().op(0x80, 1).stop(), "protocol 1");
    refused(new P().op(0x80, 6).stop(), "protocol 6");
  }

  @Test
  void refusesDtypesOtherThanTheNumericOnes() {
    for (String code : new String[] {"O8", "U1", "S3", "V8", "f2", "c16", "M8", "b2"}) {
      refused(new P().frombuffer(new byte[8], code, "C", 1).stop(), "numpy dtype '" + code + "' is not supported");
    }
  }

  @Test
  void refusesLengthsBeyondTheDataWithoutAllocating() {
    refused(new P().op(0x80, 5, 0x96, 0, 0, 0, 0, 0, 0, 0, 0x40).stop(), "exceeds the");
    refused(new P().op(0x80, 5, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff).stop(), "exceeds the");
    refused(new P().op(0x80, 5, 0x58, 0xff, 0xff, 0xff, 0x7f).stop(), "exceeds the");
    refused(new P().op(0x80, 5, 0x95, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0).stop(), "exceeds the");
  }

  @Test
  void refusesMalformedStructure() {
    P deep = new P().op(0x80, 5);
    for (int i = 0; i < 300; i++) {
      deep.op(0x28);
    }
    refused(deep.stop(), "stack deeper than 256");
    P memo = new P().op(0x80, 5, 0x4e);
    for (int i = 0; i < 300; i++) {
      memo.op(0x94);
    }
    refused(memo.stop(), "more than 256 memo entries");
    refused(new P().op(0x80, 5, 0x68, 7).stop(), "memo entry 7 was never stored");
    refused(new P().op(0x80, 5, 0x52).stop(), "stack underflow");
    refused(new P().op(0x80, 5, 0x74).stop(), "TUPLE without a MARK");
    refused(new P().op(0x80, 5, 0x4e, 0x4e, 0x52).stop(), "REDUCE on None");
    refused(new P().op(0x80, 5, 0x4e).stop(), "holds None, not a numpy array");
    refused(new P().op(0x80, 5, 0x4e, 0x4e).stop(), "STOP with 2 values");
    refused(new P().op(0x80, 5, 0x8c, 2, 0xc3, 0x28).stop(), "not valid UTF-8");
    refused(new P().frombuffer(new byte[6], "i2", "C", 2, 2).stop(), "needs 8 bytes but the pickle holds 6");
    refused(new P().frombuffer(new byte[4], "i2", "X", 2).stop(), "_frombuffer needs");
    refused(new P().frombuffer(new byte[4], "i2", "C", -2).stop(), "non-negative ints");
    refused(new P().frombuffer(new byte[4], "i2", "C", 2).op(0).stop(), "opcode 0x00");
    byte[] ok = new P().frombuffer(new byte[4], "i2", "C", 2).stop();
    refused(java.util.Arrays.copyOf(ok, ok.length + 1), "1 bytes follow the STOP opcode");
    refused(java.util.Arrays.copyOf(ok, ok.length - 1), "truncated");
  }

  private static void refused(byte[] pickle, String reason) {
    MessageFormatException e = assertThrows(MessageFormatException.class, () -> NumpyPickle.read(pickle), reason);
    assertTrue(e.getMessage().startsWith("numpy pickle: ") && e.getMessage().contains(reason),
        reason + " -> " + e.getMessage());
  }
}
