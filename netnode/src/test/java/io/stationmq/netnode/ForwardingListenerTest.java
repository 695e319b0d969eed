package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The base of the listener wrappers passes every listener method on, with its arguments. */
@Timeout(10)
class ForwardingListenerTest {
  @Test
  void everyListenerMethodIsPassedOnWithItsArguments() throws Exception {
    List<String> heard = new ArrayList<>();
    EndpointListener app = (EndpointListener) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {EndpointListener.class}, (proxy, method, args) -> {
          heard.add(method.getName() + "/" + (args == null ? 0 : args.length));
          return null;
        });
    EndpointListener forwarding = new ForwardingListener(app) {};
    List<String> expected = new ArrayList<>();
    for (Method m : EndpointListener.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Object[] args = new Object[m.getParameterCount()];
      for (int i = 0; i < args.length; i++) {
        Class<?> type = m.getParameterTypes()[i];
        args[i] = type == long.class ? 0L : type == int.class ? 0 : type == boolean.class ? false : null;
      }
      m.invoke(forwarding, args);
      expected.add(m.getName() + "/" + m.getParameterCount());
    }
    assertEquals(expected, heard, "ForwardingListener must pass every call on to the application's listener");
  }
}
