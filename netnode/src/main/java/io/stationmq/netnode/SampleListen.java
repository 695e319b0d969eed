package io.stationmq.netnode;

/**
 * Handles stream samples decoded to a type, one call per sample, in order. Registered with
 * {@link Endpoint#onSamples}. Runs on a worker thread like a {@link Listen}; a sample that does
 * not convert, or a call that throws, is logged and counted, and the next sample goes on.
 *
 * @param <T> the sample type (a record, POJO, {@code Map}, {@link io.stationmq.message.NdArray}, ...)
 */
@FunctionalInterface
public interface SampleListen<T> {
  /** Handles one sample. */
  void handle(T sample) throws Exception;
}
