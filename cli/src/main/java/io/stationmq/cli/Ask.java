package io.stationmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.RemoteException;
import io.stationmq.netnode.RequestTimeoutException;
import io.stationmq.netnode.TtlExpiredException;
import io.stationmq.netnode.UnreachableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Requests from the command line: one endpoint's built-in requests ({@code DIRECTORY}, {@code
 * INFO}, {@code PING}) along a path, with each failure turned into the exit code it means.
 * Stateless.
 */
final class Ask {
  private Ask() {}

  /**
   * Sends request {@code name} along {@code path} (the hops below the node's Station, the
   * target last; the Station itself as a one-element path) and returns a future of the reply.
   */
  static CompletableFuture<Message> send(NetNode node, List<String> path, String name, Duration timeout) {
    Message.Builder request = node.requestMessage(path.get(path.size() - 1), name, null);
    if (path.size() > 1) {
      request.path(path);
    }
    return node.request(request.build(), timeout);
  }

  /** The answer to request {@code name} along {@code path}; see {@link #send}. */
  static JsonNode value(NetNode node, List<String> path, String name, Duration timeout) throws InterruptedException {
    return reply(send(node, path, name, timeout), path).valueNode();
  }

  /**
   * Waits for {@code reply}.
   *
   * @throws CliException with the exit code the failure means
   */
  static Message reply(CompletableFuture<Message> reply, List<String> path) throws InterruptedException {
    try {
      return reply.get();
    } catch (ExecutionException e) {
      throw failure(e.getCause(), path);
    }
  }

  /** The command-line failure for a request's failure. */
  static CliException failure(Throwable cause, List<String> path) {
    String target = "'" + path.get(path.size() - 1) + "'" + (path.size() > 1 ? " (via " + String.join(",", path) + ")" : "");
    if (cause instanceof RequestTimeoutException t) {
      return new CliException(Main.TIMED_OUT, "no answer from " + target + ": " + t.getMessage());
    }
    if (cause instanceof UnreachableException) {
      return new CliException(Main.UNREACHABLE, cause.getMessage());
    }
    if (cause instanceof TtlExpiredException) {
      return new CliException(Main.TTL_SPENT, cause.getMessage());
    }
    if (cause instanceof RemoteException r) {
      return new CliException(Main.FAILURE, target + " answered with an error: " + r.code() + ": " + r.remoteMessage());
    }
    return new CliException(Main.FAILURE, String.valueOf(cause.getMessage()));
  }
}
