package io.salesos.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
