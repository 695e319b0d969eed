package io.stationmq.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** Measuring helpers: rates from counters, percentiles from round-trip times, waiting. */
final class Measure {
  private Measure() {}

  /**
   * A measured rate and the process CPU time spent per event meanwhile (all threads of this
   * JVM: both ends, the station, JeroMQ's I/O threads, GC and JIT).
   */
  record Rate(double perSecond, double cpuMicrosPerEvent) {}

  /**
   * The rate of a counter, in events per second: lets the senders ramp up for {@link
   * Settings#ramp()}, then counts for {@link Settings#measure()}.
   */
  static Rate rate(LongSupplier counter, Settings s) throws InterruptedException {
    Thread.sleep(s.ramp().toMillis());
    long c0 = counter.getAsLong();
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    Thread.sleep(s.measure().toMillis());
    long c1 = counter.getAsLong();
    long cpu1 = processCpuNanos();
    long t1 = System.nanoTime();
    return new Rate((c1 - c0) * 1e9 / (t1 - t0), cpuMicrosPer(cpu1 - cpu0, c1 - c0));
  }

  /** CPU time used by this JVM so far, in nanoseconds, or -1 when the JVM cannot tell. */
  static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean
        ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime()
        : -1;
  }

  /**
   * Bytes allocated so far by each live thread of this JVM, by thread id (empty when the JVM
   * cannot tell); with {@link #allocatedSince} it gives what the threads alive at both points
   * allocated in between (a thread that ended meanwhile is missed).
   */
  static java.util.Map<Long, Long> allocatedBytes() {
    java.util.Map<Long, Long> out = new java.util.HashMap<>();
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
      long[] ids = t.getAllThreadIds();
      long[] bytes = t.getThreadAllocatedBytes(ids);
      for (int i = 0; i < ids.length; i++) {
        if (bytes[i] >= 0) {
          out.put(ids[i], bytes[i]);
        }
      }
    }
    return out;
  }

  /** Bytes allocated since {@code before} (see {@link #allocatedBytes}), or -1 when unknown. */
  static long allocatedSince(java.util.Map<Long, Long> before) {
    java.util.Map<Long, Long> now = allocatedBytes();
    if (now.isEmpty()) {
      return -1;
    }
    long sum = 0;
    for (var e : now.entrySet()) {
      sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }

  /** CPU microseconds per event, or NaN when unknown. */
  static double cpuMicrosPer(long cpuNanos, long events) {
    return cpuNanos < 0 || events <= 0 ? Double.NaN : cpuNanos / 1_000.0 / events;
  }

  /** p50, p99 and p99.9 in microseconds of the round-trip times {@code nanos[from..to)}. */
  static double[] percentilesMicros(long[] nanos, int from, int to) {
    if (to <= from) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
    long[] sorted = Arrays.copyOfRange(nanos, from, to);
    Arrays.sort(sorted);
    return new double[] {
      micros(sorted, 0.50), micros(sorted, 0.99), micros(sorted, 0.999)
    };
  }

  private static double micros(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(rank, sorted.length - 1))] / 1_000.0;
  }

  /** Polls {@code condition} every millisecond until true, or fails naming {@code what}. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after 10 s waiting for " + what);
      }
      Thread.sleep(1);
    }
  }

  /**
   * Polls {@code done} every 200 µs until true (fine enough not to blur a throughput run's
   * end), or fails after 120 s.
   */
  static void awaitFinished(BooleanSupplier done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("benchmark did not finish within 120 s");
      }
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
    }
  }

  /** The median of values (the mean of the middle two for an even count). */
  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }

  static String seconds(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }
}
