package io.stationmq.netnode;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CurveZMQ for one endpoint: every socket it opens is encrypted and authenticated with
 * JeroMQ's CURVE, and what it binds admits only the keys in an allowlist (see README,
 * Security). Immutable.
 *
 * <ul>
 *   <li>{@link #keys()}: the endpoint's own key pair; a bound socket (a Station's ROUTER) is
 *       a CURVE server with it, a connecting one (a NetNode's upstream, a Station's pusher)
 *       a CURVE client.
 *   <li>{@link #upstreamKey()}: the public key of the Station the endpoint connects to;
 *       required with an upstream.
 *   <li>{@link #allowed()}: a folder of public certificates ({@code *.key}); a peer whose key
 *       is not there is refused during the handshake. Re-read when a file in it changes, so
 *       keys are added and removed without a restart. {@link Builder#allowAnyKey()} instead
 *       admits every key (encryption and key pinning without an allowlist).
 *   <li>{@link #adminKeys()}: public keys whose holders may send admin-only keys ({@code KILL})
 *       to a Station they are connected to directly, whatever id they use.
 * </ul>
 */
public final class CurveSecurity {
  private final CurveKeys keys;
  private final CurveKeys upstreamKey;
  private final Path allowed;
  private final boolean allowAnyKey;
  private final Set<String> adminKeys;

  private CurveSecurity(Builder b) {
    this.keys = b.keys;
    this.upstreamKey = b.upstreamKey;
    this.allowed = b.allowed;
    this.allowAnyKey = b.allowAnyKey;
    this.adminKeys = Set.copyOf(b.adminKeys);
  }

  /** A builder for an endpoint with this key pair. */
  public static Builder builder(CurveKeys keys) {
    return new Builder(keys);
  }

  /** The endpoint's own key pair. */
  public CurveKeys keys() {
    return keys;
  }

  /** The upstream's public key, or null. */
  public CurveKeys upstreamKey() {
    return upstreamKey;
  }

  /** The allowlist folder, or null. */
  public Path allowed() {
    return allowed;
  }

  /** True when any key is admitted (no allowlist). */
  public boolean allowAnyKey() {
    return allowAnyKey;
  }

  /** Z85 public keys of admins. */
  public Set<String> adminKeys() {
    return adminKeys;
  }

  @Override
  public String toString() {
    return "CurveSecurity[" + keys.fingerprint() + (upstreamKey == null ? "" : ", upstream " + upstreamKey.fingerprint())
        + (allowed == null ? "" : ", allowed " + allowed) + (allowAnyKey ? ", any key" : "")
        + (adminKeys.isEmpty() ? "" : ", admins " + adminKeys.stream().map(CurveKeys::fingerprint).collect(Collectors.toList()))
        + "]";
  }

  /** Builds {@link CurveSecurity}. Not thread-safe. */
  public static final class Builder {
    private final CurveKeys keys;
    private CurveKeys upstreamKey;
    private Path allowed;
    private boolean allowAnyKey;
    private Set<String> adminKeys = Set.of();

    private Builder(CurveKeys keys) {
      this.keys = Objects.requireNonNull(keys, "keys");
      if (!keys.hasSecretKey()) {
        throw new IllegalArgumentException("an endpoint's own keys need the secret key (load NAME.key_secret)");
      }
    }

    /** See {@link CurveSecurity#upstreamKey()}. */
    public Builder upstreamKey(CurveKeys upstreamPublicKey) {
      this.upstreamKey = Objects.requireNonNull(upstreamPublicKey, "upstreamPublicKey");
      return this;
    }

    /** See {@link CurveSecurity#allowed()}. */
    public Builder allowed(Path folder) {
      this.allowed = Objects.requireNonNull(folder, "folder");
      return this;
    }

    /** See {@link CurveSecurity#allowAnyKey()}. */
    public Builder allowAnyKey() {
      this.allowAnyKey = true;
      return this;
    }

    /** See {@link CurveSecurity#adminKeys()}; Z85 public keys. */
    public Builder adminKeys(Collection<String> publicKeysZ85) {
      this.adminKeys = publicKeysZ85.stream().map(k -> CurveKeys.ofPublic(k).publicKey()).collect(Collectors.toSet());
      return this;
    }

    /** Builds. */
    public CurveSecurity build() {
      if (allowed != null && allowAnyKey) {
        throw new IllegalArgumentException("choose an allowlist folder or allowAnyKey(), not both");
      }
      return new CurveSecurity(this);
    }
  }
}
