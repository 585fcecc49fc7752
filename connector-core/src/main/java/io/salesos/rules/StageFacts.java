package io.salesos.rules;

import io.salesos.spi.StageVocabulary;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a deal stands, read through its connection's stages: the stage's label (a HubSpot stage id
 * becomes the label its pipeline gives it, unless the mapping's {@code values:} already translated
 * it), the pipeline's label ({@code deal.pipeline}), the stage's position among the pipeline's
 * active stages from 1 ({@code deal.stage_order}), its default probability ({@code
 * deal.stage_probability}) and whether it closes the deal and wins it ({@code deal.is_closed},
 * {@code deal.is_won}). A stage the vocabulary does not know is left as it is, with none of these.
 */
public final class StageFacts {

  private record Place(StageVocabulary.Pipeline pipeline, StageVocabulary.Stage stage, long order) {}

  /** Stage id -> place, and (pipeline id, stage id or label) -> place for deals that name their pipeline. */
  private final Map<String, Place> byId = new HashMap<>();
  private final Map<String, Place> byLabel = new HashMap<>();
  private final Map<String, Place> byPipeline = new HashMap<>();
  private final Map<String, String> pipelineLabels = new HashMap<>();

  public StageFacts(StageVocabulary vocabulary) {
    for (var p : vocabulary.pipelines()) {
      pipelineLabels.put(p.id(), p.label());
      long order = 0;
      for (var s : p.activeStages()) {
        var place = new Place(p, s, ++order);
        byId.putIfAbsent(s.id(), place);
        byLabel.putIfAbsent(s.label(), place);
        byPipeline.put(p.id() + "\u0001" + s.id(), place);
        byPipeline.putIfAbsent(p.id() + "\u0001" + s.label(), place);
      }
    }
  }

  /** The deal with its stage's label and the pipeline, order, probability, closed and won of that stage. */
  public CrmRecord deal(CrmRecord deal) {
    var stage = deal.string("stage");
    if (stage.isEmpty()) {
      return deal;
    }
    var place = place(deal.string("pipeline"), stage.get());
    if (place.isEmpty()) {
      return deal.string("pipeline").map(pipelineLabels::get).map(label -> deal.with("pipeline", label)).orElse(deal);
    }
    var p = place.get();
    var m = new LinkedHashMap<>(deal.values());
    m.put("stage", p.stage().label());
    m.put("pipeline", p.pipeline().label());
    m.put("stage_order", p.order());
    p.stage().probability().ifPresent(v -> m.put("stage_probability", v));
    m.put("is_closed", p.stage().closed());
    m.put("is_won", p.stage().won());
    return new CrmRecord(deal.id(), m);
  }

  /** A stage-history row with its stage's label. */
  public CrmRecord change(CrmRecord change, Optional<String> pipelineId) {
    var stage = change.string("stage");
    if (stage.isEmpty()) {
      return change;
    }
    return place(pipelineId, stage.get()).map(p -> change.with("stage", p.stage().label())).orElse(change);
  }

  private Optional<Place> place(Optional<String> pipelineId, String stage) {
    if (pipelineId.isPresent()) {
      var inPipeline = byPipeline.get(pipelineId.get() + "\u0001" + stage);
      if (inPipeline != null) {
        return Optional.of(inPipeline);
      }
    }
    return Optional.ofNullable(byId.getOrDefault(stage, byLabel.get(stage)));
  }
}
