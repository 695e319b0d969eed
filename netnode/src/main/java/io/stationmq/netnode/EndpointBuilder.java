package io.stationmq.netnode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the builders of {@link NetNode} and {@link Station} share: id, upstream, listens,
 * fallback, options and security. Package-private; {@code B} is the public builder, returned
 * by each method for chaining. Not thread-safe.
 */
abstract class EndpointBuilder<B extends EndpointBuilder<B>> {
  String id;
  String upstreamEndpoint;
  String upstreamId;
  final Map<String, Listen> listens = new LinkedHashMap<>();
  Listen fallback;
  EndpointOptions options = EndpointOptions.defaults();
  CurveSecurity security;
  StateLimits stateLimits = StateLimits.defaults();

  EndpointBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** This endpoint's id, also its socket identity; required. */
  public B id(String id) {
    this.id = id;
    return self();
  }

  /**
   * Connects to the upstream {@code upstreamId} (a Station, or a node's ROUTER) at {@code
   * host:port}. A Station's upstream is its parent, which may then {@code KILL} it.
   */
  public B upstream(String host, int port, String upstreamId) {
    return upstreamEndpoint("tcp://" + host + ":" + port, upstreamId);
  }

  /** Connects to an upstream at any ZeroMQ endpoint ({@code tcp://..}, {@code inproc://..}). */
  public B upstreamEndpoint(String endpoint, String upstreamId) {
    this.upstreamEndpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.upstreamId = Objects.requireNonNull(upstreamId, "upstreamId");
    return self();
  }

  /**
   * Registers the listen for {@code key}. On a Station it replaces a built-in one such as
   * {@code KILL}; a listen for {@code KILL} still runs only for admins and the upstream.
   */
  public B listen(String key, Listen listen) {
    listens.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(listen, "listen"));
    return self();
  }

  /** The listen for keys that have none (default: log and count them). */
  public B fallback(Listen listen) {
    this.fallback = listen;
    return self();
  }

  /** Engine settings; default {@link EndpointOptions#defaults()}. */
  public B options(EndpointOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    return self();
  }

  /**
   * CurveZMQ: encrypts and authenticates every connection of this endpoint (see {@link
   * CurveSecurity} and README, Security); null (the default) for none. Takes precedence over
   * {@link EndpointOptions#security()} in {@link #options}.
   */
  public B security(CurveSecurity security) {
    this.security = security;
    return self();
  }

  /** The bounds of replicated state, this endpoint's own and the replicas it keeps; default {@link StateLimits#defaults()}. */
  public B stateLimits(StateLimits limits) {
    this.stateLimits = Objects.requireNonNull(limits, "limits");
    return self();
  }

  /** The replicated state's service for this endpoint (its listens and upstream hook go into the engine's config). */
  StateService stateService(boolean station) {
    return new StateService(id, station, upstreamId, stateLimits, effectiveOptions().wallClock());
  }

  /** The options with {@link #security} applied. */
  EndpointOptions effectiveOptions() {
    return security == null ? options : options.toBuilder().security(security).build();
  }
}
