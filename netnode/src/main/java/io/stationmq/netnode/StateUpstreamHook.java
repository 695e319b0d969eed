package io.stationmq.netnode;

/**
 * The application's {@link EndpointListener} with one addition: when the upstream answers HELLO
 * (first, again after a loss) or turns out to have restarted, {@link StateService} is told first,
 * so an owner re-sends its snapshot and a replica subscribes again. Every call goes on to the
 * application's listener unchanged. Runs on the endpoint's callback lane. Not public API.
 */
final class StateUpstreamHook extends ForwardingListener {
  private final Runnable upstreamUp;

  StateUpstreamHook(EndpointListener user, Runnable upstreamUp) {
    super(user);
    this.upstreamUp = upstreamUp;
  }

  @Override
  public void upstreamBack(String upstreamId, String reason) {
    if ("restarted".equals(reason)) {
      upstreamUp.run();
    }
    app.upstreamBack(upstreamId, reason);
  }

  @Override
  public void upstreamChanged(String upstreamId, UpstreamState state, String reason) {
    if (state == UpstreamState.CONNECTED) {
      upstreamUp.run();
    }
    app.upstreamChanged(upstreamId, state, reason);
  }

  @Override
  public String toString() {
    return "StateUpstreamHook{" + app + "}";
  }
}
