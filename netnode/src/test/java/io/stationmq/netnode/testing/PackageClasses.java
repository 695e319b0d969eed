package io.stationmq.netnode.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** The classes of a package, read from the directory or jar its anchor class was loaded from. */
public final class PackageClasses {
  private PackageClasses() {}

  /** The public top-level and nested classes in {@code anchor}'s package. */
  public static List<Class<?>> publicClasses(Class<?> anchor) {
    String pkg = anchor.getPackageName();
    String dir = pkg.replace('.', '/') + "/";
    List<String> files = new ArrayList<>();
    try {
      Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(location)) {
        try (Stream<Path> list = Files.list(location.resolve(dir))) {
          list.map(p -> p.getFileName().toString()).forEach(files::add);
        }
      } else {
        try (JarFile jar = new JarFile(location.toFile())) {
          for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
            String name = en.nextElement().getName();
            if (name.startsWith(dir) && name.indexOf('/', dir.length()) < 0) {
              files.add(name.substring(dir.length()));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    List<Class<?>> out = new ArrayList<>();
    for (String file : files) {
      if (!file.endsWith(".class") || file.equals("package-info.class")) {
        continue;
      }
      String name = pkg + "." + file.substring(0, file.length() - ".class".length());
      Class<?> c;
      try {
        c = Class.forName(name, false, anchor.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("cannot load " + name, e);
      }
      if (isPublicApi(c)) {
        out.add(c);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no public classes found in " + pkg);
    }
    return out;
  }

  private static boolean isPublicApi(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()) {
        return false;
      }
    }
    return true;
  }
}
