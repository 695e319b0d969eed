package io.stationmq.station;

import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.EndpointListener;
import io.stationmq.netnode.PeerStatus;
import io.stationmq.netnode.UpstreamState;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What a running Station prints about its network, one line each: a peer joining (once it has
 * said HELLO, or, for one that never does, such as a Python peer, after {@link #NO_HELLO_AFTER}),
 * a peer leaving, a peer refused (the same refusal of the same peer at most once a minute), and
 * every change of its upstream. Lines start with the local time.
 *
 * <p>Thread-safe: the listener methods run on the Station's callback thread, the delayed joins
 * on this class's own timer thread ({@code <prefix>-events}), which {@link #close()} ends.
 */
final class StationEvents implements EndpointListener, AutoCloseable {
  /** How long a new peer may take to say HELLO before it is reported as one that says none. */
  static final Duration NO_HELLO_AFTER = Duration.ofSeconds(2);

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final int REFUSALS_REMEMBERED = 1_000;
  private static final long REFUSAL_REPEAT_MILLIS = 60_000;

  private final PrintStream out;
  private final Duration noHelloAfter;
  private final ScheduledThreadPoolExecutor timer;
  private final Map<String, DirectoryEntry> waitingForHello = new ConcurrentHashMap<>();
  private final Map<String, Long> refusals = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > REFUSALS_REMEMBERED;
    }
  };

  StationEvents(PrintStream out, String threadName) {
    this(out, threadName, NO_HELLO_AFTER);
  }

  StationEvents(PrintStream out, String threadName, Duration noHelloAfter) {
    this.out = out;
    this.noHelloAfter = noHelloAfter;
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  @Override
  public void peerJoined(DirectoryEntry entry) {
    if (entry.instance() != null) {
      joined(entry);
      return;
    }
    waitingForHello.put(entry.id(), entry);
    timer.schedule(() -> {
      if (waitingForHello.remove(entry.id(), entry)) {
        print("joined " + entry.id() + from(entry) + " (no HELLO: a Python endpoint, or not stationmq)");
      }
    }, noHelloAfter.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void peerStatusChanged(DirectoryEntry entry, PeerStatus previous, String reason) {
    if (previous == PeerStatus.UNKNOWN && entry.status() == PeerStatus.ALIVE) {
      joined(entry); // its first HELLO
    }
  }

  @Override
  public void peerLeft(DirectoryEntry entry, String reason) {
    print("left " + entry.id() + ": " + reason);
  }

  @Override
  public void peerRefused(String peerId, String reason) {
    waitingForHello.remove(peerId); // refused before its HELLO was taken: no "joined" line
    String key = peerId + "\n" + reason;
    long now = System.currentTimeMillis();
    synchronized (refusals) {
      Long last = refusals.get(key);
      if (last != null && now - last < REFUSAL_REPEAT_MILLIS) {
        return;
      }
      refusals.put(key, now);
    }
    print("refused " + peerId + ": " + reason);
  }

  @Override
  public void upstreamChanged(String upstreamId, UpstreamState state, String reason) {
    print("upstream " + upstreamId + " " + state + ": " + reason);
  }

  @Override
  public void upstreamNotFound(String upstreamId, String reason) {
    print("upstream " + upstreamId + " NOT FOUND: " + reason + "; still looking");
  }

  private void joined(DirectoryEntry entry) {
    waitingForHello.remove(entry.id());
    String software = entry.software() == null ? "" : ", " + entry.software();
    print("joined " + entry.id() + from(entry) + " (" + entry.role() + software + ")");
  }

  private static String from(DirectoryEntry entry) {
    return entry.address() == null ? "" : " from " + entry.address();
  }

  private void print(String line) {
    synchronized (out) {
      out.println(LocalTime.now().format(TIME) + " " + line);
      out.flush();
    }
  }

  /** Ends the timer thread; joins still waiting for a HELLO are not printed. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
