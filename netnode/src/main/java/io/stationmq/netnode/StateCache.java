package io.stationmq.netnode;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last-value cache's answer to {@code STATE_GET} (args {@code {"owner": ID or "*", "key":
 * optional, "history": N}}): for each owner its incarnation, sequence number and keys, each with
 * its value ({@code null} and {@code "removed": true} once removed), when it last changed
 * ({@code "updated"}, an ISO-8601 instant, when history is kept) and, with {@code history} N, its
 * last N changes oldest first. Answered from the Station's table without contacting the owner.
 * Stateless; the caller holds the table's lock.
 */
final class StateCache {
  private StateCache() {}

  static Map<String, Object> answer(JsonNode args, StateTable table, StateLimits limits) throws RemoteException {
    String owner = args == null ? StateService.ALL : args.path("owner").asText(StateService.ALL);
    String key = args == null || !args.path("key").isTextual() ? null : args.path("key").asText();
    int history = args == null ? 0 : args.path("history").asInt(0);
    if (owner.isEmpty() || history < 0) {
      throw new RemoteException("bad_request", "owner must be an id or *, history at least 0");
    }
    history = Math.min(history, limits.historyLength());
    Map<String, Object> owners = new LinkedHashMap<>();
    for (StateTable.Replica r : table.replicas()) {
      if (r.seq < 0 || !owner.equals(StateService.ALL) && !owner.equals(r.owner)) {
        continue;
      }
      Map<String, Object> keys = new LinkedHashMap<>();
      List<String> names = key != null ? List.of(key) : new ArrayList<>(r.entries.keySet());
      for (String name : names) {
        List<StateTable.HistoryEntry> past = table.history(r.owner, name, Math.max(history, 1));
        JsonNode value = r.entries.get(name);
        if (value == null && past.isEmpty()) {
          continue;
        }
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("value", value);
        k.put("removed", value == null);
        if (!past.isEmpty()) {
          StateTable.HistoryEntry last = past.get(past.size() - 1);
          k.put("seq", last.seq());
          k.put("updated", WallTime.instant(last.epochNanos()).toString());
        }
        if (history > 0) {
          List<Object> h = new ArrayList<>();
          for (StateTable.HistoryEntry e : table.history(r.owner, name, history)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", WallTime.instant(e.epochNanos()).toString());
            m.put("seq", e.seq());
            m.put("value", e.value());
            m.put("removed", e.value() == null);
            h.add(m);
          }
          k.put("history", h);
        }
        keys.put(name, k);
      }
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("epoch", r.epoch);
      o.put("seq", r.seq);
      o.put("keys", keys);
      owners.put(r.owner, o);
    }
    return Map.of("owners", owners);
  }
}
