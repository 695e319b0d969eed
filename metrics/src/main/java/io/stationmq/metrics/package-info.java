/**
 * Metrics for stationmq endpoints: {@link io.stationmq.metrics.StationmqMetrics} binds an
 * endpoint's counters and directory to any Micrometer registry, and {@link
 * io.stationmq.metrics.PrometheusEndpoint} serves a Prometheus registry over HTTP. A separate
 * module so that only users who want metrics carry Micrometer.
 */
package io.stationmq.metrics;
