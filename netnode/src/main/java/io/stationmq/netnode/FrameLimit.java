package io.stationmq.netnode;

import org.zeromq.ZMQ;

/**
 * The largest frame the engine's sockets accept from a peer (ZeroMQ's {@code ZMQ_MAXMSGSIZE}).
 *
 * <p>Without it JeroMQ allocates whatever size a frame header declares, before a byte of the
 * frame has arrived: one connection declaring a 2 GiB frame killed an endpoint's I/O thread
 * with an {@link OutOfMemoryError} and left the endpoint deaf. With it, JeroMQ's decoder
 * ({@code zmq.io.coder.Decoder.sizeReady}) refuses the header with {@code EMSGSIZE} and the
 * stream engine closes that one connection ({@code StreamEngine.inEvent}, then {@code
 * error(PROTOCOL)}); other connections are not affected. JeroMQ tells the socket's owner
 * nothing but a reasonless {@code ZMQ_EVENT_DISCONNECTED} monitor event, so such a connection
 * is neither counted nor logged by stationmq.
 *
 * <p>The limit is per frame, not per message (the decoder checks each frame header). The body
 * is the only large frame of a stationmq or autopilot message; the limit is {@link
 * EndpointOptions#maxMessageBytes()} plus {@link #ALLOWANCE}, so a body somewhat over {@code
 * maxMessageBytes} still reaches the engine, which drops it, counts it as oversize and logs it,
 * and only a frame beyond that costs its connection.
 *
 * <p>On the DEALER a connecting session ends for good on such a protocol error (JeroMQ's {@code
 * SessionBase.engineError} terminates instead of reconnecting); the engine's liveness reconnects
 * the upstream once it has been silent for its tolerance.
 */
final class FrameLimit {
  /** Room over {@code maxMessageBytes}: envelope frames and ZMTP commands are far smaller. */
  static final long ALLOWANCE = 64 * 1024;

  private FrameLimit() {}

  /** The frame limit for endpoints with these options, in bytes. */
  static long bytes(EndpointOptions options) {
    return options.maxMessageBytes() + ALLOWANCE;
  }

  /** Sets the frame limit on {@code socket}; before it binds or connects. */
  static void apply(ZMQ.Socket socket, EndpointOptions options) {
    if (!socket.setMaxMsgSize(bytes(options))) {
      throw new IllegalStateException("cannot set ZMQ_MAXMSGSIZE on a " + socket.getSocketType() + " socket");
    }
  }
}
