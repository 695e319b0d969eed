package io.stationmq.bench;

import java.util.List;

/**
 * One comparison: a stationmq side and a raw JeroMQ side doing the same thing, and the floor
 * the issue sets for their ratio.
 *
 * @param number 1-based, for {@code --scenario N}
 * @param title what is measured, for the table
 * @param latency true for a round-trip scenario (figures p50, p99, p99.9 in µs; lower is
 *     better; the floor caps the p99 ratio), false for a rate (one figure in msgs/s; the floor
 *     is a minimum ratio)
 * @param floor the ratio stationmq/raw required: at least this for rates, at most this for
 *     the p99 of round trips
 * @param absoluteFloor a minimum stationmq rate in msgs/s also required, or 0 for none
 * @param stationmq the stationmq side
 * @param raw the raw JeroMQ side
 */
record Scenario(int number, String title, boolean latency, double floor, double absoluteFloor, Side stationmq, Side raw) {

  /** One side of a scenario: builds its peers, measures once, closes everything. */
  @FunctionalInterface
  interface Side {
    Sample run(Settings settings, boolean warmup) throws Exception;
  }

  /** The names of the figures a sample of this scenario holds. */
  List<String> figures() {
    return latency ? List.of("p50", "p99", "p99.9") : List.of("msgs/s");
  }

  /** The figure the floor applies to. */
  int floorFigure() {
    return latency ? 1 : 0;
  }

  /** True when a ratio meets the floor. */
  boolean meetsFloor(double ratio) {
    return latency ? ratio <= floor : ratio >= floor;
  }

  /** The five scenarios of the harness, in order. */
  static List<Scenario> all() {
    return List.of(
        new Scenario(1, "node → node, unconfirmed", false, 0.5, 0,
            StationmqSides.checked(StationmqSides::direct), RawSides::direct),
        new Scenario(2, "node → node, confirmed (window 1,000)", false, 0.4, 0,
            StationmqSides.checked(StationmqSides::directConfirmed), RawSides::directConfirmed),
        new Scenario(3, "node → station → node, unconfirmed", false, 0.5, 0,
            StationmqSides.checked(StationmqSides::viaStation), RawSides::viaStation),
        new Scenario(4, "node → station → node, confirmed (window 1,000)", false, 0.4, 25_000,
            StationmqSides.checked(StationmqSides::viaStationConfirmed), RawSides::viaStationConfirmed),
        new Scenario(5, "round trip node → station → node → station → node", true, 2.0, 0,
            StationmqSides.checked(StationmqSides::roundTrip), RawSides::roundTrip));
  }
}
