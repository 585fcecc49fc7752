package io.salesos.rules;

import io.salesos.model.FieldType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The names rule files may use beyond the canonical schema: the org's open stages in pipeline
 * order, its closed stages, its forecast categories from lowest to highest, and custom fields the
 * mapping adds per canonical object, and the relations to an org's own objects (per canonical
 * object, relation name to the fields of its rows: {@code account.site_visits}). Stage and
 * category names in rule files are checked against it.
 */
public record RuleVocabulary(
    List<String> openStages,
    List<String> closedStages,
    List<String> forecastCategories,
    Map<String, Map<String, FieldType>> customFields,
    Map<String, Map<String, Map<String, FieldType>>> relations) {

  public RuleVocabulary(List<String> openStages, List<String> closedStages, List<String> forecastCategories,
      Map<String, Map<String, FieldType>> customFields) {
    this(openStages, closedStages, forecastCategories, customFields, Map.of());
  }

  public RuleVocabulary {
    openStages = List.copyOf(openStages);
    closedStages = List.copyOf(closedStages);
    forecastCategories = List.copyOf(forecastCategories);
    customFields = Map.copyOf(customFields);
    var mapped = customFields;
    var rel = new java.util.LinkedHashMap<String, Map<String, Map<String, FieldType>>>();
    relations.forEach((parent, byName) -> {
      var names = new java.util.LinkedHashMap<String, Map<String, FieldType>>();
      byName.forEach((name, fields) -> {
        if (mapped.getOrDefault(parent, Map.of()).containsKey(name)) {
          throw new IllegalArgumentException("the relation " + parent + "." + name + " has the name of a mapped field of " + parent);
        }
        names.put(name, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields)));
      });
      rel.put(parent, java.util.Collections.unmodifiableMap(names));
    });
    relations = java.util.Collections.unmodifiableMap(rel);
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

  /** This vocabulary with the relations {@code relations} (canonical object to relation name to row fields). */
  public RuleVocabulary withRelations(Map<String, Map<String, Map<String, FieldType>>> relations) {
    return new RuleVocabulary(openStages, closedStages, forecastCategories, customFields, relations);
  }

  int categoryIndex(String category) {
    return forecastCategories.indexOf(category);
  }
}
