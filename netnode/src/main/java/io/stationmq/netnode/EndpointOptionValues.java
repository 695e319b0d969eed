package io.stationmq.netnode;

import java.time.Duration;

/**
 * The values an {@link EndpointOptions} holds, copied from a checked {@link EndpointOptionDraft}.
 * A package-private superclass so that the options' accessors read these final fields directly
 * and a builder's draft can start from them ({@link EndpointOptions#toBuilder()}); everything
 * public, with its documentation, is in {@link EndpointOptions}.
 *
 * <p>Immutable and thread-safe. Not public API.
 */
abstract class EndpointOptionValues {
  final int workers;
  final int workerQueueCapacity;
  final Duration firstRepeat;
  final double repeatBackoff;
  final Duration maxRepeatInterval;
  final int maxInFlight;
  final Duration dedupWindow;
  final int dedupCapacity;
  final Duration maxDeliveryTime;
  final Duration maxDeliveryTimeSet; // null when derived from dedupWindow
  final int maxMessageBytes;
  final int highWaterMark;
  final Duration sendTimeout;
  final int sendQueueCapacity;
  final Duration sendQueueFullWait;
  final Duration linger;
  final Duration handshakeInterval;
  final Duration heartbeatInterval;
  final int livenessTolerance;
  final Duration helloTimeout;
  final Duration reconnectGrace;
  final NanoClock ticker;
  final WallClock wallClock;
  final Duration clockSyncInterval;
  final EndpointListener listener;
  final CurveSecurity security;
  final Durability durability;

  /** Copies {@code d}, which {@link EndpointOptionDraft#check()} has accepted. */
  EndpointOptionValues(EndpointOptionDraft d) {
    this.workers = d.workers;
    this.workerQueueCapacity = d.workerQueueCapacity;
    this.firstRepeat = d.firstRepeat;
    this.repeatBackoff = d.repeatBackoff;
    this.maxRepeatInterval = d.maxRepeatInterval;
    this.maxInFlight = d.maxInFlight;
    this.dedupWindow = d.dedupWindow;
    this.dedupCapacity = d.dedupCapacity;
    this.maxDeliveryTime = d.maxDeliveryTime();
    this.maxDeliveryTimeSet = d.maxDeliveryTime;
    this.maxMessageBytes = d.maxMessageBytes;
    this.highWaterMark = d.highWaterMark;
    this.sendTimeout = d.sendTimeout;
    this.sendQueueCapacity = d.sendQueueCapacity;
    this.sendQueueFullWait = d.sendQueueFullWait;
    this.linger = d.linger;
    this.handshakeInterval = d.handshakeInterval;
    this.heartbeatInterval = d.heartbeatInterval;
    this.livenessTolerance = d.livenessTolerance;
    this.helloTimeout = d.helloTimeout;
    this.reconnectGrace = d.reconnectGrace;
    this.ticker = d.ticker;
    this.wallClock = d.wallClock;
    this.clockSyncInterval = d.clockSyncInterval;
    this.listener = d.listener;
    this.security = d.security;
    this.durability = d.durability;
  }
}
