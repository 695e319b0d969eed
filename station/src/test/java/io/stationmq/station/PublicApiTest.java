package io.stationmq.station;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.stationmq.message.Message;
import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.PackageClasses;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The public API of stationmq's public packages names no third-party implementation type and
 * no internal type; the engine and its parts are package-private.
 */
class PublicApiTest {
  private static final String GUAVA = "com.google.common.";

  @Test
  void noGuavaTypeInAPublicSignature() {
    List<Class<?>> classes = new ArrayList<>();
    classes.addAll(PackageClasses.publicClasses(Message.class));
    classes.addAll(PackageClasses.publicClasses(NetNode.class));
    assertEquals(NetNode.class.getPackage(), Station.class.getPackage(), "both faces in one package");
    List<String> found = new ArrayList<>();
    for (Class<?> c : classes) {
      // A package-private superclass is how the faces share the engine; its public methods are theirs.
      Type superclass = c.getGenericSuperclass();
      if (superclass != null && superclass.getTypeName().contains(GUAVA)) {
        found.add(c.getName() + " extends " + superclass.getTypeName());
      }
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
    for (Class<?> c : rawClasses(type)) {
      if (c.getName().startsWith("io.stationmq.") && !Modifier.isPublic(c.getModifiers())) {
        found.add(where + " names the internal type " + c.getName());
      }
    }
  }

  /** The classes a (generic) type names. */
  private static List<Class<?>> rawClasses(Type type) {
    List<Class<?>> out = new ArrayList<>();
    if (type instanceof Class<?> c) {
      out.add(c.isArray() ? c.getComponentType() : c);
    } else if (type instanceof ParameterizedType p) {
      out.addAll(rawClasses(p.getRawType()));
      for (Type a : p.getActualTypeArguments()) {
        out.addAll(rawClasses(a));
      }
    } else if (type instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        out.addAll(rawClasses(b));
      }
    } else if (type instanceof GenericArrayType g) {
      out.addAll(rawClasses(g.getGenericComponentType()));
    }
    return out;
  }

  @Test
  void theEngineAndItsPartsAreNotPublic() throws Exception {
    for (String part : List.of("Engine", "EngineConfig", "EndpointBase", "SocketLoop", "WorkerPool", "ProcessRuntime",
        "Routes", "Delivery", "Intake", "Dispatcher", "AdminGate", "CurveGuard", "Keys")) {
      Class<?> c = Class.forName("io.stationmq.netnode." + part);
      assertFalse(Modifier.isPublic(c.getModifiers()), part + " is public");
    }
  }
}
