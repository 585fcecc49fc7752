package io.salesos.evaluate;

import io.salesos.mapping.Mapping;
import io.salesos.model.FieldType;
import io.salesos.rules.LoadResult;
import io.salesos.rules.RuleSet;
import io.salesos.rules.RuleSetLoader;
import io.salesos.rules.RuleVocabulary;
import io.salesos.sync.CrmConnection;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Loads the rule files for a deployment, with the vocabulary its mappings imply. */
public final class RuleSets {

  private RuleSets() {}

  /**
   * The standard stages and categories, plus every custom canonical field the connections' mappings
   * add, so rules may use them and a typo in one is caught.
   */
  public static RuleVocabulary vocabulary(List<CrmConnection> connections) {
    return vocabularyOf(connections.stream().map(CrmConnection::mapping).toList());
  }

  /** As {@link #vocabulary(List)}, from the mappings alone (for verbs that read the mirror and never connect). */
  public static RuleVocabulary vocabularyOf(List<Mapping> mappings) {
    var standard = RuleVocabulary.standard();
    var custom = new HashMap<String, Map<String, FieldType>>();
    for (var m : mappings) {
      m.columns().forEach((object, cols) -> cols.forEach((field, type) -> {
        if (io.salesos.model.CanonicalSchema.standardType(object, field).isEmpty()) {
          custom.computeIfAbsent(object, k -> new HashMap<>()).put(field, type);
        }
      }));
    }
    return new RuleVocabulary(standard.openStages(), standard.closedStages(), standard.forecastCategories(), custom);
  }

  /** The rule set in {@code dir}, or an error listing every problem as FILE:LINE:COL: message. */
  public static RuleSet load(Path dir, RuleVocabulary vocabulary) {
    var result = new RuleSetLoader(vocabulary).load(dir);
    if (result instanceof LoadResult.Loaded loaded) {
      return loaded.ruleSet();
    }
    var problems = ((LoadResult.Rejected) result).problems();
    var sb = new StringBuilder("the rule files in " + dir + " have " + problems.size() + " problem(s):");
    problems.forEach(p -> sb.append("\n  ").append(p));
    throw new IllegalArgumentException(sb.toString());
  }
}
