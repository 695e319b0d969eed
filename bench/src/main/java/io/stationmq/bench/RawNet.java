package io.stationmq.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Plain JeroMQ plumbing for the raw sides: sockets with the settings JEROMQ.md recommends,
 * multipart send and receive, the ping that tells a DEALER its peer knows it, and a
 * forwarding ROUTER that routes by frames like a Station (PROTOCOL.md section 4) without
 * decoding anything. Each socket is created and used by one thread.
 */
final class RawNet {
  /** High-water mark of every raw socket: far above any window used here. */
  static final int HWM = 100_000;

  private static final int HANDSHAKE_MILLIS = 1_000;
  private static final int RECEIVE_TIMEOUT_MILLIS = 100;
  private static final int SEND_TIMEOUT_MILLIS = 1_000;
  private static final byte[] EMPTY = new byte[0];

  private RawNet() {}

  /**
   * A socket with identity {@code id}, linger 0, handshake interval 1 s, high-water marks
   * {@link #HWM}, a 100 ms receive timeout (so loops can notice they are stopped), a 1 s send
   * timeout, and {@code ROUTER_MANDATORY} on ROUTERs.
   */
  static ZMQ.Socket socket(ZContext context, SocketType type, String id) {
    ZMQ.Socket s = blockingSocket(context, type, id, HWM);
    s.setReceiveTimeOut(RECEIVE_TIMEOUT_MILLIS);
    s.setSendTimeOut(SEND_TIMEOUT_MILLIS);
    if (type == SocketType.ROUTER) {
      s.setRouterMandatory(true);
    }
    return s;
  }

  /**
   * A socket with identity {@code id}, linger 0, handshake interval 1 s and high-water marks
   * {@code hwm}, without timeouts: for loops that block in {@code recv} until their context
   * closes (the stream and request benchmarks).
   */
  static ZMQ.Socket blockingSocket(ZContext context, SocketType type, String id, int hwm) {
    ZMQ.Socket s = context.createSocket(type);
    s.setIdentity(Payload.frame(id));
    s.setLinger(0);
    s.setHandshakeIvl(HANDSHAKE_MILLIS);
    s.setSndHWM(hwm);
    s.setRcvHWM(hwm);
    return s;
  }

  /** Binds to an ephemeral loopback port and returns it. */
  static int bind(ZMQ.Socket socket) {
    return socket.bindToRandomPort("tcp://127.0.0.1");
  }

  /** Connects to a loopback port, waiting up to 10 s for the port to be known. */
  static void connect(ZMQ.Socket socket, CompletableFuture<Integer> port) throws Exception {
    socket.connect("tcp://127.0.0.1:" + port.get(10, TimeUnit.SECONDS));
  }

  /** One multipart message, waiting up to the receive timeout; null when none came. */
  static List<byte[]> receive(ZMQ.Socket socket, int flags) {
    byte[] first = socket.recv(flags);
    if (first == null) {
      return null;
    }
    List<byte[]> frames = new ArrayList<>(4);
    frames.add(first);
    while (socket.hasReceiveMore()) {
      frames.add(socket.recv(0));
    }
    return frames;
  }

  /** Sends a multipart message; false when the send timed out (a peer at its high-water mark). */
  static boolean send(ZMQ.Socket socket, byte[]... frames) {
    int last = frames.length - 1;
    for (int i = 0; i < last; i++) {
      if (!socket.send(frames[i], ZMQ.SNDMORE)) {
        return false;
      }
    }
    return socket.send(frames[last], 0);
  }

  /** Sends a list of frames; see {@link #send(ZMQ.Socket, byte[]...)}. */
  static boolean send(ZMQ.Socket socket, List<byte[]> frames) {
    return send(socket, frames.toArray(new byte[0][]));
  }

  /** True for a ping: frames ending in an empty frame. */
  static boolean isPing(List<byte[]> frames) {
    return frames.get(frames.size() - 1).length == 0;
  }

  /** The last frame: the body. */
  static byte[] body(List<byte[]> frames) {
    return frames.get(frames.size() - 1);
  }

  /**
   * Pings through a DEALER and waits for the echo, so the ROUTER at the other end knows this
   * socket's identity before anything is routed to it.
   */
  static void ping(ZMQ.Socket dealer) {
    send(dealer, EMPTY);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<byte[]> echo = receive(dealer, 0);
      if (echo != null && isPing(echo)) {
        return;
      }
    }
    throw new IllegalStateException("no echo of a ping within 10 s");
  }

  /**
   * A thread running a forwarding ROUTER with identity {@code id}: echoes pings, and sends
   * {@code [sender, id, to, body]} on as {@code [to, body]} without decoding. Completes
   * {@code port} once bound; counts what it could not deliver in {@code lost}.
   */
  static Loop forwarder(String id, CompletableFuture<Integer> port, AtomicLong lost) {
    return Loop.start("bench-raw-forwarder", loop -> {
      try (ZContext context = new ZContext(1)) {
        ZMQ.Socket router = socket(context, SocketType.ROUTER, id);
        port.complete(bind(router));
        while (loop.running()) {
          List<byte[]> frames = receive(router, 0);
          if (frames == null) {
            continue;
          }
          if (isPing(frames)) {
            send(router, frames);
          } else if (frames.size() != 4 || !trySend(router, frames.get(2), frames.get(3))) {
            lost.incrementAndGet();
          }
        }
      }
    });
  }

  /** Sends through a ROUTER; false when the peer is unknown or at its high-water mark. */
  static boolean trySend(ZMQ.Socket router, byte[]... frames) {
    try {
      return send(router, frames);
    } catch (ZMQException e) {
      return false; // EHOSTUNREACH with ROUTER_MANDATORY
    }
  }
}
