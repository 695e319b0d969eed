/**
 * Recording streams and keyed messages to HDF5 files: {@link io.stationmq.record.Recorder}
 * attaches to a NetNode or a Station, journals what it receives (crash-safe, flushed every
 * second) and turns the journal into one HDF5 file on close, or after a crash with {@link
 * io.stationmq.record.Recorder#recover}. Start with {@code Recorder}; {@link
 * io.stationmq.record.PreparedRecorder} puts its listens on an endpoint's builder so that nothing
 * is lost at the start. The file layout is in the README's "Recording" section.
 */
package io.stationmq.record;
