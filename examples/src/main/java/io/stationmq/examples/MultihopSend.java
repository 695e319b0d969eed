package io.stationmq.examples;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A multihop send along an explicit path through Stations: controller {@code ctrl_a} under
 * rig {@code rig_a} commands controller {@code ctrl_b} under rig {@code rig_b}, through the
 * terminal, with {@code message(...).path("rig_a", "T", "rig_b", "ctrl_b")}. Each Station passes
 * the message to its next hop; the confirmation finds its way back along the routes the
 * Stations learned, and completes the sender's future with a {@link DeliveryReceipt}.
 *
 * <p>Run: {@code java -cp cli/target/stationmq.jar io.stationmq.examples.MultihopSend [terminalPort]} (a terminal {@code T}
 * on loopback; the jar {@code ./stationmq} builds).
 * Without a port it starts a {@link TerminalAgent} of its own.
 */
public final class MultihopSend {
  private MultihopSend() {}

  /** The sender's receipt, and the messages the final recipient handled. */
  public record Result(DeliveryReceipt receipt, List<Message> handled) {}

  /** Starts two rigs, a controller under each, below terminal {@code terminalId}; sends one command across. */
  public static Result run(String terminalHost, int terminalPort, String terminalId, Duration timeout)
      throws Exception {
    List<Message> handled = new CopyOnWriteArrayList<>();
    try (Station rigA = RigAgent.start("rig_a", "127.0.0.1", 0, terminalHost, terminalPort, terminalId);
         Station rigB = RigAgent.start("rig_b", "127.0.0.1", 0, terminalHost, terminalPort, terminalId);
         NetNode ctrlA = NetNode.builder().id("ctrl_a").upstream("127.0.0.1", rigA.port(), "rig_a").build();
         NetNode ctrlB = NetNode.builder().id("ctrl_b").upstream("127.0.0.1", rigB.port(), "rig_b")
             .listen("VALVE", handled::add)
             .build()) {
      // ctrl_b reports READY upward; once confirmed, rig_b knows ctrl_b and the terminal knows rig_b.
      ctrlB.sendConfirmed(terminalId, "STATE", "READY").get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Message open = ctrlA.message("ctrl_b", "VALVE", Map.of("open_ms", 50))
          .path("rig_a", terminalId, "rig_b", "ctrl_b")
          .build();
      DeliveryReceipt r = ctrlA.sendConfirmed(open).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      System.out.printf("%s along %s confirmed by %s: %d attempt(s), round trip %.2f ms%n", r.messageId(),
          open.path(), r.recipient(), r.attempts(), r.roundTrip().toNanos() / 1e6);
      return new Result(r, handled);
    }
  }

  public static void main(String[] args) throws Exception {
    try (Station terminal = args.length > 0 ? null
        : TerminalAgent.start("T", "127.0.0.1", 0, new TerminalAgent.Inbox())) {
      int port = terminal == null ? Integer.parseInt(args[0]) : terminal.port();
      System.out.println("ctrl_b handled " + run("127.0.0.1", port, "T", Duration.ofSeconds(5)).handled());
    }
  }
}
