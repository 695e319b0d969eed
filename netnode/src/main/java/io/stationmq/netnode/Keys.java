package io.stationmq.netnode;

/**
 * Message keys the engine itself handles. The autopilot ones keep their names; stationmq's own
 * start with {@code SMQ_} so they cannot collide with an application's keys (a Python peer has
 * no listen for them and ignores them).
 */
final class Keys {
  /** Confirms receipt; value is the confirmed message's id (autopilot protocol). */
  public static final String CONFIRM = "CONFIRM";
  /** A batch of stream samples (autopilot protocol). */
  public static final String STREAM = "STREAM";
  /** Stops a Station (autopilot protocol). */
  public static final String KILL = "KILL";
  /**
   * stationmq's notice that a Station could not pass a message on; value {@code {"id",
   * "to", "station", "reason"}}, with {@code "retry": true} when the recipient may come back,
   * or {@code "crashed": true} from a recipient with a durable de-duplication window that died
   * while handling the message (it is not handled again). A Python peer has no listen for it
   * and ignores it.
   */
  public static final String UNREACHABLE = "SMQ_UNREACHABLE";
  /** A Station's notice to a producer: it dropped this many of its unconfirmed messages. */
  public static final String DROPPED = "SMQ_DROPPED";

  /**
   * stationmq's request: a confirmed message whose extra field {@code request} names the
   * request and whose value holds its arguments. Its reply confirms it, and the requester
   * repeats it until a reply arrives. The responder sends the reply unconfirmed and keeps it a
   * while: a repeat means the reply was lost, and gets it again. A repeat that comes before the
   * reply (a responder slower than the first repeat interval) is confirmed instead, and the
   * reply is then sent confirmed.
   */
  public static final String REQUEST = "SMQ_REQUEST";
  /**
   * stationmq's reply (usually unconfirmed, see {@link #REQUEST}) with extra fields {@code
   * reply_to} (the request's id), {@code ok}, and on failure {@code error} ({@code {"code",
   * "message"}}).
   */
  public static final String REPLY = "SMQ_REPLY";

  // Replicated state (StateService; README, Replicated state).
  /** One change or snapshot of an owner's replicated state, sent one hop (see {@link StateWire}). */
  public static final String STATE = "SMQ_STATE";
  /** Request: replicate an owner ({@code {"owner": ID}} or {@code "*"}); answers the snapshots. */
  public static final String STATE_SUBSCRIBE = "SMQ_STATE_SUB";
  /** Request: one owner's snapshot ({@code {"owner": ID}}), to repair a gap. */
  public static final String STATE_SNAPSHOT = "SMQ_STATE_SNAP";
  /** Request a Station answers from its last-value cache: {@code {"owner": ID or "*", "key", "history"}}. */
  public static final String STATE_GET = "STATE_GET";

  /**
   * True for a key the engine or the protocol gives a meaning of its own: the ones above, and
   * every key starting with {@code SMQ_} (stationmq's, liveness included). Such a key is a
   * command or a control message, never a stream's inner key (see {@code Dispatcher}).
   */
  public static boolean isBuiltIn(String key) {
    return key.startsWith("SMQ_") || key.equals(CONFIRM) || key.equals(STREAM) || key.equals(KILL);
  }

  // Topics (TopicBroker): new keys only, a Python peer ignores them.
  /** A topic message: value the published value, extras {@code topic}, {@code origin}, and downward {@code all}, {@code groups}. */
  public static final String TOPIC_PUB = "SMQ_TOPIC_PUB";
  /** An endpoint's subscriptions for its subtree: {@code {"instance", "seq", "subs": [{pattern, group, mode}], "topics": [..]}}. */
  public static final String TOPIC_SUB = "SMQ_TOPIC_SUB";
  /** A Station's word to a child Station: the patterns subscribed outside the child's subtree, {@code {"patterns": [..]}}. */
  public static final String TOPIC_INTEREST = "SMQ_TOPIC_INTEREST";
  /** A Station's broadcast to a child Station: {@code {"key", "value"}}, passed on to every endpoint below it. */
  public static final String BROADCAST = "SMQ_BROADCAST";

  private Keys() {}
}
