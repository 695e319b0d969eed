package io.stationmq.message;

import java.nio.charset.StandardCharsets;

/**
 * The confirmation hot path by hand: a {@code CONFIRM} written and read without Jackson, for
 * the one layout every endpoint writes (the Python field order and separators, PROTOCOL.md 1)
 * and strings of plain printable ASCII (nothing to escape). Anything else is left to the general
 * codec ({@link MessageCodec}), which gives the same answer more slowly; {@code
 * GoldenBodiesTest} and {@code PlainBodiesTest} check that both agree.
 *
 * <p>Stateless and thread-safe; never throws. Not public API.
 */
final class PlainBodies {
  /** What {@link #peekConfirm} returns for a body it cannot read by hand (compared by identity). */
  static final String OTHER_LAYOUT = new String("other layout");

  private static final byte[] ID = ascii("{\"id\": \"");
  private static final byte[] TO = ascii(", \"to\": \"");
  private static final byte[] SENDER = ascii(", \"sender\": \"");
  private static final byte[] KEY = ascii(", \"key\": \"");
  private static final byte[] VALUE = ascii(", \"value\": \"");
  private static final byte[] TIMESTAMP = ascii(", \"timestamp\": \"");
  private static final byte[] CONFIRM_TAIL = ascii(", \"changed\": false, \"flags\": {\"NOREPEAT\": true}, "
      + "\"blosc\": false, \"ttl\": 2}");
  private static final String CONFIRM = "CONFIRM";
  private static final byte[] CONFIRM_BYTES = ascii(CONFIRM);

  private PlainBodies() {}

  /**
   * The body {@link MessageCodec#encode} writes for this {@code CONFIRM}, or null when a string
   * is not plain (empty, or with a character JSON would escape).
   */
  static byte[] confirm(String id, String to, String sender, String confirmedId, String timestamp) {
    if (!plain(id) || !plain(to) || !plain(sender) || !plain(confirmedId) || !plain(timestamp)) {
      return null;
    }
    int n = ID.length + id.length() + 1 + TO.length + to.length() + 1 + SENDER.length + sender.length() + 1
        + KEY.length + CONFIRM.length() + 1 + VALUE.length + confirmedId.length() + 1 + TIMESTAMP.length
        + timestamp.length() + 1 + CONFIRM_TAIL.length;
    byte[] b = new byte[n];
    int i = put(b, 0, ID, id);
    i = put(b, i, TO, to);
    i = put(b, i, SENDER, sender);
    i = put(b, i, KEY, CONFIRM);
    i = put(b, i, VALUE, confirmedId);
    i = put(b, i, TIMESTAMP, timestamp);
    System.arraycopy(CONFIRM_TAIL, 0, b, i, CONFIRM_TAIL.length);
    return b;
  }

  /**
   * What {@link MessageCodec#peekConfirm} answers, read by hand: the confirmed id, null for a body
   * in the common layout that is not a confirmation, or {@link #OTHER_LAYOUT}.
   */
  static String peekConfirm(byte[] b) {
    if (b == null) {
      return OTHER_LAYOUT;
    }
    int i = expect(b, 0, ID);
    int end = i < 0 ? -1 : stringEnd(b, i);
    if (end <= i) { // not this layout, or an empty id
      return OTHER_LAYOUT;
    }
    i = expect(b, end + 1, TO);
    end = i < 0 ? -1 : stringEnd(b, i);
    i = end < 0 ? -1 : expect(b, end + 1, SENDER);
    end = i < 0 ? -1 : stringEnd(b, i);
    if (end <= i) {
      return OTHER_LAYOUT;
    }
    i = expect(b, end + 1, KEY);
    end = i < 0 ? -1 : stringEnd(b, i);
    if (end < 0) {
      return OTHER_LAYOUT;
    }
    if (end - i != CONFIRM.length() || expect(b, i, CONFIRM_BYTES) < 0) {
      return end == i ? OTHER_LAYOUT : null; // a key, and not CONFIRM: not a confirmation
    }
    i = expect(b, end + 1, VALUE);
    end = i < 0 ? -1 : stringEnd(b, i);
    return end < 0 ? OTHER_LAYOUT : new String(b, i, end - i, StandardCharsets.US_ASCII);
  }

  /** True for a non-empty string of printable ASCII other than a quote or a backslash. */
  private static boolean plain(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** The index after {@code literal} at {@code at}, or -1. */
  private static int expect(byte[] b, int at, byte[] literal) {
    if (at < 0 || at + literal.length > b.length) {
      return -1;
    }
    for (int k = 0; k < literal.length; k++) {
      if (b[at + k] != literal[k]) {
        return -1;
      }
    }
    return at + literal.length;
  }

  /** The index of the quote that ends a plain string starting at {@code from}, or -1 (an escape, a non-ASCII byte, the end). */
  private static int stringEnd(byte[] b, int from) {
    for (int k = from; k < b.length; k++) {
      byte c = b[k];
      if (c == '"') {
        return k;
      }
      if (c < 0x20 || c == '\\' || c == 0x7f) { // bytes of 0x80 and above are negative
        return -1;
      }
    }
    return -1;
  }

  private static int put(byte[] b, int at, byte[] prefix, String s) {
    System.arraycopy(prefix, 0, b, at, prefix.length);
    int i = at + prefix.length;
    for (int k = 0; k < s.length(); k++) {
      b[i++] = (byte) s.charAt(k);
    }
    b[i] = '"';
    return i + 1;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
