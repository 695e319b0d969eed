package io.stationmq.netnode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.zeromq.ZCert;
import org.zeromq.ZConfig;

/**
 * A CurveZMQ key pair, or a public key alone, in ZeroMQ's Z85 text form. Read from and written
 * to ZeroMQ certificate files (the format of {@code curve_keygen}, pyzmq's {@code
 * zmq.auth.create_certificates} and CZMQ's {@code zcert}): {@code NAME.key} holds the public key,
 * {@code NAME.key_secret} both. Immutable; {@link #toString()} never shows the secret key.
 */
public final class CurveKeys {
  private final String publicKey;
  private final String secretKey;

  private CurveKeys(String publicKey, String secretKey) {
    this.publicKey = requireZ85(publicKey, "public key");
    this.secretKey = secretKey == null ? null : requireZ85(secretKey, "secret key");
  }

  /** A fresh key pair. */
  public static CurveKeys generate() {
    ZCert cert = new ZCert();
    return new CurveKeys(cert.getPublicKeyAsZ85(), cert.getSecretKeyAsZ85());
  }

  /** A public key alone, from its 40-character Z85 form (a peer's, for example an upstream's). */
  public static CurveKeys ofPublic(String publicKeyZ85) {
    return new CurveKeys(publicKeyZ85, null);
  }

  /**
   * The key pair in a secret certificate ({@code NAME.key_secret}).
   *
   * @throws IllegalArgumentException when the file holds no key pair
   * @throws UncheckedIOException when it cannot be read
   */
  public static CurveKeys load(Path secretCertificate) {
    ZConfig conf = read(secretCertificate);
    String pub = conf.getValue("curve/public-key");
    String sec = conf.getValue("curve/secret-key");
    if (pub == null || sec == null) {
      throw new IllegalArgumentException(secretCertificate + " is not a secret certificate: it needs curve/public-key"
          + " and curve/secret-key");
    }
    return new CurveKeys(pub, sec);
  }

  /**
   * The public key in a certificate ({@code NAME.key}; a secret certificate works too, its
   * secret key is ignored).
   */
  public static CurveKeys loadPublic(Path certificate) {
    String pub = read(certificate).getValue("curve/public-key");
    if (pub == null) {
      throw new IllegalArgumentException(certificate + " is not a certificate: it has no curve/public-key");
    }
    return new CurveKeys(pub, null);
  }

  private static ZConfig read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UncheckedIOException(new IOException("no certificate file " + file));
    }
    try {
      return ZConfig.load(file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read certificate " + file, e);
    }
  }

  /**
   * Writes {@code dir/NAME.key} (public) and {@code dir/NAME.key_secret} (both keys, readable
   * by the owner only where the file system allows it); returns the secret certificate's path.
   */
  public Path save(Path dir, String name) {
    if (secretKey == null) {
      throw new IllegalStateException("a public key alone has no secret certificate to save");
    }
    try {
      Files.createDirectories(dir);
      ZCert cert = new ZCert(publicKey, secretKey);
      Path pub = dir.resolve(name + ".key");
      Path sec = dir.resolve(name + ".key_secret");
      cert.savePublic(pub.toString());
      cert.saveSecret(sec.toString());
      try {
        Files.setPosixFilePermissions(sec, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: leave the default permissions
      }
      return sec;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write certificates for " + name + " in " + dir, e);
    }
  }

  /** The public key, 40 characters of Z85. */
  public String publicKey() {
    return publicKey;
  }

  /** The secret key, 40 characters of Z85; keep it secret. */
  public String secretKey() {
    if (secretKey == null) {
      throw new IllegalStateException("public key " + fingerprint() + " has no secret key");
    }
    return secretKey;
  }

  /** True when this holds a secret key too. */
  public boolean hasSecretKey() {
    return secretKey != null;
  }

  /** The first 8 characters of the public key: enough to tell keys apart in a log line. */
  public String fingerprint() {
    return fingerprint(publicKey);
  }

  /** The first 8 characters of a Z85 public key. */
  public static String fingerprint(String publicKeyZ85) {
    return publicKeyZ85 == null ? "(none)" : publicKeyZ85.substring(0, Math.min(8, publicKeyZ85.length()));
  }

  private static String requireZ85(String key, String what) {
    Objects.requireNonNull(key, what);
    if (key.length() != 40) {
      throw new IllegalArgumentException("a Z85 " + what + " has 40 characters, got " + key.length());
    }
    return key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CurveKeys k && k.publicKey.equals(publicKey) && Objects.equals(k.secretKey, secretKey);
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "CurveKeys[" + fingerprint() + (secretKey == null ? ", public only]" : ", with secret key]");
  }
}
