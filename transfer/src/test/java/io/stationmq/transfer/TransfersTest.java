package io.stationmq.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stationmq.netnode.NetNode;
import io.stationmq.netnode.Station;
import io.stationmq.netnode.testing.Await;
import io.stationmq.netnode.testing.Closer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Transfers between two NetNodes through a Station on loopback: a file, a consumer, progress, a receiver restart. */
@Timeout(120)
class TransfersTest {
  private final Closer closer = new Closer();
  private Station station;
  private NetNode a;
  private NetNode b;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    station = closer.track(Station.builder().id("T").bindAddress("127.0.0.1").build());
    a = closer.track(NetNode.builder().id("a").upstream("127.0.0.1", station.port(), "T").build());
    b = node("b");
    Await.registered(station, "a");
  }

  private NetNode node(String id) {
    NetNode n = closer.track(NetNode.builder().id(id).upstream("127.0.0.1", station.port(), "T").build());
    Await.registered(station, id);
    return n;
  }

  @AfterEach
  void stop() throws Exception {
    closer.closeAllAndCheckThreads();
  }

  @Test
  void aFileArrivesWholeWithItsHashCheckedAndRenamed() throws Exception {
    Path out = Files.createDirectory(dir.resolve("in"));
    Path file = dir.resolve("calibration.bin");
    PatternSource content = new PatternSource(20_000_000, 1);
    try (var in = content.open(0)) {
      Files.copy(in, file);
    }
    Transfers sender = closer.track(Transfers.on(a));
    Transfers receiver = closer.track(Transfers.on(b));
    CompletableFuture<TransferReceipt> received = new CompletableFuture<>();
    receiver.receive(new ReceiveHandler() {
      @Override
      public TransferTarget accept(IncomingTransfer offer) {
        return TransferTarget.directory(out);
      }

      @Override
      public void completed(TransferReceipt receipt) {
        received.complete(receipt);
      }
    });

    TransferHandle handle = sender.send("b", file);
    TransferReceipt sent = handle.done().get(60, TimeUnit.SECONDS);
    TransferReceipt got = received.get(10, TimeUnit.SECONDS);

    assertEquals(content.sha256(), sent.sha256());
    assertEquals(sent.sha256(), got.sha256());
    assertEquals(20_000_000, handle.confirmed());
    assertEquals(out.resolve("calibration.bin"), got.file().orElseThrow());
    assertEquals(-1, Files.mismatch(file, out.resolve("calibration.bin")));
    try (Stream<Path> left = Files.list(out)) {
      assertEquals(List.of(out.resolve("calibration.bin")), left.toList(), "no partial file left");
    }
    assertEquals(1, sender.stats().sent());
    assertEquals(1, receiver.stats().received());
    assertEquals(20_000_000, receiver.stats().bytesReceived());
    System.out.printf("20 MB file a -> T -> b: %.1f MB/s%n", sent.megabytesPerSecond());
  }

  @Test
  void aConsumerTakesTheBytesInOrder() throws Exception {
    ByteArrayOutputStream taken = new ByteArrayOutputStream();
    Transfers sender = closer.track(Transfers.on(a, TransferOptions.builder().chunkBytes(1000).window(4).build()));
    Transfers receiver = closer.track(Transfers.on(b));
    receiver.receive(offer -> TransferTarget.consumer((offset, bytes) -> {
      assertEquals(taken.size(), offset);
      byte[] copy = new byte[bytes.remaining()];
      bytes.get(copy);
      taken.write(copy, 0, copy.length);
    }));
    PatternSource content = new PatternSource(123_457, 2);
    TransferReceipt r = sender.send("b", content, "samples").done().get(30, TimeUnit.SECONDS);
    assertEquals(content.sha256(), r.sha256());
    byte[] expected = content.open(0).readAllBytes();
    assertTrue(java.util.Arrays.equals(expected, taken.toByteArray()));
  }

  @Test
  void anEmptySourceArrivesAsAnEmptyFile() throws Exception {
    Path out = Files.createDirectory(dir.resolve("in"));
    Transfers sender = closer.track(Transfers.on(a));
    closer.track(Transfers.on(b)).receiveInto(out);
    sender.send("b", new PatternSource(0, 3), "empty").done().get(30, TimeUnit.SECONDS);
    assertEquals(0, Files.size(out.resolve("empty")));
  }

  @Test
  void aReceiverThatRestartsMidwayIsResumedNotStartedOver() throws Exception {
    Path out = Files.createDirectory(dir.resolve("in"));
    TransferOptions options = TransferOptions.builder().chunkBytes(64 << 10).window(8)
        .chunkTimeout(Duration.ofSeconds(2)).resumeTimeout(Duration.ofSeconds(30)).build();
    Transfers sender = closer.track(Transfers.on(a, options));
    Transfers receiver = Transfers.on(b, options);
    receiver.receiveInto(out);
    PatternSource content = new PatternSource(16_000_000, 4);
    TransferHandle handle = sender.send("b", content, "weights.bin");
    Await.until("a third confirmed", Duration.ofSeconds(60), () -> handle.confirmed() > 5_000_000);
    receiver.close();
    b.close();
    long onDisk = Files.size(out.resolve("weights.bin.part"));
    assertTrue(onDisk > 0 && onDisk < content.size(), "partial file of " + onDisk + " bytes");

    NetNode again = node("b");
    Transfers restarted = closer.track(Transfers.on(again, options));
    restarted.receiveInto(out);
    TransferReceipt r = handle.done().get(60, TimeUnit.SECONDS);

    assertEquals(content.sha256(), r.sha256());
    assertTrue(r.resumes() >= 1, "resumed " + r.resumes());
    assertEquals(-1, Files.mismatch(out.resolve("weights.bin"), writeOut(content)));
    long twice = sender.stats().bytesSent() - content.size();
    long window = (long) options.window() * options.chunkBytes();
    System.out.printf("receiver restarted at %d of %d bytes: %d bytes sent twice (window %d), %d resumes%n",
        onDisk, content.size(), twice, window, r.resumes());
    assertTrue(twice <= window, twice + " bytes sent twice, more than the window of " + window);
    assertTrue(restarted.stats().bytesReceived() <= content.size() - onDisk,
        "the restarted receiver took only what the partial file lacked");
    assertFalse(Files.exists(out.resolve("weights.bin.part")));
  }

  private Path writeOut(PatternSource content) throws IOException {
    Path expected = dir.resolve("expected");
    try (var in = content.open(0)) {
      Files.copy(in, expected);
    }
    return expected;
  }
}
