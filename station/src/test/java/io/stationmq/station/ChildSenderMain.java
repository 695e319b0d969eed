package io.stationmq.station;

import io.stationmq.message.Message;
import io.stationmq.netnode.DeliveryException;
import io.stationmq.netnode.Durability;
import io.stationmq.netnode.EndpointListener;
import io.stationmq.netnode.EndpointOptions;
import io.stationmq.netnode.NetNode;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A sending NetNode with a durable outbox in a process of its own, for tests that kill it:
 * {@code ChildSenderMain PORT STATION_ID NODE_ID DURABLE_DIR FILE TO FROM COUNT}. It sends the
 * integers FROM..FROM+COUNT-1 confirmed (ttl 10, repeats backing off to 1 s, at most 1,000
 * outstanding) under key {@code DATA} to TO, and appends to FILE, one unbuffered write each, so
 * that it survives SIGKILL: {@code start} first; {@code a V} once {@code sendConfirmed(V)} has
 * returned (accepted: on record); {@code f V CLASS} when V fails, its own or one resumed from
 * the previous run (the listener hears both); {@code r N} when it resumes N messages. Prints
 * {@code ready NODE_ID} once built and {@code done} once every message, resumed ones included,
 * is settled; runs until its stdin ends or it is killed.
 */
public final class ChildSenderMain {
  private ChildSenderMain() {}

  public static void main(String[] args) throws Exception {
    int from = Integer.parseInt(args[6]);
    int count = Integer.parseInt(args[7]);
    try (FileOutputStream out = new FileOutputStream(args[4], true)) {
      append(out, "start");
      EndpointListener events = new EndpointListener() {
        @Override
        public void deliveryFailed(Message message, DeliveryException error) {
          append(out, "f " + message.value(Integer.class) + " " + error.getClass().getSimpleName());
        }

        @Override
        public void deliveriesResumed(List<Message> messages) {
          append(out, "r " + messages.size());
        }
      };
      EndpointOptions options = EndpointOptions.builder().maxRepeatInterval(Duration.ofSeconds(1))
          .durability(Durability.builder(Path.of(args[3])).deduplication(false).build()).listener(events).build();
      Semaphore window = new Semaphore(1_000);
      try (NetNode node = NetNode.builder().id(args[2]).upstream("127.0.0.1", Integer.parseInt(args[0]), args[1])
          .options(options).build()) {
        System.out.println("ready " + node.id());
        System.out.flush();
        for (int v = from; v < from + count; v++) {
          if (!window.tryAcquire(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no room in the window for 120 s at " + v);
          }
          node.sendConfirmed(node.message(args[5], "DATA", v).ttl(10).build()).whenComplete((r, e) -> window.release());
          append(out, "a " + v);
        }
        window.acquire(1_000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (node.stats().inFlight() > 0 && System.nanoTime() < deadline) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // resumed messages have no futures to wait on
        }
        System.out.println("done");
        System.out.flush();
        while (System.in.read() >= 0) {
          // Blocks until the parent closes stdin (or the process is killed).
        }
      }
    }
  }

  private static void append(FileOutputStream out, String line) {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
    synchronized (out) {
      try {
        out.write(bytes); // unbuffered: one write(2) per line
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
