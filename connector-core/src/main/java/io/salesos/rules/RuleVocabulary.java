package io.salesos.rules;

import io.salesos.model.FieldType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The names rule files may use beyond the canonical schema: the org's open stages in pipeline
 * order, its closed stages, its forecast categories from lowest to highest, and custom fields the
 * mapping adds per canonical object. Stage and category names in rule files are checked against it.
 */
public record RuleVocabulary(
    List<String> openStages,
    List<String> closedStages,
    List<String> forecastCategories,
    Map<String, Map<String, FieldType>> customFields) {

  public RuleVocabulary {
    openStages = List.copyOf(openStages);
    closedStages = List.copyOf(closedStages);
    forecastCategories = List.copyOf(forecastCategories);
    customFields = Map.copyOf(customFields);
    if (openStages.isEmpty() || forecastCategories.isEmpty()) {
      throw new IllegalArgumentException("a rule vocabulary needs at least one open stage and one forecast category");
    }
  }

  /**
   * The stages and categories the shipped mappings translate every org's values into (the demo org
   * uses them as they are), no custom fields. A test in the launcher keeps the demo org in step.
   */
  public static RuleVocabulary standard() {
    return new RuleVocabulary(
        List.of("Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation", "Verbal Commit"),
        List.of("Closed Won", "Closed Lost"),
        List.of("Omitted", "Pipeline", "Best Case", "Commit", "Closed"), Map.of());
  }

  /** Every stage, open ones first in pipeline order. */
  public List<String> stages() {
    var all = new ArrayList<>(openStages);
    all.addAll(closedStages);
    return all;
  }

  int categoryIndex(String category) {
    return forecastCategories.indexOf(category);
  }
}
