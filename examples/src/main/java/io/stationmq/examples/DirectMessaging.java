package io.stationmq.examples;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryReceipt;
import io.stationmq.netnode.Listen;
import io.stationmq.netnode.NetNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Two NetNodes talking without a Station: {@code camera} binds a ROUTER port of its own, and
 * {@code daq} connects straight to it, naming it as its upstream. A confirmed exchange goes
 * each way: the connecting node sends first (which also makes the binding node know it), then
 * the binding node answers through its ROUTER.
 *
 * <p>Run: {@code java -cp cli/target/stationmq.jar io.stationmq.examples.DirectMessaging [port]} (default: a free loopback
 * port; the jar {@code ./stationmq} builds).
 */
public final class DirectMessaging {
  private DirectMessaging() {}

  /** What an exchange did: the two receipts, and the messages both nodes' listens handled. */
  public record Exchange(DeliveryReceipt up, DeliveryReceipt down, List<Message> handled) {}

  /**
   * Binds {@code camera} on {@code 127.0.0.1:port} (0: a free port), connects {@code daq} to it,
   * and exchanges one confirmed message each way, waiting up to {@code timeout} for each.
   */
  public static Exchange run(int port, Duration timeout) throws Exception {
    List<Message> handled = new CopyOnWriteArrayList<>();
    Listen print = m -> {
      System.out.printf("%s got %s from %s: %s%n", m.to(), m.key(), m.sender(), m.valueNode());
      handled.add(m);
    };
    long wait = timeout.toMillis();
    try (NetNode camera = NetNode.builder().id("camera").routerAddress("127.0.0.1").routerPort(port)
             .listen("FRAME_RATE", print)
             .build();
         NetNode daq = NetNode.builder().id("daq").upstream("127.0.0.1", camera.routerPort(), "camera")
             .listen("ACK", print)
             .build()) {
      DeliveryReceipt up = daq.sendConfirmed("camera", "FRAME_RATE", Map.of("fps", 120))
          .get(wait, TimeUnit.MILLISECONDS);
      // camera has now heard from daq on its ROUTER, so it can address daq directly.
      DeliveryReceipt down = camera.sendConfirmed("daq", "ACK", Map.of("fps", 120, "ok", true))
          .get(wait, TimeUnit.MILLISECONDS);
      return new Exchange(up, down, handled); // closing runs the listens still queued
    }
  }

  public static void main(String[] args) throws Exception {
    Exchange e = run(args.length > 0 ? Integer.parseInt(args[0]) : 0, Duration.ofSeconds(5));
    for (DeliveryReceipt r : List.of(e.up(), e.down())) {
      System.out.printf("%s confirmed by %s: %d attempt(s), round trip %.2f ms%n", r.messageId(), r.recipient(),
          r.attempts(), r.roundTrip().toNanos() / 1e6);
    }
  }
}
