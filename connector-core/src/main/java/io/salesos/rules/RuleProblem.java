package io.salesos.rules;

import java.util.Comparator;
import java.util.Objects;

/** One thing wrong with a rule file, located the way editors and CI understand: {@code FILE:LINE:COL: message}. */
public record RuleProblem(String file, int line, int column, String message) implements Comparable<RuleProblem> {

  private static final Comparator<RuleProblem> ORDER = Comparator.comparing(RuleProblem::file)
      .thenComparingInt(RuleProblem::line).thenComparingInt(RuleProblem::column).thenComparing(RuleProblem::message);

  public RuleProblem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public int compareTo(RuleProblem o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
