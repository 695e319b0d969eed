package io.stationmq.netnode.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, never a fixed sleep. */
public final class Await {
  private Await() {}

  /** Waits up to 10 s for {@code condition}; fails with {@code what} otherwise. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, Duration.ofSeconds(10), condition);
  }

  /** Waits up to {@code timeout} for {@code condition}; fails with {@code what} otherwise. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
      }
      LockSupport.parkNanos(2_000_000L); // the polling interval of a deadline-bounded wait
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted");
      }
    }
  }

  /**
   * Builds an endpoint again on a port it had before, retrying for up to 20 s while that port is in
   * use. Test ports come from the kernel's ephemeral range, so a node reconnecting to the closed
   * port can be given that very port as its own local port (a TCP self-connection) and hold it
   * until its upstream link gives up on the silent connection. A Station on a fixed port outside
   * that range, as a lab runs one, never meets this.
   */
  public static <T> T rebind(Supplier<T> build) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        return build.get();
      } catch (IllegalStateException e) {
        if (e.getMessage() == null || !e.getMessage().contains("already in use") || System.nanoTime() > deadline) {
          throw e;
        }
        LockSupport.parkNanos(50_000_000L); // the polling interval of a deadline-bounded retry
      }
    }
  }

  /** Waits until {@code upstream} has heard from the endpoint {@code id} (its directory lists it). */
  public static void registered(io.stationmq.netnode.Endpoint upstream, String id) {
    until(id + " registered at " + upstream.id(),
        () -> upstream.directory().stream().anyMatch(e -> e.id().equals(id)));
  }

  /** Waits until {@code value} returns {@code expected}; the failure shows the last value. */
  public static <T> void equal(String what, T expected, Supplier<T> value) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    T last = value.get();
    while (!expected.equals(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + " == " + expected + "; last value " + last);
      }
      LockSupport.parkNanos(2_000_000L); // the polling interval of a deadline-bounded wait
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted");
      }
      last = value.get();
    }
  }
}
