package io.stationmq.transfer;

import java.util.concurrent.CompletableFuture;

/**
 * One outgoing transfer: its id, name and recipient, progress (the bytes the receiver has
 * confirmed, in order, out of the total) and a future of its {@link TransferReceipt}, which
 * fails only with a {@link TransferException}. Thread-safe.
 */
public final class TransferHandle {
  private final Sender sender;

  TransferHandle(Sender sender) {
    this.sender = sender;
  }

  /** The transfer's id (give the same to resume after a sender restart). */
  public String id() {
    return sender.id();
  }

  /** The name the receiver sees. */
  public String name() {
    return sender.name();
  }

  /** The receiving endpoint's id. */
  public String to() {
    return sender.to();
  }

  /** The content's size in bytes (-1 until the source was asked). */
  public long total() {
    return sender.total();
  }

  /** The bytes the receiver has confirmed in order from the start (goes back on a resume that lost some). */
  public long confirmed() {
    return sender.confirmed();
  }

  /** Completes with the receipt once the receiver checked the hash; fails with a {@link TransferException}. */
  public CompletableFuture<TransferReceipt> done() {
    return sender.done();
  }

  /** Stops sending; the future fails with code {@code cancelled}. The receiver keeps its partial file. */
  public void cancel() {
    sender.cancel();
  }

  @Override
  public String toString() {
    return "TransferHandle{" + id() + " '" + name() + "' -> " + to() + ", " + confirmed() + "/" + total() + "}";
  }
}
