package io.stationmq.record;

import io.stationmq.netnode.Endpoint;
import io.stationmq.netnode.Listen;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Recorder} made before its endpoint exists ({@link Recorder.Builder#prepare()}), so
 * that its listens are on the endpoint from the moment it can receive anything: give {@link
 * #listens()} to the endpoint's builder, build the endpoint, then {@link #start} the recording.
 *
 * <pre>{@code
 * PreparedRecorder prepared = Recorder.builder().file(Path.of("session.h5")).stream("lick").prepare();
 * NetNode.Builder nb = NetNode.builder().id("recorder").upstream("lab", 5560, "T");
 * prepared.listens().forEach(nb::listen);
 * NetNode rec = nb.build();
 * Recorder r = prepared.start(rec);
 * }</pre>
 *
 * <p>The journal exists from {@link Recorder.Builder#prepare()} on. What the listens receive
 * before {@link #start} waits in the recorder's bounded buffer ({@link Recorder.Builder#bufferBytes})
 * and is recorded first, in arrival order; beyond the bound it is dropped and counted in {@link
 * Recorder#stats()} like anything the disk does not keep up with. Thread-safe; {@link #start}
 * succeeds once.
 */
public final class PreparedRecorder implements AutoCloseable {
  private final Recorder recorder;
  private final Map<String, Listen> listens;
  private boolean started;
  private boolean closed;

  PreparedRecorder(Recorder recorder) {
    this.recorder = recorder;
    this.listens = recorder.listens();
  }

  /**
   * The listen of each recorded key (stream keys and message keys), for the endpoint's builder:
   * {@code listens().forEach(builder::listen)}.
   */
  public Map<String, Listen> listens() {
    return listens;
  }

  /** The journal, which already exists. */
  public Path journal() {
    return recorder.journal();
  }

  /**
   * Starts the recording on {@code endpoint}: writes what the listens received so far, then
   * records as {@link Recorder.Builder#start()} does (it also registers the listens on the
   * endpoint, in case they were not given to its builder). The returned recorder owns the
   * recording from now on.
   *
   * @throws IllegalStateException when already started or closed
   */
  public synchronized Recorder start(Endpoint endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    if (started || closed) {
      throw new IllegalStateException(started ? "this recording was already started" : "this recording was closed");
    }
    recorder.attach(endpoint);
    started = true;
    return recorder;
  }

  /**
   * Discards a recording that was never started: what its listens took is forgotten (they take
   * nothing more) and the journal is deleted. Once started, does nothing: close the {@link
   * Recorder}. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (!started && !closed) {
      recorder.discard();
    }
    closed = true;
  }

  @Override
  public String toString() {
    return "PreparedRecorder{" + recorder.file() + ", keys=" + listens.keySet() + (started ? ", started}" : "}");
  }
}
