package io.stationmq.station;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback for fault-injection tests (this kernel has no netem): accepts on an
 * ephemeral port and forwards each connection to {@code target}, both directions, on threads of
 * its own. It can add latency to every chunk ({@link #delay}), cap the bandwidth ({@link
 * #throttle}), hold every byte for a while with the connections open ({@link #stall}), close
 * both sides of every open connection ({@link #cutAll}) and refuse new ones ({@link #refuse}).
 * Settings apply to both directions and to connections already open.
 *
 * <p>Each direction of a connection has a reader (reads chunks and stamps when they may leave)
 * and a writer (waits for that time, for the stall to end and for the bandwidth budget, then
 * writes); the bounded queue between them pushes back on the reader, so a slow link fills the
 * sender's TCP buffers as a real one would.
 */
final class FaultProxy implements AutoCloseable {
  private static final int CHUNK = 16 * 1024;
  private static final int QUEUE_CHUNKS = 256;
  private static final byte[] EOF = new byte[0];

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger cuts = new AtomicInteger();
  private volatile boolean closed;
  private volatile long delayNanos;
  private volatile long bytesPerSecond; // 0: unlimited
  private volatile long stallUntilNanos = Long.MIN_VALUE;
  private volatile boolean refusing;

  FaultProxy(int targetPort) throws IOException {
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port to connect to instead of the target's. */
  int port() {
    return server.getLocalPort();
  }

  /** Every chunk leaves this long after it was read (0: at once). */
  void delay(Duration d) {
    delayNanos = d.toNanos();
  }

  /** At most this many bytes per second per direction of each connection (0: unlimited). */
  void throttle(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Holds every byte, both ways, for {@code d} from now; the connections stay open. */
  void stall(Duration d) {
    stallUntilNanos = System.nanoTime() + d.toNanos();
  }

  /** True while a stall holds the bytes. */
  boolean stalled() {
    return System.nanoTime() < stallUntilNanos;
  }

  /** Refuses (accepts and at once closes) new connections while true. */
  void refuse(boolean refuse) {
    this.refusing = refuse;
  }

  /** Closes both sides of every open connection; what was in flight inside the proxy is lost. */
  void cutAll() {
    for (Link l : links) {
      l.reset();
    }
    cuts.incrementAndGet();
  }

  /** Back to a clean link: no delay, no throttle, no stall, accepting. */
  void clear() {
    delayNanos = 0;
    bytesPerSecond = 0;
    stallUntilNanos = Long.MIN_VALUE;
    refusing = false;
  }

  /** Connections accepted and forwarded so far. */
  int accepted() {
    return accepted.get();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    cutAll();
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (refusing) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket();
        upstream.connect(target, 2_000);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        Link link = new Link(client, upstream);
        links.add(link);
        accepted.incrementAndGet();
        link.start();
      } catch (IOException e) {
        closeQuietly(client); // the target is down: the client sees a closed connection, as without a proxy
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // best effort
    }
  }

  /** One proxied connection: two directions, each a reader and a writer thread. */
  private final class Link {
    private final Socket a;
    private final Socket b;
    private final List<Thread> threads;
    private volatile boolean down;

    Link(Socket a, Socket b) throws IOException {
      this.a = a;
      this.b = b;
      String name = "fault-proxy-" + a.getPort();
      BlockingQueue<Chunk> ab = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
      BlockingQueue<Chunk> ba = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
      InputStream ain = a.getInputStream();
      InputStream bin = b.getInputStream();
      OutputStream aout = a.getOutputStream();
      OutputStream bout = b.getOutputStream();
      threads = List.of(thread(name + "-c2s-read", () -> read(ain, ab)), thread(name + "-c2s-write", () -> write(ab, bout)),
          thread(name + "-s2c-read", () -> read(bin, ba)), thread(name + "-s2c-write", () -> write(ba, aout)));
    }

    private Thread thread(String name, Runnable r) {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    }

    void start() {
      threads.forEach(Thread::start);
    }

    private void read(InputStream in, BlockingQueue<Chunk> q) {
      byte[] buf = new byte[CHUNK];
      try {
        int n;
        while (!down && (n = in.read(buf)) > 0) {
          Chunk c = new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + delayNanos);
          while (!down && !q.offer(c, 50, TimeUnit.MILLISECONDS)) {
            // the writer is behind (a slow or stalled link): stop reading, as TCP would
          }
        }
      } catch (IOException | InterruptedException e) {
        // the connection is gone
      }
      q.offer(new Chunk(EOF, 0));
      close();
    }

    private void write(BlockingQueue<Chunk> q, OutputStream out) {
      AtomicLong budgetStart = new AtomicLong(System.nanoTime());
      long sentInBudget = 0;
      try {
        while (!down) {
          Chunk c = q.poll(50, TimeUnit.MILLISECONDS);
          if (c == null) {
            continue;
          }
          if (c.bytes() == EOF) {
            break;
          }
          waitUntil(c.due());
          while (!down && stalled()) {
            LockSupport.parkNanos(Math.min(10_000_000L, Math.max(1, stallUntilNanos - System.nanoTime())));
          }
          long rate = bytesPerSecond;
          if (rate > 0) {
            long now = System.nanoTime();
            if (now - budgetStart.get() > 1_000_000_000L) {
              budgetStart.set(now);
              sentInBudget = 0;
            }
            sentInBudget += c.bytes().length;
            waitUntil(budgetStart.get() + sentInBudget * 1_000_000_000L / rate);
          }
          if (down) {
            break;
          }
          out.write(c.bytes());
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the connection is gone
      }
      close();
    }

    private void waitUntil(long nanos) {
      long left;
      while (!down && (left = nanos - System.nanoTime()) > 0) {
        LockSupport.parkNanos(Math.min(left, 10_000_000L)); // wakes to notice a cut
      }
    }

    /** Closes both sides with a reset (linger 0), as a cable pulled or a middlebox dropping the flow would. */
    void reset() {
      try {
        a.setSoLinger(true, 0);
        b.setSoLinger(true, 0);
      } catch (IOException ignored) {
        // already closed
      }
      close();
    }

    void close() {
      if (down) {
        return;
      }
      down = true;
      closeQuietly(a);
      closeQuietly(b);
      links.remove(this);
    }
  }

  private record Chunk(byte[] bytes, long due) {}
}
