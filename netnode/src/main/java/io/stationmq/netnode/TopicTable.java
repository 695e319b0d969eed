package io.stationmq.netnode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The topic broker's bookkeeping, without sockets: who below this endpoint subscribed to what
 * (one snapshot per direct peer, plus this endpoint's own subscriptions under {@link #SELF}),
 * which peers a topic goes to, which member of a group gets the next message (round-robin),
 * what this endpoint subscribes upstream on behalf of its subtree (one entry per pattern and
 * group), and the topics declared in the subtree.
 *
 * <p>Not thread-safe: {@link TopicBroker} guards it with one lock.
 */
final class TopicTable {
  /** The peer name of this endpoint's own subscriptions. */
  static final String SELF = "";

  /** One subscription as it travels: a pattern, an optional group, a mode. */
  record Sub(String pattern, String group, TopicMode mode) {
    Sub {
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(mode, "mode");
    }

    boolean matches(String topic) {
      return TopicTable.matches(pattern, topic);
    }
  }

  /** A peer's last snapshot: its run, its sequence number, what it subscribes and declares. */
  private record Snapshot(String instance, long seq, List<Sub> subs, List<TopicInfo> declared) {}

  /** Where one published message goes: a peer, whether to all its plain subscribers, the groups it was picked for. */
  record Target(String peer, boolean all, List<String> groups, TopicMode mode) {}

  private final Map<String, Snapshot> peers = new TreeMap<>();
  private final Map<String, Integer> roundRobin = new HashMap<>();

  /**
   * True when {@code pattern} matches {@code topic}: equal, or the pattern ends in {@code *} and
   * the topic starts with what precedes it ({@code *} alone matches every topic).
   */
  static boolean matches(String pattern, String topic) {
    if (pattern.endsWith("*")) {
      return topic.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return pattern.equals(topic);
  }

  /**
   * Replaces {@code peer}'s snapshot unless it is older than the one held (same instance, a
   * sequence number not above it). True when it was taken.
   */
  boolean replace(String peer, String instance, long seq, List<Sub> subs, List<TopicInfo> declared) {
    Snapshot held = peers.get(peer);
    if (held != null && held.instance().equals(instance) && seq <= held.seq()) {
      return false;
    }
    peers.put(peer, new Snapshot(instance, seq, List.copyOf(subs), List.copyOf(declared)));
    return true;
  }

  /** Forgets {@code peer} (gone from the directory); true when it had a snapshot. */
  boolean remove(String peer) {
    return peers.remove(peer) != null;
  }

  /** The peers with a snapshot ({@link #SELF} included when it has one). */
  Set<String> peers() {
    return peers.keySet();
  }

  /**
   * What this endpoint subscribes upstream for its whole subtree: one entry per pattern and
   * group, {@link TopicMode#EVERY} when any subscriber below wants every message.
   */
  List<Sub> aggregate() {
    Map<List<String>, TopicMode> modes = new LinkedHashMap<>();
    for (Snapshot s : peers.values()) {
      for (Sub sub : s.subs()) {
        modes.merge(java.util.Arrays.asList(sub.pattern(), sub.group()), sub.mode(),
            (a, b) -> a == TopicMode.EVERY || b == TopicMode.EVERY ? TopicMode.EVERY : TopicMode.LATEST);
      }
    }
    List<Sub> out = new ArrayList<>();
    modes.forEach((k, mode) -> out.add(new Sub(k.get(0), k.get(1), mode)));
    return out;
  }

  /** The patterns subscribed by everyone but {@code peer} (this endpoint's own included). */
  Set<String> patternsExcept(String peer) {
    Set<String> out = new TreeSet<>(); // sorted: a set that did not change compares equal
    peers.forEach((p, s) -> {
      if (!p.equals(peer)) {
        s.subs().forEach(sub -> out.add(sub.pattern()));
      }
    });
    return out;
  }

  /** Every topic declared in the subtree, once per topic and declarer. */
  List<TopicInfo> declared() {
    Set<TopicInfo> all = new LinkedHashSet<>();
    peers.values().forEach(s -> all.addAll(s.declared()));
    return new ArrayList<>(all);
  }

  /** How many subscriptions (plain or group members) in the subtree match {@code topic}, by peer. */
  int subscribers(String topic) {
    int n = 0;
    for (Snapshot s : peers.values()) {
      for (Sub sub : s.subs()) {
        if (sub.matches(topic)) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Where a message on {@code topic} goes.
   *
   * @param all deliver to the plain (group-less) subscribers
   * @param except a peer that already has it (the one it came from), or null
   * @param pickAll pick a member for every group with members here (this endpoint is the top)
   * @param groups groups to pick a member for besides (this subtree was picked by the upstream)
   */
  List<Target> route(String topic, boolean all, String except, boolean pickAll, Collection<String> groups) {
    Map<String, Boolean> plain = new LinkedHashMap<>(); // peer -> wants EVERY
    Map<String, List<String>> groupMembers = new TreeMap<>(); // group -> peers
    Map<String, Boolean> groupEvery = new HashMap<>();
    for (Map.Entry<String, Snapshot> e : peers.entrySet()) {
      String peer = e.getKey();
      for (Sub sub : e.getValue().subs()) {
        if (!sub.matches(topic)) {
          continue;
        }
        boolean every = sub.mode() == TopicMode.EVERY;
        if (sub.group() == null) {
          if (all && !peer.equals(except)) {
            plain.merge(peer, every, Boolean::logicalOr);
          }
        } else if (pickAll || groups.contains(sub.group())) {
          List<String> members = groupMembers.computeIfAbsent(sub.group(), g -> new ArrayList<>());
          if (!members.contains(peer)) {
            members.add(peer);
          }
          groupEvery.merge(sub.group() + "\u0000" + peer, every, Boolean::logicalOr);
        }
      }
    }
    Map<String, List<String>> picked = new LinkedHashMap<>();
    Map<String, Boolean> pickedEvery = new HashMap<>();
    groupMembers.forEach((group, members) -> {
      int next = roundRobin.merge(group, 1, Integer::sum) - 1;
      String peer = members.get(Math.floorMod(next, members.size()));
      picked.computeIfAbsent(peer, p -> new ArrayList<>()).add(group);
      pickedEvery.merge(peer, groupEvery.get(group + "\u0000" + peer), Boolean::logicalOr);
    });
    List<Target> out = new ArrayList<>();
    Set<String> targets = new LinkedHashSet<>(plain.keySet());
    targets.addAll(picked.keySet());
    for (String peer : targets) {
      boolean every = plain.getOrDefault(peer, false) || pickedEvery.getOrDefault(peer, false);
      out.add(new Target(peer, plain.containsKey(peer), List.copyOf(picked.getOrDefault(peer, List.of())),
          every ? TopicMode.EVERY : TopicMode.LATEST));
    }
    return out;
  }
}
