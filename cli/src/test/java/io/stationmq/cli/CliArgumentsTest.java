package io.stationmq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.testing.Ports;
import io.stationmq.netnode.testing.Threads;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Help, bad values, bind errors and a Station where nothing listens, in process. */
@Timeout(60)
class CliArgumentsTest {
  @AfterEach
  void noThreadLeft() {
    Threads.assertNoneLeft();
  }

  @Test
  void everyCommandSummaryInTheHelpIsAWholeSentence() {
    CliRun help = CliRun.of("--help");
    assertEquals(0, help.code());
    List<String> summaries = new ArrayList<>();
    boolean inCommands = false;
    for (String line : help.outLines()) {
      if (line.equals("Commands:")) {
        inCommands = true;
      } else if (inCommands && line.isBlank()) {
        break;
      } else if (inCommands && line.startsWith("    ")) {
        int last = summaries.size() - 1;
        summaries.set(last, summaries.get(last) + " " + line.strip()); // a wrapped summary
      } else if (inCommands) {
        summaries.add(line.strip());
      }
    }
    assertTrue(summaries.size() >= 12, help.out());
    for (String s : summaries) {
      assertTrue(s.endsWith("."), "a summary cut short: '" + s + "'");
    }
  }

  @Test
  void badValuesExitTwoNamingTheOptionAndWhatItAllows() {
    assertBad("--rate must be 1..100000, got 0", "demo", "--rate", "0");
    assertBad("--nodes must be 1..50, got 51", "demo", "--nodes", "51");
    assertBad("--duration must be 1..86400, got 0", "demo", "--duration", "0");
    assertBad("--web-port must be 0..65535, got 70000", "demo", "--web-port", "70000");
    assertBad("--web-port must be 0..65535, got -1", "station", "--id", "T", "--port", "0", "--web-port", "-1");
    String connect = "127.0.0.1:" + Ports.free();
    assertBad("--timeout must be more than 0 and at most 86400 seconds, got -1",
        "send", "--connect", connect, "--upstream-id", "T", "--to", "x", "--key", "K", "--timeout", "-1");
    assertBad("--connect-timeout must be more than 0", "nodes", "--connect", connect, "--upstream-id", "T",
        "--connect-timeout", "0");
    assertBad("--connect must be HOST:PORT (port 1..65535), got nowhere", "nodes", "--connect", "nowhere",
        "--upstream-id", "T");
    assertBad("--count must be 1..1000000, got 0", "ping", "x", "--connect", connect, "--upstream-id", "T", "--count", "0");
    assertBad("--window must be more than 0", "hz", "K", "--id", "m", "--connect", connect, "--upstream-id", "T",
        "--window", "0");
    assertBad("--port must be 0..65535, got 70000", "station", "--id", "T", "--port", "70000");
    assertBad("give the recipient with --to ID or --path", "send", "--connect", connect, "--upstream-id", "T",
        "--key", "K");
  }

  private static void assertBad(String message, String... args) {
    CliRun r = CliRun.of(args);
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains(message), r.toString());
    assertTrue(r.err().contains("(see 'stationmq " + args[0] + " --help')"), r.toString());
  }

  @Test
  void nothingListeningAtConnectIsSaidWithTheTimeWaited() {
    String connect = "127.0.0.1:" + Ports.free();
    for (String[] extra : new String[][] {{}, {"--confirm"}}) {
      List<String> args = new ArrayList<>(List.of("send", "--connect", connect, "--upstream-id", "T", "--to", "x",
          "--key", "K", "--connect-timeout", "1"));
      args.addAll(List.of(extra));
      CliRun r = CliRun.of(args.toArray(new String[0]));
      assertEquals(Main.NOT_CONNECTED, r.code(), r.toString());
      assertEquals("stationmq send: nothing answers at " + connect + " within 1 s (is a Station running there? "
          + "--connect-timeout waits longer)", r.err().strip());
      assertEquals("", r.out());
    }
  }

  @Test
  void aStationBindingAnAddressThisMachineDoesNotHaveOrAPortInUseExitsOneWithTheReason() throws Exception {
    Captured notMine = captured(() -> CliRun.of("station", "--id", "T", "--port", "0", "--bind", "192.0.2.1"));
    assertEquals(Main.FAILURE, notMine.run().code(), notMine.toString());
    assertEquals(1, notMine.err().strip().lines().count(), "one line: " + notMine);
    assertTrue(notMine.err().contains("192.0.2.1 is not an address of this machine"), notMine.toString());
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Captured inUse = captured(() -> CliRun.of("station", "--id", "T", "--port", Integer.toString(port),
          "--bind", "127.0.0.1"));
      assertEquals(Main.FAILURE, inUse.run().code(), inUse.toString());
      assertEquals(1, inUse.err().strip().lines().count(), "one line: " + inUse);
      assertTrue(inUse.err().contains("port " + port + " is already in use on 127.0.0.1"), inUse.toString());
    }
  }

  /** A run of the station command, which writes to the process's standard streams. */
  private record Captured(CliRun run, String out, String err) {}

  private static Captured captured(Supplier<CliRun> command) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      CliRun r = command.get();
      return new Captured(r, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
