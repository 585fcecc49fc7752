package io.salesos.rules;

import java.io.PrintStream;
import java.nio.file.Path;

/** {@code salesos rules check [DIR]}: prints every problem and returns 1, or a one-line summary and 0. */
public final class RulesCheck {

  private RulesCheck() {}

  public static int run(Path dir, RuleVocabulary vocabulary, PrintStream out) {
    var result = new RuleSetLoader(vocabulary).load(dir);
    if (result instanceof LoadResult.Loaded l) {
      out.println(l.ruleSet().summary());
      return 0;
    }
    var problems = ((LoadResult.Rejected) result).problems();
    problems.forEach(out::println);
    out.println(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " in " + dir);
    return 1;
  }
}
