package io.stationmq.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.RemoteException;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile sender speaking the transfer requests by hand: each bad input is refused with its
 * code and counted, and nothing is written outside the target directory.
 */
@Timeout(60)
class HostileInputTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final Closer closer = new Closer();
  private NetNode hostile;
  private Transfers receiver;
  @TempDir Path dir;
  private Path target;

  @BeforeEach
  void start() throws Exception {
    Station station = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    hostile = closer.track(NetNode.builder().id("x").upstream("127.0.0.1", station.port(), "T").build());
    NetNode b = closer.track(NetNode.builder().id("b").upstream("127.0.0.1", station.port(), "T").build());
    Await.registered(station, "x");
    Await.registered(station, "b");
    target = Files.createDirectory(dir.resolve("target"));
    receiver = closer.track(Transfers.on(b, TransferOptions.builder().maxFileBytes(1L << 30).window(4).build()));
    receiver.receiveInto(target);
  }

  @AfterEach
  void stop() throws Exception {
    closer.closeAllAndCheckThreads();
    try (Stream<Path> all = Files.walk(dir)) {
      assertEquals(List.of(dir, target), all.filter(p -> !p.startsWith(target) || p.equals(target)).toList(),
          "nothing written outside the target directory");
    }
  }

  private Map<String, Object> call(String request, Map<String, Object> args) throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> answer = hostile.request("b", request, args, Map.class, WAIT).get(20, TimeUnit.SECONDS);
    return answer;
  }

  private void refused(String code, String request, Map<String, Object> args) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> call(request, args));
    RemoteException r = assertInstanceOf(RemoteException.class, e.getCause());
    assertEquals(code, r.code(), r.getMessage());
    assertEquals(1, receiver.stats().refused(code), receiver.stats().toString());
  }

  private Map<String, Object> open(String id, String name, long size) throws Exception {
    return call(Wire.OPEN, Map.of("id", id, "name", name, "size", size, "chunk", 1000));
  }

  private static Map<String, Object> chunk(String id, long offset, int length) {
    return Map.of("id", id, "offset", offset, "data", Base64.getEncoder().encodeToString(new byte[length]));
  }

  @Test
  void aNameThatLeavesTheDirectoryIsRefused() {
    for (String name : List.of("../escape", "/etc/passwd", "a/../../b", "..", "sub/file", "..\\x")) {
      assertThrows(ExecutionException.class, () -> open("t-" + name.hashCode(), name, 10), name);
    }
    assertEquals(6, receiver.stats().refused("bad_name"));
  }

  @Test
  void aHugeDeclaredSizeIsRefused() {
    refused("too_large", Wire.OPEN, Map.of("id", "t1", "name", "huge", "size", Long.MAX_VALUE, "chunk", 1000));
    assertFalse(Files.exists(target.resolve("huge.part")));
  }

  @Test
  void aChunkBeyondTheDeclaredSizeIsRefusedAndTheTransferGivenUp() throws Exception {
    open("t2", "small", 1500);
    call(Wire.CHUNK, chunk("t2", 0, 1000));
    refused("beyond_size", Wire.CHUNK, chunk("t2", 1000, 1000));
    assertFalse(Files.exists(target.resolve("small.part")), "the partial file is deleted");
  }

  @Test
  void anOffsetGapIsRefused() throws Exception {
    open("t3", "gappy", 100_000);
    call(Wire.CHUNK, chunk("t3", 0, 1000));
    refused("offset_gap", Wire.CHUNK, chunk("t3", 50_000, 1000));
  }

  @Test
  void aWrongHashIsRefusedAndNothingIsRenamed() throws Exception {
    open("t4", "wrong", 1000);
    assertEquals(1000, ((Number) call(Wire.CHUNK, chunk("t4", 0, 1000)).get("have")).longValue());
    assertEquals(1000, ((Number) call(Wire.CHUNK, chunk("t4", 0, 1000)).get("have")).longValue(), "a repeat is idempotent");
    assertEquals(1, receiver.stats().duplicateChunks());
    refused("hash_mismatch", Wire.DONE, Map.of("id", "t4", "size", 1000, "sha256", "00".repeat(32)));
    assertFalse(Files.exists(target.resolve("wrong")));
    assertFalse(Files.exists(target.resolve("wrong.part")));
  }

  @Test
  void aChunkForAnUnknownTransferAndAMalformedRequestAreRefused() {
    refused("unknown_transfer", Wire.CHUNK, chunk("nope", 0, 10));
    refused("bad_request", Wire.CHUNK, Map.of("id", "nope", "offset", "zero", "data", ""));
  }
}
