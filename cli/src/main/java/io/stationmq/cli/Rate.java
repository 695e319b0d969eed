package io.stationmq.cli;

/**
 * What {@code hz} measures of one key, window by window: messages (stream samples count one
 * each), arrivals (a stream batch is one arrival, a plain message another), and the intervals
 * between arrivals: mean, jitter (their standard deviation) and the longest. Times come in as
 * nanoseconds, so it is tested without a clock. Thread-safe (one worker adds, the reporting
 * thread takes).
 */
final class Rate {
  /**
   * One window's figures; interval figures are NaN with fewer than two arrivals.
   *
   * @param seconds the window's length
   */
  record Window(double seconds, long messages, long arrivals, double meanMillis, double jitterMillis,
      double maxMillis) {
    double messagesPerSecond() {
      return messages / seconds;
    }

    double arrivalsPerSecond() {
      return arrivals / seconds;
    }
  }

  private long windowStart;
  private long messages;
  private long arrivals;
  private long intervals;
  private double sum;
  private double sumOfSquares;
  private double max;
  private long lastArrival = -1;
  private String lastBatch;

  Rate(long startNanos) {
    this.windowStart = startNanos;
  }

  /** A message (or one sample of batch {@code batchId} from {@code sender}) arrived at {@code nanos}. */
  synchronized void add(String sender, String batchId, long nanos) {
    messages++;
    String batch = sender + "\n" + batchId;
    if (batch.equals(lastBatch)) {
      return; // another sample of the same batch: the same arrival
    }
    lastBatch = batch;
    arrivals++;
    if (lastArrival >= 0) {
      double ms = (nanos - lastArrival) / 1e6;
      intervals++;
      sum += ms;
      sumOfSquares += ms * ms;
      max = Math.max(max, ms);
    }
    lastArrival = nanos;
  }

  /** The figures since the last call (or the start), and a new window from {@code nanos}. */
  synchronized Window take(long nanos) {
    double mean = intervals == 0 ? Double.NaN : sum / intervals;
    double jitter = intervals < 2 ? Double.NaN : Math.sqrt(Math.max(0, sumOfSquares / intervals - mean * mean));
    Window w = new Window(Math.max(1e-9, (nanos - windowStart) / 1e9), messages, arrivals, mean, jitter,
        intervals == 0 ? Double.NaN : max);
    windowStart = nanos;
    messages = 0;
    arrivals = 0;
    intervals = 0;
    sum = 0;
    sumOfSquares = 0;
    max = 0;
    return w;
  }
}
