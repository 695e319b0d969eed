package io.stationmq.transfer;

import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of one {@link Transfers}' counters, both directions: transfers sent, received and
 * failed; chunk bytes sent (resent ones included) and received (new ones only); duplicate chunks
 * received; resumes; and the refusals of hostile or bad input by code. Immutable.
 */
public final class TransferStats {
  private final long sent;
  private final long received;
  private final long failed;
  private final long bytesSent;
  private final long bytesReceived;
  private final long duplicateChunks;
  private final long resumes;
  private final Map<String, Long> refused;

  TransferStats(long sent, long received, long failed, long bytesSent, long bytesReceived, long duplicateChunks,
      long resumes, Map<String, Long> refused) {
    this.sent = sent;
    this.received = received;
    this.failed = failed;
    this.bytesSent = bytesSent;
    this.bytesReceived = bytesReceived;
    this.duplicateChunks = duplicateChunks;
    this.resumes = resumes;
    this.refused = Map.copyOf(refused);
  }

  /** Transfers this side sent to the end (hash checked by the receiver). */
  public long sent() {
    return sent;
  }

  /** Transfers this side received whole, hash checked. */
  public long received() {
    return received;
  }

  /** Transfers that failed on this side, either direction. */
  public long failed() {
    return failed;
  }

  /** Chunk bytes this side put in requests, resent ones included. */
  public long bytesSent() {
    return bytesSent;
  }

  /** New chunk bytes this side accepted (duplicates not counted). */
  public long bytesReceived() {
    return bytesReceived;
  }

  /** Chunks received again (a repeat, or sent again after a resume), confirmed without a write. */
  public long duplicateChunks() {
    return duplicateChunks;
  }

  /** Times this side's outgoing transfers resumed. */
  public long resumes() {
    return resumes;
  }

  /** Incoming requests refused, by code ({@code bad_name}, {@code offset_gap}, ...). */
  public Map<String, Long> refused() {
    return refused;
  }

  /** Refusals with {@code code}. */
  public long refused(String code) {
    return refused.getOrDefault(code, 0L);
  }

  @Override
  public String toString() {
    return "TransferStats{sent=" + sent + ", received=" + received + ", failed=" + failed + ", bytesSent="
        + bytesSent + ", bytesReceived=" + bytesReceived + ", duplicateChunks=" + duplicateChunks + ", resumes="
        + resumes + ", refused=" + new TreeMap<>(refused) + "}";
  }
}
