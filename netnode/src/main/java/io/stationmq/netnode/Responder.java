package io.stationmq.netnode;

import io.stationmq.message.Message;

/**
 * Answers one kind of request, registered with {@link Endpoint#provide}. Runs on a worker
 * thread like a {@link Listen}. The request's value holds its arguments ({@code
 * request.value(Args.class)}).
 *
 * <p>Return the reply value (any JSON value, POJO, record, or null). Throw {@link
 * RemoteException} to send a specific error code; any other exception is sent as code {@code
 * "error"} with its message. Either way the requester's future fails with a {@link
 * RemoteException} naming this endpoint.
 */
@FunctionalInterface
public interface Responder {
  /** Answers {@code request}. */
  Object respond(Message request) throws Exception;
}
