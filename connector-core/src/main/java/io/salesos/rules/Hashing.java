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
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  /** A fresh SHA-256 digest: a copy of one made once (looking the algorithm up costs more than hashing a task key). */
  private static MessageDigest digest() {
    try {
      return (MessageDigest) SHA256.clone();
    } catch (CloneNotSupportedException e) {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException none) {
        throw new IllegalStateException("the JDK has no SHA-256", none);
      }
    }
  }

  /** Never updated: only copied by {@link #digest()}. */
  private static final MessageDigest SHA256 = newSha256();

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** A stable key from parts, separated so that ("ab","c") and ("a","bc") differ. */
  static String key(String... parts) {
    return sha256(String.join("\u001f", parts)).substring(0, 32);
  }
}
