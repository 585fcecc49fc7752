package io.salesos.evaluate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The task keys one run concluded, kept as 64-bit fingerprints (8 bytes a key, not the key) so a
 * run over a million deals can still tell at its end which of salesos's open tasks no rule wants
 * any more. Two keys sharing a fingerprint read as both wanted: the task is kept, never withdrawn
 * by mistake (fail closed).
 */
final class WantedKeys {

  private long[] prints = new long[1024];
  private int size;
  private boolean sorted = true;

  void add(String key) {
    if (size == prints.length) {
      prints = Arrays.copyOf(prints, size * 2);
    }
    prints[size++] = fingerprint(key);
    sorted = false;
  }

  boolean contains(String key) {
    if (!sorted) {
      Arrays.sort(prints, 0, size);
      sorted = true;
    }
    return Arrays.binarySearch(prints, 0, size, fingerprint(key)) >= 0;
  }

  int size() {
    return size;
  }

  /** FNV-1a over the key's UTF-8 bytes, then mixed (the keys are hex digests already; this only folds them). */
  static long fingerprint(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }
}
