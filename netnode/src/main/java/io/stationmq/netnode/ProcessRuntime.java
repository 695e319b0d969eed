package io.stationmq.netnode;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * What the endpoints of a process share: one ZeroMQ context (one I/O thread and one reaper,
 * which {@code inproc://} between endpoints also needs), one {@link SocketLoop} thread that
 * owns every endpoint's sockets, and one {@link WorkerPool} that runs every endpoint's listens
 * and callbacks in lanes of its own. A process holding a thousand endpoints has a handful of
 * threads, not thousands.
 *
 * <p>Counted: the first endpoint to open creates it, the last to close ends it, so a process
 * with no endpoint left has no stationmq or ZeroMQ thread left. A secured endpoint keeps a
 * ZeroMQ context of its own (its ZAP handler binds the context-wide {@code
 * inproc://zeromq.zap.01}) but shares the loop and the workers. Thread-safe.
 */
final class ProcessRuntime {
  private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);
  private static final RateLimitedLog warnings = new RateLimitedLog(log, 20, TimeUnit.SECONDS.toNanos(10));
  /** Core workers: enough for quick listens on a small machine; blocking ones add threads. */
  private static final int CORE_WORKERS = Math.max(4, Runtime.getRuntime().availableProcessors());
  private static final int MAX_WORKERS = 256;
  private static final long STARVED_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static ProcessRuntime current;
  private static int users;

  /**
   * Socket loops: one per core (at most 4), so a process's endpoints use its cores; the system
   * property {@code stationmq.loops} sets another number (1 to 64). More loops than cores give
   * endpoints of one process that talk to each other shorter round trips (a loop each) at some
   * cost in rate; see the README's Performance section for figures.
   */
  private static final int LOOPS = Math.max(1, Math.min(64, Integer.getInteger("stationmq.loops",
      Math.min(4, Runtime.getRuntime().availableProcessors()))));

  private final ZContext context;
  private final WorkerPool workers;
  private final SocketLoop[] loops = new SocketLoop[LOOPS];
  private final int[] endpointsOnLoop = new int[LOOPS];

  private ProcessRuntime() {
    context = new ZContext(1);
    context.setUncaughtExceptionHandler((thread, e) -> log.error(
        "JeroMQ thread {} died; the connections of every endpoint sharing it are no longer served",
        thread.getName(), e));
    context.setNotificationExceptionHandler((thread, e) -> warnings.warn(
        "JeroMQ thread {} dropped an event after {}", thread.getName(), e.toString()));
    workers = new WorkerPool("stationmq-worker-", CORE_WORKERS, MAX_WORKERS, STARVED_AFTER_NANOS);
    for (int i = 0; i < LOOPS; i++) {
      loops[i] = new SocketLoop("stationmq-io-" + i, () -> workers.checkStarvation(System.nanoTime()));
    }
  }

  /** The process's runtime, created on first use; pair each call with one {@link #release}. */
  static synchronized ProcessRuntime acquire() {
    if (current == null) {
      current = new ProcessRuntime();
    }
    users++;
    return current;
  }

  /**
   * One endpoint is done with the runtime (its sockets closed); the last one ends it: the loop,
   * the workers (after what they have queued), then the context.
   */
  static synchronized void release() {
    if (users == 0) {
      return;
    }
    if (--users == 0) {
      ProcessRuntime r = current;
      current = null;
      for (SocketLoop loop : r.loops) {
        loop.close();
      }
      r.workers.shutdown(5_000);
      r.context.close();
    }
  }

  /** Endpoints using the runtime now (for tests). */
  static synchronized int users() {
    return users;
  }

  ZContext context() {
    return context;
  }

  /** The loop with the fewest endpoints, now serving one more; give it back with {@link #leave}. */
  synchronized SocketLoop join() {
    int best = 0;
    for (int i = 1; i < LOOPS; i++) {
      if (endpointsOnLoop[i] < endpointsOnLoop[best]) {
        best = i;
      }
    }
    endpointsOnLoop[best]++;
    return loops[best];
  }

  /** An endpoint no longer on {@code loop}. */
  synchronized void leave(SocketLoop loop) {
    for (int i = 0; i < LOOPS; i++) {
      if (loops[i] == loop) {
        endpointsOnLoop[i]--;
      }
    }
  }

  WorkerPool workers() {
    return workers;
  }
}
