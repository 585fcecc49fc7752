package io.salesos.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One declared configuration key: its dotted name, type, default (or required), validator and a
 * one-line description, the single source both the parser and the generated docs read.
 *
 * <p>Names are dotted paths from the top of the file; {@code []} marks the items of a list, so
 * {@code connections[].name} is the name of each connection. {@code defaultValue} is the YAML text
 * of the default, empty when the key is optional without one.
 */
public record ConfigKey(String name, Type type, boolean required, Optional<String> defaultValue, Validator validator,
    String doc) {

  public ConfigKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(defaultValue, "defaultValue");
    Objects.requireNonNull(validator, "validator");
    Objects.requireNonNull(doc, "doc");
    if (required && defaultValue.isPresent()) {
      throw new IllegalArgumentException(name + ": a required key has no default");
    }
  }

  /** What a key holds; {@link #word} is how the docs name it. */
  public enum Type {
    STRING("string"),
    INT("integer"),
    BOOLEAN("boolean"),
    PATH("path"),
    SECRET("secret"),
    SECTION("section"),
    LIST("list of sections"),
    STRING_MAP("map of strings"),
    SECRET_MAP("map of secrets");

    private final String word;

    Type(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  /** The last segment of the name: the key as written in its section. */
  public String leaf() {
    return name.substring(name.lastIndexOf('.') + 1);
  }

  /** The dotted name of the section this key sits in; empty at the top level. */
  public String parent() {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(0, dot);
  }

  /** The default as docs show it. */
  public String defaultText() {
    return required ? "(required)" : defaultValue.orElse("(none)");
  }

  /** The docs' "allowed values": the validator's words, else what the type itself allows. */
  public String allowedText() {
    var v = validator.describe();
    if (type == Type.SECRET && !v.isEmpty()) {
      return "{env: VARIABLE} or {file: PATH}, " + v;
    }
    if (!v.isEmpty()) {
      return v;
    }
    return switch (type) {
      case BOOLEAN -> "true, false";
      case SECRET -> "{env: VARIABLE} or {file: PATH}";
      case SECRET_MAP -> "each value {env: VARIABLE} or {file: PATH}";
      default -> "";
    };
  }

  /** Reads this key from {@code section}, applying the default and the validator. */
  String readString(YamlNode section) {
    var node = section.get(leaf());
    if (node.isNull()) {
      return requiredOrDefault(section);
    }
    var value = node.asString();
    validator.check(node, value);
    return value;
  }

  /** Reads an optional key without a default; present values are validated. */
  Optional<String> readOptionalString(YamlNode section) {
    var node = section.get(leaf());
    if (node.isNull()) {
      requiredOrDefault(section);
      return Optional.empty();
    }
    var value = node.asString();
    validator.check(node, value);
    return Optional.of(value);
  }

  int readInt(YamlNode section) {
    var node = section.get(leaf());
    int value = node.asInt(Integer.parseInt(requiredOrDefault(section)));
    validator.check(node, value);
    return value;
  }

  boolean readBoolean(YamlNode section) {
    return section.get(leaf()).asBoolean(Boolean.parseBoolean(requiredOrDefault(section)));
  }

  /**
   * Resolves this secret key's reference and checks the value with the key's validator. A secret
   * is never written in the file (so there is no line to name): the error names the key and where
   * the value came from ({@code env:NAME} or {@code file:PATH}), never the value.
   */
  public String resolveSecret(SecretRef ref, Function<String, String> env) {
    if (type != Type.SECRET) {
      throw new IllegalArgumentException(name + " is not a secret key");
    }
    String value;
    try {
      value = ref.resolve(env);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(name + ": " + e.getMessage(), e);
    }
    validator.problemWithSecret(value).ifPresent(problem -> {
      throw new IllegalStateException(name + " (from " + ref + ") " + problem);
    });
    return value;
  }

  /** The default when the key is absent; the required-key error when there is none to give. */
  private String requiredOrDefault(YamlNode section) {
    if (required) {
      throw section.error("missing required key '" + leaf() + "' (" + doc + ")");
    }
    return defaultValue.orElse(null);
  }

  /** A check on a key's value that can also say, for the docs and errors, what it allows. */
  public sealed interface Validator {

    /** What the docs' "allowed values" column shows; empty when anything of the type goes. */
    String describe();

    /** Throws a {@link ConfigException} at {@code node} when {@code value} is not allowed. */
    void check(YamlNode node, Object value);

    /**
     * What is wrong with a secret's resolved value, empty when it is allowed; the words never
     * repeat the value. Only validators meant for secrets look at it.
     */
    default Optional<String> problemWithSecret(String value) {
      return Optional.empty();
    }

    /** Any value of the key's type. */
    record Any() implements Validator {
      @Override
      public String describe() {
        return "";
      }

      @Override
      public void check(YamlNode node, Object value) {}
    }

    /** A whole number from min to max (inclusive). */
    record Range(int min, int max) implements Validator {
      @Override
      public String describe() {
        return max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
      }

      @Override
      public void check(YamlNode node, Object value) {
        int v = (Integer) value;
        if (v < min || v > max) {
          throw node.error("must be " + describe() + ", got " + v);
        }
      }
    }

    /** At least {@code min} characters; on a secret it checks the resolved value, which errors never repeat. */
    record MinLength(int min) implements Validator {
      @Override
      public String describe() {
        return "at least " + min + " characters";
      }

      @Override
      public void check(YamlNode node, Object value) {
        problemWithSecret((String) value).ifPresent(problem -> {
          throw node.error(problem);
        });
      }

      @Override
      public Optional<String> problemWithSecret(String value) {
        return value.length() >= min ? Optional.empty()
            : Optional.of("is " + value.length() + " characters; it must be at least " + min
                + " (generate one with: openssl rand -hex 32)");
      }
    }

    /** One of a fixed list of words. */
    record OneOf(List<String> values) implements Validator {
      public OneOf {
        values = List.copyOf(values);
      }

      @Override
      public String describe() {
        return "one of " + String.join(", ", values);
      }

      @Override
      public void check(YamlNode node, Object value) {
        if (!values.contains(value)) {
          throw node.error("must be " + describe() + ", got '" + value + "'");
        }
      }
    }

    /**
     * A string matching {@code regex}, described in words; {@code echo} is false where the value
     * might carry a credential (a JDBC URL), so the error does not repeat it.
     */
    record Matches(String regex, String description, boolean echo) implements Validator {
      @Override
      public String describe() {
        return description;
      }

      @Override
      public void check(YamlNode node, Object value) {
        if (!((String) value).matches(regex)) {
          throw node.error("expected " + description + (echo ? ", got '" + value + "'" : ""));
        }
      }
    }

    /** A free-form map whose keys must not look like secrets, since those belong under secrets. */
    record NoSecretKeys() implements Validator {
      @Override
      public String describe() {
        return "any keys the connector reads, except ones that look like secrets (password, secret, token, *_key)";
      }

      @Override
      public void check(YamlNode node, Object value) {
        for (var k : node.entries().keySet()) {
          if (looksSecret(k)) {
            throw node.get(k).error("'" + k + "' looks like a secret: move it under secrets as {env: VAR} or {file: PATH}");
          }
        }
      }

      static boolean looksSecret(String key) {
        var k = key.toLowerCase();
        return k.contains("password") || k.contains("secret") || k.contains("token") || k.endsWith("_key");
      }
    }
  }
}
