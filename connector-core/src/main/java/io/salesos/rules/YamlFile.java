package io.salesos.rules;

import io.salesos.config.YamlNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * One rule file as a YAML 1.2 node tree that remembers positions, with the checks every rule
 * file needs (unknown keys with a did-you-mean, wrong shapes) reported as located problems.
 */
final class YamlFile {

  private final String file;
  private final String[] lines;
  private final List<RuleProblem> problems;
  private final Node root;

  YamlFile(String file, String content, List<RuleProblem> problems) {
    this.file = file;
    this.lines = content.split("\n", -1);
    this.problems = problems;
    this.root = parse(content);
  }

  private Node parse(String content) {
    var settings = LoadSettings.builder().setLabel(file).setAllowDuplicateKeys(false).build();
    try {
      var composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, content)));
      var node = composer.getSingleNode();
      return node.orElse(null);
    } catch (MarkedYamlEngineException e) {
      var mark = e.getProblemMark().or(e::getContextMark);
      var text = e.getProblem() + (e.getContext() == null ? "" : " (" + e.getContext() + ")");
      int line = mark.map(m -> m.getLine() + 1).orElse(1);
      int col = mark.map(m -> m.getColumn() + 1).orElse(1);
      // an unclosed quote swallows the lines after it and the parser trips later; point at the quote
      var open = unclosedQuote(line);
      if (open != null) {
        problems.add(new RuleProblem(file, open[0], open[1], "YAML: this quoted value is never closed on its line ("
            + text.replaceAll("\\s+", " ").trim() + " at line " + line + ")"));
        return null;
      }
      problems.add(new RuleProblem(file, line, col, "YAML: " + text.replaceAll("\\s+", " ").trim()));
      return null;
    } catch (YamlEngineException e) {
      problems.add(new RuleProblem(file, 1, 1, "YAML: " + e.getMessage().replaceAll("\\s+", " ").trim()));
      return null;
    }
  }

  /** The first line before {@code upTo} with an odd number of double quotes outside comments, or null. */
  private int[] unclosedQuote(int upTo) {
    for (int l = 0; l < Math.min(upTo, lines.length); l++) {
      var raw = lines[l];
      int quotes = 0;
      int first = -1;
      boolean single = false;
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c == '#' && quotes % 2 == 0 && !single && (i == 0 || raw.charAt(i - 1) == ' ')) {
          break;
        }
        if (c == '\'' && quotes % 2 == 0) {
          single = !single;
        } else if (c == '"' && !single && (i == 0 || raw.charAt(i - 1) != '\\')) {
          if (quotes % 2 == 0) {
            first = i;
          }
          quotes++;
        }
      }
      if (quotes % 2 == 1 && l + 1 < upTo) {
        return new int[] {l + 1, first + 1};
      }
    }
    return null;
  }

  String file() {
    return file;
  }

  Optional<Node> root() {
    return Optional.ofNullable(root);
  }

  void problem(Node node, String message) {
    var m = node == null ? Optional.<Mark>empty() : node.getStartMark();
    problems.add(new RuleProblem(file, m.map(x -> x.getLine() + 1).orElse(1), m.map(x -> x.getColumn() + 1).orElse(1), message));
  }

  /** A mapping's entries by key; unknown keys and missing required keys are problems. */
  Optional<Map<String, Node>> mapping(Node node, String what, Set<String> allowed, Set<String> required) {
    if (!(node instanceof MappingNode m)) {
      problem(node, what + " must be a mapping (key: value lines)");
      return Optional.empty();
    }
    var out = new LinkedHashMap<String, Node>();
    var unknown = new ArrayList<String>();
    for (var t : m.getValue()) {
      var keyNode = t.getKeyNode();
      if (!(keyNode instanceof ScalarNode k)) {
        problem(keyNode, "keys in " + what + " must be plain words");
        continue;
      }
      var key = k.getValue();
      if (out.containsKey(key)) {
        problem(keyNode, "duplicate key '" + key + "' in " + what);
        continue;
      }
      if (allowed != null && !allowed.contains(key)) {
        problem(keyNode, "unknown key '" + key + "' in " + what + suggest(key, allowed));
        unknown.add(key);
        continue;
      }
      out.put(key, t.getValueNode());
    }
    if (required != null) {
      for (var r : new TreeSet<>(required)) {
        // an unknown key is most likely the missing one misspelt: reporting both is noise
        if (!out.containsKey(r) && unknown.isEmpty()) {
          problem(node, what + " needs '" + r + ":'");
        }
      }
    }
    return Optional.of(out);
  }

  /** The key node of a mapping entry (for problems about a key rather than its value). */
  Optional<Node> keyNode(Node mapping, String key) {
    if (mapping instanceof MappingNode m) {
      for (var t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
          return Optional.of(k);
        }
      }
    }
    return Optional.empty();
  }

  Optional<List<Node>> sequence(Node node, String what) {
    if (!(node instanceof SequenceNode s)) {
      problem(node, what + " must be a list ('- ' items)");
      return Optional.empty();
    }
    return Optional.of(s.getValue());
  }

  Optional<String> scalar(Node node, String what) {
    if (!(node instanceof ScalarNode s)) {
      problem(node, what + " must be a single value, not a list or mapping");
      return Optional.empty();
    }
    return Optional.of(s.getValue());
  }

  Optional<Integer> integer(Node node, String what, int min, int max) {
    return scalar(node, what).flatMap(v -> {
      try {
        int i = Integer.parseInt(v.trim());
        if (i < min || i > max) {
          problem(node, what + " must be between " + min + " and " + max + ", got " + i);
          return Optional.empty();
        }
        return Optional.of(i);
      } catch (NumberFormatException e) {
        problem(node, what + " must be a whole number, got '" + v + "'");
        return Optional.empty();
      }
    });
  }

  Optional<Double> number(Node node, String what) {
    return scalar(node, what).flatMap(v -> {
      try {
        return Optional.of(Double.parseDouble(v.trim()));
      } catch (NumberFormatException e) {
        problem(node, what + " must be a number, got '" + v + "'");
        return Optional.empty();
      }
    });
  }

  /** The expression site of a scalar, with one segment per physical line of its value. */
  Optional<ExprSite> site(Node node, String what) {
    if (!(node instanceof ScalarNode s)) {
      problem(node, what + " must be an expression (a single value), not a list or mapping");
      return Optional.empty();
    }
    var start = s.getStartMark().orElseThrow();
    var end = s.getEndMark().orElse(start);
    var segments = new ArrayList<ExprSite.Segment>();
    var style = s.getScalarStyle();
    if (style == ScalarStyle.LITERAL || style == ScalarStyle.FOLDED) {
      int indent = -1;
      for (int l = start.getLine() + 1; l < lines.length && l <= end.getLine(); l++) {
        var raw = stripCr(lines[l]);
        if (raw.isBlank()) {
          if (l < end.getLine()) {
            segments.add(new ExprSite.Segment(l + 1, Math.max(indent, 0) + 1, 0));
          }
          continue;
        }
        if (indent < 0) {
          indent = raw.length() - raw.stripLeading().length();
        }
        segments.add(new ExprSite.Segment(l + 1, indent + 1, Math.max(0, raw.length() - indent)));
      }
    } else {
      int quote = style == ScalarStyle.PLAIN ? 0 : 1;
      for (int l = start.getLine(); l <= end.getLine() && l < lines.length; l++) {
        var raw = stripCr(lines[l]);
        int from = l == start.getLine() ? start.getColumn() + quote : raw.length() - raw.stripLeading().length();
        int to = l == end.getLine() ? Math.max(from, end.getColumn() - quote) : raw.stripTrailing().length();
        segments.add(new ExprSite.Segment(l + 1, from + 1, Math.max(0, to - from)));
      }
    }
    return Optional.of(new ExprSite(file, s.getValue(), 0, segments));
  }

  private static String stripCr(String s) {
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  static String suggest(String key, Set<String> known) {
    String best = null;
    int bestD = 3;
    for (var k : known) {
      int d = distance(key, k);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    return best == null ? "; known: " + String.join(", ", new TreeSet<>(known)) : "; did you mean '" + best + "'?";
  }

  static int distance(String a, String b) {
    return YamlNode.editDistance(a, b);
  }
}
