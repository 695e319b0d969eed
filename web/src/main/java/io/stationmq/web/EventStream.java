package io.stationmq.web;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server-sent events of a {@link WebView}: the snapshot thread {@link #publish}es the latest
 * snapshot, and each client's request thread writes the newest one it has not sent yet. Only the
 * latest snapshot is kept (a client that falls behind skips to the newest; nothing queues per
 * client), at most {@code maxClients} are served at once (more are answered 503), and a client
 * whose write took longer than {@code slowNanos} is dropped (EventSource reconnects). Thread-safe.
 */
final class EventStream {
  /** A comment line sent when nothing new came for this long, so proxies and clients see the stream alive. */
  private static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(15);

  private final int maxClients;
  private final long slowNanos;
  private final AtomicInteger clients = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private byte[] latest;
  private long sequence;
  private boolean closed;

  EventStream(int maxClients, long slowNanos) {
    this.maxClients = maxClients;
    this.slowNanos = slowNanos;
  }

  /** Makes {@code json} the snapshot every client gets next. */
  void publish(byte[] json) {
    byte[] event = ("event: snapshot\ndata: " + new String(json, StandardCharsets.UTF_8) + "\n\n")
        .getBytes(StandardCharsets.UTF_8);
    synchronized (this) {
      latest = event;
      sequence++;
      notifyAll();
    }
  }

  /** Clients connected now. */
  int clients() {
    return clients.get();
  }

  /** Clients dropped because a write took too long, and clients refused for being too many. */
  long dropped() {
    return dropped.sum();
  }

  long refused() {
    return refused.sum();
  }

  /** Ends every client's stream (they see the end at their next event or keep-alive). */
  synchronized void close() {
    closed = true;
    notifyAll();
  }

  /** Serves one client until it goes, is too slow, or the stream closes. Runs on the request's thread. */
  void serve(HttpExchange exchange) throws IOException, InterruptedException {
    if (clients.incrementAndGet() > maxClients) {
      clients.decrementAndGet();
      refused.increment();
      WebView.answer(exchange, 503, "text/plain; charset=utf-8",
          ("too many event streams (at most " + maxClients + ")\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    try {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      long sent = 0;
      while (true) {
        byte[] event;
        synchronized (this) {
          long until = System.nanoTime() + KEEPALIVE_NANOS;
          while (!closed && sequence == sent && System.nanoTime() < until) {
            TimeUnit.NANOSECONDS.timedWait(this, until - System.nanoTime());
          }
          if (closed) {
            return;
          }
          event = sequence == sent ? ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8) : latest;
          sent = sequence;
        }
        long start = System.nanoTime();
        out.write(event);
        out.flush();
        if (System.nanoTime() - start > slowNanos) {
          dropped.increment();
          return; // a slow reader: dropped rather than fed faster than it reads
        }
      }
    } finally {
      clients.decrementAndGet();
    }
  }
}
