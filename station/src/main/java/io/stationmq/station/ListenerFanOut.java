package io.stationmq.station;

import io.stationmq.netnode.EndpointListener;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * One {@link EndpointListener} that tells several, in order: an endpoint takes one listener, and
 * {@link StationMain} has its own ({@link StationEvents}) besides what its caller adds. A proxy,
 * so that an event added to the interface later reaches every listener without a change here.
 * Each listener is called even when one before it throws; the first failure is then rethrown
 * (the endpoint logs and ignores it). Thread-safe when the listeners are.
 */
final class ListenerFanOut {
  private ListenerFanOut() {}

  /** {@code first} alone when {@code others} is empty, else a listener telling them all. */
  static EndpointListener of(EndpointListener first, List<EndpointListener> others) {
    if (others.isEmpty()) {
      return first;
    }
    List<EndpointListener> all = new java.util.ArrayList<>();
    all.add(first);
    all.addAll(others);
    List<EndpointListener> listeners = List.copyOf(all);
    return (EndpointListener) Proxy.newProxyInstance(EndpointListener.class.getClassLoader(),
        new Class<?>[] {EndpointListener.class}, (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, args, listeners);
          }
          Throwable failure = null;
          for (EndpointListener l : listeners) {
            try {
              method.invoke(l, args);
            } catch (InvocationTargetException e) {
              failure = failure == null ? e.getCause() : failure;
            }
          }
          if (failure != null) {
            throw failure;
          }
          return null;
        });
  }

  private static Object objectMethod(Object proxy, Method method, Object[] args, List<EndpointListener> listeners) {
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> "ListenerFanOut" + listeners;
    };
  }
}
