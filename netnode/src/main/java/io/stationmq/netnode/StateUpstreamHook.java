package io.stationmq.netnode;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The application's {@link EndpointListener} with one addition: when the upstream answers HELLO
 * (first, again after a loss) or turns out to have restarted, {@link StateService} is told, so an
 * owner re-sends its snapshot and a replica subscribes again. Every call goes on to the
 * application's listener unchanged (a proxy, so listener methods added later pass too). Runs on
 * the endpoint's callback lane. Not public API.
 */
final class StateUpstreamHook implements InvocationHandler {
  private final EndpointListener user;
  private final Runnable upstreamUp;

  private StateUpstreamHook(EndpointListener user, Runnable upstreamUp) {
    this.user = user;
    this.upstreamUp = upstreamUp;
  }

  static EndpointListener wrap(EndpointListener user, Runnable upstreamUp) {
    return (EndpointListener) Proxy.newProxyInstance(EndpointListener.class.getClassLoader(),
        new Class<?>[] {EndpointListener.class}, new StateUpstreamHook(user, upstreamUp));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "equals" -> proxy == args[0];
        case "hashCode" -> System.identityHashCode(proxy);
        default -> "StateUpstreamHook{" + user + "}";
      };
    }
    if (method.getName().equals("upstreamChanged") && args[1] == UpstreamState.CONNECTED
        || method.getName().equals("upstreamBack") && "restarted".equals(args[1])) {
      upstreamUp.run();
    }
    try {
      return method.invoke(user, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
