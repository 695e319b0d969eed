package io.stationmq.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import io.stationmq.netnode.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The directories of the Stations below a Station, each asked with the built-in {@code
 * DIRECTORY} request along its path, at most one request per Station in flight: {@link #ask}
 * never waits, the replies land in a map the next snapshot reads. A Station that no longer
 * appears is forgotten. Thread-safe: the snapshot thread asks and reads, replies arrive on the
 * endpoint's callback thread.
 */
final class ChildDirectories {
  /**
   * The latest answer of one Station: its entries (a JSON array) or, when the last request
   * failed, the error; {@code entries} stays the last good one.
   */
  record Answer(JsonNode entries, String error, long atNanos) {}

  private final Endpoint endpoint;
  private final Duration timeout;
  private final Map<List<String>, Answer> answers = new ConcurrentHashMap<>();
  private final Set<List<String>> inFlight = ConcurrentHashMap.newKeySet();

  ChildDirectories(Endpoint endpoint, Duration timeout) {
    this.endpoint = endpoint;
    this.timeout = timeout;
  }

  /** The latest answer of the Station at {@code path}, or null before its first. */
  Answer answer(List<String> path) {
    return answers.get(path);
  }

  /** Asks each Station at {@code paths} that has no request in flight; forgets the others. */
  void ask(Set<List<String>> paths) {
    answers.keySet().retainAll(paths);
    for (List<String> path : paths) {
      if (!inFlight.add(path)) {
        continue;
      }
      Message.Builder request = endpoint.requestMessage(path.get(path.size() - 1), "DIRECTORY", null);
      if (path.size() > 1) {
        request.path(path);
      }
      endpoint.request(request.build(), timeout).whenComplete((reply, error) -> {
        inFlight.remove(path);
        Answer last = answers.get(path);
        if (error == null && reply.valueNode().isArray()) {
          answers.put(path, new Answer(reply.valueNode(), null, System.nanoTime()));
        } else {
          String why = error == null ? "DIRECTORY answer is not a list" : String.valueOf(rootCause(error).getMessage());
          answers.put(path, new Answer(last == null ? null : last.entries(), why, System.nanoTime()));
        }
      });
    }
  }

  private static Throwable rootCause(Throwable e) {
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return e;
  }
}
