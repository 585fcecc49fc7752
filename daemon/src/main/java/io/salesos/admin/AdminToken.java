package io.salesos.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The admin token that unlocks actions on the status page. Without one configured every action is
 * refused; a presented token is compared in constant time (digests of equal length, so neither the
 * content nor the length of the secret leaks through timing).
 */
public final class AdminToken {

  private final Optional<byte[]> digest;

  private AdminToken(Optional<byte[]> digest) {
    this.digest = digest;
  }

  /** A token; blank counts as none, so an empty environment variable never opens the actions. */
  public static AdminToken of(Optional<String> token) {
    return new AdminToken(token.filter(t -> !t.isBlank()).map(AdminToken::sha256));
  }

  public static AdminToken none() {
    return new AdminToken(Optional.empty());
  }

  /** Whether admin actions are on at all. */
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
