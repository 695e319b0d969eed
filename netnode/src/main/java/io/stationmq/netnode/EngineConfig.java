package io.stationmq.netnode;

import java.util.Map;

/**
 * What a face asks of the engine: its id, its sockets, whether it forwards, its listens.
 *
 * @param id the endpoint id and socket identity
 * @param forwarding true for a Station: messages for others are forwarded, not handled
 * @param routerBind ZeroMQ endpoint to bind a ROUTER on ({@code tcp://127.0.0.1:*}), or null
 * @param upstreamConnect ZeroMQ endpoint the DEALER connects to, or null for none
 * @param upstreamId the id of the ROUTER the DEALER connects to, or null
 * @param listens the listens registered at build time
 * @param fallback the listen for keys without one, or null
 * @param options engine settings
 * @param threadPrefix prefix of every thread's name, e.g. {@code stationmq-node-rig1}
 * @param gate who may send admin-only keys (a Station's), or null when every key is open
 * @param search how to find the upstream when it has no fixed address (discovery, bootstrap
 *     addresses), or null; {@code upstreamConnect} then only describes the search
 */
record EngineConfig(
    String id,
    boolean forwarding,
    String routerBind,
    String upstreamConnect,
    String upstreamId,
    Map<String, Listen> listens,
    Listen fallback,
    EndpointOptions options,
    String threadPrefix,
    AdminGate gate,
    UpstreamSearch search) {

  /** A configuration without an admin gate. */
  public EngineConfig(String id, boolean forwarding, String routerBind, String upstreamConnect, String upstreamId,
      Map<String, Listen> listens, Listen fallback, EndpointOptions options, String threadPrefix) {
    this(id, forwarding, routerBind, upstreamConnect, upstreamId, listens, fallback, options, threadPrefix, null, null);
  }

  /** Validates the combination. */
  public EngineConfig {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("id is required");
    }
    if (routerBind == null && upstreamConnect == null) {
      throw new IllegalArgumentException("an endpoint needs an upstream to connect to or a port to bind, or both");
    }
    if (upstreamConnect != null && (upstreamId == null || upstreamId.isEmpty())) {
      throw new IllegalArgumentException("upstreamId is required with an upstream");
    }
    listens = Map.copyOf(listens);
  }
}
