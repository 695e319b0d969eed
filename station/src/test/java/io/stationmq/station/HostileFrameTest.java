package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.UpstreamState;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One TCP connection that completes the ZMTP handshake and then declares a huge frame must not
 * make an endpoint deaf: the endpoint drops that connection, and everyone else goes on being
 * served. Without a maximum message size on its sockets, JeroMQ allocates whatever a frame
 * header declares; a 2 GiB header killed the Station's I/O thread with an OutOfMemoryError
 * (the station module's tests run with 1 GiB of direct memory, so that happens here at once).
 */
@Timeout(60)
class HostileFrameTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** The largest frame JeroMQ allocates without a limit: 2^31 - 1 bytes. */
  private static final long TWO_GIB = Integer.MAX_VALUE;
  private static final int MESSAGES = 1_000;
  /**
   * ZMTP heartbeats would also close the hostile connection, after heartbeatInterval x
   * livenessTolerance (5 s by default); a tolerance of 60 keeps them out of this test.
   */
  private static final EndpointOptions OPTIONS = EndpointOptions.builder().livenessTolerance(60).build();

  private final Closer open = new Closer();

  @AfterEach
  void closeAllAndCheckThreads() throws Exception {
    open.closeAllAndCheckThreads();
  }

  private <T extends AutoCloseable> T track(T c) {
    return open.track(c);
  }

  @Test
  void stationDropsAConnectionDeclaringA2GiBFrameAndServesTheOthers() throws Exception {
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").options(OPTIONS).build());
    stationKeepsServing(s, TWO_GIB);
  }

  @Test
  void stationDropsAConnectionDeclaringAFrameOverTwoGiB() throws Exception {
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").options(OPTIONS).build());
    stationKeepsServing(s, 1L << 31);
  }

  /**
   * A size of 2^63 or more reads as a negative long in JeroMQ and passed its size checks; the
   * patched decoder (jeromq-patched) refuses it like any other oversize frame.
   */
  @Test
  void stationDropsAConnectionDeclaringAFrameSizeWithTheTopBitSet() throws Exception {
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").options(OPTIONS).build());
    stationKeepsServing(s, 0xFFFFFFFF_FFFFFFFFL);
  }

  @Test
  void stationDropsAConnectionDeclaringA50MbFrameOverItsLimit() throws Exception {
    EndpointOptions options = OPTIONS.toBuilder().maxMessageBytes(1 << 20).build();
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").options(options).build());
    stationKeepsServing(s, 50_000_000L);
  }

  @Test
  void stationWithDefaultLimitKeepsServingBesideA50MbFrameWithinIt() throws Exception {
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").options(OPTIONS).build());
    AtomicInteger handled = new AtomicInteger();
    NetNode a = track(NetNode.builder().id("a").upstream("127.0.0.1", s.port(), s.id()).build());
    NetNode b = track(NetNode.builder().id("b").upstream("127.0.0.1", s.port(), s.id())
        .listen("DATA", m -> handled.incrementAndGet()).build());
    Await.registered(s, "a");
    Await.registered(s, "b");
    try (HostilePeer hostile = HostilePeer.connect(s.port(), "hostile")) {
      hostile.declareFrame(50_000_000L);
      confirmAll(a, "b", handled);
      assertEquals(s.id(), a.request(s.id(), "PING", null, WAIT).get(10, TimeUnit.SECONDS).value(Map.class).get("id"));
      assertTrue(!hostile.closedByPeer(Duration.ofMillis(500)), "a frame within the limit keeps its connection");
    }
  }

  @Test
  void nodeRouterPortDropsAConnectionDeclaringA2GiBFrame() throws Exception {
    NetNode server = track(NetNode.builder().id("server").routerPort(0).routerAddress("127.0.0.1").options(OPTIONS).build());
    AtomicInteger handled = new AtomicInteger();
    server.on("DATA", m -> handled.incrementAndGet());
    NetNode client = track(NetNode.builder().id("client").upstream("127.0.0.1", server.routerPort(), "server").build());
    Await.registered(server, "client");

    try (HostilePeer hostile = HostilePeer.connect(server.routerPort(), "hostile")) {
      hostile.declareFrame(TWO_GIB);
      confirmAll(client, "server", handled);
      assertEquals("server", client.request("server", "PING", null, WAIT).get(10, TimeUnit.SECONDS)
          .value(Map.class).get("id"));
      assertTrue(hostile.closedByPeer(WAIT), "the node closes the hostile connection");
    }
    assertEquals(0, server.stats().malformed());
  }

  /**
   * The limit is on the DEALER too, and there it has a cost: a frame from the upstream over the
   * node's limit closes the upstream connection, and JeroMQ does not reconnect after that
   * protocol error. The node's liveness notices the silence and reconnects; until then the node
   * is unreachable. The frame is never seen by the engine, so it is not counted as oversize.
   */
  @Test
  void frameOverANodesLimitFromUpstreamCostsTheConnectionUntilLivenessReconnects() throws Exception {
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").build());
    EndpointOptions smallLimit = EndpointOptions.builder().maxMessageBytes(1024)
        .heartbeatInterval(Duration.ofMillis(100)).build();
    AtomicInteger handled = new AtomicInteger();
    NetNode small = track(NetNode.builder().id("small").upstream("127.0.0.1", s.port(), s.id()).options(smallLimit)
        .listen("DATA", m -> handled.incrementAndGet()).build());
    NetNode big = track(NetNode.builder().id("big").upstream("127.0.0.1", s.port(), s.id()).build());
    Await.registered(s, "small");
    Await.registered(s, "big");
    // Listed at S is not yet CONNECTED at small: a node still waiting for S's HELLO answer (or,
    // on a loaded machine, past its HELLO timeout and taking S for a Python station) does not
    // watch for silence, so the broken connection below would go unnoticed for a while.
    Await.until("small connected", WAIT, () -> small.upstreamState() == UpstreamState.CONNECTED);

    big.send("small", "DATA", "x".repeat(200_000)); // within the station's limit, over small's 1 KiB + 64 KiB
    long[] lastTry = {0};
    Await.until("small reachable again", WAIT, () -> {
      if (System.nanoTime() - lastTry[0] < 100_000_000L) {
        return false;
      }
      lastTry[0] = System.nanoTime();
      try {
        big.sendConfirmed("small", "DATA", 1).get(10, TimeUnit.SECONDS);
        return true;
      } catch (ExecutionException e) {
        return false; // unreachable while small's upstream connection is gone
      } catch (InterruptedException | TimeoutException e) {
        throw new AssertionError(e);
      }
    });
    assertEquals(1, handled.get());
    assertEquals(0, small.stats().oversize());
  }

  /**
   * Found by the ZMTP fuzzer: a connection speaking ZMTP/1.0 (what JeroMQ takes random bytes
   * for) that pings and closes at once left a peer that looked full for a while, and the
   * Station waited sendTimeout (2 s) to echo the ping, taking no other work meanwhile: seven
   * bytes stalled it for 2 s, every time. A ping echo is now best effort and never waits.
   */
  @Test
  void legacyPeerThatPingsAndVanishesDoesNotStallTheStation() throws Exception {
    Station s = track(Station.builder().id("S").bindAddress("127.0.0.1").options(OPTIONS).build());
    NetNode a = track(NetNode.builder().id("a").upstream("127.0.0.1", s.port(), s.id()).build());
    Await.registered(s, "a");
    for (int i = 0; i < 5; i++) {
      try (Socket c = new Socket("127.0.0.1", s.port())) {
        // ZMTP/1.0: an empty identity message, then the ping [x, ""]; then gone
        c.getOutputStream().write(new byte[] {1, 0, 2, 1, 'x', 1, 0});
        c.getOutputStream().flush();
      }
      long start = System.nanoTime();
      assertEquals(s.id(), a.request(s.id(), "PING", null, WAIT).get(10, TimeUnit.SECONDS).value(Map.class).get("id"));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < 1_000, "PING took " + millis + " ms after legacy connection " + i);
    }
  }

  /** Connects a hostile peer that declares a frame of {@code declared} bytes, then checks {@code s} still works. */
  private void stationKeepsServing(Station s, long declared) throws Exception {
    AtomicInteger handled = new AtomicInteger();
    NetNode a = track(NetNode.builder().id("a").upstream("127.0.0.1", s.port(), s.id()).build());
    NetNode b = track(NetNode.builder().id("b").upstream("127.0.0.1", s.port(), s.id())
        .listen("DATA", m -> handled.incrementAndGet()).build());
    Await.registered(s, "a");
    Await.registered(s, "b");

    try (HostilePeer hostile = HostilePeer.connect(s.port(), "hostile")) {
      hostile.declareFrame(declared);
      confirmAll(a, "b", handled);
      assertEquals(s.id(), a.request(s.id(), "PING", null, WAIT).get(10, TimeUnit.SECONDS).value(Map.class).get("id"));
      assertEquals("b", a.request("b", "PING", null, WAIT).get(10, TimeUnit.SECONDS).value(Map.class).get("id"));
      assertTrue(hostile.closedByPeer(WAIT), "the station closes the hostile connection");
    }
    assertEquals(0, s.stats().malformed());
  }

  /** Sends {@link #MESSAGES} confirmed messages from {@code from} to {@code to}; all are confirmed and handled. */
  private static void confirmAll(Endpoint from, String to, AtomicInteger handled) throws Exception {
    List<CompletableFuture<DeliveryReceipt>> futures = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      futures.add(from.sendConfirmed(to, "DATA", i));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    Await.equal("messages handled", MESSAGES, handled::get);
  }

  /**
   * A plain TCP client that speaks just enough ZMTP 3.0 (NULL mechanism, as a DEALER) to get
   * past the handshake, then sends a frame header and nothing like the bytes it declares.
   */
  private static final class HostilePeer implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private HostilePeer(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    static HostilePeer connect(int port, String identity) throws IOException {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout((int) WAIT.toMillis());
      HostilePeer p = new HostilePeer(socket);
      try {
        p.handshake(identity);
        return p;
      } catch (IOException | RuntimeException e) {
        p.close();
        throw e;
      }
    }

    private void handshake(String identity) throws IOException {
      ByteBuffer greeting = ByteBuffer.allocate(64);
      greeting.put((byte) 0xFF).put(new byte[8]).put((byte) 0x7F); // signature
      greeting.put((byte) 3).put((byte) 0); // version 3.0
      byte[] mechanism = new byte[20];
      System.arraycopy("NULL".getBytes(StandardCharsets.US_ASCII), 0, mechanism, 0, 4);
      greeting.put(mechanism).put((byte) 0); // as-server 0; the 31 filler bytes stay zero
      out.write(greeting.array());
      out.flush();
      byte[] theirs = in.readNBytes(64);
      if (theirs.length != 64 || (theirs[0] & 0xFF) != 0xFF || theirs[10] != 3) {
        throw new IOException("no ZMTP 3 greeting from the endpoint");
      }
      ByteArrayOutputStream ready = new ByteArrayOutputStream();
      ready.write(5);
      ready.writeBytes("READY".getBytes(StandardCharsets.US_ASCII));
      property(ready, "Socket-Type", "DEALER".getBytes(StandardCharsets.US_ASCII));
      property(ready, "Identity", identity.getBytes(StandardCharsets.UTF_8));
      byte[] body = ready.toByteArray();
      out.write(0x04); // a short command frame
      out.write(body.length);
      out.write(body);
      out.flush();
      // Their READY: flags, a one-byte size, then the command.
      int flags = in.read();
      int size = in.read();
      if (flags != 0x04 || size < 0 || in.readNBytes(size).length != size) {
        throw new IOException("no READY from the endpoint (flags " + flags + ")");
      }
    }

    private static void property(ByteArrayOutputStream b, String name, byte[] value) {
      b.write(name.length());
      b.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
      b.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
      b.writeBytes(value);
    }

    /** Sends a long-frame header declaring {@code size} bytes, and a few of them. */
    void declareFrame(long size) throws IOException {
      ByteBuffer header = ByteBuffer.allocate(9 + 16);
      header.put((byte) 0x02).putLong(size).put("not 2 GiB at all".getBytes(StandardCharsets.US_ASCII));
      out.write(header.array());
      out.flush();
    }

    /** True once the endpoint closed this connection (end of stream or reset) within {@code timeout}. */
    boolean closedByPeer(Duration timeout) throws IOException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        try {
          if (in.read() < 0) {
            return true;
          }
        } catch (SocketTimeoutException e) {
          return false;
        } catch (IOException e) {
          return true; // reset by the endpoint
        }
      }
      return false;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
