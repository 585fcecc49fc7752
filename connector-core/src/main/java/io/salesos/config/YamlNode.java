package io.salesos.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * A YAML node that remembers its file, line and column, so every error about a configuration,
 * mapping or rule file can point at the exact place. Keys are read strictly: an unknown key is an
 * error, not silently ignored, because a typo in a key must not fall back to a default.
 */
public final class YamlNode {

  private final String file;
  private final Node node;
  private final String path;
  /** Where to point when this node is absent: the parent that lacks it. */
  private final Node anchor;

  private YamlNode(String file, Node node, String path) {
    this(file, node, path, node);
  }

  private YamlNode(String file, Node node, String path, Node anchor) {
    this.file = file;
    this.node = node;
    this.path = path;
    this.anchor = anchor;
  }

  /** Parses a file; a syntax error becomes a {@link ConfigException} with its line and column. */
  public static YamlNode load(Path file) {
    try {
      return parse(file.toString(), Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses text that came from {@code fileName}. An empty document is an empty mapping. */
  public static YamlNode parse(String fileName, String text) {
    var settings = LoadSettings.builder().setLabel(fileName).setAllowDuplicateKeys(false).build();
    try {
      var composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
      Optional<Node> root = composer.getSingleNode();
      return new YamlNode(fileName, root.orElse(null), "");
    } catch (MarkedYamlEngineException e) {
      var mark = e.getProblemMark().or(e::getContextMark);
      int line = mark.map(m -> m.getLine() + 1).orElse(1);
      int col = mark.map(m -> m.getColumn() + 1).orElse(1);
      var problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
      var context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
      throw new ConfigException(fileName, line, col, "YAML syntax: " + problem + context);
    } catch (RuntimeException e) {
      throw new ConfigException(fileName, 1, 1, "YAML syntax: " + e.getMessage());
    }
  }

  public String file() {
    return file;
  }

  /** 1-based line of this node. */
  public int line() {
    return anchor == null ? 1 : anchor.getStartMark().map(m -> m.getLine() + 1).orElse(1);
  }

  /** 1-based column of this node. */
  public int column() {
    return anchor == null ? 1 : anchor.getStartMark().map(m -> m.getColumn() + 1).orElse(1);
  }

  /** The dotted key path from the root, e.g. {@code database.url}. */
  public String path() {
    return path.isEmpty() ? "(top level)" : path;
  }

  public boolean isNull() {
    return node == null || (node instanceof ScalarNode s && isNullScalar(s));
  }

  public boolean isMapping() {
    return node instanceof MappingNode;
  }

  public boolean isSequence() {
    return node instanceof SequenceNode;
  }

  public boolean isScalar() {
    return node instanceof ScalarNode;
  }

  /** An error pointing at this node. */
  public ConfigException error(String message) {
    return new ConfigException(file, line(), column(), (path.isEmpty() ? "" : "'" + path + "': ") + message);
  }

  /** The entries of a mapping, in file order; an empty document gives none. */
  public Map<String, YamlNode> entries() {
    if (node == null) {
      return Map.of();
    }
    if (!(node instanceof MappingNode m)) {
      throw error("expected a mapping of keys to values");
    }
    var out = new LinkedHashMap<String, YamlNode>();
    for (var t : m.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw new YamlNode(file, t.getKeyNode(), path).error("keys must be plain names");
      }
      out.put(k.getValue(), new YamlNode(file, t.getValueNode(), path.isEmpty() ? k.getValue() : path + "." + k.getValue()));
    }
    return out;
  }

  /** Fails on the first key not in {@code allowed}, naming the line and suggesting the closest key. */
  public YamlNode allowOnly(Set<String> allowed) {
    if (!(node instanceof MappingNode m)) {
      return this;
    }
    for (var t : m.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && !allowed.contains(k.getValue())) {
        var hint = closest(k.getValue(), allowed).map(s -> "; did you mean '" + s + "'?").orElse("");
        throw new YamlNode(file, t.getKeyNode(), path).error(
            "unknown key '" + k.getValue() + "'" + hint + " (known: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
      }
    }
    return this;
  }

  /** The child at {@code key}, which may be absent ({@link #isNull()}). */
  public YamlNode get(String key) {
    var child = entries().get(key);
    return child != null ? child : new YamlNode(file, null, path.isEmpty() ? key : path + "." + key, anchor);
  }

  public boolean has(String key) {
    return entries().containsKey(key);
  }

  public YamlNode require(String key) {
    var child = entries().get(key);
    if (child == null || child.isNull()) {
      throw error("missing required key '" + key + "'");
    }
    return child;
  }

  public List<YamlNode> items() {
    if (node == null) {
      return List.of();
    }
    if (!(node instanceof SequenceNode s)) {
      throw error("expected a list");
    }
    var out = new ArrayList<YamlNode>();
    int i = 0;
    for (var n : s.getValue()) {
      out.add(new YamlNode(file, n, path + "[" + i++ + "]"));
    }
    return out;
  }

  public String asString() {
    if (!(node instanceof ScalarNode s)) {
      throw error("expected a single value");
    }
    return s.getValue();
  }

  public Optional<String> asOptionalString() {
    return isNull() ? Optional.empty() : Optional.of(asString());
  }

  public String asString(String fallback) {
    return isNull() ? fallback : asString();
  }

  public int asInt(int fallback) {
    if (isNull()) {
      return fallback;
    }
    try {
      return Integer.parseInt(asString().trim());
    } catch (NumberFormatException e) {
      throw error("expected a whole number, got '" + asString() + "'");
    }
  }

  public boolean asBoolean(boolean fallback) {
    if (isNull()) {
      return fallback;
    }
    return switch (asString().trim().toLowerCase()) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw error("expected true or false, got '" + asString() + "'");
    };
  }

  private static boolean isNullScalar(ScalarNode s) {
    var v = s.getValue();
    return s.isPlain() && (v.isEmpty() || v.equals("~") || v.equalsIgnoreCase("null"));
  }

  static Optional<String> closest(String word, Set<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (var c : candidates) {
      int d = editDistance(word.toLowerCase(), c.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return bestDistance <= Math.max(2, word.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
  }

  /** Levenshtein distance, for "did you mean" hints on misspelt keys. */
  public static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      var t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
