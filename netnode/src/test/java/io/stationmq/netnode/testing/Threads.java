package io.stationmq.netnode.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.Set;
import java.util.TreeSet;

/** Checks that stationmq threads (and JeroMQ's context threads) do not outlive their endpoints. */
public final class Threads {
  private Threads() {}

  /** Names of live threads that belong to stationmq or a JeroMQ context. */
  public static Set<String> endpointThreads() {
    Set<String> names = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String n = t.getName();
      if (t.isAlive() && (n.startsWith("stationmq-") || n.startsWith("reaper-") || n.startsWith("iothread-"))) {
        names.add(n);
      }
    }
    return names;
  }

  /**
   * Waits (with a deadline) until no thread whose name starts with {@code prefix} is left (for
   * example {@code "stationmq-node-rig-"}: one endpoint's threads while a RawPeer is still open),
   * else fails naming them.
   */
  public static void assertNoneLeft(String prefix) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Set<String> left = named(prefix);
    while (!left.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("threads left behind: " + left);
      }
      LockSupport.parkNanos(5_000_000L); // the polling interval of a deadline-bounded wait
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted");
      }
      left = named(prefix);
    }
  }

  private static Set<String> named(String prefix) {
    Set<String> names = new TreeSet<>();
    for (String n : endpointThreads()) {
      if (n.startsWith(prefix)) {
        names.add(n);
      }
    }
    return names;
  }

  /** Waits (with a deadline) until no stationmq or JeroMQ thread is left, else fails naming them. */
  public static void assertNoneLeft() {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Set<String> left = endpointThreads();
    while (!left.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("threads left behind: " + left);
      }
      LockSupport.parkNanos(5_000_000L); // the polling interval of a deadline-bounded wait
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted");
      }
      left = endpointThreads();
    }
  }
}
