package io.salesos.hubspot.sandbox;

import static io.salesos.hubspot.sandbox.HubSpotApi.array;
import static io.salesos.hubspot.sandbox.HubSpotApi.object;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salesos.hubspot.sandbox.HubSpotApi.Reply;
import io.salesos.hubspot.sandbox.SandboxState.Pipeline;
import io.salesos.hubspot.sandbox.SandboxState.Stage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The pipelines API for deals: pipelines and their stages read, created, replaced, updated and
 * deleted. A stage change reaches the deals at once: {@code dealstage} accepts exactly the stages
 * that exist, and the stage metadata drives the derived probability and closed flags.
 */
final class PipelinesEndpoint {

  private final SandboxState state;
  private final ObjectsEndpoint objects;

  PipelinesEndpoint(SandboxState state, ObjectsEndpoint objects) {
    this.state = state;
    this.objects = objects;
  }

  Reply route(String method, String objectType, String pipelineId, boolean stagesPath, String stageId,
      Map<String, List<String>> query, JsonNode body) {
    var table = objects.table(objectType);
    if (!table.name.equals("deals")) {
      throw ApiError.validation("The sandbox portal has pipelines for deals only, not for " + table.name);
    }
    if (pipelineId == null) {
      return switch (method) {
        case "GET" -> list();
        case "POST" -> create(body);
        default -> notAllowed(method);
      };
    }
    var pipeline = pipeline(pipelineId);
    if (!stagesPath) {
      return switch (method) {
        case "GET" -> Reply.json(200, render(pipeline));
        case "PUT" -> replace(pipeline, body);
        case "PATCH" -> update(pipeline, body);
        case "DELETE" -> delete(pipeline, query);
        default -> notAllowed(method);
      };
    }
    if (stageId == null) {
      return switch (method) {
        case "GET" -> {
          var out = object();
          var results = array();
          stagesOf(pipeline.id()).forEach(s -> results.add(render(s)));
          out.set("results", results);
          yield Reply.json(200, out);
        }
        case "POST" -> createStage(pipeline, body);
        default -> notAllowed(method);
      };
    }
    var stage = stagesOf(pipeline.id()).stream().filter(s -> s.id().equals(stageId)).findFirst()
        .orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "Unable to find stage " + stageId + " in pipeline "
            + pipeline.id()));
    return switch (method) {
      case "GET" -> Reply.json(200, render(stage));
      case "PUT", "PATCH" -> updateStage(pipeline, stage, body, method.equals("PUT"));
      case "DELETE" -> deleteStage(pipeline, stage);
      default -> notAllowed(method);
    };
  }

  private Reply list() {
    var results = array();
    state.pipelines.values().stream().sorted(Comparator.comparingInt(Pipeline::displayOrder)
        .thenComparing(Pipeline::label)).forEach(p -> results.add(render(p)));
    var out = object();
    out.set("results", results);
    return Reply.json(200, out);
  }

  private Reply create(JsonNode body) {
    requireAll(body, "PipelineInput", "label", "displayOrder", "stages");
    var now = state.now();
    var id = Long.toString(state.nextId());
    var stages = stageInputs(id, body.path("stages"), now);
    var p = new Pipeline(id, body.path("label").asText(), body.path("displayOrder").asInt(), now, now);
    state.pipelines.put(id, p);
    state.stages.addAll(stages);
    stagesChanged();
    return Reply.json(201, render(p));
  }

  private Reply replace(Pipeline old, JsonNode body) {
    requireAll(body, "PipelineInput", "label", "displayOrder", "stages");
    var now = state.now();
    var stages = stageInputs(old.id(), body.path("stages"), now);
    var p = new Pipeline(old.id(), body.path("label").asText(), body.path("displayOrder").asInt(), old.createdAt(), now);
    state.pipelines.put(p.id(), p);
    state.stages.removeIf(s -> s.pipelineId().equals(p.id()));
    state.stages.addAll(stages);
    stagesChanged();
    return Reply.json(200, render(p));
  }

  private Reply update(Pipeline old, JsonNode body) {
    if (body.path("archived").asBoolean(false)) {
      throw ApiError.validation("The sandbox does not archive pipelines; delete it instead");
    }
    var p = new Pipeline(old.id(), body.hasNonNull("label") ? body.get("label").asText() : old.label(),
        body.hasNonNull("displayOrder") ? body.get("displayOrder").asInt() : old.displayOrder(), old.createdAt(),
        state.now());
    state.pipelines.put(p.id(), p);
    return Reply.json(200, render(p));
  }

  /**
   * Deletes a pipeline, refusing the account's last one, and, when {@code
   * validateReferencesBeforeDelete=true}, one that live deals still sit in.
   */
  private Reply delete(Pipeline p, Map<String, List<String>> query) {
    if (state.pipelines.size() == 1) {
      throw ApiError.validation("An account needs at least one deal pipeline; " + p.id() + " is the last one");
    }
    if ("true".equals(query.getOrDefault("validateReferencesBeforeDelete", List.of("false")).get(0))
        && dealsIn(p.id(), null) > 0) {
      throw new ApiError(409, "CONFLICT", "Pipeline " + p.id() + " still holds " + dealsIn(p.id(), null)
          + " deals; move them to another pipeline first");
    }
    state.pipelines.remove(p.id());
    state.stages.removeIf(s -> s.pipelineId().equals(p.id()));
    stagesChanged();
    return Reply.noContent();
  }

  private Reply createStage(Pipeline p, JsonNode body) {
    requireAll(body, "PipelineStageInput", "label", "displayOrder", "metadata");
    var label = body.path("label").asText();
    if (stagesOf(p.id()).stream().anyMatch(s -> s.label().equalsIgnoreCase(label))) {
      throw ApiError.validation("Pipeline " + p.id() + " already has a stage labelled '" + label + "'");
    }
    var now = state.now();
    var stage = stage(Long.toString(state.nextId()), label, body.path("displayOrder").asInt(), body.path("metadata"),
        p.id(), now, now);
    state.stages.add(stage);
    touch(p);
    stagesChanged();
    return Reply.json(201, render(stage));
  }

  private Reply updateStage(Pipeline p, Stage old, JsonNode body, boolean replacing) {
    if (replacing) {
      requireAll(body, "PipelineStageInput", "label", "displayOrder", "metadata");
    }
    if (body.path("archived").asBoolean(false)) {
      throw ApiError.validation("The sandbox does not archive stages; delete the stage instead");
    }
    var label = body.hasNonNull("label") ? body.get("label").asText() : old.label();
    if (stagesOf(p.id()).stream().anyMatch(s -> !s.id().equals(old.id()) && s.label().equalsIgnoreCase(label))) {
      throw ApiError.validation("Pipeline " + p.id() + " already has a stage labelled '" + label + "'");
    }
    var metadata = body.has("metadata") ? body.get("metadata")
        : object().put("probability", old.probability()).put("isClosed", Boolean.toString(old.closed()));
    var updated = stage(old.id(), label, body.hasNonNull("displayOrder") ? body.get("displayOrder").asInt()
        : old.displayOrder(), metadata, p.id(), old.createdAt(), state.now());
    state.stages.set(state.stages.indexOf(old), updated);
    touch(p);
    return Reply.json(200, render(updated));
  }

  private Reply deleteStage(Pipeline p, Stage stage) {
    if (stagesOf(p.id()).size() == 1) {
      throw ApiError.validation("A pipeline needs at least one stage; " + stage.id() + " is the last of " + p.id());
    }
    if (dealsIn(p.id(), stage.id()) > 0) {
      throw new ApiError(409, "CONFLICT", "Stage " + stage.id() + " still holds " + dealsIn(p.id(), stage.id())
          + " deals; move them to another stage first");
    }
    state.stages.remove(stage);
    touch(p);
    stagesChanged();
    return Reply.noContent();
  }

  private List<Stage> stageInputs(String pipelineId, JsonNode inputs, java.time.Instant now) {
    if (!inputs.isArray() || inputs.isEmpty()) {
      throw ApiError.validation("A pipeline needs at least one stage");
    }
    var out = new ArrayList<Stage>();
    var labels = new HashSet<String>();
    for (var in : inputs) {
      requireAll(in, "PipelineStageInput", "label", "displayOrder", "metadata");
      if (!labels.add(in.path("label").asText().toLowerCase(java.util.Locale.ROOT))) {
        throw ApiError.validation("Stage labels must be unique in a pipeline; '" + in.path("label").asText()
            + "' appears twice");
      }
      // an existing stage keeps its id when a replacing request names it
      var id = in.hasNonNull("stageId") ? in.get("stageId").asText() : Long.toString(state.nextId());
      out.add(stage(id, in.path("label").asText(), in.path("displayOrder").asInt(), in.path("metadata"), pipelineId,
          now, now));
    }
    return out;
  }

  /** A deal stage from its input; deals need a probability from 0.0 to 1.0, and 0 or 1 close the stage. */
  private static Stage stage(String id, String label, int displayOrder, JsonNode metadata, String pipelineId,
      java.time.Instant createdAt, java.time.Instant updatedAt) {
    var raw = metadata.path("probability").asText("");
    BigDecimal probability;
    try {
      probability = new BigDecimal(raw);
    } catch (NumberFormatException e) {
      throw ApiError.validation("Deal stage '" + label + "' needs metadata.probability between 0.0 and 1.0, was '"
          + raw + "'");
    }
    if (probability.signum() < 0 || probability.compareTo(BigDecimal.ONE) > 0) {
      throw ApiError.validation("Deal stage '" + label + "' needs metadata.probability between 0.0 and 1.0, was "
          + raw);
    }
    boolean closed = metadata.has("isClosed") ? metadata.get("isClosed").asText().equals("true")
        : probability.signum() == 0 || probability.compareTo(BigDecimal.ONE) == 0;
    return new Stage(id, label, displayOrder, closed, probability.toPlainString(), pipelineId, createdAt, updatedAt);
  }

  private void touch(Pipeline p) {
    state.pipelines.put(p.id(), new Pipeline(p.id(), p.label(), p.displayOrder(), p.createdAt(), state.now()));
  }

  /** Keeps the dealstage property's options equal to the stages that exist. */
  private void stagesChanged() {
    var deals = objects.table("deals");
    var old = deals.definitions.get("dealstage");
    deals.define(new PropertyDef(old.name(), old.label(), old.type(), old.fieldType(), old.groupName(),
        state.stages.stream().map(Stage::id).distinct().toList(), old.hasUniqueValue(), old.readOnly(),
        old.hubspotDefined(), old.description()));
  }

  private long dealsIn(String pipelineId, String stageId) {
    long n = 0;
    for (var o : objects.table("deals").from(0)) {
      if (!o.archived() && pipelineId.equals(o.properties().get("pipeline"))
          && (stageId == null || stageId.equals(o.properties().get("dealstage")))) {
        n++;
      }
    }
    return n;
  }

  private Pipeline pipeline(String id) {
    var p = state.pipelines.get(id);
    if (p == null) {
      throw new ApiError(404, "OBJECT_NOT_FOUND", "Unable to find pipeline " + id);
    }
    return p;
  }

  private List<Stage> stagesOf(String pipelineId) {
    return state.stages.stream().filter(s -> s.pipelineId().equals(pipelineId))
        .sorted(Comparator.comparingInt(Stage::displayOrder)).toList();
  }

  private ObjectNode render(Pipeline p) {
    var n = object();
    n.put("id", p.id());
    n.put("label", p.label());
    n.put("displayOrder", p.displayOrder());
    var stages = array();
    stagesOf(p.id()).forEach(s -> stages.add(render(s)));
    n.set("stages", stages);
    n.put("createdAt", PropertyDef.iso(p.createdAt()));
    n.put("updatedAt", PropertyDef.iso(p.updatedAt()));
    n.put("archived", false);
    return n;
  }

  private static ObjectNode render(Stage s) {
    var n = object();
    n.put("id", s.id());
    n.put("label", s.label());
    n.put("displayOrder", s.displayOrder());
    var meta = object();
    meta.put("isClosed", Boolean.toString(s.closed()));
    meta.put("probability", s.probability());
    n.set("metadata", meta);
    n.put("createdAt", PropertyDef.iso(s.createdAt()));
    n.put("updatedAt", PropertyDef.iso(s.updatedAt()));
    n.put("archived", false);
    n.put("writePermissions", "CRM_PERMISSIONS_ENFORCEMENT");
    return n;
  }

  private static void requireAll(JsonNode body, String inputName, String... names) {
    var unset = new ArrayList<String>();
    for (var name : names) {
      if (!body.hasNonNull(name)) {
        unset.add(name);
      }
    }
    if (!unset.isEmpty()) {
      throw ApiError.validation("Invalid input JSON on line 1, column 1: Cannot build " + inputName
          + ", some of required attributes are not set " + unset);
    }
  }

  private static Reply notAllowed(String method) {
    throw new ApiError(405, "VALIDATION_ERROR", "HTTP method " + method + " is not supported by this path");
  }
}
