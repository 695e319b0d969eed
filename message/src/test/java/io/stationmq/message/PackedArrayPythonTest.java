package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packs fresh bodies with the Python blosc libraries installed on this machine (Debian's
 * {@code /usr/bin/python3}) and checks that every one decodes to the array Python hashed, as
 * {@link PackedArrayGoldenTest} does for the checked-in ones. Skips, saying what to install, when
 * python3-blosc and python3-numpy (or, for Blosc 2, python-blosc2) are missing.
 */
@Timeout(180)
class PackedArrayPythonTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path SCRIPT = Path.of("src", "test", "python", "packed_arrays.py");

  @TempDir Path dir;

  @Test
  void freshBlosc1BodiesFromPythonDecode() throws Exception {
    requireModules("blosc", "apt-get install python3-blosc python3-numpy");
    checkFresh("blosc");
  }

  @Test
  void freshBlosc2BodiesFromPythonDecode() throws Exception {
    requireModules("blosc2", "pip install blosc2 for /usr/bin/python3 (Debian does not package it);"
        + " the checked-in Blosc 2 bodies are tested regardless");
    checkFresh("blosc2");
  }

  private void checkFresh(String library) throws Exception {
    Path out = dir.resolve(library);
    Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), library, out.toString())
        .redirectErrorStream(true).start();
    boolean done = p.waitFor(150, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(done, "generator finished in time; output: " + output);
    assertEquals(0, p.exitValue(), "generator output: " + output);
    List<PackedArrayGoldenTest.Case> cases = PackedArrayGoldenTest.cases(out);
    assertTrue(cases.size() > 100, "cases: " + cases.size());
    for (PackedArrayGoldenTest.Case c : cases) {
      PackedArrayGoldenTest.check(c);
    }
  }

  private static void requireModules(String module, String install) throws IOException, InterruptedException {
    Assumptions.assumeTrue(Files.isExecutable(PYTHON), "skipped: no /usr/bin/python3");
    Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import numpy, " + module)
        .redirectErrorStream(true).start();
    boolean done = probe.waitFor(60, TimeUnit.SECONDS);
    if (!done) {
      probe.destroyForcibly();
    }
    Assumptions.assumeTrue(done && probe.exitValue() == 0,
        "skipped: /usr/bin/python3 cannot import numpy and " + module + " (" + install + ")");
  }
}
