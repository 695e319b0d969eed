package io.stationmq.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The confirmation written and read by hand gives exactly what the general codec gives: the same
 * bytes, and the same answer to "is this a CONFIRM, of which id" for every golden body, for
 * confirmations from the Python toolkit, and for every truncation and variation of one.
 */
@Timeout(30)
class PlainBodiesTest {
  private static final Path WIRE = Path.of("src", "test", "resources", "autopilot-wire");
  private static final LocalDateTime T = LocalDateTime.of(2026, 11, 21, 10, 15, 30, 123_456_000);

  private static byte[] general(String id, String to, String sender, String confirmed) {
    return MessageCodec.encode(Message.builder().id(id).to(to).sender(sender).key("CONFIRM").value(confirmed)
        .timestamp(T).flag(Flags.NOREPEAT).build());
  }

  private static void samePeek(byte[] body, String what) {
    assertEquals(MessageCodec.peekConfirmScanning(body), MessageCodec.peekConfirm(body), what);
  }

  @Test
  void aConfirmIsEncodedAsTheGeneralCodecDoes() {
    List<String[]> cases = List.of(
        new String[] {"B_7", "A", "B", "A_3"},
        new String[] {"node-1_live_0", "_T", "node-1", "x y~z!#$%&'()*+,-./:;<=>?@[]^`{|}"},
        new String[] {"B_1", "A", "B", "quote\"inside"},
        new String[] {"B_1", "A", "B", "back\\slash"},
        new String[] {"B_1", "Ä", "B", "A_1"},
        new String[] {"B_1", "A", "B", "tab\there"},
        new String[] {"B_1", "A", "B", "\u007f"},
        new String[] {"B_1", "A", "B", ""},
        new String[] {"B_1", "A", "B", "日本"});
    for (String[] c : cases) {
      byte[] expected = general(c[0], c[1], c[2], c[3]);
      assertArrayEquals(expected, MessageCodec.encodeConfirm(c[0], c[1], c[2], c[3], T),
          () -> new String(expected, StandardCharsets.UTF_8));
      assertEquals(c[3], MessageCodec.peekConfirm(expected));
    }
  }

  @Test
  void peekingByHandAgreesWithTheScanOnEveryGoldenBodyAndFrame() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> bodies = Files.list(WIRE.resolve("bodies"))) {
      bodies.forEach(files::add);
    }
    for (Path f : files) {
      samePeek(Files.readAllBytes(f), f.toString());
    }
    // A CONFIRM from the Python toolkit, as its Net_Node sent it (last frame).
    List<String> frames = Files.readAllLines(WIRE.resolve("frames").resolve("node_confirm.frames"));
    byte[] pythonConfirm = java.util.Base64.getDecoder().decode(frames.get(frames.size() - 1));
    samePeek(pythonConfirm, "node_confirm.frames");
    assertEquals(MessageCodec.decode(pythonConfirm).valueNode().textValue(), MessageCodec.peekConfirm(pythonConfirm));
  }

  @Test
  void everyTruncationAndVariationOfAConfirmReadsAsTheScanReadsIt() {
    byte[] body = general("B_7", "A", "B", "A_3");
    for (int n = 0; n <= body.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(body, n);
      samePeek(cut, "truncated to " + n);
    }
    String plain = new String(body, StandardCharsets.UTF_8);
    List<String> variants = List.of(
        plain.replace(", \"", ",\"").replace("\": ", "\":"), // compact separators
        plain.replace("\"to\": \"A\"", "\"to\": [\"S\", \"A\"]"), // a multihop path
        plain.replace("\"value\": \"A_3\"", "\"value\": 3"), // not a string
        plain.replace("\"key\": \"CONFIRM\"", "\"key\": \"DATA\""),
        plain.replace("\"key\": \"CONFIRM\"", "\"key\": \"\""),
        plain.replace("\"id\": \"B_7\"", "\"id\": \"\""),
        plain.replace("\"sender\": \"B\"", "\"sender\": \"\""),
        plain.replace("\"value\": \"A_3\"", "\"value\": \"A\\u00e9\""), // an escape
        plain.replace("\"to\": \"A\"", "\"to\": \"\""),
        "{\"to\": \"A\", \"id\": \"B_7\", \"sender\": \"B\", \"key\": \"CONFIRM\", \"value\": \"A_3\"}",
        "[]", "", "{", "{\"id\": \"B_7\"");
    for (String v : variants) {
      samePeek(v.getBytes(StandardCharsets.UTF_8), v);
    }
    samePeek(null, "null");
  }
}
