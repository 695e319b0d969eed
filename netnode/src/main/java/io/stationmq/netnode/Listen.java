package io.stationmq.netnode;

import io.stationmq.message.Message;

/**
 * Handles the messages of one key. Registered on an endpoint with {@code on(key, listen)}.
 *
 * <p>Called on one of the endpoint's worker threads, never on its socket thread. Messages
 * from one sender with one key are handled one at a time, in arrival order; other keys and
 * senders run in parallel on other workers. A slow listen delays the messages queued behind
 * it on the same worker. A listen that throws is logged, counted ({@link
 * EndpointStats#handlerErrors()}) and reported to {@link EndpointListener#handlerFailed};
 * the worker goes on. A listen may send messages and may close its endpoint.
 */
@FunctionalInterface
public interface Listen {
  /** Handles one message (the whole message: id, sender, value, flags, extras). */
  void handle(Message message) throws Exception;
}
