package io.salesos.rules;

import io.salesos.model.FieldType;
import io.salesos.spi.StageVocabulary;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The names rule files may use beyond the canonical schema: the stages of every pipeline of every
 * connection the rules run on (open stages in pipeline order, then closed ones), the forecast
 * categories from lowest to highest, custom fields the mapping adds per canonical object, and the
 * relations to an org's own objects (per canonical object, relation name to the fields of its rows:
 * {@code account.site_visits}). Stage, pipeline and category names in rule files are checked against it.
 */
public record RuleVocabulary(
    List<String> openStages,
    List<String> closedStages,
    List<String> forecastCategories,
    Map<String, Map<String, FieldType>> customFields,
    List<StageVocabulary.Pipeline> pipelines,
    Map<String, Map<String, Map<String, FieldType>>> relations) {

  /** The forecast categories of Salesforce and of salesos's HubSpot mapping, lowest first. */
  public static final List<String> CATEGORIES = List.of("Omitted", "Pipeline", "Best Case", "Commit", "Closed");

  public RuleVocabulary {
    openStages = List.copyOf(openStages);
    closedStages = List.copyOf(closedStages);
    forecastCategories = List.copyOf(forecastCategories);
    customFields = Map.copyOf(customFields);
    pipelines = List.copyOf(pipelines);
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

  /** These stages and pipelines, no relations. */
  public RuleVocabulary(List<String> openStages, List<String> closedStages, List<String> forecastCategories,
      Map<String, Map<String, FieldType>> customFields, List<StageVocabulary.Pipeline> pipelines) {
    this(openStages, closedStages, forecastCategories, customFields, pipelines, Map.of());
  }

  /** One pipeline of these open and closed stages, in this order, with no probabilities. */
  public RuleVocabulary(List<String> openStages, List<String> closedStages, List<String> forecastCategories,
      Map<String, Map<String, FieldType>> customFields) {
    this(openStages, closedStages, forecastCategories, customFields, List.of(pipelineOf(STANDARD_PIPELINE, "Standard",
        openStages, closedStages, List.of())));
  }

  /** The id of the pipeline of {@link #standard()}. */
  public static final String STANDARD_PIPELINE = "default";

  /**
   * The stages and categories of the demo org and of the shipped mappings, no custom fields: the
   * vocabulary of a connection whose connector cannot read its CRM's stages. A test in the launcher
   * keeps the demo org in step.
   */
  public static RuleVocabulary standard() {
    var open = List.of("Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation", "Verbal Commit");
    var closed = List.of("Closed Won", "Closed Lost");
    var probabilities = List.of(10, 20, 40, 60, 80, 90, 100, 0);
    return new RuleVocabulary(open, closed, CATEGORIES, Map.of(),
        List.of(pipelineOf(STANDARD_PIPELINE, "Standard", open, closed, probabilities)));
  }

  /** The standard stages as a CRM would report them (one pipeline), for connections without their own. */
  public static StageVocabulary standardStages() {
    return new StageVocabulary(standard().pipelines());
  }

  /**
   * The union of the stages of several connections (each as its CRM reports them), with the
   * standard categories and {@code customFields}: what a rule set running on all of them may name.
   */
  public static RuleVocabulary of(List<StageVocabulary> connections, Map<String, Map<String, FieldType>> customFields) {
    var open = new LinkedHashSet<String>();
    var closed = new LinkedHashSet<String>();
    var pipelines = new ArrayList<StageVocabulary.Pipeline>();
    for (var v : connections) {
      for (var p : v.pipelines()) {
        pipelines.add(p);
        for (var s : p.activeStages()) {
          (s.closed() ? closed : open).add(s.label());
        }
      }
    }
    if (open.isEmpty()) {
      throw new IllegalArgumentException("the CRM reports no open deal stage: at least one stage must be open");
    }
    closed.removeAll(open);
    return new RuleVocabulary(List.copyOf(open), List.copyOf(closed), CATEGORIES, customFields, pipelines);
  }

  /** The same stages with other custom fields. */
  public RuleVocabulary withCustomFields(Map<String, Map<String, FieldType>> custom) {
    return new RuleVocabulary(openStages, closedStages, forecastCategories, custom, pipelines, relations);
  }

  /** This vocabulary with the relations {@code relations} (canonical object to relation name to row fields). */
  public RuleVocabulary withRelations(Map<String, Map<String, Map<String, FieldType>>> relations) {
    return new RuleVocabulary(openStages, closedStages, forecastCategories, customFields, pipelines, relations);
  }

  /** Every stage, open ones first in pipeline order. */
  public List<String> stages() {
    var all = new ArrayList<>(openStages);
    all.addAll(closedStages);
    return all;
  }

  /** The labels of every pipeline, for {@code deal.pipeline == '...'}. */
  public List<String> pipelineLabels() {
    return pipelines.stream().map(StageVocabulary.Pipeline::label).distinct().toList();
  }

  /**
   * The open stages a criterion {@code from_stage: name} covers: in every pipeline that has an open
   * stage of that name, that stage and every later open stage of the same pipeline.
   */
  public Set<String> fromStage(String name) {
    var out = new LinkedHashSet<String>();
    for (var p : pipelines) {
      var open = p.activeStages().stream().filter(s -> !s.closed()).toList();
      for (int i = 0; i < open.size(); i++) {
        if (open.get(i).label().equals(name)) {
          open.subList(i, open.size()).forEach(s -> out.add(s.label()));
          break;
        }
      }
    }
    return out;
  }

  int categoryIndex(String category) {
    return forecastCategories.indexOf(category);
  }

  private static StageVocabulary.Pipeline pipelineOf(String id, String label, List<String> open, List<String> closed,
      List<Integer> probabilities) {
    var stages = new ArrayList<StageVocabulary.Stage>();
    int i = 0;
    for (var names : List.of(open, closed)) {
      for (var name : names) {
        var probability = i < probabilities.size() ? Optional.of(BigDecimal.valueOf(probabilities.get(i)))
            : Optional.<BigDecimal>empty();
        boolean isClosed = names == closed;
        // the first closed stage wins, the others lose, as Closed Won and Closed Lost
        boolean won = isClosed && name.equals(closed.get(0));
        stages.add(new StageVocabulary.Stage(name, name, ++i, probability, Optional.empty(), isClosed, won, true));
      }
    }
    return new StageVocabulary.Pipeline(id, label, stages);
  }
}
