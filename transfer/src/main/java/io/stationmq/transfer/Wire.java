package io.stationmq.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import io.stationmq.message.Message;
import io.stationmq.netnode.RemoteException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * The transfer protocol's requests and the reading of their fields. Three requests, each
 * answered by the receiver:
 *
 * <ul>
 *   <li>{@code SMQ_XFER_OPEN {id, name, size, chunk}}: opens or resumes; the answer {@code {have,
 *       window}} says how many bytes from the start the receiver holds (where to continue) and
 *       how many chunks it buffers out of order.
 *   <li>{@code SMQ_XFER_CHUNK {id, offset, data}}: {@code data} is base64; the answer {@code
 *       {have}}. A chunk the receiver already has is confirmed again and not written.
 *   <li>{@code SMQ_XFER_DONE {id, size, sha256}}: the receiver checks the hash and renames the
 *       file; the answer {@code {sha256}}.
 * </ul>
 *
 * Refusals are request errors with a code ({@link TransferException#code()}).
 */
final class Wire {
  static final String OPEN = "SMQ_XFER_OPEN";
  static final String CHUNK = "SMQ_XFER_CHUNK";
  static final String DONE = "SMQ_XFER_DONE";

  /** Refusals after which a sender tries to resume; any other code fails the transfer. */
  static final Set<String> RESUMABLE = Set.of("unknown_transfer", "unknown_request", "incomplete", "not_receiving");

  private Wire() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  /** Reads fields of a request's arguments, refusing a missing or mistyped one as {@code bad_request}. */
  static final class Args {
    private final Message request;
    private final Counters counters;

    Args(Message request, Counters counters) {
      this.request = request;
      this.counters = counters;
    }

    String text(String field) {
      JsonNode node = request.valueField(field);
      if (node == null || !node.isTextual()) {
        throw bad("field '" + field + "' must be a string");
      }
      return node.textValue();
    }

    long number(String field) {
      JsonNode node = request.valueField(field);
      if (node == null || !node.canConvertToExactIntegral() || !node.canConvertToLong()) {
        throw bad("field '" + field + "' must be an integer");
      }
      return node.longValue();
    }

    RemoteException refuse(String code, String message) {
      return counters.refuse(code, request.sender(), message);
    }

    private RemoteException bad(String message) {
      return refuse("bad_request", request.key() + " " + request.extraText("request").orElse("") + ": " + message);
    }
  }
}
