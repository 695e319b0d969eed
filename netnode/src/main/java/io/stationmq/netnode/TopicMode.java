package io.stationmq.netnode;

/**
 * How a subscription takes the messages of its topics (see {@link Topics#subscribe(String,
 * String, TopicMode, Listen)}).
 */
public enum TopicMode {
  /**
   * Every message, in order, each sent confirmed to the subscriber (repeated within its ttl);
   * a delivery that still fails is counted in {@link TopicStats#failed()}.
   */
  EVERY,
  /**
   * Latest only, for fast sensor topics: per subscriber and topic one message in flight and one
   * waiting slot; a newer value replaces a waiting older one (counted in {@link
   * TopicStats#conflated()}). A slow subscriber gets the newest value, never a growing queue.
   */
  LATEST
}
