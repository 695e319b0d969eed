package io.stationmq.transfer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a transfer ended well, on either side: its id and name, the sender and receiver, the size,
 * the SHA-256 both sides agreed on (lower-case hex), how many times the sender resumed, how long
 * it took on this side, and on a directory receiver the final file. Immutable.
 */
public final class TransferReceipt {
  private final String id;
  private final String name;
  private final String from;
  private final String to;
  private final long size;
  private final String sha256;
  private final int resumes;
  private final Duration elapsed;
  private final Path file;

  TransferReceipt(String id, String name, String from, String to, long size, String sha256, int resumes,
      Duration elapsed, Path file) {
    this.id = id;
    this.name = name;
    this.from = from;
    this.to = to;
    this.size = size;
    this.sha256 = sha256;
    this.resumes = resumes;
    this.elapsed = elapsed;
    this.file = file;
  }

  /** The transfer's id. */
  public String id() {
    return id;
  }

  /** The transfer's name. */
  public String name() {
    return name;
  }

  /** The sending endpoint's id. */
  public String from() {
    return from;
  }

  /** The receiving endpoint's id. */
  public String to() {
    return to;
  }

  /** Bytes transferred (the whole content). */
  public long size() {
    return size;
  }

  /** The SHA-256 of the content, lower-case hex. */
  public String sha256() {
    return sha256;
  }

  /** How often the sender resumed (0 on the receiver, which cannot tell). */
  public int resumes() {
    return resumes;
  }

  /** From the start on this side to the end. */
  public Duration elapsed() {
    return elapsed;
  }

  /** The file written, on a receiver with a directory target. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** Megabytes (10^6 bytes) per second over {@link #elapsed()}. */
  public double megabytesPerSecond() {
    double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
    return size / 1e6 / seconds;
  }

  @Override
  public String toString() {
    return "TransferReceipt{" + id + " '" + name + "' " + from + " -> " + to + ", " + size + " bytes, sha256 "
        + sha256 + ", resumes " + resumes + ", " + elapsed.toMillis() + " ms}";
  }
}
