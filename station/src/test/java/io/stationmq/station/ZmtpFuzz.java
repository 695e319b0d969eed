package io.stationmq.station;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * One hand-made TCP connection to a ZeroMQ endpoint that misbehaves at the ZMTP level, chosen
 * by a seed and an index: random bytes instead of a greeting, a mutated greeting, or a real
 * ZMTP 3.0 greeting (NULL mechanism, as a DEALER) followed by a malformed READY, random bytes
 * or random frames; then a close or a reset. Never throws for what the endpoint does.
 */
final class ZmtpFuzz {
  static final int MODES = 6;
  private static final int READ_TIMEOUT_MILLIS = 1_000;
  private static final String[] MECHANISMS = {"NULL", "PLAIN", "CURVE", "GSSAPI", "null", ""};
  private static final String[] SOCKET_TYPES = {"DEALER", "ROUTER", "PUB", "SUB", "REQ", "PAIR", "XX", ""};

  /** What one connection did: its mode, and whether the endpoint answered its greeting (when it waited for one). */
  record Result(int mode, boolean answered) {}

  private ZmtpFuzz() {}

  static Result connect(long seed, long index, int port) throws IOException {
    Random r = new Random(seed * 0x2545F4914F6CDD1DL + index);
    int mode = r.nextInt(MODES);
    boolean answered = true;
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      if (r.nextBoolean()) {
        socket.setSoLinger(true, 0); // close with a reset
      }
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      try {
        switch (mode) {
          case 0 -> out.write(random(r, 1 + r.nextInt(300)));
          case 1 -> {
            byte[] g = greeting("NULL", 3, 0);
            for (int k = 1 + r.nextInt(4); k > 0; k--) {
              g[r.nextInt(g.length)] ^= (byte) (1 << r.nextInt(8));
            }
            out.write(g, 0, r.nextInt(4) == 0 ? r.nextInt(g.length) : g.length);
            out.write(random(r, r.nextInt(100)));
          }
          case 2 -> {
            out.write(greeting(MECHANISMS[r.nextInt(MECHANISMS.length)], r.nextInt(5), r.nextInt(3)));
            out.write(random(r, r.nextInt(200)));
          }
          default -> {
            out.write(greeting("NULL", 3, 0));
            out.flush();
            answered = in.readNBytes(64).length == 64;
            if (mode == 3) {
              out.write(badReady(r));
            } else {
              out.write(ready("DEALER", "zf_" + (index % 50)));
              if (mode == 4) {
                out.write(random(r, r.nextInt(500)));
              } else {
                out.write(randomFrames(r));
              }
            }
          }
        }
        out.flush();
      } catch (IOException e) {
        // the endpoint closed the connection: what it should do with most of these
      }
    }
    return new Result(mode, answered);
  }

  private static byte[] greeting(String mechanism, int major, int asServer) {
    ByteBuffer g = ByteBuffer.allocate(64);
    g.put((byte) 0xFF).put(new byte[8]).put((byte) 0x7F);
    g.put((byte) major).put((byte) 0);
    byte[] m = new byte[20];
    byte[] name = mechanism.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(name, 0, m, 0, Math.min(20, name.length));
    g.put(m).put((byte) asServer);
    return g.array();
  }

  private static byte[] ready(String socketType, String identity) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(5);
    body.writeBytes("READY".getBytes(StandardCharsets.US_ASCII));
    property(body, "Socket-Type", socketType.getBytes(StandardCharsets.US_ASCII));
    property(body, "Identity", identity.getBytes(StandardCharsets.UTF_8));
    byte[] b = body.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x04);
    out.write(b.length);
    out.writeBytes(b);
    return out.toByteArray();
  }

  private static void property(ByteArrayOutputStream b, String name, byte[] value) {
    b.write(name.length());
    b.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
    b.writeBytes(value);
  }

  /** A READY command that is wrong somewhere: socket type, a property length, the command size or name. */
  private static byte[] badReady(Random r) {
    byte[] ok = ready(SOCKET_TYPES[r.nextInt(SOCKET_TYPES.length)], r.nextBoolean() ? "zf_ready" : "");
    switch (r.nextInt(4)) {
      case 0 -> {
        return ok; // perhaps only the socket type is wrong
      }
      case 1 -> {
        ok[2 + r.nextInt(ok.length - 2)] = (byte) r.nextInt(256); // a length or a name byte
        return ok;
      }
      case 2 -> {
        ok[1] = (byte) r.nextInt(256); // the command's size
        return ok;
      }
      default -> {
        ByteBuffer b = ByteBuffer.allocate(9 + 16);
        b.put((byte) 0x06).putLong(r.nextBoolean() ? r.nextLong() : 1L << r.nextInt(40)); // a long command
        b.put(random(r, 16));
        return b.array();
      }
    }
  }

  /** Short and long frames with random flags, sizes that may lie, and random content. */
  private static byte[] randomFrames(Random r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int n = 1 + r.nextInt(8);
    for (int i = 0; i < n; i++) {
      int flags = r.nextInt(4) == 0 ? r.nextInt(256) : r.nextInt(2); // mostly MORE or last
      int size = r.nextInt(64);
      if (r.nextInt(6) == 0) {
        out.write(flags | 0x02);
        out.writeBytes(ByteBuffer.allocate(8).putLong(r.nextInt(4) == 0 ? r.nextLong() : size).array());
      } else {
        out.write(flags & ~0x02);
        out.write(size);
      }
      out.writeBytes(random(r, r.nextInt(8) == 0 ? r.nextInt(64) : size));
    }
    return out.toByteArray();
  }

  private static byte[] random(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}
