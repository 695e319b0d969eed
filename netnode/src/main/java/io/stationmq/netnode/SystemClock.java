package io.stationmq.netnode;

/** {@link NanoClock#system()}: one instance, so an endpoint can tell it from an injected clock. */
enum SystemClock implements NanoClock {
  INSTANCE;

  @Override
  public long read() {
    return System.nanoTime();
  }
}
