package io.stationmq.record;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.netnode.ClockOffset;
import io.stationmq.netnode.DirectoryEntry;
import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.WallClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the clock offsets of the nodes around the recorder, each as "that node's clock minus the
 * recorder's", and hands them to a sink. On a Station: its directory. On a NetNode: its own
 * offset to its Station (the Station's clock is minus that) and the Station's {@code DIRECTORY}
 * reply (each node's offset to the Station, less the recorder's own). Runs on the writer thread
 * ({@link #poll}); the {@code DIRECTORY} reply arrives on the endpoint's callback thread.
 */
final class ClockRecorder {
  private static final Logger log = LoggerFactory.getLogger(ClockRecorder.class);

  /** Receives one offset: node, when (recorder clock, epoch seconds), offset and uncertainty (seconds). */
  interface Sink {
    void offset(String node, double time, double offset, double uncertainty);
  }

  private final Endpoint endpoint;
  private final long intervalNanos;
  private final Sink sink;
  private long next = System.nanoTime();
  private volatile boolean closed;
  private volatile boolean warned;

  ClockRecorder(Endpoint endpoint, Duration interval, Sink sink) {
    this.endpoint = endpoint;
    this.intervalNanos = interval.toNanos();
    this.sink = sink;
  }

  /** Records the offsets when the interval has passed since the last reading (writer thread). */
  synchronized void poll() {
    long now = System.nanoTime();
    if (closed || now - next < 0 || endpoint.isClosed()) {
      return;
    }
    next = now + intervalNanos;
    read();
  }

  /**
   * Records the offsets now and waits up to {@code wait} for the Station's answer, so that a
   * recording shorter than the interval, or than the first answer, still ends with a reading of
   * every node's offset (the recording's closing thread).
   */
  void finalReading(Duration wait) {
    CompletableFuture<?> answered;
    synchronized (this) {
      if (closed || endpoint.isClosed()) {
        return;
      }
      answered = read();
    }
    try {
      answered.get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Nothing more to record: the reading's own handler logged what it could.
    }
  }

  /** Reads the offsets known now; completes when the last of them has been recorded. */
  private CompletableFuture<?> read() {
    Instant at = WallClock.system().instant();
    double t = at.getEpochSecond() + at.getNano() / 1e9;
    if (endpoint instanceof Station station) {
      for (DirectoryEntry e : station.directory()) {
        ClockOffset o = e.clockOffset();
        if (o.isKnown()) {
          ClockOffset nowO = o.at(at);
          sink.offset(e.id(), t, nowO.offsetNanos() / 1e9, nowO.uncertaintyNanos() / 1e9);
        }
      }
    } else if (endpoint instanceof NetNode node) {
      ClockOffset mine = node.clockOffset();
      if (!mine.isKnown()) {
        return CompletableFuture.completedFuture(null);
      }
      ClockOffset m = mine.at(at);
      double myOffset = m.offsetNanos() / 1e9;
      double myUnc = m.uncertaintyNanos() / 1e9;
      sink.offset(node.upstreamId(), t, -myOffset, myUnc);
      return node.request(node.upstreamId(), "DIRECTORY", null, Duration.ofSeconds(2)).whenComplete((reply, error) -> {
        if (error != null || closed) {
          if (error != null && !warned) {
            warned = true;
            log.debug("recorder on '{}': no DIRECTORY from '{}' ({}); only the Station's offset is recorded",
                node.id(), node.upstreamId(), error.toString());
          }
          return;
        }
        for (JsonNode e : reply.valueNode()) {
          JsonNode off = e.path("clock_offset_us");
          JsonNode unc = e.path("clock_uncertainty_us");
          String id = e.path("id").asText();
          if (off.isNumber() && unc.isNumber() && !id.equals(node.id())) {
            sink.offset(id, t, off.asDouble() / 1e6 - myOffset, unc.asDouble() / 1e6 + myUnc);
          }
        }
      });
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Records no more offsets (a late DIRECTORY reply is ignored). */
  void close() {
    closed = true;
  }

}
