package io.salesos.admin;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The admin token that locks the admin server: with one configured every page, {@code /metrics}
 * and the draft actions need it; without one the actions are refused. A presented token is compared
 * in constant time (digests of equal length, so neither the content nor the length of the secret
 * leaks through timing).
 */
public final class AdminToken {

  /** The login cookie's name; its value is derived from the token (see {@link #sessionValue}), never the token itself. */
  static final String COOKIE = "salesos_admin";

  private final Optional<byte[]> digest;
  private final Optional<String> session;

  private AdminToken(Optional<String> token) {
    this.digest = token.map(AdminToken::sha256);
    this.session = token.map(AdminToken::sessionValue);
  }

  /** A token; blank counts as none, so an empty environment variable never opens the actions. */
  public static AdminToken of(Optional<String> token) {
    return new AdminToken(token.filter(t -> !t.isBlank()));
  }

  public static AdminToken none() {
    return new AdminToken(Optional.empty());
  }

  /** Whether a token is configured: the pages are locked and the actions on. */
  public boolean configured() {
    return digest.isPresent();
  }

  /** Whether {@code presented} is the configured token; always false when none is configured. */
  public boolean accepts(Optional<String> presented) {
    if (digest.isEmpty() || presented.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(digest.get(), sha256(presented.get()));
  }

  /** Whether {@code presented} is the login cookie's value for the configured token. */
  boolean acceptsSession(Optional<String> presented) {
    if (session.isEmpty() || presented.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(sha256(session.get()), sha256(presented.get()));
  }

  /** The login cookie's value; empty when no token is configured. */
  Optional<String> session() {
    return session;
  }

  /**
   * The cookie is an HMAC of a fixed label under the token: a stolen browser profile does not give
   * away the token itself (usable as a Bearer header elsewhere), and changing the token logs
   * everyone out.
   */
  private static String sessionValue(String token) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal("salesos admin session v1".getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return configured() ? "AdminToken[configured]" : "AdminToken[none]";
  }
}
