/**
 * Not public API: the endpoint engine that NetNode and Station are faces of. Types here may
 * change without notice; the Station module uses {@link io.stationmq.netnode.internal.Engine}
 * and {@link io.stationmq.netnode.internal.EngineConfig} only.
 */
package io.stationmq.netnode.internal;
