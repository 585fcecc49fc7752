package io.salesos.rules;

import java.util.List;
import java.util.Objects;

/** The outcome of loading a rule directory: a rule set, or every problem found (sorted by file and line). */
public sealed interface LoadResult {

  /** The files loaded cleanly. */
  record Loaded(RuleSet ruleSet) implements LoadResult {
    public Loaded {
      Objects.requireNonNull(ruleSet, "ruleSet");
    }
  }

  /** The files were rejected as a whole. */
  record Rejected(List<RuleProblem> problems) implements LoadResult {
    public Rejected {
      problems = List.copyOf(problems);
    }
  }
}
