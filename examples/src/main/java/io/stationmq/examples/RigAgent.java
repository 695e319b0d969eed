package io.stationmq.examples;

import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.Station;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A rig's agent: a {@link Station} that the rig's hardware controllers connect to, with a
 * pusher (upstream DEALER) to the terminal. Whatever a controller addresses to the terminal
 * is forwarded upward as is, without being decoded; an {@code EVENT} a controller addresses
 * to the rig itself is relayed upward by a listen as {@code DATA} tagged with the rig and the
 * controller. The rig pushes its own {@code STATE} upstream with {@link Station#push}.
 *
 * <p>Run: {@code java -cp cli/target/stationmq.jar io.stationmq.examples.RigAgent [terminalPort [rigPort [seconds]]]}
 * (the jar {@code ./stationmq} builds).
 * Without a terminal port it starts a {@link TerminalAgent} of its own on a free loopback port;
 * it runs for 3 s by default. Point {@link HardwareController} at the rig's port.
 */
public final class RigAgent {
  private RigAgent() {}

  /** Starts rig {@code rigId} on {@code bindAddress:port} (0: a free port) under terminal {@code terminalId}. */
  public static Station start(String rigId, String bindAddress, int port, String terminalHost, int terminalPort,
      String terminalId) {
    Station rig = Station.builder().id(rigId).bindAddress(bindAddress).port(port)
        .upstream(terminalHost, terminalPort, terminalId)
        .build();
    // An EVENT a controller sends to the rig itself is relayed upward as DATA, tagged with its origin.
    rig.on("EVENT", m -> {
      Map<String, Object> tagged = Map.of("rig", rigId, "controller", m.sender(), "event", m.valueNode());
      rig.push(terminalId, "DATA", tagged).exceptionally(e -> {
        System.err.println(rigId + ": could not relay " + m.id() + ": " + e);
        return null;
      });
    });
    return rig;
  }

  /**
   * Runs the rig for {@code duration} (or until it is closed): pushes STATE {@code RUNNING},
   * forwards its controllers' traffic meanwhile, then pushes STATE {@code IDLE}. Returns the
   * receipts of the pushes.
   */
  public static List<DeliveryReceipt> run(Station rig, String terminalId, Duration duration) throws Exception {
    List<DeliveryReceipt> receipts = new ArrayList<>();
    receipts.add(rig.push(terminalId, "STATE", "RUNNING").get(10, TimeUnit.SECONDS));
    if (!rig.awaitClosed(duration)) {
      receipts.add(rig.push(terminalId, "STATE", "IDLE").get(10, TimeUnit.SECONDS));
    }
    return receipts;
  }

  public static void main(String[] args) throws Exception {
    int rigPort = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    Duration duration = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 3);
    try (Station terminal = args.length > 0 ? null
             : TerminalAgent.start("T", "127.0.0.1", 0, new TerminalAgent.Inbox());
         Station rig = start("rig_1", "*", rigPort, "127.0.0.1",
             terminal == null ? Integer.parseInt(args[0]) : terminal.port(), "T")) {
      System.out.println("rig_1: controllers connect to " + rig.endpoint() + "; its upstream is T");
      for (DeliveryReceipt r : run(rig, "T", duration)) {
        System.out.printf("STATE %s confirmed by %s: %d attempt(s), %d ms%n", r.messageId(), r.recipient(),
            r.attempts(), r.roundTrip().toMillis());
      }
    }
  }
}
