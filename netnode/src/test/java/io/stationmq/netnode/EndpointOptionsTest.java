package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every setting survives a copy through {@code toBuilder()}, and built options never change. */
@Timeout(10)
class EndpointOptionsTest {
  private static final NanoClock TICKER = () -> 42;
  private static final WallClock WALL = () -> 43;
  private static final EndpointListener LISTENER = new EndpointListener() {};
  private static final CurveSecurity SECURITY = CurveSecurity.builder(CurveKeys.generate()).allowAnyKey().build();
  private static final Durability DURABILITY = Durability.in(Path.of("durable"));

  /** Every accessor, so a setting a copy forgets shows up by name. */
  private static final List<Function<EndpointOptions, Object>> SETTINGS = List.of(
      EndpointOptions::workers, EndpointOptions::workerQueueCapacity, EndpointOptions::firstRepeat,
      EndpointOptions::repeatBackoff, EndpointOptions::maxRepeatInterval, EndpointOptions::maxInFlight,
      EndpointOptions::dedupWindow, EndpointOptions::dedupCapacity, EndpointOptions::maxDeliveryTime,
      EndpointOptions::maxMessageBytes, EndpointOptions::highWaterMark, EndpointOptions::sendTimeout,
      EndpointOptions::sendQueueCapacity, EndpointOptions::sendQueueFullWait, EndpointOptions::linger,
      EndpointOptions::handshakeInterval, EndpointOptions::heartbeatInterval, EndpointOptions::livenessTolerance,
      EndpointOptions::helloTimeout, EndpointOptions::reconnectGrace, EndpointOptions::ticker,
      EndpointOptions::wallClock, EndpointOptions::clockSyncInterval, EndpointOptions::listener,
      EndpointOptions::security, EndpointOptions::durability);

  /** Every setting away from its default. */
  private static EndpointOptions.Builder changed() {
    return EndpointOptions.builder().workers(3).workerQueueCapacity(17).firstRepeat(Duration.ofMillis(300))
        .repeatBackoff(1.5).maxRepeatInterval(Duration.ofSeconds(4)).maxInFlight(99)
        .dedupWindow(Duration.ofSeconds(50)).dedupCapacity(1000).maxDeliveryTime(Duration.ofSeconds(20))
        .maxMessageBytes(4096).highWaterMark(77).sendTimeout(Duration.ofSeconds(3)).sendQueueCapacity(55)
        .sendQueueFullWait(Duration.ofMillis(7)).linger(Duration.ofMillis(9)).handshakeInterval(Duration.ofMillis(800))
        .heartbeatInterval(Duration.ofMillis(300)).livenessTolerance(4).helloTimeout(Duration.ofMillis(600))
        .reconnectGrace(Duration.ofSeconds(2)).ticker(TICKER).wallClock(WALL).clockSyncInterval(Duration.ZERO)
        .listener(LISTENER).security(SECURITY).durability(DURABILITY);
  }

  @Test
  void everySettingSurvivesToBuilder() {
    EndpointOptions defaults = EndpointOptions.defaults();
    EndpointOptions set = changed().build();
    EndpointOptions copy = set.toBuilder().build();
    for (int i = 0; i < SETTINGS.size(); i++) {
      Function<EndpointOptions, Object> setting = SETTINGS.get(i);
      assertNotEquals(setting.apply(defaults), setting.apply(set), "setting " + i + " is changed by the test");
      assertEquals(setting.apply(set), setting.apply(copy), "setting " + i + " survives toBuilder()");
    }
    assertSame(TICKER, copy.ticker());
    assertSame(LISTENER, copy.listener());
  }

  @Test
  void aBuilderChangedAfterBuildLeavesTheBuiltOptionsAlone() {
    EndpointOptions.Builder b = changed();
    EndpointOptions built = b.build();
    b.workers(8).security(null).maxDeliveryTime(null).dedupWindow(Duration.ofSeconds(60));
    assertEquals(3, built.workers());
    assertSame(SECURITY, built.security());
    assertEquals(Duration.ofSeconds(20), built.maxDeliveryTime());
    EndpointOptions rebuilt = b.build();
    assertEquals(8, rebuilt.workers());
    assertNull(rebuilt.security());
    assertEquals(Duration.ofSeconds(30), rebuilt.maxDeliveryTime(), "derived again from the window");
  }
}
