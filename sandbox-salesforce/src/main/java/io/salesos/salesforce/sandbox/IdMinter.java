package io.salesos.salesforce.sandbox;

import java.util.HashMap;
import java.util.Map;

/**
 * Mints Salesforce-shaped record ids: key prefix, a pod code and a base-36 sequence (15
 * characters) plus the 3-character case-safe checksum, so clients that validate or shorten ids
 * see what a real org gives them. The sequence sorts in ASCII order with or without case folding, so
 * ids minted later compare greater, as keyset paging by Id expects.
 */
final class IdMinter {

  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  // minted ids use digits and upper case only, so they sort alike case-sensitively or not
  private static final String BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

  private final Map<String, Long> sequences = new HashMap<>();

  String next(String keyPrefix) {
    long seq = sequences.merge(keyPrefix, 1L, Long::sum);
    var body = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      body.insert(0, BASE36.charAt((int) (seq % 36)));
      seq /= 36;
    }
    return to18(keyPrefix + "8d" + "00" + body);
  }

  static String to18(String id15) {
    var suffix = new StringBuilder(3);
    for (int chunk = 0; chunk < 3; chunk++) {
      int bits = 0;
      for (int i = 0; i < 5; i++) {
        char c = id15.charAt(chunk * 5 + i);
        if (c >= 'A' && c <= 'Z') {
          bits |= 1 << i;
        }
      }
      suffix.append(CHECKSUM.charAt(bits));
    }
    return id15 + suffix;
  }

  /** True for a 15- or 18-character id whose checksum, when present, matches. */
  static boolean wellFormed(String id) {
    if (id == null || (id.length() != 15 && id.length() != 18)) {
      return false;
    }
    for (int i = 0; i < 15; i++) {
      if (BASE62.indexOf(id.charAt(i)) < 0) {
        return false;
      }
    }
    return id.length() == 15 || to18(id.substring(0, 15)).equalsIgnoreCase(id);
  }

  /** The 18-character form of a 15- or 18-character id. */
  static String normalize(String id) {
    return id.length() == 15 ? to18(id) : id.substring(0, 15) + id.substring(15).toUpperCase(java.util.Locale.ROOT);
  }
}
