package io.stationmq.netnode;

/** What a {@link SampleStream} does with a sample pushed while its queue is full. */
public enum Overflow {
  /** The producer waits until there is room (no sample is lost; the producer may stall). */
  BLOCK,
  /** The push is refused at once: {@code push} returns false and the refusal is counted. */
  FAIL,
  /** The oldest queued sample is dropped and counted (the Python {@code deque} behaviour). */
  DROP_OLDEST
}
