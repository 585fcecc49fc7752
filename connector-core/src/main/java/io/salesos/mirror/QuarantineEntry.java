package io.salesos.mirror;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A CRM record the sync could not take in, kept with its raw payload and a readable reason. The
 * mirror keeps one quarantine row per record and payload content: seeing the same bad record again
 * counts an occurrence, and a payload over the size cap is kept truncated with the hash and length
 * of the whole.
 */
public record QuarantineEntry(Optional<String> recordId, String rawPayload, String reason) {
  public QuarantineEntry {
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(rawPayload, "rawPayload");
    Objects.requireNonNull(reason, "reason");
  }

  /** sha-256 hex of the whole payload's UTF-8 bytes: with the record, what makes two sightings the same. */
  public String payloadHash() {
    return CanonicalJson.hashOfJson(rawPayload);
  }

  /** The whole payload's length in UTF-8 bytes. */
  public long payloadLength() {
    return rawPayload.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * The payload as stored: whole when it fits in {@code maxBytes} UTF-8 bytes, otherwise its
   * longest start that fits, never cutting a character in two.
   */
  public String storedPayload(int maxBytes) {
    return truncate(rawPayload, maxBytes);
  }

  static String truncate(String text, int maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
    }
    // a UTF-8 character is at most 4 bytes, so a text this short fits whatever it holds
    if ((long) text.length() * 4 <= maxBytes) {
      return text;
    }
    int bytes = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + size > maxBytes) {
        return text.substring(0, i);
      }
      bytes += size;
      i += Character.charCount(cp);
    }
    return text;
  }
}
