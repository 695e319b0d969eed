package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stationmq.message.Message;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.testing.PackageClasses;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The public API of stationmq's public packages names no third-party implementation type. */
class PublicApiTest {
  private static final String GUAVA = "com.google.common.";

  @Test
  void noGuavaTypeInAPublicSignature() {
    List<Class<?>> classes = new ArrayList<>();
    classes.addAll(PackageClasses.publicClasses(Message.class));
    classes.addAll(PackageClasses.publicClasses(NetNode.class));
    classes.addAll(PackageClasses.publicClasses(Station.class));
    List<String> found = new ArrayList<>();
    for (Class<?> c : classes) {
      check(c.getName() + " extends", c.getGenericSuperclass(), found);
      for (Type t : c.getGenericInterfaces()) {
        check(c.getName() + " implements", t, found);
      }
      for (Field f : c.getDeclaredFields()) {
        if (visible(f.getModifiers())) {
          check(c.getName() + "." + f.getName(), f.getGenericType(), found);
        }
      }
      List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        members.add(k);
      }
      for (Executable m : members) {
        if (!visible(m.getModifiers()) || m.isSynthetic()) {
          continue;
        }
        String where = c.getName() + "." + m.getName();
        if (m instanceof Method method) {
          check(where + " returns", method.getGenericReturnType(), found);
        }
        for (Type t : m.getGenericParameterTypes()) {
          check(where + " takes", t, found);
        }
        for (Type t : m.getGenericExceptionTypes()) {
          check(where + " throws", t, found);
        }
      }
    }
    assertEquals(List.of(), found);
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static void check(String where, Type type, List<String> found) {
    if (type != null && type.getTypeName().contains(GUAVA)) {
      found.add(where + " " + type.getTypeName());
    }
  }
}
