package io.stationmq.netnode;

import java.time.Duration;

/**
 * The settings an {@link EndpointOptions.Builder} edits, starting from the documented defaults or
 * from an existing {@link EndpointOptions}, and the rules {@link EndpointOptions.Builder#build()}
 * checks before it copies them into the immutable options.
 *
 * <p>Mutable and not thread-safe, as the builder that owns it. {@link #check()} fails with an
 * {@link IllegalArgumentException} naming the setting that is out of range. Not public API.
 */
final class EndpointOptionDraft {
  int workers = 4;
  int workerQueueCapacity = 4096;
  Duration firstRepeat = Duration.ofMillis(500);
  double repeatBackoff = 2.0;
  Duration maxRepeatInterval = Duration.ofSeconds(5);
  int maxInFlight = 10_000;
  Duration dedupWindow = Duration.ofMinutes(2);
  int dedupCapacity = 65_536;
  Duration maxDeliveryTime; // null: half of dedupWindow
  int maxMessageBytes = 64 << 20;
  int highWaterMark = 10_000;
  Duration sendTimeout = Duration.ofSeconds(2);
  int sendQueueCapacity = 10_000;
  Duration sendQueueFullWait = Duration.ZERO;
  Duration linger = Duration.ofMillis(200);
  Duration handshakeInterval = Duration.ofSeconds(1);
  Duration heartbeatInterval = Duration.ofSeconds(1);
  int livenessTolerance = 5;
  Duration helloTimeout = Duration.ofSeconds(1);
  Duration reconnectGrace = Duration.ofSeconds(5);
  NanoClock ticker = NanoClock.system();
  WallClock wallClock = WallClock.system();
  Duration clockSyncInterval = Duration.ofSeconds(10);
  EndpointListener listener = EndpointListener.NONE;
  CurveSecurity security;
  Durability durability;

  /** The defaults. */
  EndpointOptionDraft() {}

  /** The settings of {@code v}; a derived {@code maxDeliveryTime} stays derived. */
  EndpointOptionDraft(EndpointOptionValues v) {
    workers = v.workers;
    workerQueueCapacity = v.workerQueueCapacity;
    firstRepeat = v.firstRepeat;
    repeatBackoff = v.repeatBackoff;
    maxRepeatInterval = v.maxRepeatInterval;
    maxInFlight = v.maxInFlight;
    dedupWindow = v.dedupWindow;
    dedupCapacity = v.dedupCapacity;
    maxDeliveryTime = v.maxDeliveryTimeSet; // a derived one follows a new dedupWindow
    maxMessageBytes = v.maxMessageBytes;
    highWaterMark = v.highWaterMark;
    sendTimeout = v.sendTimeout;
    sendQueueCapacity = v.sendQueueCapacity;
    sendQueueFullWait = v.sendQueueFullWait;
    linger = v.linger;
    handshakeInterval = v.handshakeInterval;
    heartbeatInterval = v.heartbeatInterval;
    livenessTolerance = v.livenessTolerance;
    helloTimeout = v.helloTimeout;
    reconnectGrace = v.reconnectGrace;
    ticker = v.ticker;
    wallClock = v.wallClock;
    clockSyncInterval = v.clockSyncInterval;
    listener = v.listener;
    security = v.security;
    durability = v.durability;
  }

  /** The {@code maxDeliveryTime} in force: the one set, else half of {@code dedupWindow}. */
  Duration maxDeliveryTime() {
    return maxDeliveryTime != null ? maxDeliveryTime : dedupWindow.dividedBy(2);
  }

  /**
   * Checks every setting and the rules between them (see {@link EndpointOptions}).
   *
   * @throws IllegalArgumentException naming the setting that is out of range
   */
  void check() {
    require(workers >= 1 && workers <= 256, "workers must be 1..256, got " + workers);
    require(workerQueueCapacity >= 1, "workerQueueCapacity must be positive, got " + workerQueueCapacity);
    require(!firstRepeat.isNegative() && !firstRepeat.isZero(), "firstRepeat must be positive, got " + firstRepeat);
    require(repeatBackoff >= 1.0 && repeatBackoff <= 16.0, "repeatBackoff must be 1.0..16.0, got " + repeatBackoff);
    require(maxRepeatInterval.compareTo(firstRepeat) >= 0, "maxRepeatInterval must be at least firstRepeat");
    require(maxInFlight >= 1, "maxInFlight must be positive, got " + maxInFlight);
    require(!dedupWindow.isNegative() && !dedupWindow.isZero(),
        "dedupWindow must be positive (dedupCapacity 0 turns de-duplication off), got " + dedupWindow);
    require(dedupCapacity >= 0, "dedupCapacity must not be negative");
    Duration delivery = maxDeliveryTime();
    require(!delivery.isNegative() && !delivery.isZero(), "maxDeliveryTime must be positive, got " + delivery);
    require(delivery.compareTo(firstRepeat) > 0,
        "maxDeliveryTime (" + delivery + ") must exceed firstRepeat (" + firstRepeat + "), or nothing is ever repeated");
    require(dedupCapacity == 0 || delivery.multipliedBy(2).compareTo(dedupWindow) <= 0,
        "maxDeliveryTime (" + delivery + ") must be at most half of dedupWindow (" + dedupWindow
            + "): a message is repeated for up to maxDeliveryTime, and a repeat that reaches a"
            + " receiver after its dedupWindow is handled twice; lower maxDeliveryTime or raise dedupWindow");
    require(maxMessageBytes >= 1024, "maxMessageBytes must be at least 1024, got " + maxMessageBytes);
    require(highWaterMark >= 1, "highWaterMark must be positive, got " + highWaterMark);
    require(!linger.isNegative(), "linger must not be negative");
    require(!sendTimeout.isNegative(), "sendTimeout must not be negative");
    require(sendQueueCapacity >= 1, "sendQueueCapacity must be positive, got " + sendQueueCapacity);
    require(!sendQueueFullWait.isNegative(), "sendQueueFullWait must not be negative");
    require(!handshakeInterval.isNegative(), "handshakeInterval must not be negative");
    require(heartbeatInterval.toMillis() >= 10, "heartbeatInterval must be at least 10 ms");
    require(livenessTolerance >= 2 && livenessTolerance <= 1000, "livenessTolerance must be 2..1000, got " + livenessTolerance);
    require(!helloTimeout.isNegative() && !helloTimeout.isZero(), "helloTimeout must be positive");
    require(!reconnectGrace.isNegative(), "reconnectGrace must not be negative");
    require(clockSyncInterval.isZero() || clockSyncInterval.toMillis() >= 100,
        "clockSyncInterval must be zero (off) or at least 100 ms, got " + clockSyncInterval);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
