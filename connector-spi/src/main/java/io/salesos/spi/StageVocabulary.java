package io.salesos.spi;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The deal stages a CRM defines, pipeline by pipeline, as the CRM itself reports them (Salesforce
 * {@code OpportunityStage}, HubSpot's deal pipelines): what rules may name, in which order, with which
 * default probability, and whether a stage closes a deal.
 */
public record StageVocabulary(List<Pipeline> pipelines) {

  public StageVocabulary {
    pipelines = List.copyOf(Objects.requireNonNull(pipelines, "pipelines"));
    var ids = new HashSet<String>();
    for (var p : pipelines) {
      if (!ids.add(p.id())) {
        throw new IllegalArgumentException("pipeline id '" + p.id() + "' appears twice");
      }
    }
  }

  /** The stage with this id (a HubSpot stage id, a Salesforce API name) in any pipeline. */
  public Optional<Stage> stageById(String id) {
    return pipelines.stream().flatMap(p -> p.stages().stream()).filter(s -> s.id().equals(id)).findFirst();
  }

  /** One pipeline: an id, its label, and its stages in the CRM's order. */
  public record Pipeline(String id, String label, List<Stage> stages) {
    public Pipeline {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(label, "label");
      stages = List.copyOf(Objects.requireNonNull(stages, "stages"));
      if (stages.isEmpty()) {
        throw new IllegalArgumentException("pipeline '" + label + "' has no stages");
      }
    }

    /** The stages of this pipeline a deal may stand in (inactive stages left out), in order. */
    public List<Stage> activeStages() {
      return stages.stream().filter(Stage::active).toList();
    }
  }

  /**
   * One stage. {@code id} is what a deal record carries (Salesforce: the API name in StageName;
   * HubSpot: the dealstage id), {@code label} what a person reads; {@code order} its position in the
   * pipeline as the CRM sorts it; {@code probability} the default win probability in percent
   * (0..100) when the CRM gives one; {@code forecastCategory} the category the CRM assigns to it
   * (Salesforce), empty when the CRM has none.
   */
  public record Stage(String id, String label, int order, Optional<BigDecimal> probability,
      Optional<String> forecastCategory, boolean closed, boolean won, boolean active) {
    public Stage {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(probability, "probability");
      Objects.requireNonNull(forecastCategory, "forecastCategory");
      if (label.isBlank()) {
        throw new IllegalArgumentException("stage '" + id + "' has an empty label");
      }
      // one form per value (20, not 20.0 or 2E+1), so a stage read twice compares equal
      probability = probability.map(p -> {
        var plain = p.stripTrailingZeros();
        return plain.scale() < 0 ? plain.setScale(0) : plain;
      });
      probability.ifPresent(p -> {
        if (p.signum() < 0 || p.compareTo(BigDecimal.valueOf(100)) > 0) {
          throw new IllegalArgumentException("stage '" + label + "' has probability " + p + ", not within 0..100");
        }
      });
      if (won && !closed) {
        throw new IllegalArgumentException("stage '" + label + "' is won but not closed");
      }
    }
  }
}
