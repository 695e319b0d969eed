package io.stationmq.netnode.testing;

import io.stationmq.netnode.NetNode;

/**
 * Synchronises a test with a node's socket thread. The {@code sent} counter moves when a
 * message is written, a moment before the socket thread starts its repeat timer (which reads
 * the ticker): a test that advances a {@link FakeTicker} right after seeing the write could
 * move time before the timer starts. The socket thread runs queued sends in order, so once a
 * probe queued afterwards is written, the earlier sends are wholly done.
 */
public final class Sync {
  /** The key of the probe messages; receivers see it as an unknown key. */
  public static final String PROBE = "PROBE";

  private Sync() {}

  /**
   * Waits until {@code node} has written {@code writes} messages, then sends an unconfirmed
   * {@link #PROBE} to {@code probeTo} and waits until that is written too.
   *
   * @return the number of messages written, the probe included
   */
  public static long afterWrites(NetNode node, long writes, String probeTo) {
    Await.equal("messages written by " + node.id(), writes, () -> node.stats().sent());
    node.send(probeTo, PROBE, null);
    Await.equal("probe written by " + node.id(), writes + 1, () -> node.stats().sent());
    return writes + 1;
  }
}
