package io.salesos.rules;

import io.salesos.model.CanonicalSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Loads a rule directory (exit-criteria.yaml, forecast.yaml, follow-up.yaml, routing.yaml,
 * write-policy.yaml): parses YAML 1.2 keeping positions, rejects unknown keys, unknown stages and
 * categories, compiles and type-checks every CEL expression and template placeholder, and checks
 * that what the rules write is on the write policy's allow-list. Either everything loads or the
 * result lists every problem as FILE:LINE:COL.
 */
public final class RuleSetLoader {

  public static final String EXIT_CRITERIA = "exit-criteria.yaml";
  public static final String FORECAST = "forecast.yaml";
  public static final String FOLLOW_UP = "follow-up.yaml";
  public static final String ROUTING = "routing.yaml";
  public static final String WRITE_POLICY = "write-policy.yaml";
  public static final String CADENCE = "cadence.yaml";
  static final List<String> FILES = List.of(EXIT_CRITERIA, FORECAST, FOLLOW_UP, ROUTING, WRITE_POLICY, CADENCE);

  /** The activity fields every task write carries; all must be on the allow-list when tasks are written. */
  static final List<String> TASK_FIELDS = List.of("kind", "subject", "body", "status", "priority", "due_date",
      "owner_id", "deal_id", "account_id", "contact_id", "salesos_key");

  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_.-]*");
  private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]*");
  private static final Set<String> PRIORITIES = Set.of("High", "Normal", "Low");

  private final RuleVocabulary vocabulary;
  private RuleCompiler compiler;

  public RuleSetLoader(RuleVocabulary vocabulary) {
    this.vocabulary = vocabulary;
  }

  /** The stages, categories and custom fields this loader checks rule files against. */
  public RuleVocabulary vocabulary() {
    return vocabulary;
  }

  private synchronized RuleCompiler compiler() {
    // building the CEL environments costs ~100 ms; do it once per loader, on first use
    if (compiler == null) {
      compiler = new RuleCompiler(vocabulary);
    }
    return compiler;
  }

  /** Loads every *.yaml file of {@code dir}; problems name files as {@code dir/NAME}. */
  public LoadResult load(Path dir) {
    var files = new TreeMap<String, String>();
    try (var list = Files.list(dir)) {
      for (var p : list.sorted().toList()) {
        var name = p.getFileName().toString();
        if (Files.isRegularFile(p) && (name.endsWith(".yaml") || name.endsWith(".yml"))) {
          files.put(name, Files.readString(p, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      return new LoadResult.Rejected(List.of(new RuleProblem(dir.toString(), 1, 1,
          "cannot read rule directory: " + e.getMessage())));
    } catch (UncheckedIOException e) {
      return new LoadResult.Rejected(List.of(new RuleProblem(dir.toString(), 1, 1,
          "cannot read rule file: " + e.getCause().getMessage())));
    }
    return load(dir.toString(), files);
  }

  /**
   * {@code write-policy.yaml} of {@code dir} alone, parsed with its own checks but not held to the
   * other files: a narrowing in it must take effect even while another file of the same edit is
   * broken. Empty when the file is missing or has a problem of its own.
   */
  public Optional<WritePolicy> loadWritePolicy(Path dir) {
    try {
      var content = Files.readString(dir.resolve(WRITE_POLICY), StandardCharsets.UTF_8);
      return new Run(dir.toString(), Map.of(WRITE_POLICY, content)).policyAlone();
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  /** Loads rule files given as name to content; {@code dir} only prefixes file names in problems. */
  public LoadResult load(String dir, Map<String, String> files) {
    return new Run(dir, files).run();
  }

  /** The state of one load: problems collected across files. */
  private final class Run {
    private final String dir;
    private final Map<String, String> files;
    private final List<RuleProblem> problems = new ArrayList<>();

    Run(String dir, Map<String, String> files) {
      this.dir = dir;
      this.files = new TreeMap<>(files);
    }

    private String path(String name) {
      return dir == null || dir.isEmpty() ? name : Path.of(dir).resolve(name).toString();
    }

    Optional<WritePolicy> policyAlone() {
      var policy = yaml(WRITE_POLICY).map(this::writePolicy).map(LoadedPolicy::policy);
      return problems.isEmpty() ? policy : Optional.empty();
    }

    LoadResult run() {
      for (var name : files.keySet()) {
        if (!FILES.contains(name)) {
          problems.add(new RuleProblem(path(name), 1, 1, "unknown rule file '" + name + "'"
              + YamlFile.suggest(name, new HashSet<>(FILES)).replace("known:", "rule files are:")));
        }
      }
      if (!files.containsKey(WRITE_POLICY)) {
        problems.add(new RuleProblem(path(WRITE_POLICY), 1, 1,
            "missing write-policy.yaml: without it salesos may write nothing; copy the default from rules/"));
      }
      var policy = yaml(WRITE_POLICY).map(this::writePolicy);
      var exit = yaml(EXIT_CRITERIA).map(this::exitCriteria).orElse(List.of());
      var forecast = yaml(FORECAST).map(this::forecast).orElse(ForecastRules.none());
      var followUps = yaml(FOLLOW_UP).map(this::followUps).orElse(List.of());
      var routing = yaml(ROUTING).map(this::routing).flatMap(r -> r);
      var cadence = yaml(CADENCE).map(this::cadence).orElse(Cadence.accountVisitsOnly());
      policy.ifPresent(p -> allowListChecks(p, exit, forecast, followUps));
      if (!problems.isEmpty() || policy.isEmpty()) {
        var sorted = new ArrayList<>(new TreeSet<>(problems));
        return new LoadResult.Rejected(sorted);
      }
      var hashes = new TreeMap<String, String>();
      files.forEach((n, c) -> hashes.put(n, Hashing.sha256(c)));
      return new LoadResult.Loaded(new RuleSet(hashes, vocabulary, exit, forecast, followUps, policy.get().policy(), routing, cadence));
    }

    private Optional<YamlFile> yaml(String name) {
      var content = files.get(name);
      if (content == null) {
        return Optional.empty();
      }
      var y = new YamlFile(path(name), content, problems);
      if (y.root().isEmpty()) {
        // an empty file is a problem only if it also failed to parse; otherwise it holds no rules
        return Optional.empty();
      }
      return Optional.of(y);
    }

    // ---------------------------------------------------------------- exit-criteria.yaml

    private List<ExitCriterion> exitCriteria(YamlFile y) {
      var out = new ArrayList<ExitCriterion>();
      var top = y.mapping(y.root().orElseThrow(), "exit-criteria.yaml", Set.of("criteria"), Set.of("criteria"));
      if (top.isEmpty() || !top.get().containsKey("criteria")) {
        return out;
      }
      var ids = new HashSet<String>();
      for (var item : y.sequence(top.get().get("criteria"), "criteria").orElse(List.of())) {
        var m = y.mapping(item, "a criterion", Set.of("id", "stages", "from_stage", "require", "flag", "message"),
            Set.of("id", "require", "flag", "message"));
        if (m.isEmpty()) {
          continue;
        }
        var f = m.get();
        var id = ruleId(y, f.get("id"), ids);
        var stages = stages(y, item, f);
        var require = expr(y, SubjectKind.DEAL, f.get("require"), RuleCompiler.Want.BOOL, "require");
        var code = f.containsKey("flag") ? y.scalar(f.get("flag"), "flag").orElse(null) : null;
        if (code != null && !CODE.matcher(code).matches()) {
          y.problem(f.get("flag"), "flag '" + code + "' must be an UPPER_CASE code like NO_PRIMARY_CONTACT");
          code = null;
        }
        var message = template(y, SubjectKind.DEAL, f.get("message"), "message");
        if (id != null && stages != null && require != null && code != null && message != null) {
          out.add(new ExitCriterion(id, stages, require, code, message));
        }
      }
      return out;
    }

    private Set<String> stages(YamlFile y, Node item, Map<String, Node> f) {
      if (f.containsKey("stages") == f.containsKey("from_stage")) {
        y.problem(item, "a criterion needs exactly one of 'stages: [..]' or 'from_stage: NAME'");
        return null;
      }
      if (f.containsKey("from_stage")) {
        var name = y.scalar(f.get("from_stage"), "from_stage").orElse(null);
        if (name == null || !knownOpenStage(y, f.get("from_stage"), name)) {
          return null;
        }
        return vocabulary.fromStage(name);
      }
      var node = f.get("stages");
      if (node instanceof SequenceNode s) {
        var out = new LinkedHashSet<String>();
        boolean ok = true;
        for (var n : s.getValue()) {
          var name = y.scalar(n, "a stage").orElse(null);
          if (name == null || !knownOpenStage(y, n, name)) {
            ok = false;
          } else {
            out.add(name);
          }
        }
        return ok ? out : null;
      }
      var word = y.scalar(node, "stages").orElse("");
      if (word.equals("open")) {
        return new LinkedHashSet<>(vocabulary.openStages());
      }
      if (!knownOpenStage(y, node, word)) {
        return null;
      }
      return Set.of(word);
    }

    private boolean knownOpenStage(YamlFile y, Node n, String name) {
      if (vocabulary.openStages().contains(name)) {
        return true;
      }
      if (vocabulary.closedStages().contains(name)) {
        y.problem(n, "stage '" + name + "' is closed: exit criteria apply to open stages only");
        return false;
      }
      var suggestion = YamlFile.suggest(name, new HashSet<>(vocabulary.openStages()));
      // name the stages that exist either way: the CRM's own list is what the author must match
      y.problem(n, "unknown stage '" + name + "'" + suggestion
          + (suggestion.contains("did you mean") ? " open stages: " + String.join(", ", vocabulary.openStages()) : ""));
      return false;
    }

    // ---------------------------------------------------------------- forecast.yaml

    private ForecastRules forecast(YamlFile y) {
      var top = y.mapping(y.root().orElseThrow(), "forecast.yaml", Set.of("applies_to", "in_forecast", "flag", "categories"),
          Set.of("categories"));
      if (top.isEmpty()) {
        return ForecastRules.none();
      }
      var f = top.get();
      var applies = Optional.ofNullable(f.get("applies_to"))
          .map(n -> expr(y, SubjectKind.DEAL, n, RuleCompiler.Want.BOOL, "applies_to"));
      var inPeriod = Optional.ofNullable(f.get("in_forecast"))
          .map(n -> expr(y, SubjectKind.DEAL, n, RuleCompiler.Want.BOOL, "in_forecast"));
      var code = Optional.ofNullable(f.get("flag")).flatMap(n -> y.scalar(n, "flag")).orElse("FORECAST_NOT_SUPPORTED");
      if (!CODE.matcher(code).matches()) {
        y.problem(f.get("flag"), "flag '" + code + "' must be an UPPER_CASE code");
      }
      var byCategory = new LinkedHashMap<String, List<ForecastRules.Requirement>>();
      var ids = new HashSet<String>();
      if (f.containsKey("categories")) {
        var cats = y.mapping(f.get("categories"), "categories", null, null).orElse(Map.of());
        for (var e : cats.entrySet()) {
          var category = e.getKey();
          if (vocabulary.categoryIndex(category) < 0) {
            var keyNode = y.keyNode(f.get("categories"), category).orElse(e.getValue());
            y.problem(keyNode, "unknown forecast category '" + category + "'"
                + YamlFile.suggest(category, new HashSet<>(vocabulary.forecastCategories())));
            continue;
          }
          var reqs = new ArrayList<ForecastRules.Requirement>();
          for (var item : y.sequence(e.getValue(), "requirements of " + category).orElse(List.of())) {
            var m = y.mapping(item, "a requirement", Set.of("id", "require", "reason"), Set.of("id", "require", "reason"));
            if (m.isEmpty()) {
              continue;
            }
            var id = ruleId(y, m.get().get("id"), ids);
            var require = expr(y, SubjectKind.DEAL, m.get().get("require"), RuleCompiler.Want.BOOL, "require");
            var reason = template(y, SubjectKind.DEAL, m.get().get("reason"), "reason");
            if (id != null && require != null && reason != null) {
              reqs.add(new ForecastRules.Requirement(id, category, require, reason));
            }
          }
          byCategory.put(category, reqs);
        }
      }
      return new ForecastRules(applies.filter(x -> x != null), inPeriod.filter(x -> x != null), byCategory, code);
    }

    // ---------------------------------------------------------------- follow-up.yaml

    private List<FollowUpRule> followUps(YamlFile y) {
      var out = new ArrayList<FollowUpRule>();
      var top = y.mapping(y.root().orElseThrow(), "follow-up.yaml", Set.of("rules"), Set.of("rules"));
      if (top.isEmpty() || !top.get().containsKey("rules")) {
        return out;
      }
      var ids = new HashSet<String>();
      for (var item : y.sequence(top.get().get("rules"), "rules").orElse(List.of())) {
        var m = y.mapping(item, "a follow-up rule", Set.of("id", "for", "when", "key", "task", "horizon_days"),
            Set.of("id", "when", "task"));
        if (m.isEmpty()) {
          continue;
        }
        var f = m.get();
        var id = ruleId(y, f.get("id"), ids);
        SubjectKind kind = SubjectKind.DEAL;
        if (f.containsKey("for")) {
          var s = y.scalar(f.get("for"), "for").orElse("deal");
          try {
            kind = SubjectKind.parse(s);
          } catch (IllegalArgumentException e) {
            y.problem(f.get("for"), e.getMessage());
            continue;
          }
        }
        var when = expr(y, kind, f.get("when"), RuleCompiler.Want.BOOL, "when");
        Optional<java.time.Duration> horizon = Optional.empty();
        boolean horizonOk = true;
        if (f.containsKey("horizon_days")) {
          var text = y.scalar(f.get("horizon_days"), "horizon_days").orElse("");
          if (kind == SubjectKind.ACCOUNT) {
            y.problem(f.get("horizon_days"), "an account rule has no moment to measure a horizon from (horizon_days is for"
                + " deal, contact and activity rules)");
            horizonOk = false;
          } else if (!text.matches("[1-9][0-9]{0,4}")) {
            y.problem(f.get("horizon_days"), "horizon_days must be a whole number of days, 1 or more, was '" + text + "'");
            horizonOk = false;
          } else {
            horizon = Optional.of(java.time.Duration.ofDays(Long.parseLong(text)));
          }
        }
        Optional<CompiledExpr> key = f.containsKey("key")
            ? Optional.ofNullable(expr(y, kind, f.get("key"), RuleCompiler.Want.ANY, "key")) : Optional.empty();
        if (!f.containsKey("task")) {
          continue;
        }
        var t = y.mapping(f.get("task"), "task", Set.of("subject", "body", "due", "priority", "fields"), Set.of("subject", "due"));
        if (t.isEmpty()) {
          continue;
        }
        var tf = t.get();
        var title = template(y, kind, tf.get("subject"), "subject");
        var body = tf.containsKey("body") ? template(y, kind, tf.get("body"), "body") : Template.literal("");
        var due = expr(y, kind, tf.get("due"), RuleCompiler.Want.TIMESTAMP, "due");
        var priority = tf.containsKey("priority") ? y.scalar(tf.get("priority"), "priority").orElse(null) : "Normal";
        if (priority != null && !PRIORITIES.contains(priority)) {
          y.problem(tf.get("priority"), "priority '" + priority + "' must be one of High, Normal, Low");
          priority = null;
        }
        var fields = new TreeMap<String, Template>();
        boolean fieldsOk = true;
        if (tf.containsKey("fields")) {
          var fm = y.mapping(tf.get("fields"), "fields", null, null).orElse(Map.of());
          for (var e : fm.entrySet()) {
            var keyNode = y.keyNode(tf.get("fields"), e.getKey()).orElse(e.getValue());
            if (CanonicalSchema.standardType(CanonicalSchema.ACTIVITY, e.getKey()).isEmpty()
                && !vocabulary.customFields().getOrDefault(CanonicalSchema.ACTIVITY, Map.of()).containsKey(e.getKey())) {
              y.problem(keyNode, "unknown activity field '" + e.getKey() + "'"
                  + YamlFile.suggest(e.getKey(), CanonicalSchema.standardFields(CanonicalSchema.ACTIVITY).keySet()));
              fieldsOk = false;
              continue;
            }
            if (TASK_FIELDS.contains(e.getKey())) {
              y.problem(keyNode, "'" + e.getKey() + "' is set by the task itself; use subject, body, due or priority");
              fieldsOk = false;
              continue;
            }
            var tpl = template(y, kind, e.getValue(), e.getKey());
            if (tpl == null) {
              fieldsOk = false;
            } else {
              fields.put(e.getKey(), tpl);
            }
          }
        }
        if (id != null && when != null && title != null && body != null && due != null && priority != null && fieldsOk
            && horizonOk && (key.isPresent() || !f.containsKey("key"))) {
          out.add(new FollowUpRule(id, kind, when, key, title, body, due, priority, fields, horizon));
          fieldSites.put(id, f.get("task"));
          fieldYaml.put(id, y);
        }
      }
      return out;
    }

    private final Map<String, Node> fieldSites = new HashMap<>();
    private final Map<String, YamlFile> fieldYaml = new HashMap<>();

    // ---------------------------------------------------------------- routing.yaml

    private Optional<RoutingRules> routing(YamlFile y) {
      var top = y.mapping(y.root().orElseThrow(), "routing.yaml",
          Set.of("visit_value", "rep_day", "travel", "reps", "time_zone", "holidays", "regions",
              "fiscal_year_start_month"),
          Set.of("visit_value", "rep_day"));
      if (top.isEmpty() || !top.get().containsKey("visit_value") || !top.get().containsKey("rep_day")) {
        return Optional.empty();
      }
      var f = top.get();
      var value = expr(y, SubjectKind.DEAL, f.get("visit_value"), RuleCompiler.Want.NUMBER, "visit_value");
      var defaults = repDay(y, f.get("rep_day"), null);
      var urban = new RoutingRules.Travel(30, 1.4);
      var rural = new RoutingRules.Travel(60, 1.25);
      if (f.containsKey("travel")) {
        var t = y.mapping(f.get("travel"), "travel", Set.of("urban", "rural"), null).orElse(Map.of());
        if (t.containsKey("urban")) {
          urban = travel(y, t.get("urban"), urban);
        }
        if (t.containsKey("rural")) {
          rural = travel(y, t.get("rural"), rural);
        }
      }
      ZoneId defaultZone = java.time.ZoneOffset.UTC;
      if (f.containsKey("time_zone")) {
        defaultZone = zone(y, f.get("time_zone")).orElse(defaultZone);
      }
      var holidays = f.containsKey("holidays") ? dates(y, f.get("holidays"), "holidays") : Set.<LocalDate>of();
      int fiscal = f.containsKey("fiscal_year_start_month")
          ? y.integer(f.get("fiscal_year_start_month"), "fiscal_year_start_month", 1, 12).orElse(0) : 0;
      var perRep = new TreeMap<String, RoutingRules.RepDay>();
      var repZones = new TreeMap<String, ZoneId>();
      if (f.containsKey("reps") && defaults != null) {
        var reps = y.mapping(f.get("reps"), "reps", null, null).orElse(Map.of());
        for (var e : reps.entrySet()) {
          var d = repDay(y, e.getValue(), defaults);
          if (d != null) {
            perRep.put(e.getKey(), d);
          }
          y.mapping(e.getValue(), "a rep's day", null, null).map(m -> m.get("time_zone"))
              .flatMap(n -> zone(y, n)).ifPresent(z -> repZones.put(e.getKey(), z));
        }
      }
      var regions = new TreeMap<String, RoutingRules.Region>();
      if (f.containsKey("regions") && defaults != null) {
        for (var e : y.mapping(f.get("regions"), "regions", null, null).orElse(Map.of()).entrySet()) {
          var m = y.mapping(e.getValue(), "a region", null, null).orElse(Map.of());
          var zone = Optional.ofNullable(m.get("time_zone")).flatMap(n -> zone(y, n));
          var off = m.containsKey("holidays") ? dates(y, m.get("holidays"), "holidays") : Set.<LocalDate>of();
          var hasDay = m.keySet().stream().anyMatch(k -> !k.equals("time_zone") && !k.equals("holidays"));
          var day = hasDay ? Optional.ofNullable(repDay(y, e.getValue(), defaults)) : Optional.<RoutingRules.RepDay>empty();
          regions.put(e.getKey(), new RoutingRules.Region(zone, day, off));
        }
      }
      if (value == null || defaults == null) {
        return Optional.empty();
      }
      return Optional.of(new RoutingRules(value, defaults, perRep, repZones, regions, defaultZone, holidays, fiscal, urban,
          rural));
    }

    private Optional<ZoneId> zone(YamlFile y, Node n) {
      return y.scalar(n, "time_zone").flatMap(s -> {
        var z = RoutingRules.parseZone(s);
        if (z.isEmpty()) {
          y.problem(n, "time_zone must be a time-zone id like Europe/Berlin or America/Denver, got '" + s + "'");
        }
        return z;
      });
    }

    private Set<LocalDate> dates(YamlFile y, Node n, String what) {
      var out = new java.util.TreeSet<LocalDate>();
      for (var item : y.sequence(n, what).orElse(List.of())) {
        y.scalar(item, what).ifPresent(s -> {
          try {
            out.add(LocalDate.parse(s.strip()));
          } catch (DateTimeParseException e) {
            y.problem(item, what + " must list dates like 2026-12-25, got '" + s + "'");
          }
        });
      }
      return out;
    }

    private RoutingRules.RepDay repDay(YamlFile y, Node node, RoutingRules.RepDay base) {
      var keys = Set.of("start", "end", "max_stops", "service_minutes", "workdays", "plan_at");
      var allowed = base == null ? keys : Set.of("start", "end", "max_stops", "service_minutes", "workdays", "plan_at",
          "time_zone", "holidays");
      var m = y.mapping(node, base == null ? "rep_day" : "a rep's day", allowed,
          base == null ? Set.of("start", "end", "max_stops", "service_minutes") : Set.of());
      if (m.isEmpty()) {
        return null;
      }
      var f = m.get();
      var start = f.containsKey("start") ? time(y, f.get("start"), "start") : Optional.ofNullable(base).map(RoutingRules.RepDay::start);
      var end = f.containsKey("end") ? time(y, f.get("end"), "end") : Optional.ofNullable(base).map(RoutingRules.RepDay::end);
      var stops = f.containsKey("max_stops") ? y.integer(f.get("max_stops"), "max_stops", 1, 30)
          : Optional.ofNullable(base).map(RoutingRules.RepDay::maxStops);
      var service = f.containsKey("service_minutes") ? y.integer(f.get("service_minutes"), "service_minutes", 5, 480)
          : Optional.ofNullable(base).map(RoutingRules.RepDay::serviceMinutes);
      var planAt = f.containsKey("plan_at") ? time(y, f.get("plan_at"), "plan_at")
          : Optional.of(base == null ? RoutingRules.PLAN_AT : base.planAt());
      var workdays = f.containsKey("workdays") ? workdays(y, f.get("workdays"))
          : Optional.of(base == null ? RoutingRules.WEEKDAYS : base.workdays());
      if (start.isEmpty() || end.isEmpty() || stops.isEmpty() || service.isEmpty() || planAt.isEmpty() || workdays.isEmpty()) {
        return null;
      }
      if (!end.get().isAfter(start.get())) {
        y.problem(f.getOrDefault("end", node), "the day must end after it starts (" + start.get() + " - " + end.get() + ")");
        return null;
      }
      return new RoutingRules.RepDay(start.get(), end.get(), stops.get(), service.get(), workdays.get(), planAt.get());
    }

    /** "Mon-Fri", "Sun-Thu" or a list of days ([Mon, Tue, Thu]). */
    private Optional<Set<java.time.DayOfWeek>> workdays(YamlFile y, Node n) {
      var names = new ArrayList<String>();
      if (n instanceof SequenceNode) {
        y.sequence(n, "workdays").orElse(List.of()).forEach(i -> y.scalar(i, "workdays").ifPresent(names::add));
      } else {
        y.scalar(n, "workdays").ifPresent(names::add);
      }
      var out = java.util.EnumSet.noneOf(java.time.DayOfWeek.class);
      for (var name : names) {
        var range = name.split("-");
        var from = day(range[0]);
        var to = range.length == 2 ? day(range[1]) : from;
        if (range.length > 2 || from.isEmpty() || to.isEmpty()) {
          y.problem(n, "workdays must be days like Mon-Fri or [Mon, Tue, Thu], got '" + name + "'");
          return Optional.empty();
        }
        for (var d = from.get(); ; d = d.plus(1)) {
          out.add(d);
          if (d == to.get()) {
            break;
          }
        }
      }
      if (out.isEmpty()) {
        y.problem(n, "workdays must name at least one day");
        return Optional.empty();
      }
      return Optional.of(out);
    }

    private static Optional<java.time.DayOfWeek> day(String s) {
      var t = s.strip().toLowerCase(java.util.Locale.ROOT);
      if (t.length() < 3) {
        return Optional.empty();
      }
      for (var d : java.time.DayOfWeek.values()) {
        if (d.name().toLowerCase(java.util.Locale.ROOT).startsWith(t.substring(0, 3))) {
          return Optional.of(d);
        }
      }
      return Optional.empty();
    }

    private Optional<LocalTime> time(YamlFile y, Node n, String what) {
      return y.scalar(n, what).flatMap(s -> {
        try {
          return Optional.of(LocalTime.parse(s.trim()));
        } catch (DateTimeParseException e) {
          y.problem(n, what + " must be a time like 08:00, got '" + s + "'");
          return Optional.empty();
        }
      });
    }

    private RoutingRules.Travel travel(YamlFile y, Node n, RoutingRules.Travel fallback) {
      var m = y.mapping(n, "travel", Set.of("speed_kmh", "road_factor"), Set.of("speed_kmh", "road_factor"));
      if (m.isEmpty() || m.get().size() < 2) {
        return fallback;
      }
      var speed = y.number(m.get().get("speed_kmh"), "speed_kmh");
      var factor = y.number(m.get().get("road_factor"), "road_factor");
      if (speed.isEmpty() || factor.isEmpty()) {
        return fallback;
      }
      if (speed.get() <= 0 || factor.get() < 1.0) {
        y.problem(n, "speed_kmh must be positive and road_factor at least 1.0");
        return fallback;
      }
      return new RoutingRules.Travel(speed.get(), factor.get());
    }

    // ---------------------------------------------------------------- cadence.yaml

    private Cadence cadence(YamlFile y) {
      var top = y.mapping(y.root().orElseThrow(), "cadence.yaml", Set.of("default", "verticals"), Set.of("default"));
      if (top.isEmpty() || !top.get().containsKey("default")) {
        return Cadence.accountVisitsOnly();
      }
      var defaults = new LinkedHashMap<String, Cadence.Every>();
      Cadence.KINDS.forEach(k -> defaults.put(k, new Cadence.Every.Never()));
      defaults.putAll(cadenceKinds(y, top.get().get("default"), "default"));
      var verticals = new LinkedHashMap<String, Map<String, Cadence.Every>>();
      if (top.get().containsKey("verticals")) {
        for (var e : y.mapping(top.get().get("verticals"), "verticals", null, null).orElse(Map.of()).entrySet()) {
          verticals.put(e.getKey(), cadenceKinds(y, e.getValue(), "vertical '" + e.getKey() + "'"));
        }
      }
      return new Cadence(defaults, verticals);
    }

    private Map<String, Cadence.Every> cadenceKinds(YamlFile y, Node node, String what) {
      var out = new LinkedHashMap<String, Cadence.Every>();
      for (var e : y.mapping(node, what, new HashSet<>(Cadence.KINDS), null).orElse(Map.of()).entrySet()) {
        var value = y.scalar(e.getValue(), e.getKey());
        if (value.isEmpty()) {
          continue;
        }
        var v = value.get().trim();
        if (v.equals("account")) {
          if (!e.getKey().equals("visit")) {
            y.problem(e.getValue(), "'account' (the account's visit_every_days) is a visit cadence; give " + e.getKey()
                + " a number of days or 'never'");
            continue;
          }
          out.put(e.getKey(), new Cadence.Every.AccountVisitEvery());
        } else if (v.equals("never")) {
          out.put(e.getKey(), new Cadence.Every.Never());
        } else {
          y.integer(e.getValue(), e.getKey() + " (days between " + e.getKey() + "s at one account)", 1, 366)
              .ifPresent(d -> out.put(e.getKey(), new Cadence.Every.Days(d)));
        }
      }
      return out;
    }

    // ---------------------------------------------------------------- write-policy.yaml

    /** The policy plus the nodes needed to point at allow-list problems. */
    private record LoadedPolicy(WritePolicy policy, YamlFile yaml, Map<WriteKind, Node> kindNodes) {}

    private LoadedPolicy writePolicy(YamlFile y) {
      var top = y.mapping(y.root().orElseThrow(), "write-policy.yaml", Set.of("writes", "allow", "withdraw"), Set.of("writes", "allow"));
      var decisions = new EnumMap<WriteKind, WriteDecision>(WriteKind.class);
      var kindNodes = new EnumMap<WriteKind, Node>(WriteKind.class);
      var allow = new TreeMap<String, Set<String>>();
      if (top.isEmpty()) {
        return new LoadedPolicy(new WritePolicy(decisions, allow), y, kindNodes);
      }
      var f = top.get();
      if (f.containsKey("writes")) {
        var kinds = new LinkedHashSet<String>();
        for (var k : WriteKind.ruled()) {
          kinds.add(k.code());
        }
        var w = y.mapping(f.get("writes"), "writes", kinds, null).orElse(Map.of());
        for (var e : w.entrySet()) {
          var kind = WriteKind.valueOf(e.getKey().toUpperCase());
          var s = y.scalar(e.getValue(), e.getKey()).orElse(null);
          if (s == null) {
            continue;
          }
          try {
            decisions.put(kind, WriteDecision.parse(s));
            kindNodes.put(kind, e.getValue());
          } catch (IllegalArgumentException ex) {
            y.problem(e.getValue(), ex.getMessage());
          }
        }
      }
      if (f.containsKey("allow")) {
        var a = y.mapping(f.get("allow"), "allow", null, null).orElse(Map.of());
        for (var e : a.entrySet()) {
          var object = e.getKey();
          if (!CanonicalSchema.isObject(object)) {
            y.problem(y.keyNode(f.get("allow"), object).orElse(e.getValue()), "unknown canonical object '" + object + "'"
                + YamlFile.suggest(object, new HashSet<>(CanonicalSchema.objects())));
            continue;
          }
          var fields = new TreeSet<String>();
          for (var n : y.sequence(e.getValue(), "allowed fields of " + object).orElse(List.of())) {
            var field = y.scalar(n, "a field").orElse(null);
            if (field == null) {
              continue;
            }
            boolean known = CanonicalSchema.standardType(object, field).isPresent()
                || vocabulary.customFields().getOrDefault(object, Map.of()).containsKey(field);
            if (!known) {
              y.problem(n, "unknown field '" + object + "." + field + "'"
                  + YamlFile.suggest(field, CanonicalSchema.standardFields(object).keySet()));
              continue;
            }
            fields.add(field);
          }
          allow.put(object, fields);
        }
      }
      var withdraw = TaskWithdrawal.DEFAULT;
      if (f.containsKey("withdraw")) {
        var s = y.scalar(f.get("withdraw"), "withdraw").orElse(null);
        if (s != null) {
          try {
            withdraw = TaskWithdrawal.parse(s);
          } catch (IllegalArgumentException ex) {
            y.problem(f.get("withdraw"), ex.getMessage());
          }
        }
      }
      return new LoadedPolicy(new WritePolicy(decisions, allow, withdraw), y, kindNodes);
    }

    /** Every write a rule implies must be allowed: rules never widen the allow-list. */
    private void allowListChecks(LoadedPolicy lp, List<ExitCriterion> exit, ForecastRules forecast, List<FollowUpRule> followUps) {
      var p = lp.policy();
      if (p.decision(WriteKind.FLAG) != WriteDecision.OFF && !p.allows(CanonicalSchema.DEAL, "salesos_flags")
          && (!exit.isEmpty() || !forecast.byCategory().isEmpty())) {
        lp.yaml().problem(lp.kindNodes().get(WriteKind.FLAG), "flag writes are on but the allow-list lacks deal.salesos_flags;"
            + " add it under allow: deal: or set writes: flag: off");
      }
      if (p.decision(WriteKind.FORECAST) != WriteDecision.OFF && !p.allows(CanonicalSchema.DEAL, "salesos_forecast_category")
          && !forecast.byCategory().isEmpty()) {
        lp.yaml().problem(lp.kindNodes().get(WriteKind.FORECAST), "forecast writes are on but the allow-list lacks"
            + " deal.salesos_forecast_category; add it under allow: deal: or set writes: forecast: off");
      }
      if (p.decision(WriteKind.TASK) == WriteDecision.OFF || followUps.isEmpty()) {
        return;
      }
      var missing = TASK_FIELDS.stream().filter(f -> !p.allows(CanonicalSchema.ACTIVITY, f)).toList();
      if (!missing.isEmpty()) {
        lp.yaml().problem(lp.kindNodes().get(WriteKind.TASK), "task writes are on but the allow-list lacks activity."
            + String.join(", activity.", missing) + "; add them under allow: activity: or set writes: task: off");
      }
      for (var rule : followUps) {
        for (var field : rule.fields().keySet()) {
          if (!p.allows(CanonicalSchema.ACTIVITY, field)) {
            var y = fieldYaml.get(rule.id());
            var taskNode = fieldSites.get(rule.id());
            var fieldsNode = y.mapping(taskNode, "task", null, null).orElse(Map.of()).get("fields");
            var at = y.keyNode(fieldsNode, field).orElse(taskNode);
            y.problem(at, "rule '" + rule.id() + "' writes activity." + field
                + ", which write-policy.yaml does not allow; nothing outside the allow-list is ever written");
          }
        }
      }
    }

    // ---------------------------------------------------------------- shared

    private String ruleId(YamlFile y, Node n, Set<String> seen) {
      if (n == null) {
        return null;
      }
      var id = y.scalar(n, "id").orElse(null);
      if (id == null) {
        return null;
      }
      if (!ID.matcher(id).matches()) {
        y.problem(n, "id '" + id + "' must be lower-case words joined by . _ or - (like proposal.primary_contact)");
        return null;
      }
      if (!seen.add(id)) {
        y.problem(n, "duplicate id '" + id + "'");
        return null;
      }
      return id;
    }

    private CompiledExpr expr(YamlFile y, SubjectKind kind, Node n, RuleCompiler.Want want, String what) {
      if (n == null) {
        return null;
      }
      var site = y.site(n, what);
      if (site.isEmpty()) {
        return null;
      }
      return compiler().compile(kind, site.get(), want, problems);
    }

    private Template template(YamlFile y, SubjectKind kind, Node n, String what) {
      if (n == null) {
        return null;
      }
      var site = y.site(n, what);
      if (site.isEmpty()) {
        return null;
      }
      return Template.compile(compiler(), kind, site.get(), problems);
    }
  }
}
