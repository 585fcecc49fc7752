package io.salesos.rules;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/** {@code salesos rules check [DIR]}: prints every problem and returns 1, or a one-line summary and 0. */
public final class RulesCheck {

  private RulesCheck() {}

  /** What a check found: the exit code, and the rule set when the files loaded. */
  public record Outcome(int exitCode, Optional<RuleSet> ruleSet) {}

  public static Outcome run(Path dir, RuleVocabulary vocabulary, PrintStream out) {
    var result = new RuleSetLoader(vocabulary).load(dir);
    if (result instanceof LoadResult.Loaded l) {
      out.println(l.ruleSet().summary());
      return new Outcome(0, Optional.of(l.ruleSet()));
    }
    var problems = ((LoadResult.Rejected) result).problems();
    problems.forEach(out::println);
    out.println(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " in " + dir);
    return new Outcome(1, Optional.empty());
  }
}
