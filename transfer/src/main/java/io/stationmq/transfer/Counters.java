package io.stationmq.transfer;

import io.stationmq.netnode.RemoteException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The counters of one {@link Transfers} and its refusals, each logged as one specific line (a request to resume at DEBUG): at
 * most {@link #LINES} lines per {@link #WINDOW_NANOS}, then one line saying how many were held
 * back. Thread-safe.
 */
final class Counters {
  static final int LINES = 10;
  static final long WINDOW_NANOS = 10_000_000_000L;
  private static final Logger LOG = LoggerFactory.getLogger(Transfers.class);

  final LongAdder sent = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder bytesSent = new LongAdder();
  final LongAdder bytesReceived = new LongAdder();
  final LongAdder duplicateChunks = new LongAdder();
  final LongAdder resumes = new LongAdder();
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
  private final String endpointId;
  private long windowEnd = System.nanoTime() + WINDOW_NANOS;
  private int linesLeft = LINES;
  private long heldBack;

  Counters(String endpointId) {
    this.endpointId = endpointId;
  }

  /** Counts a refusal of {@code from}'s request, logs it (rate-limited) and returns the error for the requester. */
  RemoteException refuse(String code, String from, String message) {
    refused.computeIfAbsent(code, c -> new LongAdder()).increment();
    if (Wire.RESUMABLE.contains(code)) {
      LOG.debug("{}: asked '{}' to resume ({}): {}", endpointId, from, code, message);
      return new RemoteException(code, message);
    }
    long held = 0;
    boolean log;
    synchronized (this) {
      long now = System.nanoTime();
      if (now - windowEnd > 0) {
        held = heldBack;
        heldBack = 0;
        linesLeft = LINES;
        windowEnd = now + WINDOW_NANOS;
      }
      log = linesLeft > 0;
      if (log) {
        linesLeft--;
      } else {
        heldBack++;
      }
    }
    if (held > 0) {
      LOG.warn("{}: {} more transfer refusals were not logged", endpointId, held);
    }
    if (log) {
      LOG.warn("{}: refused a transfer request from '{}' ({}): {}", endpointId, from, code, message);
    }
    return new RemoteException(code, message);
  }

  TransferStats snapshot() {
    Map<String, Long> codes = new HashMap<>();
    refused.forEach((code, n) -> codes.put(code, n.sum()));
    return new TransferStats(sent.sum(), received.sum(), failed.sum(), bytesSent.sum(), bytesReceived.sum(),
        duplicateChunks.sum(), resumes.sum(), codes);
  }
}
