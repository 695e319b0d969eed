package io.stationmq.transfer;

import java.util.Objects;

/**
 * A transfer a peer offers, as a {@link ReceiveHandler} sees it before deciding where it goes:
 * its id (stable across resumes), the sending endpoint, the name the sender gave (not yet
 * checked as a file name: a directory target refuses unsafe ones) and the declared size.
 * Immutable.
 */
public final class IncomingTransfer {
  private final String id;
  private final String from;
  private final String name;
  private final long size;

  IncomingTransfer(String id, String from, String name, long size) {
    this.id = Objects.requireNonNull(id);
    this.from = Objects.requireNonNull(from);
    this.name = Objects.requireNonNull(name);
    this.size = size;
  }

  /** The transfer's id, the same when the sender resumes or restarts. */
  public String id() {
    return id;
  }

  /** The sending endpoint's id. */
  public String from() {
    return from;
  }

  /** The name the sender gave. */
  public String name() {
    return name;
  }

  /** The declared size in bytes. */
  public long size() {
    return size;
  }

  @Override
  public String toString() {
    return "IncomingTransfer{" + id + " '" + name + "' from " + from + ", " + size + " bytes}";
  }
}
