package io.stationmq.netnode;

import io.stationmq.message.Message;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who may send a Station its admin-only keys (today {@code KILL}, the one built-in key
 * that changes the network). The engine asks it, on the socket thread, about every message for
 * the endpoint itself; a refused message is never handed to a listen. Immutable, thread-safe.
 *
 * <p><b>The decision: authority comes from the hop, and the body must agree with it.</b> A
 * message is allowed when it came
 *
 * <ul>
 *   <li>through the ROUTER from a peer whose socket identity is an admin id, and its body names
 *       that same peer as the sender (an admin connected directly, speaking for itself); or
 *   <li>through the pusher, from the upstream Station, and its body names the upstream as the
 *       sender (the parent speaking for itself).
 * </ul>
 *
 * <p>Everything else is refused: a body whose {@code sender} names an admin but that came over
 * another connection, anything a neighbour relays for someone else (a child Station passing
 * on a node's message, the upstream forwarding one from its other peers), and a peer on the
 * ROUTER that claims the upstream's id. The ROUTER identity is used rather than the body's
 * {@code sender} because the body is free text that any peer anywhere in the tree can write
 * and every Station forwards unchecked, while the hop is the connection the bytes arrived on.
 *
 * <p>Limits, plainly: without CURVE neither is proof. Anyone who can reach the port can
 * connect with any socket identity, an admin's included (and, since ROUTERs hand an identity
 * over to its newest connection, displace the real admin), and anyone who can reach the
 * upstream Station can send through it a body that claims the upstream's id. This gate stops
 * strays and casual misuse (a {@code send --key KILL}, a script on the lab network, a stream
 * naming {@code KILL}), not a determined attacker on the network; CURVE (a later change) binds
 * ids to keys.
 */
final class AdminGate {
  private static final Logger log = LoggerFactory.getLogger(AdminGate.class);

  private final String stationId;
  private final String upstreamId;
  private final Set<String> admins;
  private final Set<String> adminKeys;
  private final RateLimitedLog warnings = new RateLimitedLog(log, 20, TimeUnit.SECONDS.toNanos(10));
  /** With CURVE: the key a ROUTER identity is pinned to, and the admins' keys (see {@link #bindKeys}). */
  private volatile Function<String, String> keyOfPeer;
  private volatile Set<String> adminPublicKeys = Set.of();

  /**
   * Creates the gate.
   *
   * @param stationId the endpoint's id, for the reasons it gives
   * @param upstreamId the upstream Station's id, or null without one
   * @param admins ids allowed to send admin-only keys when connected directly
   * @param adminKeys the admin-only keys
   */
  public AdminGate(String stationId, String upstreamId, Set<String> admins, Set<String> adminKeys) {
    this.stationId = stationId;
    this.upstreamId = upstreamId;
    this.admins = Set.copyOf(admins);
    this.adminKeys = Set.copyOf(adminKeys);
  }

  /**
   * With CURVE: admins are known by key. A peer connected directly and speaking for itself is an
   * admin when the key its ROUTER identity is pinned to ({@code keyOfPeer}) is one of {@code
   * adminPublicKeys}; the admin ids are then ignored, unless no admin key is given (then an
   * admin id counts, bound to the key it first connected with). Called once, before messages flow.
   */
  void bindKeys(Function<String, String> keyOfPeer, Set<String> adminPublicKeys) {
    this.adminPublicKeys = Set.copyOf(adminPublicKeys);
    this.keyOfPeer = keyOfPeer;
  }

  private boolean isAdmin(String via) {
    Function<String, String> keys = keyOfPeer;
    if (keys == null || adminPublicKeys.isEmpty()) {
      return admins.contains(via);
    }
    String key = keys.apply(via);
    return key != null && adminPublicKeys.contains(key);
  }

  /** True for a key only admins and the upstream may send. */
  public boolean isAdminOnly(String key) {
    return adminKeys.contains(key);
  }

  /** The admin ids. */
  public Set<String> admins() {
    return admins;
  }

  /**
   * Null when {@code m} may be handled, else why it is refused (starting with {@code "refused
   * KEY from 'SENDER'"}). {@code via} is the ROUTER identity it came through, or null when it
   * came from upstream.
   */
  public String refusal(Message m, String via) {
    String key = m.key();
    if (!adminKeys.contains(key)) {
      return null;
    }
    String sender = m.sender();
    if (via == null) {
      if (upstreamId != null && upstreamId.equals(sender)) {
        return null;
      }
      return "refused " + key + " from '" + sender + "' relayed by the upstream '" + upstreamId + "': only '"
          + upstreamId + "' itself or an admin connected directly to '" + stationId + "' may send " + key;
    }
    if (via.equals(sender) && isAdmin(via)) {
      return null;
    }
    String who = via.equals(sender) ? "'" + sender + "'" : "'" + sender + "' relayed by '" + via + "'";
    return "refused " + key + " from " + who + ": " + key + " is for admins of '" + stationId + "' connected to it"
        + " directly" + (upstreamId == null ? "" : " and its upstream '" + upstreamId + "'")
        + (admins.isEmpty() && adminPublicKeys.isEmpty() ? " (it has no admins)" : "");
  }

  /** Logs a refusal, at most 20 times per 10 s (the counter counts every one). */
  void warn(String reason, String messageId) {
    warnings.warn("{}: {}; message {} dropped", stationId, reason, messageId);
  }

  /** Reports refusals held back once their window has ended; the engine's socket thread calls it. */
  public void flushLog() {
    warnings.flush();
  }

  /**
   * The answer to a refused confirmed message: an unconfirmed {@code SMQ_UNREACHABLE} notice
   * (the same fields a Station sends when it has no route), whose reason says it was refused.
   */
  Message notice(String noticeId, Message refused, String reason) {
    return new Notices.Unreachable(refused.id(), refused.to(), stationId, reason, false)
        .toMessage(noticeId, refused.sender());
  }
}
