/**
 * The stationmq message model and wire format.
 *
 * <p>Start with {@link io.stationmq.message.Message} (an immutable message built by a
 * builder), {@link io.stationmq.message.MessageCodec} (the JSON body the autopilot toolkit
 * reads and writes) and {@link io.stationmq.message.Envelope} (the frames around a body,
 * read without decoding it). {@link io.stationmq.message.NdArray} carries numpy arrays.
 * Every decoding failure is a {@link io.stationmq.message.MessageFormatException}; every
 * exception stationmq raises for its own reasons is a {@link
 * io.stationmq.message.StationmqException}.
 */
package io.stationmq.message;
