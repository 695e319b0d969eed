package io.stationmq.netnode.testing;

import io.stationmq.message.MessageCodec;
import io.stationmq.netnode.Endpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A raw JeroMQ socket that plays the other side of the wire protocol in tests, frame by
 * frame: a Python NetNode (DEALER) or a Python Station / node router (ROUTER). Used only by
 * the test thread that created it.
 */
public final class RawPeer implements AutoCloseable {
  private final ZContext context = new ZContext(1);
  private final ZMQ.Socket socket;
  private final ZMQ.Poller poller;
  private int port = -1;

  private RawPeer(SocketType type, String identity) {
    socket = context.createSocket(type);
    socket.setIdentity(identity.getBytes(StandardCharsets.UTF_8));
    socket.setLinger(0);
    socket.setHandshakeIvl(1000);
    socket.setReconnectIVL(50);
    poller = context.createPoller(1);
    poller.register(socket, ZMQ.Poller.POLLIN);
  }

  /** A DEALER with {@code identity} connected to {@code endpoint}. */
  public static RawPeer dealer(String identity, String endpoint) {
    RawPeer p = new RawPeer(SocketType.DEALER, identity);
    p.socket.connect(endpoint);
    return p;
  }

  /**
   * A DEALER with {@code identity} connected to {@code upstream}'s ROUTER at {@code endpoint},
   * returned once {@code upstream} lists it. It pings until then: the first message on a fresh
   * JeroMQ connection is sometimes lost (the handshake race), and a raw socket, unlike an
   * endpoint, does not repeat it. Ping echoes may follow; {@link #receiveMessage} skips them.
   */
  public static RawPeer registeredDealer(String identity, String endpoint, Endpoint upstream) {
    RawPeer p = dealer(identity, endpoint);
    try {
      long[] lastPing = {0};
      Await.until(identity + " registered at " + upstream.id(), () -> {
        if (System.nanoTime() - lastPing[0] > 200_000_000L) {
          p.socket.send(new byte[0], ZMQ.DONTWAIT);
          lastPing[0] = System.nanoTime();
        }
        return upstream.directory().stream().anyMatch(e -> e.id().equals(identity));
      });
      return p;
    } catch (RuntimeException | Error e) {
      p.close();
      throw e;
    }
  }

  /** A ROUTER with {@code identity} bound to an ephemeral loopback port (see {@link #port()}). */
  public static RawPeer router(String identity) {
    RawPeer p = new RawPeer(SocketType.ROUTER, identity);
    p.socket.setRouterMandatory(true);
    p.port = p.socket.bindToRandomPort("tcp://127.0.0.1");
    return p;
  }

  /**
   * A ROUTER with {@code identity} bound to loopback {@code port} (another peer had it before),
   * retrying for up to 10 s while the port is still in use.
   */
  public static RawPeer router(String identity, int port) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      RawPeer p = new RawPeer(SocketType.ROUTER, identity);
      p.socket.setRouterMandatory(true);
      try {
        p.socket.bind("tcp://127.0.0.1:" + port);
        p.port = port;
        return p;
      } catch (org.zeromq.ZMQException e) {
        p.close();
        if (System.nanoTime() > deadline) {
          throw e;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // the polling interval of a deadline-bounded retry
      }
    }
  }

  /** The bound port of a ROUTER peer. */
  public int port() {
    return port;
  }

  /** Sends frames; strings are UTF-8 encoded, byte arrays sent as they are. */
  public void send(Object... frames) {
    for (int i = 0; i < frames.length; i++) {
      Object f = frames[i];
      byte[] bytes = f instanceof byte[] ? (byte[]) f : String.valueOf(f).getBytes(StandardCharsets.UTF_8);
      socket.send(bytes, i < frames.length - 1 ? ZMQ.SNDMORE : 0);
    }
  }

  /**
   * Sets how long a send may wait for room in the peer's queue (default: for ever); a send that
   * times out is not made and {@link #trySend} returns false.
   */
  public RawPeer sendTimeout(Duration timeout) {
    socket.setSendTimeOut((int) timeout.toMillis());
    return this;
  }

  /** Sends the frames as they are; false when the first could not be queued within the send timeout. */
  public boolean trySend(List<byte[]> frames) {
    int last = frames.size() - 1;
    for (int i = 0; i <= last; i++) {
      if (!socket.send(frames.get(i), i < last ? ZMQ.SNDMORE : 0)) {
        return false; // only the first frame can wait; then nothing was sent
      }
    }
    return true;
  }

  /** Receives one multipart message if one has arrived, else returns null at once. */
  public List<byte[]> receiveNow() {
    byte[] first = socket.recv(ZMQ.DONTWAIT);
    if (first == null) {
      return null;
    }
    List<byte[]> frames = new ArrayList<>();
    frames.add(first);
    while (socket.hasReceiveMore()) {
      frames.add(socket.recv(0));
    }
    return frames;
  }

  /** Receives one multipart message, or returns null after {@code timeout}. */
  public List<byte[]> receive(Duration timeout) {
    if (poller.poll(timeout.toMillis()) <= 0 || !poller.pollin(0)) {
      return null;
    }
    List<byte[]> frames = new ArrayList<>();
    frames.add(socket.recv(0));
    while (socket.hasReceiveMore()) {
      frames.add(socket.recv(0));
    }
    return frames;
  }

  /**
   * Receives the next message, skipping ping echoes and the HELLO and heartbeats a Python peer
   * ignores; fails after {@code timeout}.
   */
  public List<byte[]> receiveMessage(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      List<byte[]> frames = receive(Duration.ofMillis(left));
      if (frames == null) {
        throw new AssertionError("no message within " + timeout);
      }
      byte[] body = frames.get(frames.size() - 1);
      if (body.length > 0 && !isLiveness(body)) {
        return frames;
      }
    }
  }

  /** Receives the next message with a body, pings skipped but nothing else, or fails after {@code timeout}. */
  public List<byte[]> receiveAny(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      List<byte[]> frames = receive(Duration.ofMillis(left));
      if (frames == null) {
        throw new AssertionError("no message within " + timeout);
      }
      if (frames.get(frames.size() - 1).length > 0) {
        return frames;
      }
    }
  }

  /** HELLO and heartbeats, which a Python peer has no listen for and ignores. */
  private static boolean isLiveness(byte[] body) {
    MessageCodec.BodyHeader h = MessageCodec.peekHeader(body);
    return h != null && h.key() != null && (h.key().equals("SMQ_HELLO") || h.key().equals("SMQ_HEARTBEAT"));
  }

  /** A body exactly as the Python toolkit writes it. */
  public static String pythonBody(String id, String to, String sender, String key, String valueJson, String flagsJson) {
    return "{\"id\": \"" + id + "\", \"to\": \"" + to + "\", \"sender\": \"" + sender + "\", \"key\": \"" + key
        + "\", \"value\": " + valueJson + ", \"timestamp\": \"2026-11-21T10:15:30.123456\", \"changed\": false, "
        + "\"flags\": " + flagsJson + ", \"blosc\": false, \"ttl\": 2}";
  }

  /** Frame as text. */
  public static String text(byte[] frame) {
    return new String(frame, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    context.close();
  }
}
