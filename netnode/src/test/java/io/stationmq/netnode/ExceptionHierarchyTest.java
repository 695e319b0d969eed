package io.stationmq.netnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.message.MessageFormatException;
import io.stationmq.message.StationmqException;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every public exception type of stationmq's public packages is a {@link StationmqException}. */
class ExceptionHierarchyTest {
  @Test
  void everyPublicExceptionIsAStationmqException() throws Exception {
    List<Class<?>> found = new ArrayList<>();
    found.addAll(publicThrowables(DeliveryException.class));
    found.addAll(publicThrowables(MessageFormatException.class));
    Set<String> names = new TreeSet<>();
    for (Class<?> c : found) {
      names.add(c.getSimpleName());
      assertTrue(StationmqException.class.isAssignableFrom(c), c.getName() + " is not a StationmqException");
    }
    // The scan must see the known types, or it would pass by finding nothing.
    assertTrue(names.containsAll(Set.of("DeliveryException", "TtlExpiredException", "UnreachableException",
        "EndpointClosedException", "OutboxFullException", "DuplicateMessageException", "RemoteException",
        "RequestTimeoutException", "MessageFormatException", "StationmqException")), names.toString());
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

  /** The public Throwable subclasses in {@code anchor}'s package, read from where it was loaded. */
  private static List<Class<?>> publicThrowables(Class<?> anchor) throws IOException, URISyntaxException,
      ClassNotFoundException {
    String pkg = anchor.getPackageName();
    String dir = pkg.replace('.', '/') + "/";
    Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> classNames = new ArrayList<>();
    if (Files.isDirectory(location)) {
      try (Stream<Path> files = Files.list(location.resolve(dir))) {
        files.map(p -> p.getFileName().toString()).forEach(classNames::add);
      }
    } else {
      try (JarFile jar = new JarFile(location.toFile())) {
        for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
          String name = en.nextElement().getName();
          if (name.startsWith(dir) && name.indexOf('/', dir.length()) < 0) {
            classNames.add(name.substring(dir.length()));
          }
        }
      }
    }
    List<Class<?>> out = new ArrayList<>();
    for (String file : classNames) {
      if (!file.endsWith(".class") || file.contains("$") || file.equals("package-info.class")) {
        continue;
      }
      Class<?> c = Class.forName(pkg + "." + file.substring(0, file.length() - ".class".length()));
      if (Throwable.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers())) {
        out.add(c);
      }
    }
    return out;
  }
}
