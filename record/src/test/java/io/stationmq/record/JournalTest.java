package io.stationmq.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The journal's records survive whole or are dropped from the first torn one on. */
@Timeout(30)
class JournalTest {
  @TempDir Path dir;

  private Path write(int records) throws IOException {
    Path file = dir.resolve("j.journal");
    try (Journal j = Journal.create(file, 64)) { // a small buffer: records span several writes
      for (int i = 0; i < records; i++) {
        j.append(("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(i * 7) + "\"}").getBytes(StandardCharsets.UTF_8));
      }
    }
    return file;
  }

  private static List<String> read(Path file, long[] dropped) throws IOException {
    List<String> out = new ArrayList<>();
    JournalReader.Result r = JournalReader.read(file, p -> out.add(new String(p, StandardCharsets.UTF_8)));
    dropped[0] = r.droppedBytes();
    assertEquals(out.size(), r.records());
    return out;
  }

  @Test
  void everyRecordReadsBackInOrder() throws IOException {
    long[] dropped = new long[1];
    List<String> got = read(write(50), dropped);
    assertEquals(50, got.size());
    assertEquals("{\"n\":49,", got.get(49).substring(0, 8));
    assertEquals(0, dropped[0]);
  }

  @Test
  void aTornTailIsDroppedAndTheRestKept() throws IOException {
    Path file = write(20);
    long size = Files.size(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size - 5); // the last record cut short, as a kill mid-write leaves it
    }
    long[] dropped = new long[1];
    List<String> got = read(file, dropped);
    assertEquals(19, got.size());
    assertEquals(8 + ("{\"n\":19,\"pad\":\"" + "x".repeat(133) + "\"}").length() - 5, dropped[0]);
  }

  @Test
  void aCorruptRecordEndsTheReadThere() throws IOException {
    Path file = write(20);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(file, bytes);
    long[] dropped = new long[1];
    List<String> got = read(file, dropped);
    assertEquals(true, got.size() < 20 && got.size() > 0, "read " + got.size());
    for (int i = 0; i < got.size(); i++) {
      assertEquals("{\"n\":" + i + ",", got.get(i).substring(0, got.get(i).indexOf(',') + 1));
    }
  }

  @Test
  void aFileThatIsNotAJournalIsRefused() throws IOException {
    Path file = dir.resolve("x.h5");
    Files.writeString(file, "not a journal at all");
    assertThrows(IOException.class, () -> JournalReader.read(file, p -> { }));
    assertThrows(RecordingException.class, () -> Recorder.recover(file, dir.resolve("out.h5")));
  }
}
