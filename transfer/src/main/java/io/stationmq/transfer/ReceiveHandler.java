package io.stationmq.transfer;

/**
 * Decides where incoming transfers go and hears how they end; registered with {@link
 * Transfers#receive}. Called on a worker thread of the receiving endpoint: {@link #accept} once
 * per transfer when it opens (again when it resumes after a receiver restart), {@link
 * #completed} after the hash checked (and the file was renamed), {@link #failed} when the
 * receiver refused or gave it up. Exceptions thrown here are logged; one from {@link #accept}
 * refuses the transfer.
 */
@FunctionalInterface
public interface ReceiveHandler {
  /** Where {@code offer} goes. */
  TransferTarget accept(IncomingTransfer offer);

  /** The transfer arrived whole, its hash checked. No-op by default. */
  default void completed(TransferReceipt receipt) {}

  /** The transfer was refused or given up on this side. No-op by default. */
  default void failed(IncomingTransfer offer, TransferException error) {}
}
