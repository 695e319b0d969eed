/**
 * A Station as its own process: {@link io.stationmq.station.StationMain} reads its options and
 * runs an {@link io.stationmq.netnode.Station} until it is closed or killed. The Station class
 * itself lives with {@link io.stationmq.netnode.NetNode} in {@code io.stationmq.netnode}: both
 * faces share one package-private engine.
 */
package io.stationmq.station;
