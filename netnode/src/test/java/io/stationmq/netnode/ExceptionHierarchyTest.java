package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.MessageFormatException;
import io.stationmq.message.StationmqException;
import io.stationmq.netnode.testing.PackageClasses;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every public exception type of stationmq's public packages is a {@link StationmqException}. */
class ExceptionHierarchyTest {
  @Test
  void everyPublicExceptionIsAStationmqException() {
    List<Class<?>> found = new ArrayList<>();
    found.addAll(PackageClasses.publicClasses(DeliveryException.class));
    found.addAll(PackageClasses.publicClasses(MessageFormatException.class));
    Set<String> names = new TreeSet<>();
    for (Class<?> c : found) {
      if (!Throwable.class.isAssignableFrom(c)) {
        continue;
      }
      names.add(c.getSimpleName());
      assertTrue(StationmqException.class.isAssignableFrom(c), c.getName() + " is not a StationmqException");
    }
    // The scan must see the known types, or it would pass by finding nothing.
    assertTrue(names.containsAll(Set.of("DeliveryException", "TtlExpiredException", "UnreachableException",
        "EndpointClosedException", "OutboxFullException", "DuplicateMessageException", "RemoteException",
        "RequestTimeoutException", "MessageFormatException", "StationmqException", "ReceiverCrashedException",
        "DurableStoreException")), names.toString());
  }

  @Test
  void theRootIsUncheckedAndAbstract() {
    assertTrue(RuntimeException.class.isAssignableFrom(StationmqException.class));
    assertTrue(Modifier.isAbstract(StationmqException.class.getModifiers()));
  }

  @Test
  void deliveryFailuresKeepTheirAccessors() {
    DeliveryException e = new TtlExpiredException("a_1", "b", 3);
    StationmqException root = e;
    assertEquals("a_1", e.messageId());
    assertEquals("b", e.recipient());
    assertEquals(3, e.attempts());
    assertTrue(root.getMessage().contains("a_1"));
  }
}
