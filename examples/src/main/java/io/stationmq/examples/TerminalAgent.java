package io.stationmq.examples;

import io.stationmq.message.Message;
import io.stationmq.netnode.Listen;
import io.stationmq.netnode.Station;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lab's central agent (the "terminal"): a {@link Station} at the root of the tree that rig
 * agents connect their pushers to. Its {@code DATA} and {@code STATE} listens print and record
 * what arrives; {@code SENSOR} stream samples are counted. It serves until it is closed, by
 * {@code close()} or by a {@code KILL} message from its admin {@value #ADMIN} (connected to it
 * directly; anyone else's {@code KILL} is refused), or until an optional time limit.
 *
 * <p>Run: {@code java -cp cli/target/stationmq.jar io.stationmq.examples.TerminalAgent [port [seconds]]}
 * (the jar {@code ./stationmq} builds).
 * Without arguments it listens on a free port for 5 s; with {@code seconds} 0 it serves until a
 * {@code KILL} arrives, for example {@code ./stationmq send --connect 127.0.0.1:PORT --upstream-id T
 * --id operator --to T --key KILL --confirm}. Point {@link RigAgent} at its port.
 */
public final class TerminalAgent {
  /** The id allowed to stop a terminal with {@code KILL}. */
  public static final String ADMIN = "operator";

  private TerminalAgent() {}

  /** What a terminal received: its DATA and STATE messages, and a count of SENSOR samples. Thread-safe. */
  public record Inbox(Queue<Message> messages, AtomicLong samples) {
    /** An empty inbox. */
    public Inbox() {
      this(new ConcurrentLinkedQueue<>(), new AtomicLong());
    }

    /** The messages received under {@code key}, in arrival order. */
    public List<Message> withKey(String key) {
      return messages.stream().filter(m -> m.key().equals(key)).toList();
    }
  }

  /** Starts the terminal {@code id} on {@code bindAddress:port} (port 0: a free one), recording into {@code inbox}. */
  public static Station start(String id, String bindAddress, int port, Inbox inbox) {
    Listen record = m -> {
      System.out.printf("[%s] %s from %s: %s%n", id, m.key(), m.sender(), m.valueNode());
      inbox.messages().add(m);
    };
    Station terminal = Station.builder().id(id).bindAddress(bindAddress).port(port)
        .listen("DATA", record)
        .listen("STATE", record)
        .admins(Set.of(ADMIN))
        .build();
    // Stream samples arrive one call each, decoded to the controller's record type.
    terminal.onSamples("SENSOR", HardwareController.Sample.class, s -> inbox.samples().incrementAndGet());
    return terminal;
  }

  /**
   * Serves until the terminal is closed (by {@code close()} or its admin's {@code KILL}) or
   * {@code limit} has passed ({@link Duration#ZERO}: no limit), then closes it. Returns true
   * when it was closed before the limit.
   */
  public static boolean serve(Station terminal, Duration limit) throws InterruptedException {
    try {
      if (limit.isZero()) {
        terminal.awaitClosed();
        return true;
      }
      return terminal.awaitClosed(limit);
    } finally {
      terminal.close();
    }
  }

  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    Duration limit = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 5);
    Inbox inbox = new Inbox();
    Station terminal = start("T", "*", port, inbox);
    System.out.println("terminal T on " + terminal.endpoint() + (limit.isZero() ? " until KILL" : " for " + limit));
    boolean killed = serve(terminal, limit);
    System.out.printf("terminal %s: %d messages, %d samples%n", killed ? "killed" : "done", inbox.messages().size(),
        inbox.samples().get());
  }
}
