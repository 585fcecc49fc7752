package io.salesos.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where a secret comes from: an environment variable or a file (a mounted secret). A
 * configuration never holds a secret's value, and {@link #toString()} never shows one.
 */
public record SecretRef(Kind kind, String location) {

  /** The two places a secret may live. */
  public enum Kind {
    ENV,
    FILE
  }

  public SecretRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(location, "location");
  }

  /** Reads {@code {env: NAME}} or {@code {file: PATH}}; a plain value is refused. */
  static SecretRef parse(YamlNode node, Path baseDir) {
    if (node.isScalar()) {
      throw node.error("a secret must not be written in the file; use {env: VARIABLE} or {file: /path/to/secret}");
    }
    node.allowOnly(java.util.Set.of("env", "file"));
    if (node.has("env") == node.has("file")) {
      throw node.error("give exactly one of env or file");
    }
    if (node.has("env")) {
      return new SecretRef(Kind.ENV, node.get("env").asString());
    }
    return new SecretRef(Kind.FILE, baseDir.resolve(node.get("file").asString()).normalize().toString());
  }

  /** Resolves the secret's value now; the error names where it looked, never a value. */
  public String resolve(Function<String, String> env) {
    return switch (kind) {
      case ENV -> {
        var v = env.apply(location);
        if (v == null || v.isEmpty()) {
          throw new IllegalStateException("the environment variable " + location + " is not set (a secret salesos needs)");
        }
        yield v;
      }
      case FILE -> {
        try {
          yield Files.readString(Path.of(location)).strip();
        } catch (IOException e) {
          throw new IllegalStateException("cannot read the secret file " + location + ": " + e.getClass().getSimpleName());
        }
      }
    };
  }

  public static Map<String, String> resolveAll(Map<String, SecretRef> refs, Function<String, String> env) {
    var out = new java.util.LinkedHashMap<String, String>();
    refs.forEach((k, v) -> out.put(k, v.resolve(env)));
    return out;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase() + ":" + location;
  }
}
