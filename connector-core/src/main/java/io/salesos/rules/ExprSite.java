package io.salesos.rules;

import java.util.List;

/**
 * Where an expression sits in a rule file, so a CEL issue at (line, column) inside the expression
 * becomes FILE:LINE:COL in the file. A YAML scalar is a run of segments (one per physical line,
 * joined by one character: a newline or a folding space); {@code base} is the expression's offset
 * in the scalar (non-zero for a {{placeholder}} inside a template).
 */
record ExprSite(String file, String text, int base, List<Segment> segments) {

  /** One physical line of a scalar's value: 1-based file line and column, and length. */
  record Segment(int line, int column, int length) {}

  ExprSite {
    segments = List.copyOf(segments);
  }

  /** The part of this site's scalar starting at {@code offset} with text {@code sub}. */
  ExprSite sub(int offset, String sub) {
    return new ExprSite(file, sub, base + offset, segments);
  }

  int line() {
    return locate(base)[0];
  }

  int column() {
    return locate(base)[1];
  }

  /** A problem at a CEL source location: 1-based line, 0-based column within the expression. */
  RuleProblem problemAt(int celLine, int celColumn, String message) {
    int offset = base;
    int lineNo = 1;
    for (int i = 0; i < text.length() && lineNo < celLine; i++) {
      offset++;
      if (text.charAt(i) == '\n') {
        lineNo++;
      }
    }
    var at = locate(offset + celColumn);
    return new RuleProblem(file, at[0], at[1], message);
  }

  private int[] locate(int offset) {
    if (segments.isEmpty()) {
      return new int[] {1, 1};
    }
    int left = offset;
    for (var s : segments) {
      if (left <= s.length()) {
        return new int[] {s.line(), s.column() + left};
      }
      left -= s.length() + 1;
    }
    var last = segments.get(segments.size() - 1);
    return new int[] {last.line(), last.column() + last.length()};
  }
}
