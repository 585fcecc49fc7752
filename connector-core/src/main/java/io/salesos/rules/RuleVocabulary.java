package io.salesos.rules;

import io.salesos.demo.DemoOrg;
import io.salesos.model.FieldType;
import java.util.ArrayList;
import java.util.Arrays;
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

  /** The stages and categories of the demo org (and of a default Salesforce org), no custom fields. */
  public static RuleVocabulary standard() {
    var open = Arrays.stream(DemoOrg.Stage.values()).filter(s -> !s.closed()).map(DemoOrg.Stage::label).toList();
    var closed = Arrays.stream(DemoOrg.Stage.values()).filter(DemoOrg.Stage::closed).map(DemoOrg.Stage::label).toList();
    return new RuleVocabulary(open, closed,
        Arrays.stream(DemoOrg.ForecastCategory.values()).map(DemoOrg.ForecastCategory::label).toList(), Map.of());
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
