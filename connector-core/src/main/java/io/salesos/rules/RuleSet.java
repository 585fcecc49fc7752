package io.salesos.rules;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A complete, compiled and validated set of rule files: immutable, compiled once per file
 * version, identified by the SHA-256 of its files. Build one with {@link RuleSetLoader}.
 */
public final class RuleSet {

  private final Map<String, String> fileHashes;
  private final String version;
  private final RuleVocabulary vocabulary;
  private final List<ExitCriterion> exitCriteria;
  private final ForecastRules forecast;
  private final List<FollowUpRule> followUps;
  private final WritePolicy writePolicy;
  private final Optional<RoutingRules> routing;
  private final Cadence cadence;

  RuleSet(Map<String, String> fileHashes, RuleVocabulary vocabulary, List<ExitCriterion> exitCriteria,
      ForecastRules forecast, List<FollowUpRule> followUps, WritePolicy writePolicy, Optional<RoutingRules> routing,
      Cadence cadence) {
    this.fileHashes = Map.copyOf(new TreeMap<>(fileHashes));
    this.vocabulary = vocabulary;
    this.exitCriteria = List.copyOf(exitCriteria);
    this.forecast = forecast;
    this.followUps = List.copyOf(followUps);
    this.writePolicy = writePolicy;
    this.routing = routing;
    this.cadence = cadence;
    this.version = Hashing.sha256(new TreeMap<>(fileHashes).toString()).substring(0, 16);
  }

  /** File name to SHA-256 of its content. */
  public Map<String, String> fileHashes() {
    return fileHashes;
  }

  /** A short id of this rule set's content: same files, same version. */
  public String version() {
    return version;
  }

  public RuleVocabulary vocabulary() {
    return vocabulary;
  }

  /** This set with {@code policy} in force instead of its own (a narrowing that could not load whole). */
  public RuleSet withWritePolicy(WritePolicy policy) {
    return new RuleSet(fileHashes, vocabulary, exitCriteria, forecast, followUps, policy, routing, cadence);
  }

  /** A rule set as it runs on one CRM, and the rules it turned off there (each with why). */
  public record Restricted(RuleSet rules, List<String> off) {
    public Restricted {
      off = List.copyOf(off);
    }
  }

  /**
   * This set as it runs on a CRM that lacks some fields: {@code absent} maps each canonical field
   * the CRM does not have ({@code deal.next_step_date}) to the CRM field it would be read from. A
   * criterion, forecast requirement or follow-up condition that reads one gives no verdict there
   * (an error per record, counted and shown like any other, never a write): on a stock org,
   * {@code has(deal.next_step_date)} would otherwise be false on every deal and flag them all.
   * The version stays the same: the files did not change.
   */
  public Restricted restrictedTo(Map<String, String> absent) {
    if (absent.isEmpty()) {
      return new Restricted(this, List.of());
    }
    var off = new java.util.ArrayList<String>();
    java.util.function.BiFunction<String, CompiledExpr, CompiledExpr> check = (id, expr) -> {
      var missing = new java.util.TreeSet<String>();
      for (var read : expr.reads()) {
        var field = read.substring(read.indexOf('.') + 1);
        var object = read.substring(0, read.indexOf('.'));
        for (var a : absent.entrySet()) {
          var aObject = a.getKey().substring(0, a.getKey().indexOf('.'));
          var aField = a.getKey().substring(a.getKey().indexOf('.') + 1);
          if (aField.equals(field) && (object.equals("*") || object.equals(aObject))) {
            missing.add(a.getKey() + " (" + a.getValue() + ")");
          }
        }
      }
      if (missing.isEmpty()) {
        return expr;
      }
      var why = "reads " + String.join(", ", missing) + ", which this CRM lacks: no verdict (schema verify; schema prepare --inputs)";
      off.add(id + ": " + why);
      return expr.failing(why);
    };
    var exits = exitCriteria.stream()
        .map(c -> new ExitCriterion(c.id(), c.stages(), check.apply(c.id(), c.require()), c.code(), c.message())).toList();
    var byCategory = new java.util.LinkedHashMap<String, List<ForecastRules.Requirement>>();
    forecast.byCategory().forEach((category, reqs) -> byCategory.put(category, reqs.stream()
        .map(r -> new ForecastRules.Requirement(r.id(), r.category(), check.apply(r.id(), r.require()), r.reason())).toList()));
    var fc = new ForecastRules(forecast.appliesTo(), forecast.inPeriod(), byCategory, forecast.flagCode());
    var follows = followUps.stream().map(f -> new FollowUpRule(f.id(), f.subject(), check.apply(f.id(), f.when()), f.key(),
        f.title(), f.body(), f.due(), f.priority(), f.fields(), f.horizon())).toList();
    var restricted = new RuleSet(fileHashes, vocabulary, exits, fc, follows, writePolicy, routing, cadence);
    return new Restricted(restricted, off);
  }

  public WritePolicy writePolicy() {
    return writePolicy;
  }

  /** The routing rules, if routing.yaml is present. */
  public Optional<RoutingRules> routing() {
    return routing;
  }

  /** The activity cadence of cadence.yaml (without the file: visits as each account's visit_every_days says). */
  public Cadence cadence() {
    return cadence;
  }

  /** The condition of one follow-up rule as written in follow-up.yaml, for reports that quote a rule's threshold. */
  public Optional<String> followUpCondition(String ruleId) {
    return followUps.stream().filter(r -> r.id().equals(ruleId)).findFirst().map(r -> r.when().source());
  }

  /** One line for `rules check` and the status page. */
  public String summary() {
    long reqs = forecast.byCategory().values().stream().mapToLong(List::size).sum();
    return String.format("rules ok: %d files, %d exit criteria, %d forecast requirements, %d follow-up rules, version %s",
        fileHashes.size(), exitCriteria.size(), reqs, followUps.size(), version);
  }

  List<ExitCriterion> exitCriteria() {
    return exitCriteria;
  }

  ForecastRules forecast() {
    return forecast;
  }

  List<FollowUpRule> followUps() {
    return followUps;
  }

  /** The ids of the rules that conclude tasks: a task of another rule is never withdrawn by this set. */
  /** The ids of the follow-up rules whose subject is {@code kind} (deal rules, for a run over some deals). */
  public java.util.Set<String> taskRuleIds(SubjectKind kind) {
    var out = new java.util.TreeSet<String>();
    followUps.stream().filter(r -> r.subject() == kind).forEach(r -> out.add(r.id()));
    return out;
  }

  public java.util.Set<String> taskRuleIds() {
    var out = new java.util.TreeSet<String>();
    followUps.forEach(r -> out.add(r.id()));
    return out;
  }
}
