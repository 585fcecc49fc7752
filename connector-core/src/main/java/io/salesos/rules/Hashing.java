package io.salesos.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 hex digests for file versions and deterministic write keys. */
public final class Hashing {

  private Hashing() {}

  public static String sha256(String s) {
    return sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** A stable key from parts, separated so that ("ab","c") and ("a","bc") differ. */
  static String key(String... parts) {
    return sha256(String.join("\u001f", parts)).substring(0, 32);
  }
}
