package io.stationmq.netnode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * One discovery beacon: a Station announcing that it takes connections for the network {@code
 * network} on {@code port} (at {@code host}, or the address the beacon came from when empty),
 * and its codec. The datagram, big-endian:
 *
 * <pre>
 *   "SMQB"            4 bytes, magic
 *   version           1 byte, 1
 *   network length    1 byte (1..64), then the network name in ASCII [A-Za-z0-9._-]
 *   station id length 1 byte (1..128), then the station id in UTF-8
 *   host length       1 byte (0..64), then the host in ASCII (0: the beacon's source address)
 *   port              2 bytes, 1..65535
 * </pre>
 *
 * Nothing may follow; a beacon is at most {@link #MAX_SIZE} bytes. {@link #decode} never
 * throws: a bad packet is a {@link Decoded} with a reason. Immutable; not public API.
 */
record Beacon(String network, String stationId, String host, int port) {
  static final int MAX_SIZE = 4 + 1 + 1 + 64 + 1 + 128 + 1 + 64 + 2;
  static final int VERSION = 1;
  private static final byte[] MAGIC = {'S', 'M', 'Q', 'B'};
  private static final int MAX_NETWORK = 64;
  private static final int MAX_ID = 128;
  private static final int MAX_HOST = 64;
  private static final Pattern NETWORK = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_NETWORK + "}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:_-]{0," + MAX_HOST + "}");

  /** Validates the fields (the same rules {@link #decode} applies). */
  Beacon {
    checkNetwork(network);
    if (stationId == null || stationId.isEmpty() || stationId.getBytes(StandardCharsets.UTF_8).length > MAX_ID) {
      throw new IllegalArgumentException("station id must be 1.." + MAX_ID + " bytes of UTF-8");
    }
    if (host == null || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("beacon host must be at most " + MAX_HOST
          + " characters of [A-Za-z0-9.:_-], got '" + host + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("beacon port must be 1..65535, got " + port);
    }
  }

  /** Throws {@link IllegalArgumentException} unless {@code network} is a valid network name. */
  static String checkNetwork(String network) {
    if (network == null || !NETWORK.matcher(network).matches()) {
      throw new IllegalArgumentException("a network name is 1.." + MAX_NETWORK
          + " characters of [A-Za-z0-9._-], got '" + network + "'");
    }
    return network;
  }

  /** The datagram. */
  byte[] encode() {
    byte[] n = network.getBytes(StandardCharsets.US_ASCII);
    byte[] i = stationId.getBytes(StandardCharsets.UTF_8);
    byte[] h = host.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 1 + 1 + n.length + 1 + i.length + 1 + h.length + 2);
    b.put(MAGIC).put((byte) VERSION);
    b.put((byte) n.length).put(n).put((byte) i.length).put(i).put((byte) h.length).put(h);
    b.putShort((short) port);
    return b.array();
  }

  /** What {@link #decode} made of a packet: a beacon, or why there is none. */
  record Decoded(Beacon beacon, Problem problem, String detail) {
    boolean ok() {
      return beacon != null;
    }
  }

  /** Why a packet is not a beacon; each is counted on its own by the listener. */
  enum Problem { FOREIGN, VERSION, MALFORMED }

  /** Reads a datagram of {@code length} bytes; never throws. */
  static Decoded decode(byte[] data, int length) {
    if (length < MAGIC.length || data[0] != MAGIC[0] || data[1] != MAGIC[1] || data[2] != MAGIC[2]
        || data[3] != MAGIC[3]) {
      return bad(Problem.FOREIGN, "no beacon magic (" + length + " bytes)");
    }
    if (length > MAX_SIZE) {
      return bad(Problem.MALFORMED, length + " bytes, more than " + MAX_SIZE);
    }
    ByteBuffer b = ByteBuffer.wrap(data, 0, length);
    b.position(MAGIC.length);
    if (!b.hasRemaining()) {
      return bad(Problem.MALFORMED, "no version");
    }
    int version = b.get() & 0xff;
    if (version != VERSION) {
      return bad(Problem.VERSION, "version " + version + ", this build reads " + VERSION);
    }
    String network = field(b, StandardCharsets.US_ASCII);
    String id = network == null ? null : field(b, StandardCharsets.UTF_8);
    String host = id == null ? null : field(b, StandardCharsets.US_ASCII);
    if (host == null || b.remaining() != 2) {
      return bad(Problem.MALFORMED, host == null ? "a field runs past the end" : "port missing or bytes after it");
    }
    int port = b.getShort() & 0xffff;
    try {
      return new Decoded(new Beacon(network, id, host, port), null, null);
    } catch (IllegalArgumentException e) {
      return bad(Problem.MALFORMED, e.getMessage());
    }
  }

  private static String field(ByteBuffer b, java.nio.charset.Charset charset) {
    if (!b.hasRemaining()) {
      return null;
    }
    int n = b.get() & 0xff;
    if (b.remaining() < n) {
      return null;
    }
    byte[] bytes = new byte[n];
    b.get(bytes);
    return new String(bytes, charset);
  }

  private static Decoded bad(Problem problem, String detail) {
    return new Decoded(null, problem, detail);
  }
}
