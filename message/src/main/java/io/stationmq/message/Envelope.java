package io.stationmq.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames around a message body, as they arrive on a ROUTER or a DEALER socket, read
 * without decoding the body; and the frames to send for each case of the wire protocol
 * (PROTOCOL.md sections 3 and 4). This is the only class that knows frame layouts.
 *
 * <p>A received frame list is, after the sender identity a ROUTER prepends:
 * {@code [addressed, hop..., to, body]} on a ROUTER ({@code addressed} being the id the
 * sender addressed, normally the receiver's own) and {@code [hop..., to, body]} or just
 * {@code [body]} on a DEALER (the ROUTER that sent it consumed the receiver's identity).
 * The hops before {@code to} are the rest of a multihop path; the autopilot form repeats the
 * final recipient ({@code [h1, ..., hn, hn, body]}), which this class folds away. A frame
 * list whose last frame is empty is a connection ping.
 *
 * <p>Immutable once parsed, and thread-safe; the frame byte arrays are not copied, so callers
 * must not change them.
 */
public final class Envelope {
  private static final byte[] EMPTY = new byte[0];

  private final List<byte[]> frames;
  private final byte[] senderIdentity;
  private final String recipient;
  private final List<String> hops;
  private final byte[] body;

  private Envelope(List<byte[]> frames, byte[] senderIdentity, String recipient, List<String> hops, byte[] body) {
    this.frames = frames;
    this.senderIdentity = senderIdentity;
    this.recipient = recipient;
    this.hops = hops;
    this.body = body;
  }

  /**
   * Reads frames received on a ROUTER socket: {@code [identity, addressed, hop..., to, body]},
   * {@code [identity, to, body]}, or a ping {@code [identity, ..., ""]}.
   *
   * @throws MessageFormatException when there are fewer than three frames (two for a ping),
   *     or the identity or a routing frame is empty
   */
  public static Envelope fromRouter(List<byte[]> frames) {
    if (frames == null || frames.isEmpty()) {
      throw new MessageFormatException("no frames");
    }
    byte[] identity = frames.get(0);
    if (identity.length == 0) {
      throw new MessageFormatException("empty sender identity frame");
    }
    int n = frames.size();
    if (n >= 2 && frames.get(n - 1).length == 0) {
      return new Envelope(frames, identity, null, List.of(), EMPTY);
    }
    if (n < 3) {
      throw new MessageFormatException(
          "ROUTER message has " + n + " frame(s); expected [sender, to, body] or [sender, addressed, ..., to, body]");
    }
    String to = routingFrame(frames, n - 2);
    if (n >= 4) {
      routingFrame(frames, 1); // the addressed id must not be empty either
    }
    List<String> hops = n >= 5 ? readHops(frames, 2, n - 2, to) : List.of();
    return new Envelope(frames, identity, to, hops, frames.get(n - 1));
  }

  /**
   * Reads frames received on a DEALER socket: {@code [body]} (for the receiver), {@code
   * [hop..., to, body]}, or a ping echo ending in an empty frame.
   *
   * @throws MessageFormatException when there are no frames or a routing frame is empty
   */
  public static Envelope fromDealer(List<byte[]> frames) {
    if (frames == null || frames.isEmpty()) {
      throw new MessageFormatException("no frames");
    }
    int n = frames.size();
    if (frames.get(n - 1).length == 0) {
      return new Envelope(frames, null, null, List.of(), EMPTY);
    }
    if (n == 1) {
      return new Envelope(frames, null, null, List.of(), frames.get(0));
    }
    String to = routingFrame(frames, n - 2);
    List<String> hops = readHops(frames, 0, n - 2, to);
    return new Envelope(frames, null, to, hops, frames.get(n - 1));
  }

  private static String routingFrame(List<byte[]> frames, int index) {
    byte[] f = frames.get(index);
    if (f.length == 0) {
      throw new MessageFormatException("empty routing frame at index " + index);
    }
    return new String(f, StandardCharsets.UTF_8);
  }

  /** Frames [from, to) are hops; a last hop equal to the recipient is the autopilot repeat. */
  private static List<String> readHops(List<byte[]> frames, int from, int to, String recipient) {
    List<String> hops = new ArrayList<>(Math.max(0, to - from));
    for (int i = from; i < to; i++) {
      hops.add(routingFrame(frames, i));
    }
    if (!hops.isEmpty() && hops.get(hops.size() - 1).equals(recipient)) {
      hops.remove(hops.size() - 1);
    }
    return List.copyOf(hops);
  }

  /** True for a connection ping (last frame empty): a Station echoes it unchanged. */
  public boolean isPing() {
    return body.length == 0;
  }

  /** The identity of the peer that sent it, as a ROUTER saw it; null on a DEALER. */
  public byte[] senderIdentity() {
    return senderIdentity;
  }

  /** {@link #senderIdentity()} as text; null on a DEALER. */
  public String senderId() {
    return senderIdentity == null ? null : new String(senderIdentity, StandardCharsets.UTF_8);
  }

  /**
   * The final recipient named by the frames, or null when the frames name none (a single
   * body frame on a DEALER, always for the receiver; or a ping).
   */
  public String recipient() {
    return recipient;
  }

  /** The hops still to take before the final recipient (empty unless multihop). */
  public List<String> hops() {
    return hops;
  }

  /** True when hops remain before the final recipient. */
  public boolean isMultihop() {
    return !hops.isEmpty();
  }

  /** Where the message goes next: the first remaining hop, else the final recipient. */
  public String nextHop() {
    return hops.isEmpty() ? recipient : hops.get(0);
  }

  /** The body frame (empty for a ping). */
  public byte[] body() {
    return body;
  }

  /** The frames as received. */
  public List<byte[]> frames() {
    return frames;
  }

  // ---------------------------------------------------------------- frames to send

  /** A NetNode to its upstream through its DEALER: {@code [upstream, to, body]}. */
  public static List<byte[]> toUpstream(String upstreamId, String to, byte[] body) {
    return List.of(utf8(upstreamId), utf8(to), body);
  }

  /**
   * A NetNode to a peer: through its ROUTER to a peer it heard from, or through its DEALER
   * with {@code forceTo}: {@code [to, to, body]}.
   */
  public static List<byte[]> toPeer(String to, byte[] body) {
    byte[] t = utf8(to);
    return List.of(t, t, body);
  }

  /** A NetNode along a multihop path through its DEALER: {@code [h1, ..., hn, hn, body]}. */
  public static List<byte[]> multihop(List<String> path, byte[] body) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("multihop path is empty");
    }
    List<byte[]> f = new ArrayList<>(path.size() + 2);
    for (String hop : path) {
      f.add(utf8(hop));
    }
    f.add(utf8(path.get(path.size() - 1)));
    f.add(body);
    return f;
  }

  /**
   * Through a ROUTER to the connected peer {@code identity}, for the final recipient {@code
   * to} behind it: {@code [identity, to, body]} (the peer receives {@code [to, body]} and
   * passes it on, or handles it when {@code to} is itself).
   */
  public static List<byte[]> throughRouter(String identity, String to, byte[] body) {
    return List.of(utf8(identity), utf8(to), body);
  }

  /** A Station to a directly connected peer through its ROUTER: {@code [to, body]}. */
  public static List<byte[]> toConnected(String to, byte[] body) {
    return List.of(utf8(to), body);
  }

  /**
   * Frames that forward this message through a ROUTER: {@code [to, body]} when no hops
   * remain, else {@code [h1, ..., to, to, body]} (the ROUTER consumes {@code h1}). The body
   * is the received byte array, unchanged.
   */
  public List<byte[]> forwardViaRouter() {
    if (hops.isEmpty()) {
      return List.of(utf8(recipient), body);
    }
    List<byte[]> f = new ArrayList<>(hops.size() + 3);
    for (String hop : hops) {
      f.add(utf8(hop));
    }
    byte[] t = utf8(recipient);
    f.add(t);
    f.add(t);
    f.add(body);
    return f;
  }

  /**
   * Frames that forward this message through a pusher DEALER to the upstream {@code
   * upstreamId}: {@code [upstream, to, body]}, or for multihop {@code [upstream, h..., to,
   * to, body]} where a first hop equal to the upstream is not repeated. Unlike the Python
   * Station (which drops the upstream frame, so the upstream skips the next hop), the
   * upstream reads the remaining path intact, whether it is a Python or a Java Station.
   */
  public List<byte[]> forwardViaPusher(String upstreamId) {
    if (hops.isEmpty()) {
      return toUpstream(upstreamId, recipient, body);
    }
    List<String> rest = hops.get(0).equals(upstreamId) ? hops.subList(1, hops.size()) : hops;
    List<byte[]> f = new ArrayList<>(rest.size() + 4);
    f.add(utf8(upstreamId));
    for (String hop : rest) {
      f.add(utf8(hop));
    }
    byte[] t = utf8(recipient);
    if (!rest.isEmpty()) {
      f.add(t);
    }
    f.add(t);
    f.add(body);
    return f;
  }

  /** The frames of a ping echo: the received frames, unchanged. */
  public List<byte[]> echo() {
    return frames;
  }

  private static byte[] utf8(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("routing id must be non-empty");
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    if (isPing()) {
      return "Envelope{ping, " + frames.size() + " frames}";
    }
    return "Envelope{from=" + senderId() + ", to=" + recipient + (hops.isEmpty() ? "" : ", hops=" + hops)
        + ", body=" + body.length + " bytes}";
  }
}
