package io.stationmq.record;

import java.nio.file.Path;

/**
 * What turning a journal into an HDF5 file found. Immutable.
 *
 * @param file the HDF5 file written
 * @param records complete journal records read
 * @param samples stream samples written
 * @param messages keyed messages written
 * @param streams streams written (one group each)
 * @param droppedTailBytes bytes after the last complete record that were not used (a torn
 *     tail: what a killed recorder was writing); 0 for a recording that was closed
 * @param complete true when the journal ends with the recorder's own end record (it was
 *     closed, not killed)
 */
public record ConversionReport(Path file, long records, long samples, long messages, int streams,
    long droppedTailBytes, boolean complete) {}
